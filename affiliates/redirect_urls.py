"""/r/<code>: the affiliate redirect (public)."""

urlpatterns = []
