"""survey views (being built)."""

urlpatterns = []
