"""Two reminder runs at once (the beat and a redelivered task, or two workers) send each due reminder once:
each invitation is locked and checked again before its reminder goes out."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from checker import tasks
from checker.mail import send_invitation_email
from checker.models import Reminder
from tests.checker.conftest import make_round
from tests.double_submit import at_once, needs_row_locks

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("eager_celery")]


@pytest.fixture
def invited_three_days_ago(collaboration, owner):
    """An open round whose invitations went out three days ago: the first reminder is due now."""
    today = timezone.localdate()
    round_ = make_round(collaboration, owner, opens_on=today - datetime.timedelta(days=3), days=14)
    for invitation in round_.invitations.exclude(email=""):
        send_invitation_email(invitation, now=timezone.now() - datetime.timedelta(days=3))
    mail.outbox.clear()
    return round_


def test_two_reminder_runs_at_once_remind_each_respondent_once(invited_three_days_ago):
    needs_row_locks()
    invited = invited_three_days_ago.invitations.exclude(email="").count()
    sent = at_once(tasks.send_reminders, tasks.send_reminders, tasks.send_reminders)
    assert sum(sent) == invited
    assert len(mail.outbox) == invited
    assert Reminder.objects.filter(invitation__round=invited_three_days_ago).count() == invited


def test_a_second_reminder_run_sends_nothing(invited_three_days_ago):
    invited = invited_three_days_ago.invitations.exclude(email="").count()
    assert tasks.send_reminders() == invited
    assert tasks.send_reminders() == 0
    assert len(mail.outbox) == invited
