"""The matrix app's URLs, under /o/<org_slug>/. Each view module keeps its own `urlpatterns`."""

from matrix.views import grid, outputs, radar

app_name = "matrix"

urlpatterns = [*grid.urlpatterns, *radar.urlpatterns, *outputs.urlpatterns]
