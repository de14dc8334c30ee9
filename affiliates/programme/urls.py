"""The programme's own organisation URLs: the overview, the settings and the affiliates."""

from affiliates.programme.views import affiliates, home

urlpatterns = [*home.urlpatterns, *affiliates.urlpatterns]
