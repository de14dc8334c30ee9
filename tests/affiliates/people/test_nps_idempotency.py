"""Mailing a customer the NPS question twice, at once or one after the other, sends one e-mail: the request
is made under the partner's row lock and refused while the same question to the same address is on its way
or was sent moments ago; the mail task sends a pending request once."""

import pytest
from django.core import mail
from django.urls import reverse

from affiliates.models import NpsRequest
from affiliates.people import nps, tasks
from tests.double_submit import (
    at_once,
    logged_in,
    needs_row_locks,
    post,
    unreachable_mail_queue,  # noqa: F401 - a fixture
)
from tests.factories import PartnerFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("eager_celery")]

CUSTOMER = {"email": "klant@example.nl", "project": ""}


@pytest.fixture
def partner(org):
    return PartnerFactory(organisation=org, name="Bouwbedrijf Alfa", category="contractor")


def ask_url(org, partner):
    return reverse("affiliates:nps_request_create", args=[org.slug, partner.pk])


def test_two_ask_clicks_at_once_mail_the_customer_once(org, partner, manager):
    needs_row_locks()
    ask = ask_url(org, partner)
    responses = at_once(*[post(logged_in(manager), ask, CUSTOMER) for _ in range(3)])
    assert [response.status_code for response in responses] == [302, 302, 302]
    assert NpsRequest.objects.filter(partner=partner).count() == 1
    assert [message.to for message in mail.outbox] == [["klant@example.nl"]]


def test_a_second_ask_click_sends_nothing_and_says_so(org, partner, manager):
    client = logged_in(manager)
    client.post(ask_url(org, partner), CUSTOMER)
    second = client.post(ask_url(org, partner), CUSTOMER, follow=True)
    assert "The question was just sent to klant@example.nl; it was not sent again." in second.text
    assert NpsRequest.objects.count() == 1 and len(mail.outbox) == 1


def test_another_address_is_asked_at_once(org, partner, manager):
    client = logged_in(manager)
    client.post(ask_url(org, partner), CUSTOMER)
    client.post(ask_url(org, partner), {"email": "andere-klant@example.nl", "project": ""})
    assert sorted(message.to[0] for message in mail.outbox) == ["andere-klant@example.nl", "klant@example.nl"]


def test_an_nps_mail_task_delivered_twice_at_once_sends_one_mail(partner):
    needs_row_locks()
    nps_request = nps.nps_request_mail(partner=partner, email="klant@example.nl", actor=None)
    sent = at_once(*[lambda: tasks.send_nps_link(nps_request.pk) for _ in range(3)])
    assert sorted(sent) == [False, False, True]
    assert len(mail.outbox) == 1


@pytest.mark.usefixtures("unreachable_mail_queue")
def test_a_question_the_queue_did_not_take_can_be_asked_again(org, partner, manager):
    response = logged_in(manager).post(ask_url(org, partner), CUSTOMER, follow=True)
    assert response.status_code == 200
    assert "The question could not be handed to the mail queue; nothing was sent." in response.text
    assert NpsRequest.objects.get().revoked_at is not None  # withdrawn, so not refused as just sent
    assert mail.outbox == []
