"""Onboarding: the template and a partner's tasks."""

urlpatterns = []
