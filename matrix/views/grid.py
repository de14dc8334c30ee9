"""Matrix views: grid (see matrix/urls.py)."""

urlpatterns = []
