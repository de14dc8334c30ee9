"""API keys in the settings."""

urlpatterns = []
