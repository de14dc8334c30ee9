"""Tracking's organisation URLs: the link help and the API keys."""

from affiliates.tracking.views import api_keys, redirect

urlpatterns = [*redirect.urlpatterns, *api_keys.urlpatterns]
