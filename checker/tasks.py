"""Celery tasks of the checker: thin wrappers that take ids and call the mail and reminder code."""

from celery import shared_task

from checker.mail import send_invitation_email
from checker.models import Invitation
from checker.reminders import send_due_reminders


@shared_task(acks_late=True)
def send_invitation(invitation_id, base_url=None):
    invitation = (
        Invitation.objects.filter(pk=invitation_id, revoked_at__isnull=True, submitted_at__isnull=True)
        .select_related("round__organisation", "round__collaboration")
        .first()
    )
    if invitation is not None:
        send_invitation_email(invitation, base_url=base_url)


@shared_task
def send_reminders():
    return send_due_reminders()
