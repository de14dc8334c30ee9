"""Tiers: evaluation, history and overrides."""

urlpatterns = []
