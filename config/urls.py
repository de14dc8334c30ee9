"""The project's URLs: the core's routes (partnerhub.urls), each feature app's, and the API.

The core knows no feature app, so the feature apps are mounted here: their pages inside an organisation
(/o/<slug>/…, after the core's own), their public pages, and the API (/api/v1/)."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from affiliates.tracking.api import api
from partnerhub import urls as core_urls

organisation_patterns = [
    path("", include("matrix.urls")),
    path("checker/", include("checker.urls")),
    path("", include("agreements.urls")),
    path("programme/", include("affiliates.urls")),
]

urlpatterns = [
    # First: the partner link is the URL strangers hit in bulk, resolved without trying the others.
    path("r/", include("affiliates.tracking.public_urls")),
    *core_urls.urlpatterns,
    path("o/<slug:org_slug>/", include(organisation_patterns)),
    path("s/", include("checker.public_urls")),
    path("q/", include("agreements.questions.public_urls")),
    path("sign/", include("agreements.signing.public_urls")),
    path("p/", include("affiliates.ledger.public_urls")),
    path("nps/", include("affiliates.people.public_urls")),
    path("api/v1/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
