"""The public survey, reached with an invitation's token and no account: /s/<token>/…"""

from checker.views import survey
from partnerhub.ratelimits import rate_limited_patterns

app_name = "survey"

urlpatterns = rate_limited_patterns(survey.urlpatterns, "public_token")
