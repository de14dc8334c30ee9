"""The programme's Celery tasks, one module a part; imported here so that the worker's autodiscovery
(`app.autodiscover_tasks()` looks for `<app>.tasks`) registers every one of them. The beat schedule is in
settings (`CELERY_BEAT_SCHEDULE`)."""

from celery import shared_task

from affiliates.tasks_ledger import approve_due_commissions, payout_batch_create_for, payout_batches_create
from affiliates.tasks_people import send_nps_link
from affiliates.tasks_tiers import (
    draft_organisation_reviews,
    draft_quarterly_reviews,
    evaluate_organisation_tiers,
    evaluate_tiers,
    send_tier_changes_mail,
)


# Housekeeping, nightly from the scheduler (affiliates/housekeeping.py); safe to run twice.
@shared_task
def prune_clicks():
    from affiliates.housekeeping import prune_clicks

    return prune_clicks()


__all__ = [
    "approve_due_commissions",
    "draft_organisation_reviews",
    "draft_quarterly_reviews",
    "evaluate_organisation_tiers",
    "evaluate_tiers",
    "payout_batch_create_for",
    "payout_batches_create",
    "prune_clicks",
    "send_nps_link",
    "send_tier_changes_mail",
]
