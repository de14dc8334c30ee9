"""The ten questions' organisation URLs, under /o/<org_slug>/agreements/<id>/questions/ (in `agreements:`)."""

from agreements.questions.views import organisation

urlpatterns = [*organisation.urlpatterns]
