"""Signing a version of the letter of intent or the agreement, with a one-use token: /sign/<token>/…"""

from agreements.views import sign_public

app_name = "sign"

urlpatterns = [*sign_public.urlpatterns]
