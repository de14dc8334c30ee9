"""Referrals: the lead pipeline."""

urlpatterns = []
