"""Signing a version of the letter of intent or the agreement, with a one-use token: /sign/<token>/…"""

from agreements.signing.views import public
from partnerhub.ratelimits import rate_limited_patterns

app_name = "sign"

urlpatterns = rate_limited_patterns(public.urlpatterns, "public_token")
