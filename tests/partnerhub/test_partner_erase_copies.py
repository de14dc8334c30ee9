"""Erasing a partner's personal data erases the copies other apps keep of it too: the survey invitations of
its contact persons, its question sheet's and signing links' e-mail addresses and unused signers' names, and
its customers' addresses on NPS requests. A used signing link and the signature stay, as contract evidence."""

import datetime
import re

import pytest
from django.core import mail
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from affiliates.models import NpsRequest, NpsScore
from affiliates.people import nps
from agreements import services as agreement_services
from agreements.models import QuestionSheet, Signature, SignRequest
from agreements.questions import sheets
from agreements.signing import sign_requests, signatures, versions
from checker import services as checker_services
from checker.models import Invitation
from partnerhub import services
from partnerhub.models import AuditEntry
from tests.factories import ContactFactory, PartnerFactory

pytestmark = pytest.mark.usefixtures("eager_celery")

KATRIN, KATRIN_MAIL = "Katrin Vogel", "katrin@sennheiser.test"
JAN, JAN_MAIL = "Jan Smit", "jan@sennheiser.test"
SIGNER, SIGNER_MAIL = "Katrin M. Vogel", "k.vogel@sennheiser.test"  # written on the unused link only
CUSTOMER_MAIL = "klant@example.nl"
OLD = [KATRIN, KATRIN_MAIL, JAN, JAN_MAIL, SIGNER, SIGNER_MAIL, CUSTOMER_MAIL]


def partner_with_copies(organisation, owner, capture):
    """A partner whose contact persons are invited to a survey round, asked to answer the ten questions and
    to sign (one link used, one not), and whose customer was asked for an NPS score and answered."""
    partner = PartnerFactory(organisation=organisation, name="Sennheiser")
    ContactFactory(partner=partner, name=KATRIN, email=KATRIN_MAIL, is_key_person=True)
    ContactFactory(partner=partner, name=JAN, email=JAN_MAIL)
    collaboration = checker_services.collaboration_create(
        organisation=organisation, actor=owner, name="Samenwerking", partners=[partner]
    )
    checker_services.round_create(
        collaboration=collaboration, actor=owner, name="Voorjaar", deadline=datetime.date(2027, 1, 1)
    )
    agreement = agreement_services.agreement_create(
        organisation=organisation, actor=owner, title="Alliantie", partners=[partner], kind="structural"
    )
    party = agreement.parties.get(partner=partner)
    sheets.sheet_for(party=party)
    intent = versions.version_create(agreement=agreement, kind="intent", actor=owner)
    with capture(execute=True):
        sign_requests.sign_request_create(
            version=intent, party=party, signer_name=KATRIN, email=KATRIN_MAIL, actor=owner, send=True
        )
    token = re.search(r"/sign/([^/\s]+)/", mail.outbox[-1].body)[1]
    signatures.sign(token=token, name=KATRIN, confirmed=True, confirmed_hash=intent.sha256, ip="203.0.113.7")
    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    with capture(execute=True):
        sign_requests.sign_request_create(
            version=version, party=party, signer_name=SIGNER, email=SIGNER_MAIL, actor=owner, send=True
        )
    nps_request = nps.nps_request_mail(partner=partner, email=CUSTOMER_MAIL, actor=owner)
    nps.nps_mail_link(nps_request_id=nps_request.pk)
    nps_token = re.search(r"/nps/([^/\s]+)/", mail.outbox[-1].body)[1]
    nps.nps_answer(raw_token=nps_token, score=9)
    return partner


@pytest.fixture
def sennheiser(org, owner, django_capture_on_commit_callbacks):
    return partner_with_copies(org, owner, django_capture_on_commit_callbacks)


@pytest.fixture
def elsewhere(other_org, stranger, django_capture_on_commit_callbacks):
    """Another organisation's partner with the same people and the same customer."""
    return partner_with_copies(other_org, stranger, django_capture_on_commit_callbacks)


def copies(partner):
    """Every row that may hold a copy of the partner's personal data, as it stands."""
    return {
        "invitations": list(
            Invitation.objects.filter(partner=partner).order_by("pk").values_list("name", "email", "grade")
        ),
        "sheets": list(QuestionSheet.objects.filter(party__partner=partner).values_list("email", flat=True)),
        "links": list(
            SignRequest.objects.filter(party__partner=partner)
            .order_by("pk")
            .values_list("signer_name", "email")
        ),
        "signatures": list(
            Signature.objects.filter(party__partner=partner).values_list(
                "name", "ip_address", "version_sha256"
            )
        ),
        "nps": list(NpsRequest.objects.filter(partner=partner).values_list("email", "answered_at")),
        "scores": list(NpsScore.objects.filter(partner=partner).values_list("score", flat=True)),
    }


def test_erasing_leaves_no_old_name_or_address_in_the_copies(org, manager, sennheiser):
    assert Invitation.objects.filter(Q(name__in=OLD) | Q(email__in=OLD), partner=sennheiser).count() == 2
    services.partner_erase_personal_data(partner=sennheiser, actor=manager)

    assert not Invitation.objects.filter(Q(name__in=OLD) | Q(email__in=OLD)).exists()
    assert not QuestionSheet.objects.filter(email__in=OLD).exists()
    assert not NpsRequest.objects.filter(email__in=OLD).exists()
    # The used link keeps the name it was signed for; nothing else keeps an old value.
    used = SignRequest.objects.get(used_at__isnull=False)
    assert (used.signer_name, used.email) == (KATRIN, "")
    assert (
        not SignRequest.objects.filter(Q(signer_name__in=OLD) | Q(email__in=OLD)).exclude(pk=used.pk).exists()
    )
    unused = SignRequest.objects.get(used_at__isnull=True)
    assert unused.signer_name and unused.signer_name not in OLD


def test_the_invitations_take_the_contact_persons_neutral_names_and_keep_their_answers(manager, sennheiser):
    Invitation.objects.filter(partner=sennheiser, contact__name=JAN).update(grade=8)

    services.partner_erase_personal_data(partner=sennheiser, actor=manager)

    contacts = dict(sennheiser.contacts.values_list("pk", "name"))
    invitations = list(Invitation.objects.filter(partner=sennheiser))
    assert len(invitations) == 2
    assert {invitation.name for invitation in invitations} == set(contacts.values())
    assert all(invitation.name == contacts[invitation.contact_id] for invitation in invitations)
    assert sorted(invitation.grade or 0 for invitation in invitations) == [0, 8]
    assert NpsScore.objects.get(partner=sennheiser).score == 9


def test_the_signature_and_the_used_link_stay_as_signed(manager, sennheiser):
    before = copies(sennheiser)

    services.partner_erase_personal_data(partner=sennheiser, actor=manager)

    after = copies(sennheiser)
    assert after["signatures"] == before["signatures"] == [(KATRIN, "203.0.113.7", after["signatures"][0][2])]
    assert (KATRIN, "") in after["links"]


def test_the_log_counts_the_erased_copies_and_no_longer_tells_their_values(org, manager, sennheiser):
    services.partner_erase_personal_data(partner=sennheiser, actor=manager)

    entry = AuditEntry.objects.get(actor=manager, object_type="partnerhub.partner")
    assert entry.changes["erased_copies"] == 6  # 2 invitations, 1 sheet, 2 links, 1 NPS request
    with translation.override("nl"):
        assert ("gewiste kopieën", "", "6") in entry.change_rows()
    with translation.override("en"):
        assert ("erased copies", "", "6") in entry.change_rows()
    for entry in AuditEntry.objects.filter(organisation=org):
        recorded = f"{entry.changes} {entry.actor_name} {entry.object_repr}"
        assert not [
            value
            for value in (KATRIN_MAIL, JAN_MAIL, SIGNER, SIGNER_MAIL, CUSTOMER_MAIL)
            if value in recorded
        ]


def test_a_second_erasure_changes_nothing(manager, sennheiser):
    services.partner_erase_personal_data(partner=sennheiser, actor=manager)
    erased, entries = copies(sennheiser), list(AuditEntry.objects.values_list("pk", "changes", "actor_name"))

    services.partner_erase_personal_data(partner=sennheiser, actor=manager)

    assert copies(sennheiser) == erased
    assert list(AuditEntry.objects.values_list("pk", "changes", "actor_name")) == entries


def test_another_organisations_copies_with_the_same_values_stay(manager, sennheiser, elsewhere):
    theirs = copies(elsewhere)

    services.partner_erase_personal_data(partner=sennheiser, actor=manager)

    assert copies(elsewhere) == theirs
    for model, partner in (
        (Invitation, "partner"),
        (QuestionSheet, "party__partner"),
        (NpsRequest, "partner"),
    ):
        assert not model.objects.filter(**{partner: sennheiser}, email__in=OLD).exists()
        assert model.objects.filter(**{partner: elsewhere}, email__in=OLD).exists()


def test_the_erase_page_says_which_copies_go_and_which_stay(manager_client, sennheiser):
    page = manager_client.get(reverse("partner_erase", args=[sennheiser.organisation.slug, sennheiser.pk]))
    with translation.override("nl"):
        copies_go = gettext(
            "Copies go as well: the names and e-mail addresses on its contact persons’ survey invitations, "
            "the e-mail addresses its ten basic questions and signing links were sent to, the signer’s name "
            "on each signing link that was not used, and its customers’ e-mail addresses on NPS requests. "
            "Grades, answers and scores stay, without a name."
        )
        used_link_stays = gettext(
            "A signing link that was used keeps the name it was signed for, together with the signature."
        )
    assert copies_go in page.text and used_link_stays in page.text
