"""The agreements app's URLs, under /o/<org_slug>/."""

from agreements.questions import urls as questions_urls
from agreements.signing import urls as signing_urls
from agreements.views import advice, builder, parties

app_name = "agreements"

urlpatterns = [
    *builder.urlpatterns,
    *parties.urlpatterns,
    *questions_urls.urlpatterns,
    *signing_urls.urlpatterns,
    *advice.urlpatterns,
]
