"""Matrix views: outputs (see matrix/urls.py)."""

urlpatterns = []
