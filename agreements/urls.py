"""The agreements app's URLs, under /o/<org_slug>/."""

from agreements import views

app_name = "agreements"

urlpatterns = [*views.urlpatterns]
