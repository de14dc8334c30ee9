"""rounds views (being built)."""

urlpatterns = []
