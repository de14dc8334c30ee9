"""/nps/<token>: the one-question customer satisfaction link (public, by token)."""

from affiliates.views import nps_public

urlpatterns = nps_public.urlpatterns
