"""A round's results as an A4 portrait PDF, made through the document pipeline; anonymity and access."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from checker import services
from checker.documents import RESPONDENTS_PER_TABLE
from partnerhub.models import Document, DocumentStatus
from tests.checker.conftest import make_round
from tests.conftest import login
from tests.factories import ContactFactory

A4_PORTRAIT = (595.28, 841.89)


def pdf_url(round_):
    return reverse("checker:round_results_pdf", args=[round_.organisation.slug, round_.pk])


def request_pdf(client, round_, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(pdf_url(round_))


def pdf_reader(document):
    assert document.status == DocumentStatus.READY, document.error
    with document.file.open("rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(data))


# A hyphen WeasyPrint adds at a line end (hyphens: auto) is U+2010; a soft hyphen may show up too.
HYPHENS = "\u2010\u00ad-"


def normalise(text):
    """Text as a reader sees it: hyphenation at line ends undone, whitespace collapsed."""
    text = re.sub(rf"(\w)[{HYPHENS}]\n(\w)", r"\1\2", text)
    return " ".join(text.split())


def compact(text):
    """Text without any whitespace or hyphen: a name is found however the lines broke it."""
    return re.sub(rf"[\s{HYPHENS}]", "", text).casefold()


def raw_text(document):
    return "\n".join(page.extract_text() for page in pdf_reader(document).pages)


def pdf_text(document):
    return normalise(raw_text(document))


def answer_all(round_):
    """Every invitation answers every statement (statement 1: 1 and 5 apart; the rest within one point)."""
    items = list(round_.round_statements.select_related("statement").order_by("position", "pk"))
    invitations = list(round_.invitations.order_by("pk"))
    for number, invitation in enumerate(invitations):
        for position, item in enumerate(items):
            score = (1 if number % 2 else 5) if position == 0 else 3 + (number % 2)
            services.answer_save(invitation=invitation, statement_id=item.statement_id, score=score)
        services.grade_save(invitation=invitation, grade=6 + number % 3)
    services.invitation_submit(invitation=invitations[0])
    return items, invitations


def test_the_report_is_a4_portrait_with_every_statement_and_what_to_discuss(
    manager_client, checker_round, eager_celery, django_capture_on_commit_callbacks
):
    items, _invitations = answer_all(checker_round)

    response = request_pdf(manager_client, checker_round, django_capture_on_commit_callbacks)

    document = Document.objects.get()
    assert document.kind == "checker_report"
    assert document.params["round_id"] == checker_round.pk
    assert response.status_code == 302
    assert response.url == reverse("document_status", args=[checker_round.organisation.slug, document.pk])
    assert document.filename.startswith("samenwerkingschecker-ronde-1") and document.filename.endswith(".pdf")
    reader = pdf_reader(document)
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(A4_PORTRAIT[0], abs=1)
        assert float(page.mediabox.height) == pytest.approx(A4_PORTRAIT[1], abs=1)
    text = pdf_text(document)
    assert "Ronde 1" in text and "Tinnitracks-alliantie" in text
    for item in items:
        assert normalise(item.statement.text) in text, item.statement.text
    # "Bespreek dit samen" lists statement 1 (spread 4) and no other, before the lowest scores.
    discuss = text.split("Bespreek dit samen", 1)[1].split("Laagste scores", 1)[0]
    assert normalise(items[0].statement.text) in discuss
    assert normalise(items[1].statement.text) not in discuss
    assert "Katrin Vogel" in text and "Sennheiser" in text


def test_an_anonymised_report_names_nobody(
    viewer_client, collaboration, owner, org, eager_celery, django_capture_on_commit_callbacks
):
    round_ = make_round(collaboration, owner, anonymous=True)
    items, invitations = answer_all(round_)

    request_pdf(viewer_client, round_, django_capture_on_commit_callbacks)

    raw = raw_text(Document.objects.get())
    text, squeezed = normalise(raw), compact(raw)
    secrets = {invitation.name for invitation in invitations} | {i.email for i in invitations if i.email}
    secrets |= {"Katrin Vogel", "Jonas Becker", "Pieter de Groot", "Sennheiser", "Innovatiefonds"}
    for membership in org.memberships.select_related("user"):
        secrets |= {membership.user.get_full_name(), membership.user.email} - {""}
    assert {"owner@example.nl", "viewer@example.nl"} <= secrets
    for secret in secrets:
        assert compact(secret) not in squeezed, secret
    assert "Respondent 1" in text and f"Respondent {len(invitations)}" in text
    assert normalise(items[0].statement.text) in text


def test_a_member_of_another_organisation_gets_404(client, stranger, other_org, checker_round):
    login(client, stranger)
    assert client.post(pdf_url(checker_round)).status_code == 404
    own_slug_url = reverse("checker:round_results_pdf", args=[other_org.slug, checker_round.pk])
    assert client.post(own_slug_url).status_code == 404
    assert not Document.objects.exists()


def test_it_rejects_get(manager_client, checker_round):
    assert manager_client.get(pdf_url(checker_round)).status_code == 405
    assert not Document.objects.exists()


def test_the_results_page_offers_the_pdf(viewer_client, checker_round):
    items = list(checker_round.round_statements.all()[:1])
    invitation = checker_round.invitations.get(name="Katrin Vogel")
    services.answer_save(invitation=invitation, statement_id=items[0].statement_id, score=4)
    page = viewer_client.get(
        reverse("checker:round_results", args=[checker_round.organisation.slug, checker_round.pk])
    )
    assert f'action="{pdf_url(checker_round)}"' in page.text


def test_a_repeated_round_with_many_respondents_shows_everyone_and_the_trend(
    manager_client, collaboration, owner, eager_celery, django_capture_on_commit_callbacks
):
    partner = collaboration.partners.get(name="Innovatiefonds")
    for n in range(7):
        ContactFactory(partner=partner, name=f"Extra Persoon{n}", email=f"extra{n}@fonds.example")
    first = make_round(collaboration, owner)
    answer_all(first)
    following = services.round_repeat(previous=first, actor=owner, name="Ronde 2", deadline=first.deadline)
    items, invitations = answer_all(following)
    assert len(invitations) > RESPONDENTS_PER_TABLE  # the answers table comes in blocks

    request_pdf(manager_client, following, django_capture_on_commit_callbacks)

    document = Document.objects.get()
    squeezed = compact(raw_text(document))
    for invitation in invitations:
        assert compact(invitation.name) in squeezed, invitation.name
    text = pdf_text(document)
    trend = text.split("Vergeleken met eerdere rondes", 1)[1]
    assert "Ronde 1" in trend and "Ronde 2" in trend
    assert normalise(items[-1].statement.text) in trend
    for page in pdf_reader(document).pages:
        assert float(page.mediabox.width) == pytest.approx(A4_PORTRAIT[0], abs=1)
