"""Celery tasks of the checker: thin wrappers that take ids and call the mail and reminder code."""

from celery import shared_task

from checker import services
from checker.reminders import send_due_reminders


@shared_task(acks_late=True)
def send_invitation(invitation_id: int, base_url: str | None = None) -> bool:
    """E-mail a queued invitation; a second run (or a second task for the same click) sends nothing."""
    return services.invitation_deliver(invitation_id=invitation_id, base_url=base_url)


@shared_task
def send_reminders() -> int:
    return send_due_reminders()
