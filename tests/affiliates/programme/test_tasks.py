"""The programme's periodic work is registered with the worker and scheduled with beat."""

from django.conf import settings

from partnerhub.celery import app, task_packages


def test_every_scheduled_programme_task_is_registered():
    app.loader.autodiscover_tasks(task_packages(), "tasks")  # what the worker does at start

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    programme = {name for name in scheduled if name.startswith("affiliates.")}
    assert programme == {
        "affiliates.ledger.tasks.approve_due_commissions",
        "affiliates.ledger.tasks.payout_batches_create",
        "affiliates.tiers.tasks.evaluate_tiers",
        "affiliates.tiers.tasks.draft_quarterly_reviews",
        "affiliates.tracking.tasks.prune_clicks",
        "affiliates.tracking.tasks.roll_up_clicks",
    }
    assert programme <= set(app.tasks)
    assert "affiliates.people.tasks.send_nps_link" in app.tasks


def test_tiers_and_reviews_run_on_the_first_day_of_each_quarter():
    tiers = settings.CELERY_BEAT_SCHEDULE["programme-evaluate-tiers"]["schedule"]
    assert tiers.month_of_year == {1, 4, 7, 10} and tiers.day_of_month == {1}
    reviews = settings.CELERY_BEAT_SCHEDULE["programme-quarterly-reviews"]["schedule"]
    assert (reviews.hour, reviews.month_of_year) == ({7}, {1, 4, 7, 10})
