"""Names people type are kept without bidirectional control characters: "Bouw\u202efdp.exe" would show as
"Bouwexe.pdf" in lists, PDFs and e-mail subjects. Each place where a name comes in is checked."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from affiliates.people.forms import ReferralForm
from affiliates.programme.forms import TierForm
from agreements import services as agreement_services
from agreements.forms import AgreementForm
from agreements.models import Signature
from agreements.signing import sign_requests, signatures, versions
from checker.forms import CollaborationForm, RepeatRoundForm, RoundForm
from matrix.forms import AddToMatrixForm, QuickPartnerForm, ValueMatrixForm
from partnerhub.account_forms import OrganisationForm, OrganisationProfileForm, SignupForm
from partnerhub.forms import ContactForm
from partnerhub.models import Contact, Organisation, Partner, User
from partnerhub.names import BIDI_CONTROLS, remove_bidi_controls, tidy_name
from tests.factories import ContactFactory, PartnerFactory

SPOOF = "Bouw\u202efdp.exe"  # shows as "Bouwexe.pdf"
NEW_PARTNER = {"category": "supplier", "status": "prospect"}
EVERY_CONTROL = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def test_every_direction_control_is_removed_and_nothing_else():
    assert BIDI_CONTROLS == EVERY_CONTROL
    assert (
        remove_bidi_controls(f"{EVERY_CONTROL}شركة\u202e Bouw & Zonen 't Hart") == "شركة Bouw & Zonen 't Hart"
    )
    assert tidy_name(" \u2067Bouw\u2069 \n  Zonen ") == "Bouw Zonen"


# The partner pages and the import


def test_a_new_partners_name_loses_its_direction_controls(manager_client, org):
    manager_client.post(f"/o/{org.slug}/partners/new/", {**NEW_PARTNER, "name": SPOOF})
    assert Partner.objects.get().name == "Bouwfdp.exe"


def test_a_name_made_different_by_direction_controls_is_still_taken(manager_client, org):
    PartnerFactory(organisation=org, name="Sennheiser")
    response = manager_client.post(
        f"/o/{org.slug}/partners/new/",
        {**NEW_PARTNER, "name": "\u202dSennheiser\u202c"},
    )
    assert response.context["form"].errors["name"] == ["Er is al een partner met de naam “Sennheiser”."]
    assert Partner.objects.count() == 1


def test_an_imported_partners_name_loses_its_direction_controls(manager_client, org):
    content = f"name,category\n{SPOOF},supplier\n\u2066Sennheiser\u2069,supplier\n".encode()
    preview = manager_client.post(
        f"/o/{org.slug}/partners/import/",
        {"action": "preview", "file": SimpleUploadedFile("partners.csv", content, content_type="text/csv")},
    )
    manager_client.post(
        f"/o/{org.slug}/partners/import/", {"action": "confirm", "upload_id": preview.context["upload_id"]}
    )
    assert sorted(Partner.objects.values_list("name", flat=True)) == ["Bouwfdp.exe", "Sennheiser"]


def test_an_imported_name_made_different_by_direction_controls_is_still_taken(manager_client, org):
    PartnerFactory(organisation=org, name="Sennheiser")
    content = "name\n\u202dSennheiser\u202c\nBose\n\u200fBose\n".encode()
    preview = manager_client.post(
        f"/o/{org.slug}/partners/import/",
        {"action": "preview", "file": SimpleUploadedFile("partners.csv", content, content_type="text/csv")},
    )
    errors = {row.line: " ".join(row.errors) for row in preview.context["preview"].rows}
    assert errors[2] == "Naam: Er is al een partner met de naam “Sennheiser”."
    assert errors[3] == "" and "Bose" in errors[4]
    assert Partner.objects.count() == 1


def test_a_contact_persons_name_loses_its_direction_controls(manager_client, org):
    partner = PartnerFactory(organisation=org)
    manager_client.post(f"/o/{org.slug}/partners/{partner.pk}/contacts/new/", {"name": "Katrin\u200f Vogel"})
    assert Contact.objects.get().name == "Katrin Vogel"


# Signing up and the organisation


def test_signing_up_keeps_the_names_without_direction_controls(client, db):
    client.post(
        "/accounts/signup/",
        {
            "full_name": "Anna\u202e de Vries",
            "email": "anna@bakkerij.nl",
            "password1": "zuurdesem-brood-2024",
            "password2": "zuurdesem-brood-2024",
            "organisation_name": "\u202bBakkerij de Vries\u202c",
        },
    )
    assert User.objects.get(email="anna@bakkerij.nl").full_name == "Anna de Vries"
    assert Organisation.objects.get().name == "Bakkerij de Vries"


# Every other form with a name, at the form


def _forms(org):
    partner = PartnerFactory(organisation=org)
    today = timezone.localdate().isoformat()
    selected = MultiValueDict({"partners": [partner.pk], "new_name": [SPOOF]})
    later = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    return [
        (ContactForm(data={"name": SPOOF}), "name"),
        (QuickPartnerForm(data={"name": SPOOF, "category": "supplier"}, organisation=org), "name"),
        (OrganisationForm(data={"name": SPOOF}), "name"),
        (OrganisationProfileForm(data={"name": SPOOF}, instance=org), "name"),
        (SignupForm(data={"organisation_name": SPOOF, "full_name": SPOOF}), "organisation_name"),
        (SignupForm(data={"full_name": SPOOF}), "full_name"),
        (ValueMatrixForm(data={"name": SPOOF, "date": today, "status": "draft"}), "name"),
        (AddToMatrixForm(data=selected, organisation=org), "new_name"),
        (CollaborationForm(data={"name": SPOOF, "partners": [partner.pk]}, organisation=org), "name"),
        (RoundForm(data={"name": SPOOF, "opens_on": today, "deadline": later}, organisation=org), "name"),
        (RepeatRoundForm(data={"name": SPOOF, "opens_on": today, "deadline": later}), "name"),
        (AgreementForm(data={"title": SPOOF, "partners": [partner.pk]}, organisation=org), "title"),
        (ReferralForm(data={"partner": partner.pk, "lead_name": SPOOF}, organisation=org), "lead_name"),
        (TierForm(data={"name": SPOOF, "min_projects": 3, "discount_percent": "5", "benefits": ""}), "name"),
    ]


FORMS = [
    "contact",
    "matrix-quick-partner",
    "organisation",
    "organisation-profile",
    "signup-organisation",
    "signup-person",
    "matrix",
    "radar-new-matrix",
    "collaboration",
    "checker-round",
    "checker-repeat-round",
    "agreement-title",
    "referral-lead",
    "programme-tier",
]


@pytest.mark.parametrize("index", range(len(FORMS)), ids=FORMS)
def test_a_form_keeps_the_name_without_direction_controls(org, index):
    form, field = _forms(org)[index]
    form.is_valid()
    assert field not in form.errors
    assert form.cleaned_data[field] == "Bouwfdp.exe"


# Signing: the signer's name as asked and as typed


def test_a_signers_name_loses_its_direction_controls(org, owner):
    partner = PartnerFactory(organisation=org, name="Sennheiser")
    ContactFactory(partner=partner)
    agreement = agreement_services.agreement_create(
        organisation=org, actor=owner, title="Alliantie", partners=[partner], kind="structural"
    )
    party = agreement.parties.get(partner=partner)
    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    sign_request, token = sign_requests.sign_request_create(
        version=version, party=party, signer_name="Katrin\u202e Vogel", actor=owner
    )
    assert sign_request.signer_name == "Katrin Vogel"
    signatures.sign(
        token=token, name="\u2067Katrin Vogel\u2069", confirmed=True, confirmed_hash=version.sha256, ip=""
    )
    assert Signature.objects.get().name == "Katrin Vogel"


def test_an_affiliates_new_partner_loses_its_direction_controls(org, owner):
    from affiliates.programme.affiliates import affiliate_create

    affiliate = affiliate_create(
        organisation=org, actor=owner, code="blogger-bouw", new_partner_name=SPOOF + "  "
    )
    assert affiliate.partner.name == "Bouwfdp.exe"
