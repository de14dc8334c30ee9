"""The agreements app's URLs, under /o/<org_slug>/."""

from agreements.views import advice, builder, parties, questions, signing

app_name = "agreements"

urlpatterns = [
    *builder.urlpatterns,
    *parties.urlpatterns,
    *questions.urlpatterns,
    *signing.urlpatterns,
    *advice.urlpatterns,
]
