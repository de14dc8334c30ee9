"""The ledger's organisation URLs: commissions and payouts."""

from affiliates.ledger.views import commissions, payouts

urlpatterns = [*commissions.urlpatterns, *payouts.urlpatterns]
