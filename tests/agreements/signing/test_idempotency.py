"""Asking a party to sign by e-mail twice, at once or one after the other, sends one link: the version is
locked first, a second identical request within seconds is the first one's double, and the mail task sends
a request once. The same holds for sending a link again and for renewing the links after a new version."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from agreements import services
from agreements.models import SignRequest
from agreements.signing import selectors, sign_requests, tasks, versions
from tests.double_submit import at_once, logged_in, needs_row_locks, post
from tests.factories import ContactFactory, PartnerFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("eager_celery")]

KATRIN = "katrin@sennheiser.test"


@pytest.fixture
def agreement(org, owner):
    sennheiser = PartnerFactory(organisation=org, name="Sennheiser")
    ContactFactory(partner=sennheiser, name="Katrin Vogel", email=KATRIN)
    return services.agreement_create(
        organisation=org, actor=owner, title="Tinnitracks-alliantie", partners=[sennheiser], kind="structural"
    )


@pytest.fixture
def version(agreement, owner):
    return versions.version_create(agreement=agreement, kind="agreement", actor=owner)


@pytest.fixture
def sennheiser(agreement):
    return agreement.parties.get(partner__name="Sennheiser")


def url(name, agreement, *args):
    return reverse(f"agreements:{name}", args=[agreement.organisation.slug, agreement.pk, *args])


def ask_form(party):
    return {
        "party": party.pk,
        "action": "send",
        f"party-{party.pk}-signer_name": "Katrin Vogel",
        f"party-{party.pk}-email": KATRIN,
    }


def asked(version, party, owner):
    """An e-mailed request of a few minutes ago (no longer a double click's first)."""
    sign_request, _token = sign_requests.sign_request_create(
        version=version, party=party, signer_name="Katrin Vogel", email=KATRIN, actor=owner, send=True
    )
    SignRequest.objects.filter(pk=sign_request.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    mail.outbox.clear()
    return sign_request


def test_two_send_clicks_at_once_send_one_link(agreement, version, sennheiser, manager):
    needs_row_locks()
    send = url("sign_request_new", agreement, version.pk)
    responses = at_once(*[post(logged_in(manager), send, ask_form(sennheiser)) for _ in range(3)])
    assert [response.status_code for response in responses] == [302, 302, 302]
    assert SignRequest.objects.filter(version=version).count() == 1
    assert [message.to for message in mail.outbox] == [[KATRIN]]


def test_a_second_send_click_sends_nothing_and_says_so(agreement, version, sennheiser, manager):
    client = logged_in(manager)
    client.post(url("sign_request_new", agreement, version.pk), ask_form(sennheiser))
    second = client.post(url("sign_request_new", agreement, version.pk), ask_form(sennheiser), follow=True)
    assert f"The signing link for Sennheiser was just sent to {KATRIN}; it was not sent again." in second.text
    assert SignRequest.objects.count() == 1 and len(mail.outbox) == 1


def test_two_send_again_clicks_at_once_send_one_new_link(agreement, version, sennheiser, owner, manager):
    needs_row_locks()
    old = asked(version, sennheiser, owner)
    again = url("sign_request_resend", agreement, old.pk)
    at_once(*[post(logged_in(manager), again) for _ in range(3)])
    assert SignRequest.objects.usable().filter(version=version).count() == 1
    assert SignRequest.objects.filter(version=version).count() == 2  # the old one and one new
    assert [message.to for message in mail.outbox] == [[KATRIN]]


def test_a_second_send_again_click_sends_nothing_and_says_so(agreement, version, sennheiser, owner, manager):
    old = asked(version, sennheiser, owner)
    client = logged_in(manager)
    client.post(url("sign_request_resend", agreement, old.pk))
    second = client.post(url("sign_request_resend", agreement, old.pk), follow=True)
    assert f"A new link was just sent to {KATRIN}; it was not sent again." in second.text
    assert len(mail.outbox) == 1


@pytest.fixture
def replaced(agreement, version, sennheiser, owner):
    """The version Katrin was asked to sign has been replaced by a newer one: returns the newest."""
    asked(version, sennheiser, owner)
    services.agreement_update(agreement=agreement, actor=owner, title="Nieuwe titel")
    return selectors.current_version(agreement, "agreement")


def test_two_renew_clicks_at_once_send_each_party_one_link(agreement, replaced, manager):
    needs_row_locks()
    renew = url("sign_requests_renew", agreement, replaced.pk)
    at_once(*[post(logged_in(manager), renew) for _ in range(3)])
    assert SignRequest.objects.filter(version=replaced).count() == 1
    assert [message.to for message in mail.outbox] == [[KATRIN]]


def test_a_second_renew_click_sends_nothing_and_says_so(agreement, replaced, manager):
    client = logged_in(manager)
    client.post(url("sign_requests_renew", agreement, replaced.pk))
    second = client.post(url("sign_requests_renew", agreement, replaced.pk), follow=True)
    assert "New links were just sent; none was sent again." in second.text
    assert SignRequest.objects.filter(version=replaced).count() == 1 and len(mail.outbox) == 1


def test_a_sign_mail_task_delivered_twice_at_once_sends_one_mail(version, sennheiser, owner):
    needs_row_locks()
    sign_request = asked(version, sennheiser, owner)
    SignRequest.objects.filter(pk=sign_request.pk).update(sent_at=None)  # queued, not sent yet
    sent = at_once(*[lambda: tasks.send_sign_request(sign_request.pk) for _ in range(3)])
    assert sorted(sent) == [False, False, True]
    assert len(mail.outbox) == 1
