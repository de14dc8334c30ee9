"""The value matrix as an A3 landscape PDF, filled and blank, made through the document pipeline."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from matrix.models import CELL_FIELDS
from partnerhub.celery import app as celery_app
from partnerhub.models import Document, DocumentStatus
from tests.conftest import login
from tests.factories import MatrixRowFactory, PartnerFactory, ValueMatrixFactory

A3_LANDSCAPE = (1190.55, 841.89)
# Dutch, the default language of the requester.
HEADERS = ["partner", "wat brengen ze?", "wat halen ze eruit?", "middelen", "verkoopkanalen"]


@pytest.fixture
def eager_celery(settings):
    """Run tasks in-process, whatever broker the environment configures."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def matrix(org):
    org.industry, org.location, org.employees = "Medische technologie", "Duitsland", 51
    org.save()
    matrix = ValueMatrixFactory(organisation=org, name="Tinnitracks")
    MatrixRowFactory(
        matrix=matrix,
        partner=PartnerFactory(organisation=org, name="Sennheiser"),
        position=1,
        brings_resources="koptelefoons\ngeluid",
        brings_channels="winkels",
        gets_money="marge",
        gets_other="klanten",
    )
    MatrixRowFactory(
        matrix=matrix,
        partner=PartnerFactory(organisation=org, name="Verzekeraar"),
        position=2,
        brings_resources="",
        brings_money="vergoeding",
        gets_money="besparing",
    )
    return matrix


def pdf_url(matrix, blank=False):
    name = "matrix:matrix_blank_pdf" if blank else "matrix:matrix_pdf"
    return reverse(name, args=[matrix.organisation.slug, matrix.pk])


def request_pdf(client, matrix, django_capture_on_commit_callbacks, blank=False):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(pdf_url(matrix, blank))


def pdf_reader(document):
    assert document.status == DocumentStatus.READY, document.error
    with document.file.open("rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(data))


def normalise(text):
    """Text as a reader sees it: hyphenation at line ends undone, whitespace collapsed."""
    text = re.sub(r"(\w)-\n(\w)", r"\1\2", text)
    return " ".join(text.split())


def page_texts(reader):
    return [normalise(page.extract_text()) for page in reader.pages]


def test_it_renders_the_filled_matrix_on_a3_landscape(
    manager_client, matrix, eager_celery, django_capture_on_commit_callbacks
):
    response = request_pdf(manager_client, matrix, django_capture_on_commit_callbacks)

    document = Document.objects.get()
    assert document.kind == "value_matrix"
    assert response.status_code == 302
    assert response.url == reverse("document_status", args=[matrix.organisation.slug, document.pk])
    reader = pdf_reader(document)
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(A3_LANDSCAPE[0], abs=1)
    assert float(box.height) == pytest.approx(A3_LANDSCAPE[1], abs=1)
    text = " ".join(page_texts(reader))
    assert "partnerwaarde-matrix Tinnitracks" in text
    assert "Medische technologie" in text and "Duitsland" in text and "51 medewerkers" in text
    for header in HEADERS:
        assert header in text
    for row in matrix.rows.all():
        assert row.partner.name in text
        for field in CELL_FIELDS:
            for item in row.items(field):
                assert item in text
    assert "1 / 1" in text  # the footer's page x / y


def test_a_long_matrix_spans_pages_without_splitting_a_row(
    manager_client, org, eager_celery, django_capture_on_commit_callbacks
):
    matrix = ValueMatrixFactory(organisation=org, name="Lang")
    for n in range(40):
        cells = {
            field: "\n".join(f"r{n}{field[:1]}{field[-3:]}{i}" for i in range(3)) for field in CELL_FIELDS
        }
        MatrixRowFactory(
            matrix=matrix,
            partner=PartnerFactory(organisation=org, name=f"Partner{n:02d}"),
            position=n,
            **cells,
        )

    request_pdf(manager_client, matrix, django_capture_on_commit_callbacks)

    pages = page_texts(pdf_reader(Document.objects.get()))
    assert len(pages) >= 2
    for text in pages:
        assert "wat brengen ze?" in text  # the header repeats on every page
    for n in range(40):
        first, last = f"r{n}bces0", f"r{n}gher2"  # brings_resources' first item, gets_other's last
        on = [index for index, text in enumerate(pages) if f"Partner{n:02d}" in text]
        assert len(on) == 1, f"Partner{n:02d} is on pages {on}"
        assert first in pages[on[0]] and last in pages[on[0]]
    assert f"1 / {len(pages)}" in pages[0] and f"{len(pages)} / {len(pages)}" in pages[-1]


def test_the_blank_template_has_the_headers_and_names_but_no_cell_text(
    manager_client, matrix, eager_celery, django_capture_on_commit_callbacks
):
    request_pdf(manager_client, matrix, django_capture_on_commit_callbacks, blank=True)

    document = Document.objects.get()
    assert document.kind == "value_matrix_blank"
    reader = pdf_reader(document)
    assert len(reader.pages) == 1
    assert float(reader.pages[0].mediabox.width) == pytest.approx(A3_LANDSCAPE[0], abs=1)
    text = page_texts(reader)[0]
    for header in HEADERS:
        assert header in text
    assert "Sennheiser" in text and "Verzekeraar" in text
    for item in ["koptelefoons", "geluid", "winkels", "marge", "klanten", "vergoeding", "besparing"]:
        assert item not in text


def test_the_blank_template_has_at_least_eight_rows(org, db):
    from matrix.documents import BLANK_MIN_ROWS, value_matrix_blank_pdf

    matrix = ValueMatrixFactory(organisation=org)
    MatrixRowFactory(matrix=matrix, partner=PartnerFactory(organisation=org, name="Een"))
    document = Document(organisation=org, kind="value_matrix_blank", params={"matrix_id": matrix.pk})
    _filename, template, context = value_matrix_blank_pdf(document)
    assert template == "matrix/pdf/matrix_blank_a3.html"
    assert context["partner_names"] == ["Een"] + [""] * (BLANK_MIN_ROWS - 1)


def test_a_viewer_may_print_the_matrix(
    viewer_client, matrix, eager_celery, django_capture_on_commit_callbacks
):
    response = request_pdf(viewer_client, matrix, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert Document.objects.get().status == DocumentStatus.READY


@pytest.mark.parametrize("blank", [False, True])
def test_it_checks_the_organisation(client, stranger, matrix, blank):
    login(client, stranger)
    assert client.post(pdf_url(matrix, blank)).status_code == 404
    assert not Document.objects.exists()


@pytest.mark.parametrize("blank", [False, True])
def test_it_rejects_get(manager_client, matrix, blank):
    assert manager_client.get(pdf_url(matrix, blank)).status_code == 405
