"""Monthly payout batches, SEPA and CSV exports."""

urlpatterns = []
