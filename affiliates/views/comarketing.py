"""Co-marketing actions."""

urlpatterns = []
