"""Reminders for respondents who have not submitted yet.

The rules: a reminder goes out the configured numbers of days after the invitation (default 3, 7 and 14);
at most three; never twice within a day (counting the invitation itself); never after the deadline nor after
submitting; and a reminder that would fall after the deadline is sent on the last day before it instead, so
the last one always comes before the deadline. `send_due_reminders` can run as often as one likes.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, TypedDict

from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from checker.mail import send_invitation_email
from checker.models import Invitation

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    # An invitation with its reminders counted and the last one's time.
    Candidate = WithAnnotations[Invitation, "ReminderCounts"]


class ReminderCounts(TypedDict):
    reminders_sent: int
    last_reminder_at: datetime.datetime | None


MAX_REMINDERS = 3
MIN_GAP = datetime.timedelta(days=1)


def next_reminder_at(
    invitation: Invitation, *, reminders_sent: int, last_reminder_at: datetime.datetime | None
) -> datetime.datetime | None:
    """When the invitation's next reminder is due, or None when it gets no more reminders."""
    round_ = invitation.round
    days = sorted(round_.reminder_days or [])[:MAX_REMINDERS]
    if invitation.sent_at is None or reminders_sent >= len(days):
        return None
    due = invitation.sent_at + datetime.timedelta(days=days[reminders_sent])
    due = min(due, round_.closes_at - MIN_GAP)  # the last one comes before the deadline
    last_contact = max(invitation.sent_at, last_reminder_at or invitation.sent_at)
    return max(due, last_contact + MIN_GAP)


def _candidates(now: datetime.datetime) -> QuerySet[Candidate]:
    today = timezone.localdate(now)
    return (
        Invitation.objects.filter(
            revoked_at__isnull=True,
            submitted_at__isnull=True,
            sent_at__isnull=False,
            expires_at__gt=now,
            round__opens_on__lte=today,
            round__deadline__gte=today,
        )
        .exclude(email="")
        .select_related("round__organisation", "round__collaboration")
        .annotate(reminders_sent=Count("reminders"), last_reminder_at=Max("reminders__sent_at"))
    )


def due_reminders(now: datetime.datetime | None = None) -> list[Candidate]:
    now = now or timezone.now()
    due = []
    for invitation in _candidates(now):
        at = next_reminder_at(
            invitation, reminders_sent=invitation.reminders_sent, last_reminder_at=invitation.last_reminder_at
        )
        if at is not None and at <= now < invitation.round.closes_at:
            due.append(invitation)
    return due


def send_due_reminders(now: datetime.datetime | None = None, base_url: str | None = None) -> int:
    """Send every reminder that is due; returns how many went out. Safe to run twice at once: each invitation
    is locked and checked again before its reminder is sent."""
    now = now or timezone.now()
    sent = 0
    for candidate in due_reminders(now):
        with transaction.atomic():
            Invitation.objects.select_for_update().filter(pk=candidate.pk).order_by().first()
            fresh = _candidates(now).filter(pk=candidate.pk).first()
            if fresh is None:
                continue
            at = next_reminder_at(
                fresh, reminders_sent=fresh.reminders_sent, last_reminder_at=fresh.last_reminder_at
            )
            if at is None or at > now:
                continue
            sent += send_invitation_email(fresh, reminder=True, base_url=base_url, now=now)
    return sent
