"""Signing up tells nobody whether an address has an account: a new address and a taken one get the same
answer, and only the mailbox learns which it was (a confirmation link, or a note that the account exists)."""

import re

import pytest
from django.core import mail

from partnerhub.models import Membership, Organisation, User
from tests.factories import MembershipFactory

SIGNUP = {
    "full_name": "Anna de Vries",
    "email": "anna@bakkerij.nl",
    "password1": "zuurdesem-brood-2024",
    "password2": "zuurdesem-brood-2024",
    "organisation_name": "Bakkerij de Vries",
}
CONFIRM_LINK = re.compile(r"http://testserver(/accounts/signup/confirm/\S+/)")


@pytest.fixture
def sign_up(client, db, django_capture_on_commit_callbacks):
    def post(**changes):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/accounts/signup/", {**SIGNUP, **changes})

    return post


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def visible(response):
    """What the visitor sees of an answer: the status, where it leads, and the page it leads to."""
    return response.status_code, response["Location"]


def test_a_taken_address_gets_the_same_answer_as_a_new_one(client, sign_up, owner):
    new = sign_up(email="nieuw@bakkerij.nl")
    taken = sign_up(email="Owner@Example.nl")
    assert visible(taken) == visible(new) == (302, "/accounts/signup/sent/")
    page = client.get(taken["Location"])
    assert "exist" not in page.text.lower()
    assert logged_in_user_id(client) is None


def test_a_taken_address_is_told_by_mail_and_nothing_changes(sign_up, owner, password):
    sign_up(
        email="Owner@Example.nl",
        full_name="Iemand Anders",
        password1="nieuw-geheim-123",
        password2="nieuw-geheim-123",
    )
    assert [message.to for message in mail.outbox] == [[owner.email]]
    body = mail.outbox[0].body
    assert "/accounts/login/" in body and "/accounts/password/reset/" in body
    assert not CONFIRM_LINK.search(body)
    owner.refresh_from_db()
    assert owner.check_password(password) and owner.full_name != "Iemand Anders"
    assert not Organisation.objects.filter(name="Bakkerij de Vries").exists()


def test_a_new_address_is_confirmed_by_its_link_once(client, sign_up):
    sign_up()
    user = User.objects.get(email="anna@bakkerij.nl")
    assert not user.is_active
    # Before confirming, its password does not log in (as for an address that has another password).
    login = client.post("/accounts/login/", {"username": SIGNUP["email"], "password": SIGNUP["password1"]})
    assert login.status_code == 200 and logged_in_user_id(client) is None

    link = CONFIRM_LINK.search(mail.outbox[0].body).group(1)
    assert client.get(link).status_code == 200  # a page with a button: a mail scanner uses nothing up
    assert not User.objects.get(pk=user.pk).is_active
    response = client.post(link)
    assert response["Location"] == "/o/bakkerij-de-vries/"
    assert logged_in_user_id(client) == str(user.pk)
    assert User.objects.get(pk=user.pk).is_active

    client.logout()
    assert client.get(link).status_code == 404
    assert client.post(link).status_code == 404
    assert logged_in_user_id(client) is None


def test_a_forged_link_opens_nothing(client, sign_up):
    sign_up()
    link = CONFIRM_LINK.search(mail.outbox[0].body).group(1)
    forged = re.sub(r"/[^/]+/$", "/aaaaaa-0123456789abcdef0123456789abcdef/", link)
    assert client.post(forged).status_code == 404
    assert client.post("/accounts/signup/confirm/eA/x/").status_code == 404
    assert not User.objects.get(email="anna@bakkerij.nl").is_active


def test_an_unconfirmed_signup_does_not_keep_the_address_from_its_owner(client, sign_up):
    """A stranger who signs up with someone's address cannot use it; the owner's own sign-up replaces it."""
    sign_up(organisation_name="Nep BV", password1="vreemd-geheim-123", password2="vreemd-geheim-123")
    sign_up()
    assert not Organisation.objects.filter(name="Nep BV").exists()
    user = User.objects.get(email="anna@bakkerij.nl")
    assert user.check_password(SIGNUP["password1"])
    stranger_link, owner_link = (CONFIRM_LINK.search(message.body).group(1) for message in mail.outbox)
    assert client.post(stranger_link).status_code == 404
    assert client.post(owner_link)["Location"] == "/o/bakkerij-de-vries/"


def test_a_replaced_signup_keeps_organisations_others_belong_to(sign_up, org, owner):
    sign_up()
    pending = User.objects.get(email="anna@bakkerij.nl")
    MembershipFactory(organisation=org, user=pending)
    sign_up()
    assert not User.objects.filter(pk=pending.pk).exists()
    assert list(Membership.objects.filter(organisation=org).values_list("user", flat=True)) == [owner.pk]
