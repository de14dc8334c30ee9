"""Matrix views: radar (see matrix/urls.py)."""

urlpatterns = []
