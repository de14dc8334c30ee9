"""The ledger: approving and rejecting commissions."""

urlpatterns = []
