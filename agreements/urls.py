"""The agreements app's URLs, under /o/<org_slug>/."""

from agreements.questions import urls as questions
from agreements.signing import urls as signing
from agreements.views import advice, builder, parties

app_name = "agreements"

urlpatterns = [
    *builder.urlpatterns,
    *parties.urlpatterns,
    *questions.urlpatterns,
    *signing.urlpatterns,
    *advice.urlpatterns,
]
