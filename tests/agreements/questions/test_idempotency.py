"""Mailing a party the link to its ten questions twice, at once or one after the other, sends one e-mail:
the sheet records the request under its lock, and the mail task sends only a request not carried out yet.
(A second e-mail would also make the first e-mail's link stop working.)"""

import re

import pytest
from django.core import mail
from django.urls import reverse

from agreements import services
from agreements.models import QuestionSheet
from agreements.questions import sheets, tasks
from tests.double_submit import (
    at_once,
    logged_in,
    needs_row_locks,
    post,
    unreachable_mail_queue,  # noqa: F401 - a fixture
)
from tests.factories import ContactFactory, PartnerFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("eager_celery")]

ADDRESS = "katrin@sennheiser.example"


@pytest.fixture
def party(org, owner):
    """Sennheiser's party in a new agreement."""
    sennheiser = PartnerFactory(organisation=org, name="Sennheiser")
    ContactFactory(partner=sennheiser, name="Katrin Vogel", email=ADDRESS)
    agreement = services.agreement_create(
        organisation=org, actor=owner, title="Tinnitracks-alliantie", partners=[sennheiser], kind="structural"
    )
    return agreement.parties.get(partner=sennheiser)


def send_url(org, party):
    return reverse("agreements:questions_send", args=[org.slug, party.agreement_id, party.pk])


def test_two_send_clicks_at_once_mail_one_working_link(client, org, manager, party):
    needs_row_locks()
    send = send_url(org, party)
    responses = at_once(*[post(logged_in(manager), send, {"email": ADDRESS}) for _ in range(3)])
    assert [response.status_code for response in responses] == [302, 302, 302]
    assert [message.to for message in mail.outbox] == [[ADDRESS]]
    link = re.search(r"http://testserver(/q/[^\s]+/)", mail.outbox[0].body)[1]
    assert client.get(link).status_code == 200  # not replaced by a second, unsent link


def test_a_second_send_click_sends_nothing_and_says_so(org, manager, party):
    client = logged_in(manager)
    client.post(send_url(org, party), {"email": ADDRESS})
    second = client.post(send_url(org, party), {"email": ADDRESS}, follow=True)
    assert f"A link to the ten questions was just sent to {ADDRESS}; no second one was sent." in second.text
    assert len(mail.outbox) == 1


def test_a_mail_task_delivered_twice_at_once_sends_one_mail(party, owner):
    needs_row_locks()
    sheet = sheets.sheet_request_mail(party=party, email=ADDRESS, actor=owner)
    requested = sheet.mail_requested_at.isoformat()
    sent = at_once(*[lambda: tasks.send_question_link(sheet.pk, requested) for _ in range(3)])
    assert sorted(sent) == [False, False, True]
    assert len(mail.outbox) == 1


@pytest.mark.usefixtures("unreachable_mail_queue")
def test_a_link_the_queue_did_not_take_can_be_asked_for_again(org, manager, party):
    response = logged_in(manager).post(send_url(org, party), {"email": ADDRESS}, follow=True)
    assert response.status_code == 200
    assert "The link could not be handed to the mail queue; nothing was sent." in response.text
    assert not sheets.mail_is_queued(QuestionSheet.objects.get(party=party))  # not taken as on its way
    assert mail.outbox == []
