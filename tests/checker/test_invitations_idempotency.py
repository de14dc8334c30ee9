"""Sending a round's invitations twice, at once or one after the other, mails every respondent once: the
invitations are marked queued under the round's lock before any task runs, and the task sends only an
invitation that is queued and not sent since."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from checker import services, tasks
from checker.models import Invitation
from tests.checker.conftest import make_round
from tests.double_submit import (
    at_once,
    logged_in,
    needs_row_locks,
    post,
    unreachable_mail_queue,  # noqa: F401 - a fixture
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("eager_celery")]


def url(name, org, *args):
    return reverse(f"checker:{name}", args=[org.slug, *args])


@pytest.fixture
def round_(collaboration, owner):
    return make_round(collaboration, owner)


def mailed(invitations):
    return sorted(address for message in mail.outbox for address in message.to if address in invitations)


def addresses(round_):
    return sorted(round_.invitations.exclude(email="").values_list("email", flat=True))


def test_two_send_clicks_at_once_mail_every_respondent_once(org, manager, round_):
    needs_row_locks()
    send = url("round_send", org, round_.pk)
    clicks = [post(logged_in(manager), send) for _ in range(3)]
    responses = at_once(*clicks)
    assert [response.status_code for response in responses] == [302, 302, 302]
    expected = addresses(round_)
    assert mailed(expected) == expected  # each address once, not three times
    assert len(mail.outbox) == len(expected)
    assert not round_.invitations.exclude(email="").filter(sent_at__isnull=True).exists()


def test_a_second_send_click_sends_nothing_and_says_so(org, manager, round_):
    client = logged_in(manager)
    first = client.post(url("round_send", org, round_.pk), follow=True)
    assert f"{len(addresses(round_))} invitations are being sent." in first.text
    second = client.post(url("round_send", org, round_.pk), follow=True)
    assert "The invitations have already been sent; nothing new was sent." in second.text
    assert len(mail.outbox) == len(addresses(round_))


def test_two_send_again_clicks_at_once_mail_the_respondent_once(org, manager, round_):
    needs_row_locks()
    invitation = round_.invitations.get(name="Katrin Vogel")
    send = url("respondent_send", org, round_.pk, invitation.pk)
    responses = at_once(post(logged_in(manager), send), post(logged_in(manager), send))
    assert [response.status_code for response in responses] == [302, 302]
    assert [message.to for message in mail.outbox] == [["katrin@sennheiser.example"]]


def test_a_second_send_again_click_sends_nothing_and_says_so(org, manager, round_):
    invitation = round_.invitations.get(name="Katrin Vogel")
    client = logged_in(manager)
    client.post(url("respondent_send", org, round_.pk, invitation.pk))
    second = client.post(url("respondent_send", org, round_.pk, invitation.pk), follow=True)
    assert "The invitation to Katrin Vogel has just been sent; it was not sent again." in second.text
    assert len(mail.outbox) == 1


def test_an_invitation_task_delivered_twice_at_once_sends_one_mail(round_):
    needs_row_locks()
    invitation = round_.invitations.get(name="Katrin Vogel")
    Invitation.objects.filter(pk=invitation.pk).update(queued_at=invitation.created_at)
    deliveries = at_once(*[lambda: tasks.send_invitation(invitation.pk) for _ in range(3)])
    assert sorted(deliveries) == [False, False, True]
    assert len(mail.outbox) == 1


def test_an_invitation_that_was_never_queued_is_not_sent_by_a_stray_task(round_):
    invitation = round_.invitations.get(name="Katrin Vogel")
    assert services.invitation_deliver(invitation_id=invitation.pk) is False
    assert mail.outbox == []


@pytest.mark.usefixtures("unreachable_mail_queue")
def test_invitations_the_queue_did_not_take_can_be_sent_again(org, manager, round_):
    response = logged_in(manager).post(url("round_send", org, round_.pk), follow=True)
    assert response.status_code == 200
    assert "could not be handed to the mail queue; nothing was sent." in response.text
    assert not round_.invitations.filter(queued_at__isnull=False).exists()  # not taken as on their way
    assert mail.outbox == []


def test_invitations_on_their_way_are_not_offered_to_send_again(org, manager, round_):
    """With a broker the worker sends a moment later: meanwhile the page offers no second send."""
    client = logged_in(manager)
    assert "Send 5 invitations" in client.get(round_.get_absolute_url()).text
    round_.invitations.exclude(email="").update(queued_at=timezone.now())
    assert "Send 5 invitations" not in client.get(round_.get_absolute_url()).text
