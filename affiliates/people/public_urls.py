"""/nps/<token>: the one-question customer satisfaction link (public, by token)."""

from affiliates.people.views import nps_public
from partnerhub.ratelimits import rate_limited_patterns

urlpatterns = rate_limited_patterns(nps_public.urlpatterns, "public_token")
