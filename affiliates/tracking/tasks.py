"""Celery tasks of tracking: rolling clicks up into days every hour, and the nightly pruning of old clicks
(both scheduled in settings, both safe to run twice)."""

from celery import shared_task

from affiliates.tracking import housekeeping, rollup


@shared_task
def roll_up_clicks() -> dict[str, int]:
    """Count the closed days' clicks into `ClickDay` for every organisation (recounting, never adding)."""
    return rollup.roll_up_clicks()


@shared_task
def prune_clicks() -> dict[str, int]:
    """Count the clicks older than the retention period into months and remove them."""
    return housekeeping.prune_clicks()
