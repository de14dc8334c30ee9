"""/p/<token>: the affiliate portal (public, by token). URL names `portal` and `portal_asset`."""

from affiliates.ledger.views import portal
from partnerhub.ratelimits import rate_limited_patterns

urlpatterns = rate_limited_patterns(portal.urlpatterns, "public_token")
