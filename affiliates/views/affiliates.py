"""Affiliates: codes, coupons, payout accounts, portal links."""

urlpatterns = []
