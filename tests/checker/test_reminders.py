"""Reminders follow their rules on a fixed clock: the configured days, at most three, never twice in a day,
never after the deadline or after submitting, and the last one before the deadline."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from checker import services
from checker.mail import send_invitation_email
from checker.models import Reminder
from checker.reminders import send_due_reminders
from tests.checker.conftest import make_round

START = timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 0))


def day(n, hour=9):
    return START + datetime.timedelta(days=n, hours=hour - 9)


@pytest.fixture
def sent_round(collaboration, owner):
    """A round open from 2 March with a deadline on 31 March; everyone invited on 2 March at 9:00."""
    round_ = make_round(collaboration, owner, opens_on=START.date(), deadline=datetime.date(2026, 3, 31))
    for invitation in round_.invitations.all():
        send_invitation_email(invitation, now=START)
    mail.outbox.clear()
    return round_


def reminded(round_):
    return Reminder.objects.filter(invitation__round=round_).count()


def test_the_invitation_email_carries_the_survey_link(collaboration, owner):
    round_ = make_round(collaboration, owner)
    invitation = round_.invitations.get(name="Katrin Vogel")
    assert send_invitation_email(invitation, base_url="https://partnerhub.example")
    message = mail.outbox[-1]
    assert message.to == ["katrin@sennheiser.example"]
    assert f"https://partnerhub.example/s/{invitation.link_token()}/" in message.body


def test_reminders_go_out_on_days_3_7_and_14_and_no_more(sent_round):
    invited = sent_round.invitations.exclude(email="").count()
    assert send_due_reminders(now=day(2)) == 0
    assert send_due_reminders(now=day(3)) == invited
    assert send_due_reminders(now=day(3, hour=18)) == 0  # same day: nothing again
    assert send_due_reminders(now=day(5)) == 0
    assert send_due_reminders(now=day(7)) == invited
    assert send_due_reminders(now=day(14)) == invited
    assert send_due_reminders(now=day(20)) == 0  # three is the maximum
    assert reminded(sent_round) == 3 * invited
    assert len(mail.outbox) == 3 * invited


def test_a_late_run_sends_one_reminder_not_a_backlog(sent_round):
    invited = sent_round.invitations.exclude(email="").count()
    assert send_due_reminders(now=day(10)) == invited  # days 3 and 7 both passed: one reminder
    assert send_due_reminders(now=day(10, hour=20)) == 0
    assert send_due_reminders(now=day(11, hour=10)) == invited  # a day later: the next one
    assert reminded(sent_round) == 2 * invited


def test_no_reminder_after_submitting_or_revoking(sent_round, owner):
    submitted, revoked = sent_round.invitations.exclude(email="")[:2]
    submitted.submitted_at = day(1)
    submitted.save()
    services.invitation_revoke(invitation=revoked, actor=owner)
    send_due_reminders(now=day(3))
    assert not Reminder.objects.filter(invitation__in=[submitted, revoked]).exists()


def test_the_last_reminder_comes_before_the_deadline_and_none_after_it(collaboration, owner):
    round_ = make_round(collaboration, owner, opens_on=START.date(), deadline=datetime.date(2026, 3, 6))
    invitation = round_.invitations.get(name="Pieter de Groot")
    send_invitation_email(invitation, now=START)
    assert send_due_reminders(now=day(3)) == 1  # 5 March 9:00, reminder for day 3
    # Day 7 lies after the deadline (end of 6 March): the last one goes on the last day before it.
    assert send_due_reminders(now=day(4, hour=8)) == 0  # 23 hours after the previous one
    assert send_due_reminders(now=day(4, hour=12)) == 1  # 6 March noon, before the deadline
    assert send_due_reminders(now=day(5)) == 0  # 7 March: after the deadline
    assert Reminder.objects.filter(invitation=invitation).count() == 2


def test_a_round_without_reminder_days_sends_none(collaboration, owner):
    round_ = make_round(collaboration, owner, opens_on=START.date(), deadline=datetime.date(2026, 3, 31))
    round_.reminder_days = []
    round_.save()
    for invitation in round_.invitations.all():
        send_invitation_email(invitation, now=START)
    assert send_due_reminders(now=day(10)) == 0
