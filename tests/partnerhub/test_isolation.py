"""Every organisation URL is scoped: a member of A gets 404 on B's objects; visitors are sent to log in."""

import datetime

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path
from django.utils import timezone

from agreements import services as agreement_services
from agreements.signing import sign_requests, versions
from checker import services as checker_services
from partnerhub.models import Document, MemberInvitation, Partner, Role
from partnerhub.tenancy import organisation_view
from tests.affiliates.objects import programme_objects
from tests.conftest import login
from tests.factories import ContactFactory, MatrixRowFactory, MembershipFactory, PartnerFactory
from tests.isolation import UnknownParameter, find_leaks, organisation_routes


def objects_of(organisation):
    partner = PartnerFactory(organisation=organisation)
    contact = ContactFactory(partner=partner)
    document = Document.objects.create(organisation=organisation, kind="partner_list", title="Partners")
    colleague = MembershipFactory(organisation=organisation, role=Role.VIEWER)
    invitation = MemberInvitation(
        organisation=organisation, email=f"new@{organisation.slug}.nl", expires_at=timezone.now()
    )
    invitation.issue_token()
    invitation.save()
    row = MatrixRowFactory(matrix__organisation=organisation, partner=partner)
    collaboration = checker_services.collaboration_create(
        organisation=organisation, actor=None, name="Samenwerking", partners=[partner]
    )
    checker_round = checker_services.round_create(
        collaboration=collaboration,
        actor=None,
        name="Ronde",
        deadline=timezone.localdate() + datetime.timedelta(days=7),
    )
    agreement = agreement_services.agreement_create(
        organisation=organisation,
        actor=None,
        title="Overeenkomst",
        partners=[partner],
        kind="structural",
    )
    version = versions.version_create(agreement=agreement, kind="agreement", actor=None)
    sign_request, _token = sign_requests.sign_request_create(
        version=version, party=agreement.parties.get(partner=partner), signer_name="Ondertekenaar", actor=None
    )
    return {
        "version_id": version.pk,
        "request_id": sign_request.pk,
        "org_slug": organisation.slug,
        "partner_id": partner.pk,
        "contact_id": contact.pk,
        "document_id": document.pk,
        "membership_id": colleague.pk,
        "invitation_id": invitation.pk,
        "matrix_id": row.matrix_id,
        "row_id": row.pk,
        "collaboration_id": collaboration.pk,
        "round_id": checker_round.pk,
        "respondent_id": checker_round.invitations.first().pk,
        "agreement_id": agreement.pk,
        "action_id": agreement.actions.create(
            description="Actie", owner=agreement.parties.first(), due_date=timezone.localdate()
        ).pk,
        "party_id": agreement.parties.get(partner=partner).pk,
        "key": "conditions",
        **programme_objects(organisation, partner),
    }


@pytest.fixture
def walk(org, other_org, owner):
    """Everything find_leaks needs; the member of A is an owner, so no role check hides a leak."""
    return {
        "member_client": login(Client(), owner),
        "anonymous_client": Client(),
        "objects_a": objects_of(org),
        "objects_b": objects_of(other_org),
    }


def test_every_organisation_url_is_scoped(walk):
    assert find_leaks(**walk) == []


def test_walk_covers_the_object_urls():
    routes = {route.name for route in organisation_routes()}
    assert {
        "partner_detail",
        "contact_update",
        "document_download",
        "member_remove",
        "invitation_revoke",
    } <= routes


# A deliberately broken urlconf: the project plus two views that forget the rules.
@organisation_view
def leaky_partner(request, partner_id):
    return HttpResponse(Partner.objects.get(pk=partner_id).name)  # not scoped to request.organisation


def unguarded_partner(request, org_slug, partner_id):
    return HttpResponse(Partner.objects.get(pk=partner_id).name)  # no membership check at all


urlpatterns = [
    path("o/<slug:org_slug>/leaky/<int:partner_id>/", leaky_partner, name="leaky_partner"),
    path("o/<slug:org_slug>/unguarded/<int:partner_id>/", unguarded_partner, name="unguarded_partner"),
    path("", include("config.urls")),
]


def test_unscoped_view_is_caught(walk, settings):
    settings.ROOT_URLCONF = __name__
    leaks = find_leaks(**walk, urlconf=__name__)
    b_partner = walk["objects_b"]["partner_id"]
    assert f"member of A GET /o/tinnitracks/leaky/{b_partner}/ → 200" in leaks
    assert any(leak.startswith("anonymous GET /o/tinnitracks/unguarded/") for leak in leaks)
    assert not any("/partners/" in leak for leak in leaks)  # the real views stay clean


def test_a_new_parameter_without_objects_fails_loudly(walk, settings):
    settings.ROOT_URLCONF = __name__
    objects_a = {k: v for k, v in walk["objects_a"].items() if k != "partner_id"}
    with pytest.raises(UnknownParameter, match="partner_id"):
        find_leaks(**{**walk, "objects_a": objects_a}, urlconf=__name__)
