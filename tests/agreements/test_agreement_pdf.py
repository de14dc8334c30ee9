"""The letter of intent and the agreement as A4 PDFs through the document pipeline: every section (an empty
one says so), every party, the split, the signature block, the version's hash; the signed PDF shows who signed
what and when."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from agreements import services
from agreements.models import Goal, Risk
from agreements.sections import SECTIONS
from agreements.signing import selectors, sign_requests, signatures, versions
from partnerhub.models import Document, DocumentStatus
from tests.factories import ContactFactory, PartnerFactory

A4_PORTRAIT = (595.28, 841.89)
HYPHENS = "\u2010\u00ad-"


pytestmark = pytest.mark.usefixtures("eager_celery")  # tasks run in-process, whatever the broker


def compact(text):
    """Text without whitespace or hyphens, case-folded: found however the lines broke it."""
    return re.sub(rf"[\s{HYPHENS}]", "", text).casefold()


def pdf_text(document):
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY, document.error
    with document.file.open("rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    for page in reader.pages:
        assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == A4_PORTRAIT
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def agreement(org, owner):
    org.location = "Utrecht"
    org.save()
    sennheiser = PartnerFactory(organisation=org, name="Sennheiser Nederland", kvk_number="12345678")
    ContactFactory(
        partner=sennheiser, name="Katrin Vogel", job_title="Directeur", email="katrin@sennheiser.test"
    )
    fonds = PartnerFactory(organisation=org, name="Innovatiefonds Zuid")
    ContactFactory(partner=fonds, name="Pieter de Wit", email="pieter@fonds.test")
    agreement = services.agreement_create(
        organisation=org,
        actor=owner,
        title="Tinnitracks-alliantie",
        partners=[sennheiser, fonds],
        kind="project",
        end_date=datetime.date(2027, 6, 30),
        level="tactical",
    )
    parties = list(agreement.parties.all())
    services.split_save(
        agreement=agreement,
        actor=owner,
        shares={
            parties[0].pk: {"cost_share": Decimal("50"), "revenue_share": Decimal("40")},
            parties[1].pk: {"cost_share": Decimal("30"), "revenue_share": Decimal("40")},
            parties[2].pk: {"cost_share": Decimal("20"), "revenue_share": Decimal("20")},
        },
    )
    services.party_texts_save(
        agreement=agreement,
        key="contributions",
        actor=owner,
        texts={parties[1].pk: {"contribution": "Koptelefoons en distributie via audiciens"}},
        complete=True,
    )
    services.section_save(
        agreement=agreement,
        key="conditions",
        actor=owner,
        complete=True,
        content={"conditions": "De subsidie van het Innovatiefonds is toegekend."},
    )
    services.section_save(
        agreement=agreement,
        key="exit",
        actor=owner,
        complete=False,
        content={"how_to_leave": "Met een opzegtermijn van drie maanden."},
    )
    services.roles_save(
        agreement=agreement, actor=owner, lead=parties[0], content={"roles": ""}, complete=True
    )
    services.legal_form_choose(agreement=agreement, actor=owner, code="agreement")
    Goal.objects.create(
        agreement=agreement, text="200 nieuwe gebruikers via audiciens", due_date="2027-01-31"
    )
    Risk.objects.create(
        agreement=agreement, description="Te weinig audiciens doen mee", mitigation="Pilot in 3 regio's"
    )
    return agreement


def make_version(client, agreement, kind, django_capture_on_commit_callbacks):
    url = reverse("agreements:version_new", args=[agreement.organisation.slug, agreement.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"kind": kind})
    assert response.status_code == 302
    return selectors.current_version(agreement, kind)


def test_the_agreement_pdf_has_every_section_party_and_signature_block(
    owner_client, agreement, django_capture_on_commit_callbacks
):
    version = make_version(owner_client, agreement, "agreement", django_capture_on_commit_callbacks)
    text = compact(pdf_text(version.document))
    with translation.override("nl"):
        for number, spec in enumerate(SECTIONS, start=1):
            assert compact(f"Artikel {number} {spec.title}") in text, spec.key
    for name in ("Tinnitracks", "Sennheiser Nederland", "Innovatiefonds Zuid"):
        assert compact(name) in text
    assert compact("Kamer van Koophandel (KvK) onder nummer 12345678") in text
    assert compact("vertegenwoordigd door Katrin Vogel (Directeur)") in text
    assert compact("Samenwerkingsovereenkomst") in text
    # The split table, the goal with its date, the risk, the legal form, the lead.
    assert compact("Sennheiser Nederland 30 % 40 %") in text and compact("Totaal 100 % 100 %") in text
    assert compact("200 nieuwe gebruikers via audiciens (te bereiken vóór 31 januari 2027)") in text
    assert compact("Te weinig audiciens doen mee Pilot in 3 regio's") in text
    assert compact("Samenwerkings- of opdrachtovereenkomst") in text or compact("overeenkomst") in text
    assert compact("Tinnitracks trekt de samenwerking") in text or compact("leidt de samenwerking") in text
    # Sections nobody wrote say so; the exit scenario shows what was written and what was not.
    assert text.count(compact("Niet ingevuld")) >= 8
    assert compact("Met een opzegtermijn van drie maanden.") in text
    # The signature block: a box per party with empty lines, then the version's identity.
    assert compact("Handtekeningen") in text
    assert text.count(compact("Plaats en datum")) == 3
    assert compact(version.sha256) in text
    assert compact(f"versie {version.number}") in text


def test_the_pdf_is_rendered_from_the_snapshot_not_the_live_rows(
    owner_client, owner, agreement, django_capture_on_commit_callbacks
):
    version = make_version(owner_client, agreement, "agreement", django_capture_on_commit_callbacks)
    services.agreement_update(agreement=agreement, actor=owner, title="Een nieuwe titel")
    document = Document.objects.get(pk=version.document_id)
    document.status, document.file = DocumentStatus.PENDING, None
    document.save()
    from partnerhub.documents import document_render

    text = compact(pdf_text(document_render(document_id=document.pk)))
    assert compact("Tinnitracks-alliantie") in text and compact("Een nieuwe titel") not in text


def test_the_letter_of_intent_pdf(owner_client, agreement, django_capture_on_commit_callbacks):
    version = make_version(owner_client, agreement, "intent", django_capture_on_commit_callbacks)
    text = compact(pdf_text(version.document))
    assert compact("Intentieverklaring") in text
    for name in ("Tinnitracks", "Sennheiser Nederland", "Innovatiefonds Zuid"):
        assert compact(name) in text
    for title in ("Doelen", "Rollen", "Beoogde juridische vorm", "Koptelefoons en distributie via audiciens"):
        assert compact(title) in text
    assert compact("Handtekeningen") in text and compact(version.sha256) in text
    # The letter of intent holds no split: that belongs to the agreement.
    assert compact("Aandeel in de kosten") not in text


def test_the_signed_pdf_shows_who_signed_what_and_when(
    owner_client, owner, agreement, django_capture_on_commit_callbacks
):
    version = make_version(owner_client, agreement, "agreement", django_capture_on_commit_callbacks)
    signers = {}
    for index, party in enumerate(agreement.parties.all()):
        sign_request, token = sign_requests.sign_request_create(
            version=version, party=party, signer_name=f"Ondertekenaar {index}", actor=owner
        )
        with django_capture_on_commit_callbacks(execute=True):
            signers[party.name] = signatures.sign(
                token=token,
                name=f"Ondertekenaar {index}",
                confirmed=True,
                confirmed_hash=version.sha256,
                ip=f"192.0.2.{10 + index}",
            )
    document = Document.objects.get(kind=versions.SIGNED_DOCUMENT)
    assert document.params["version_id"] == version.pk
    text = compact(pdf_text(document))
    assert compact("Ondertekend door alle partijen") in text
    for index in range(len(signers)):
        assert compact(f"Ondertekenaar {index}") in text
        assert compact(f"192.0.2.{10 + index}") in text
    assert text.count(compact("Elektronisch ondertekend")) == 3
    assert text.count(compact(version.sha256)) >= 5  # header, identity, and the hash each party signed
    assert compact("Verslag van de ondertekening") in text
