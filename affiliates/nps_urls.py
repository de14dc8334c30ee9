"""/nps/<token>: the one-question customer satisfaction link (public, by token)."""

urlpatterns = []
