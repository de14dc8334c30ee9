"""The ten questions for a party, reached with its sheet's token and no account: /q/<token>/…"""

from agreements.views import questions_public

app_name = "questions"

urlpatterns = [*questions_public.urlpatterns]
