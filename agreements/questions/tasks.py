"""Celery tasks of the ten questions: thin wrappers that take ids and call the mail code."""

from celery import shared_task
from django.utils.dateparse import parse_datetime

from agreements.questions.mail import send_question_link_email


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_question_link(sheet_id: int, requested_at: str, base_url: str | None = None) -> bool:
    """Mail a party a fresh link to its ten questions, if the sheet still asks for one: a second run, or the
    task of a second click, sends nothing. `requested_at` (ISO) is when the link was asked to be mailed."""
    return send_question_link_email(
        sheet_id=sheet_id, requested_at=parse_datetime(requested_at), base_url=base_url
    )
