"""The team page: members, roles, invitations, removing and leaving; and the list of one's organisations."""

import re

import pytest
from django.core import mail

from partnerhub import account_services
from partnerhub.models import MemberInvitation, Membership, Role
from tests.conftest import login
from tests.factories import MembershipFactory, OrganisationFactory


def team_url(org, rest=""):
    return f"/o/{org.slug}/team/{rest}"


def membership_of(user, org):
    return Membership.objects.get(user=user, organisation=org)


@pytest.fixture
def invitation(org, owner):
    invitation, _raw = account_services.member_invite(
        organisation=org, email="new@example.nl", role=Role.VIEWER, invited_by=owner
    )
    return invitation


# The team page


def test_member_list_shows_members_roles_and_pending_invitations(owner_client, org, manager, invitation):
    response = owner_client.get(team_url(org))
    assert manager.email in response.text and "new@example.nl" in response.text
    assert response.context["invite_form"] is not None
    assert f"/o/{org.slug}/team/leave/" in response.text


def test_member_list_hides_owner_tools_from_a_viewer(viewer_client, org, manager):
    response = viewer_client.get(team_url(org))
    assert manager.email in response.text
    assert response.context["invite_form"] is None
    assert "/role/" not in response.text and "/remove/" not in response.text


def test_member_list_checks_membership(client, stranger, org):
    assert login(client, stranger).get(team_url(org)).status_code == 404


# Inviting


def test_invite_sends_a_mail_with_a_link(owner_client, org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            team_url(org, "invite/"), {"email": "Nieuw@Example.nl", "role": "manager"}
        )
    assert response["Location"] == team_url(org)
    invitation = MemberInvitation.objects.get(organisation=org)
    assert (invitation.email, invitation.role) == ("nieuw@example.nl", Role.MANAGER)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nieuw@example.nl"]
    assert "Tinnitracks" in mail.outbox[0].subject
    raw = re.search(r"http://testserver/accounts/invitation/([\w-]+)/", mail.outbox[0].body).group(1)
    assert MemberInvitation.objects.by_token(raw) == invitation


def test_invite_refuses_an_existing_member(owner_client, org, manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            team_url(org, "invite/"), {"email": manager.email.upper(), "role": "viewer"}
        )
    assert "is al lid van deze organisatie" in str(response.context["invite_form"].errors["email"])
    assert not MemberInvitation.objects.exists() and mail.outbox == []


def test_invite_refuses_an_address_with_a_pending_invitation(owner_client, org, invitation):
    response = owner_client.post(team_url(org, "invite/"), {"email": "new@example.nl", "role": "viewer"})
    assert "is al uitgenodigd" in str(response.context["invite_form"].errors["email"])
    assert MemberInvitation.objects.count() == 1


def test_invite_again_after_revoking(owner_client, org, invitation):
    account_services.invitation_revoke(invitation=invitation)
    owner_client.post(team_url(org, "invite/"), {"email": "new@example.nl", "role": "viewer"})
    assert MemberInvitation.objects.count() == 2


def test_invite_requires_an_owner(manager_client, viewer_client, org):
    data = {"email": "nieuw@example.nl", "role": "viewer"}
    assert manager_client.post(team_url(org, "invite/"), data).status_code == 403
    assert viewer_client.post(team_url(org, "invite/"), data).status_code == 403
    assert not MemberInvitation.objects.exists()


def test_invite_rejects_get(owner_client, org):
    assert owner_client.get(team_url(org, "invite/")).status_code == 405


# Revoking an invitation


def test_revoke_works(owner_client, org, invitation):
    response = owner_client.post(team_url(org, f"invitations/{invitation.pk}/revoke/"))
    assert response["Location"] == team_url(org)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_revoke_checks_organisation(client, org, invitation, other_org):
    other_owner = MembershipFactory(organisation=other_org, role=Role.OWNER).user
    login(client, other_owner)
    assert client.post(f"/o/{other_org.slug}/team/invitations/{invitation.pk}/revoke/").status_code == 404
    assert client.post(team_url(org, f"invitations/{invitation.pk}/revoke/")).status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_revoke_requires_an_owner(manager_client, org, invitation):
    assert manager_client.post(team_url(org, f"invitations/{invitation.pk}/revoke/")).status_code == 403


def test_revoke_rejects_get(owner_client, org, invitation):
    assert owner_client.get(team_url(org, f"invitations/{invitation.pk}/revoke/")).status_code == 405


# Changing roles


def test_role_change_works(owner_client, org, viewer):
    membership = membership_of(viewer, org)
    owner_client.post(team_url(org, f"{membership.pk}/role/"), {"role": "manager"})
    membership.refresh_from_db()
    assert membership.role == Role.MANAGER


def test_role_change_requires_an_owner(viewer_client, manager_client, org, viewer):
    membership = membership_of(viewer, org)
    assert viewer_client.post(team_url(org, f"{membership.pk}/role/"), {"role": "owner"}).status_code == 403
    assert manager_client.post(team_url(org, f"{membership.pk}/role/"), {"role": "owner"}).status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER


def test_role_change_checks_organisation(client, org, viewer, stranger, other_org):
    Membership.objects.filter(user=stranger).update(role=Role.OWNER)
    membership = membership_of(viewer, org)
    login(client, stranger)
    url = f"/o/{other_org.slug}/team/{membership.pk}/role/"
    assert client.post(url, {"role": "owner"}).status_code == 404
    assert client.post(team_url(org, f"{membership.pk}/role/"), {"role": "owner"}).status_code == 404


def test_role_change_rejects_an_unknown_role(owner_client, org, viewer):
    membership = membership_of(viewer, org)
    owner_client.post(team_url(org, f"{membership.pk}/role/"), {"role": "emperor"})
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER


def test_role_change_rejects_get(owner_client, org, viewer):
    assert owner_client.get(team_url(org, f"{membership_of(viewer, org).pk}/role/")).status_code == 405


def test_last_owner_cannot_be_demoted(owner_client, org, owner):
    membership = membership_of(owner, org)
    response = owner_client.post(team_url(org, f"{membership.pk}/role/"), {"role": "viewer"}, follow=True)
    membership.refresh_from_db()
    assert membership.role == Role.OWNER
    assert "enige eigenaar" in response.text


def test_an_owner_can_step_down_when_another_owner_remains(owner_client, org, owner, manager):
    Membership.objects.filter(user=manager).update(role=Role.OWNER)
    membership = membership_of(owner, org)
    owner_client.post(team_url(org, f"{membership.pk}/role/"), {"role": "manager"})
    membership.refresh_from_db()
    assert membership.role == Role.MANAGER


# Removing a member


def test_remove_asks_for_confirmation(owner_client, org, viewer):
    response = owner_client.get(team_url(org, f"{membership_of(viewer, org).pk}/remove/"))
    assert response.status_code == 200
    assert Membership.objects.filter(user=viewer).exists()


def test_remove_works(owner_client, org, viewer):
    response = owner_client.post(team_url(org, f"{membership_of(viewer, org).pk}/remove/"))
    assert response["Location"] == team_url(org)
    assert not Membership.objects.filter(user=viewer).exists()


def test_remove_requires_an_owner(manager_client, org, viewer):
    assert manager_client.post(team_url(org, f"{membership_of(viewer, org).pk}/remove/")).status_code == 403
    assert Membership.objects.filter(user=viewer).exists()


def test_remove_checks_organisation(client, org, viewer, stranger, other_org):
    Membership.objects.filter(user=stranger).update(role=Role.OWNER)
    membership = membership_of(viewer, org)
    login(client, stranger)
    assert client.post(f"/o/{other_org.slug}/team/{membership.pk}/remove/").status_code == 404
    assert Membership.objects.filter(user=viewer).exists()


def test_remove_refuses_yourself(owner_client, org, owner, manager):
    Membership.objects.filter(user=manager).update(role=Role.OWNER)
    owner_client.post(team_url(org, f"{membership_of(owner, org).pk}/remove/"))
    assert Membership.objects.filter(user=owner, organisation=org).exists()


def test_last_owner_cannot_be_removed(org, owner):
    with pytest.raises(account_services.ValidationError):
        account_services.member_remove(membership=membership_of(owner, org))
    assert Membership.objects.filter(user=owner).exists()


# Leaving


def test_leave_asks_for_confirmation(viewer_client, org, owner):
    response = viewer_client.get(team_url(org, "leave/"))
    assert response.context["refusal"] is None
    assert '<form method="post"' in response.text
    assert Membership.objects.filter(organisation=org).count() == 2


def test_leave_works_for_a_viewer(viewer_client, org, viewer, owner):
    response = viewer_client.post(team_url(org, "leave/"))
    assert response["Location"] == "/organisations/"
    assert not Membership.objects.filter(user=viewer).exists()
    assert viewer_client.get(f"/o/{org.slug}/").status_code == 404


def test_last_owner_cannot_leave_while_others_remain(owner_client, org, owner, viewer):
    page = owner_client.get(team_url(org, "leave/"))
    assert "enige eigenaar" in page.context["refusal"]
    response = owner_client.post(team_url(org, "leave/"), follow=True)
    assert "enige eigenaar" in response.text
    assert Membership.objects.filter(user=owner, organisation=org).exists()


def test_the_only_member_cannot_leave(owner_client, org, owner):
    assert "enige lid" in owner_client.get(team_url(org, "leave/")).context["refusal"]
    response = owner_client.post(team_url(org, "leave/"), follow=True)
    assert "enige lid" in response.text
    assert Membership.objects.filter(user=owner, organisation=org).exists()


def test_an_owner_can_leave_when_another_owner_remains(owner_client, org, owner, manager):
    Membership.objects.filter(user=manager).update(role=Role.OWNER)
    owner_client.post(team_url(org, "leave/"))
    assert not Membership.objects.filter(user=owner, organisation=org).exists()


# One's organisations


def test_organisation_list_shows_all_organisations_with_role(client, owner, other_org):
    MembershipFactory(user=owner, organisation=other_org, role=Role.VIEWER)
    response = login(client, owner).get("/organisations/")
    assert "Tinnitracks" in response.text and "Andere BV" in response.text
    assert "/o/tinnitracks/" in response.text and "/o/andere-bv/" in response.text
    assert "/organisations/new/" in response.text


def test_home_redirects_to_the_last_used_organisation(client, owner, other_org):
    MembershipFactory(user=owner, organisation=other_org, role=Role.VIEWER)
    login(client, owner)
    client.get("/o/andere-bv/")
    assert client.get("/")["Location"] == "/o/andere-bv/"
    client.get("/o/tinnitracks/team/")
    assert client.get("/")["Location"] == "/o/tinnitracks/"


def test_organisation_create_makes_the_creator_owner(owner_client, owner):
    response = owner_client.post("/organisations/new/", {"name": "Nieuwe Tak B.V."})
    membership = Membership.objects.get(user=owner, organisation__name="Nieuwe Tak B.V.")
    assert membership.role == Role.OWNER
    assert response["Location"] == f"/o/{membership.organisation.slug}/"
    assert membership.organisation.slug == "nieuwe-tak-bv"


def test_organisation_create_requires_login(client, db):
    assert client.get("/organisations/new/")["Location"].startswith("/accounts/login/")


def test_organisation_slugs_stay_unique(db, owner):
    OrganisationFactory(slug="bakkerij")
    organisation = account_services.organisation_create(name="Bakkerij", owner=owner)
    assert organisation.slug == "bakkerij-2"
