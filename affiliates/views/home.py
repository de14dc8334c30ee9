"""Programme overview and settings."""

urlpatterns = []
