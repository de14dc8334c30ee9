"""The ten questions for a party, reached with its sheet's token and no account: /q/<token>/…"""

from agreements.questions.views import public
from partnerhub.ratelimits import rate_limited_patterns

app_name = "questions"

urlpatterns = rate_limited_patterns(public.urlpatterns, "public_token")
