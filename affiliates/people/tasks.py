"""Celery tasks of referrals, onboarding, NPS, co-marketing and the toolkit: thin wrappers that take ids."""

from celery import shared_task

from affiliates.people import nps


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_nps_link(nps_request_id: int, base_url: str | None = None) -> bool:
    """Make the link of a pending NPS request and mail it to the customer. A second run sends nothing."""
    return nps.nps_mail_link(nps_request_id=nps_request_id, base_url=base_url)
