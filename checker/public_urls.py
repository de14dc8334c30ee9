"""The public survey, reached with an invitation's token and no account: /s/<token>/…"""

from checker.views import survey

app_name = "survey"

urlpatterns = [*survey.urlpatterns]
