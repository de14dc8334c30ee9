"""The checker's organisation URLs, under /o/<org_slug>/. Each view module keeps its own `urlpatterns`."""

from checker.views import results, rounds

app_name = "checker"

urlpatterns = [*rounds.urlpatterns, *results.urlpatterns]
