"""Celery tasks of tiers and quarterly reviews: thin wrappers that take ids and call the services.

Scheduled in settings (`CELERY_BEAT_SCHEDULE`): on the first day of January, April, July and
October, `evaluate_tiers` at 06:00 and `draft_quarterly_reviews` at 07:00 (after the evaluation, so the
reviews show the new tiers). Both are safe to run twice: an evaluation that changes nothing writes
nothing, and a review exists once per partner and quarter.
"""

import datetime

from celery import shared_task
from django.utils import timezone
from django.utils.dateparse import parse_date

from affiliates.tiers import reviews, standings
from partnerhub.models import Organisation


def _date(value: str) -> datetime.date:
    """An ISO date of a task's arguments; ValueError for anything else (never None, nor another day)."""
    day = parse_date(value)
    if day is None:
        raise ValueError(f"Not a date: {value!r}")
    return day


def _day(value: str | None) -> datetime.date:
    return _date(value) if value else timezone.localdate()


@shared_task(acks_late=True)
def evaluate_tiers(today: str | None = None) -> None:
    """Every quarter: evaluate the tiers of every organisation that runs the programme (one task each)."""
    for organisation_id in standings.organisations_to_evaluate().values_list("pk", flat=True):
        evaluate_organisation_tiers.delay(organisation_id, today)


@shared_task(acks_late=True)
def evaluate_organisation_tiers(organisation_id: int, today: str | None = None) -> int:
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return 0
    return len(standings.tiers_evaluate_organisation(organisation, today=_day(today)))


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_tier_changes_mail(organisation_id: int, change_ids: list[int]) -> int:
    """One e-mail per organisation with the promotions and demotions of an evaluation."""
    return standings.tier_changes_mail(organisation_id=organisation_id, change_ids=change_ids)


@shared_task(acks_late=True)
def draft_quarterly_reviews(today: str | None = None) -> None:
    """At the start of a quarter: draft the reviews of the quarter that just ended, per organisation."""
    quarter_start = reviews.previous_quarter_start(_day(today))
    for organisation_id in standings.organisations_to_evaluate().values_list("pk", flat=True):
        draft_organisation_reviews.delay(organisation_id, quarter_start.isoformat())


@shared_task(acks_late=True)
def draft_organisation_reviews(organisation_id: int, quarter_start: str) -> int:
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return 0
    return len(reviews.reviews_draft_all(organisation, _date(quarter_start)))
