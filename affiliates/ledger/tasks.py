"""Celery tasks of the ledger: thin wrappers that take ids and call the services in `ledger.payouts`.

Scheduled in settings (`CELERY_BEAT_SCHEDULE`):
- `approve_due_commissions`, daily: pending lines whose hold has ended become approved;
- `payout_batches_create`, monthly on the 1st after that day's approval run: the previous month's batch of
  every organisation with a programme (a person still confirms and pays it).
Both are safe to run twice: approving touches only lines still pending, and a month has one batch.
"""

from celery import shared_task
from django.utils import timezone
from django.utils.dateparse import parse_date

from affiliates.ledger import payouts
from affiliates.models import ProgrammeSettings
from partnerhub.models import Organisation


@shared_task(acks_late=True)
def approve_due_commissions(today: str | None = None) -> int:
    """Daily: approve every pending line whose `approve_after` has come. Returns the number approved."""
    return payouts.approve_due_commissions(today=parse_date(today) if today else None)


@shared_task(acks_late=True)
def payout_batches_create(month: str | None = None) -> None:
    """Monthly: the batch of `month` (default: the previous month) for every organisation with a programme,
    one task each."""
    month = month or payouts.previous_month(timezone.localdate()).isoformat()
    organisation_ids = ProgrammeSettings.objects.values_list("organisation_id", flat=True)
    for organisation_id in organisation_ids:
        payout_batch_create_for.delay(organisation_id, month)


@shared_task(acks_late=True)
def payout_batch_create_for(organisation_id: int, month: str) -> int:
    """One organisation's batch of `month` (ISO date); nothing new when it exists. Returns the payouts."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return 0
    # Lines whose hold ended are approved first, so a batch never waits a month for the daily run.
    payouts.approve_due_commissions(organisation=organisation)
    result = payouts.payout_batch_create(organisation=organisation, month=parse_date(month))
    return len(result.payouts)
