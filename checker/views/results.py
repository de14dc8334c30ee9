"""results views (being built)."""

urlpatterns = []
