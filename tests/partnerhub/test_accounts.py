"""Logging in and out, passwords, signing up, and the public invitation page."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from partnerhub import account_services
from partnerhub.models import MemberInvitation, Membership, Organisation, Role, User
from tests.conftest import login
from tests.factories import MembershipFactory, UserFactory

SIGNUP = {
    "full_name": "Anna de Vries",
    "email": "Anna@Bakkerij.nl",
    "password1": "zuurdesem-brood-2024",
    "password2": "zuurdesem-brood-2024",
    "organisation_name": "Bakkerij de Vries",
}


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


@pytest.fixture
def invitation(org, owner):
    invitation, raw = account_services.member_invite(
        organisation=org, email="new@example.nl", role=Role.MANAGER, invited_by=owner
    )
    invitation.raw = raw
    return invitation


def accept_url(invitation):
    return f"/accounts/invitation/{invitation.raw}/"


# Logging in and out


def test_login_works(client, owner, password):
    response = client.post("/accounts/login/", {"username": "OWNER@example.nl", "password": password})
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(owner.pk)


def test_login_with_a_wrong_password_fails(client, owner):
    response = client.post("/accounts/login/", {"username": owner.email, "password": "wrong-password"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert logged_in_user_id(client) is None


def test_login_page_links_to_signup_and_password_reset(client, db):
    response = client.get("/accounts/login/")
    assert 'href="/accounts/signup/"' in response.text
    assert 'href="/accounts/password/reset/"' in response.text


def test_too_many_failed_logins_lock_the_account_out(client, owner, password):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": owner.email, "password": "wrong-password"})
    response = client.post("/accounts/login/", {"username": owner.email, "password": password})
    assert response.status_code == 429
    assert "15" in response.text
    assert logged_in_user_id(client) is None


def test_lockout_ignores_the_case_of_the_address(client, owner, password):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        address = owner.email.upper() if attempt % 2 else owner.email.title()
        client.post("/accounts/login/", {"username": address, "password": "wrong-password"})
    response = client.post("/accounts/login/", {"username": owner.email, "password": password})
    assert response.status_code == 429
    assert logged_in_user_id(client) is None


def test_logout_by_post(owner_client):
    response = owner_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert logged_in_user_id(owner_client) is None


def test_logout_rejects_get(owner_client):
    assert owner_client.get("/accounts/logout/").status_code == 405


# Passwords


def test_password_change(owner_client, owner, password):
    response = owner_client.post(
        "/accounts/password/change/",
        {
            "old_password": password,
            "new_password1": "nieuw-wachtwoord-77",
            "new_password2": "nieuw-wachtwoord-77",
        },
    )
    assert response["Location"] == "/accounts/password/change/done/"
    owner.refresh_from_db()
    assert owner.check_password("nieuw-wachtwoord-77")


def test_password_reset_mails_a_link_that_sets_a_new_password(client, owner):
    response = client.post("/accounts/password/reset/", {"email": "Owner@Example.nl"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [owner.email]
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]  # Django swaps the token for a session marker
    response = client.post(
        form_url, {"new_password1": "nieuw-wachtwoord-77", "new_password2": "nieuw-wachtwoord-77"}
    )
    assert response["Location"] == "/accounts/password/reset/done/"
    owner.refresh_from_db()
    assert owner.check_password("nieuw-wachtwoord-77")


def test_password_reset_for_an_unknown_address_sends_nothing(client, db):
    client.post("/accounts/password/reset/", {"email": "nobody@example.nl"})
    assert mail.outbox == []


# Signing up


def test_signup_creates_user_organisation_and_owner_membership(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", SIGNUP)
    user = User.objects.get(email="anna@bakkerij.nl")
    organisation = Organisation.objects.get(name="Bakkerij de Vries")
    assert organisation.slug == "bakkerij-de-vries"
    assert Membership.objects.get(user=user).organisation == organisation
    assert Membership.objects.get(user=user).role == Role.OWNER
    # Logged in only through the link mailed to the address (tests/partnerhub/test_signup.py).
    assert response["Location"] == "/accounts/signup/sent/"
    assert logged_in_user_id(client) is None
    link = re.search(r"http://testserver(/accounts/signup/confirm/\S+/)", mail.outbox[0].body).group(1)
    response = client.post(link)
    assert response["Location"] == "/o/bakkerij-de-vries/"
    assert logged_in_user_id(client) == str(user.pk)


def test_signup_gives_a_taken_organisation_name_its_own_slug(client, org):
    client.post("/accounts/signup/", {**SIGNUP, "organisation_name": "Tinnitracks"})
    assert Organisation.objects.filter(name="Tinnitracks").count() == 2
    assert Organisation.objects.filter(slug="tinnitracks-2").exists()


def test_signup_with_a_taken_email_makes_nothing(client, owner):
    response = client.post("/accounts/signup/", {**SIGNUP, "email": "Owner@Example.nl"})
    assert response["Location"] == "/accounts/signup/sent/"
    assert User.objects.count() == 1
    assert not Organisation.objects.filter(name="Bakkerij de Vries").exists()


@pytest.mark.parametrize("weak", ["12345678", "password", "kort"])
def test_signup_rejects_weak_passwords(client, db, weak):
    response = client.post("/accounts/signup/", {**SIGNUP, "password1": weak, "password2": weak})
    assert "password1" in response.context["form"].errors
    assert not User.objects.exists() and not Organisation.objects.exists()


def test_signup_rejects_two_different_passwords(client, db):
    response = client.post("/accounts/signup/", {**SIGNUP, "password2": "iets-heel-anders-99"})
    assert "password2" in response.context["form"].errors
    assert not User.objects.exists()


# The invitation page


def test_invitation_page_shows_organisation_and_role(client, invitation):
    response = client.get(accept_url(invitation))
    assert response.status_code == 200
    assert "Tinnitracks" in response.text
    assert invitation.get_role_display() in response.text


def test_accepting_an_invitation_joins_with_its_role(client, invitation):
    user = UserFactory(email="NEW@example.nl".lower())
    response = login(client, user).post(accept_url(invitation))
    assert response["Location"] == "/o/tinnitracks/"
    assert Membership.objects.get(user=user, organisation=invitation.organisation).role == Role.MANAGER
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert MemberInvitation.objects.by_token(invitation.raw) is None


def test_accepting_keeps_the_role_of_an_existing_member(client, invitation, org):
    member = MembershipFactory(organisation=org, role=Role.OWNER, user__email="new@example.nl")
    login(client, member.user).post(accept_url(invitation))
    member.refresh_from_db()
    assert member.role == Role.OWNER


def test_a_used_invitation_shows_the_invalid_page(client, invitation):
    login(client, UserFactory(email="new@example.nl")).post(accept_url(invitation))
    response = client.get(accept_url(invitation))
    assert response.status_code == 404
    assert "registration/invitation_invalid.html" in [t.name for t in response.templates]


def test_an_expired_invitation_shows_the_invalid_page(client, invitation):
    MemberInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(accept_url(invitation)).status_code == 404


def test_a_revoked_invitation_shows_the_invalid_page(client, invitation):
    account_services.invitation_revoke(invitation=invitation)
    response = login(client, UserFactory(email="new@example.nl")).post(accept_url(invitation))
    assert response.status_code == 404
    assert not Membership.objects.filter(user__email="new@example.nl").exists()


def test_an_unknown_token_shows_the_invalid_page(client, db):
    response = client.get("/accounts/invitation/not-a-real-token/")
    assert response.status_code == 404
    assert response.templates[0].name == "registration/invitation_invalid.html"


def test_another_user_cannot_accept_the_invitation(client, invitation, stranger):
    login(client, stranger)
    page = client.get(accept_url(invitation))
    assert stranger.email in page.text and "new@example.nl" in page.text
    client.post(accept_url(invitation))
    assert not Membership.objects.filter(user=stranger, organisation=invitation.organisation).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None and invitation.is_usable


def test_an_anonymous_visitor_is_offered_login_and_signup(client, invitation):
    response = client.get(accept_url(invitation))
    assert f"/accounts/login/?next=%2Faccounts%2Finvitation%2F{invitation.raw}%2F" in response.text
    assert f"/accounts/signup/?invitation={invitation.raw}" in response.text


def test_an_anonymous_post_is_sent_to_login(client, invitation):
    response = client.post(accept_url(invitation))
    assert response["Location"].startswith("/accounts/login/?next=")
    assert not Membership.objects.filter(user__email="new@example.nl").exists()


def test_signup_through_an_invitation_joins_that_organisation(client, invitation, org):
    url = f"/accounts/signup/?invitation={invitation.raw}"
    form = client.get(url).context["form"]
    assert form["email"].value() == "new@example.nl" and form.fields["email"].disabled
    data = {**SIGNUP, "email": "someone-else@example.nl"}  # a disabled field ignores what is posted
    response = client.post(url, data)
    user = User.objects.get(email="new@example.nl")
    assert response["Location"] == f"/o/{org.slug}/"
    assert [(m.organisation, m.role) for m in user.memberships.all()] == [(org, Role.MANAGER)]
    assert not Organisation.objects.filter(name="Bakkerij de Vries").exists()
    assert MemberInvitation.objects.by_token(invitation.raw) is None


def test_signup_through_an_invitation_sends_an_existing_account_to_login(client, invitation):
    UserFactory(email="new@example.nl")
    response = client.get(f"/accounts/signup/?invitation={invitation.raw}")
    assert response["Location"] == f"/accounts/login/?next=/accounts/invitation/{invitation.raw}/"
    assert User.objects.filter(email="new@example.nl").count() == 1


def test_signup_with_a_dead_invitation_shows_the_invalid_page(client, invitation):
    account_services.invitation_revoke(invitation=invitation)
    assert client.get(f"/accounts/signup/?invitation={invitation.raw}").status_code == 404
