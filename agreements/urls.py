"""The agreements app's URLs, under /o/<org_slug>/."""

from agreements.views import advice, builder, questions, signing

app_name = "agreements"

urlpatterns = [*builder.urlpatterns, *questions.urlpatterns, *signing.urlpatterns, *advice.urlpatterns]
