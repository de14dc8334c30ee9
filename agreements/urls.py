"""The agreements app's URLs, under /o/<org_slug>/."""

from agreements.views import builder

app_name = "agreements"

urlpatterns = [*builder.urlpatterns]
