"""/p/<token>: the affiliate portal (public, by token). URL names `portal` and `portal_asset`."""

from affiliates.views import portal

urlpatterns = [*portal.urlpatterns]
