"""The sign-off's organisation URLs, under /o/<org_slug>/agreements/<id>/ (in `agreements:`)."""

from agreements.signing.views import organisation

urlpatterns = [*organisation.urlpatterns]
