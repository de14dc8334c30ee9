"""Celery tasks of tracking: the nightly pruning of old clicks (scheduled in settings, safe to run twice)."""

from celery import shared_task

from affiliates.tracking import housekeeping


@shared_task
def prune_clicks() -> dict[str, int]:
    """Count the clicks older than the retention period into months and remove them."""
    return housekeeping.prune_clicks()
