"""/p/<token>: the affiliate portal (public, by token)."""

urlpatterns = []
