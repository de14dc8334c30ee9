"""Signing a version of the letter of intent or the agreement, with a one-use token: /sign/<token>/…"""

from agreements.views import sign_public
from partnerhub.ratelimits import rate_limited_patterns

app_name = "sign"

urlpatterns = rate_limited_patterns(sign_public.urlpatterns, "public_token")
