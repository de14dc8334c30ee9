"""The matrix app's URLs, under /o/<org_slug>/. Each view module keeps its own `urlpatterns`."""

from matrix.views import cells, grid, outputs, radar, rows

app_name = "matrix"

urlpatterns = [
    *grid.urlpatterns,
    *cells.urlpatterns,
    *rows.urlpatterns,
    *radar.urlpatterns,
    *outputs.urlpatterns,
]
