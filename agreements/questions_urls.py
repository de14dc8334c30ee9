"""The ten questions for a party, reached with its sheet's token and no account: /q/<token>/…"""

from agreements.views import questions_public
from partnerhub.ratelimits import rate_limited_patterns

app_name = "questions"

urlpatterns = rate_limited_patterns(questions_public.urlpatterns, "public_token")
