"""A cell holds what fits a printed cell (CELL_MAX_LENGTH): counted as you type, refused beyond, never cut.

The cap counts the text as it is saved (one trimmed item per line). A longer text saved before the cap stays
readable and editable; only saving a text longer than the cap is refused, and the typed text comes back.
"""

import io
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from matrix import services
from matrix.documents import value_matrix_pdf
from matrix.models import CELL_FIELDS, CELL_MAX_LENGTH
from partnerhub.models import AuditEntry, Document
from partnerhub.pdf import render_pdf
from tests.factories import MatrixRowFactory, PartnerFactory, ValueMatrixFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
ITEMS = [
    "Kennis van de regionale bouwmarkt en de vergunningsprocedures bij gemeenten",
    "Complementaire producten: isolatiemateriaal, kozijnen en zonnepanelen",
    "Toegang tot vaste klanten via de showroom en de nieuwsbrief (4.000 lezers)",
    "Gezamenlijke inkoop levert ongeveer 6% korting op materialen op",
    "Naamsbekendheid in de regio Utrecht en Gelderland, vooral bij VvE's",
    "Doorverwijzingen van architecten naar onze renovatieteams na een ontwerp",
    "Een vaste contactpersoon die binnen twee werkdagen een offerte kan maken",
]


def dutch_items(length):
    """Ordinary workshop items, as many as fit in `length` characters once saved."""
    text = ""
    for item in ITEMS * 4:
        candidate = f"{text}\n{item}" if text else item
        if len(candidate) > length:
            break
        text = candidate
    return text


@pytest.fixture
def row(org):
    return MatrixRowFactory(
        matrix__organisation=org, partner__name="Sennheiser", brings_resources="Koptelefoons"
    )


@pytest.fixture
def english(manager_client):
    manager_client.cookies["django_language"] = "en"
    return manager_client


def cell_url(row):
    return reverse("matrix:cell", args=[row.matrix.organisation.slug, row.matrix_id, row.pk])


def save(client, row, text, original):
    return client.post(
        cell_url(row), {"field": "brings_resources", "text": text, "original": original}, **HTMX
    )


def editor(client, row):
    response = client.get(cell_url(row), {"field": "brings_resources"}, **HTMX)
    assert response.status_code == 200
    return response.text


def test_a_text_longer_than_a_printed_cell_is_refused_and_comes_back(english, row):
    long_text = "a" * (CELL_MAX_LENGTH + 1)

    response = save(english, row, long_text, "Koptelefoons")

    row.refresh_from_db()
    assert response.status_code == 422
    assert row.brings_resources == "Koptelefoons"
    assert not AuditEntry.objects.filter(action="update").exists()
    assert f">{long_text}</textarea>" in response.text  # nothing typed is lost
    assert f"A cell holds at most {CELL_MAX_LENGTH} characters" in response.text
    assert f"this text has {CELL_MAX_LENGTH + 1}" in response.text


def test_a_text_of_exactly_the_cap_is_saved(manager_client, row):
    text = dutch_items(CELL_MAX_LENGTH - 40) + "\n" + "b" * 39
    text += "c" * (CELL_MAX_LENGTH - len(text))
    assert len(text) == CELL_MAX_LENGTH

    response = save(manager_client, row, text, "Koptelefoons")

    row.refresh_from_db()
    assert response.status_code == 200
    assert row.brings_resources == text


def test_the_cap_counts_the_text_as_saved_not_blank_lines_and_indents(manager_client, row):
    items = dutch_items(CELL_MAX_LENGTH)
    padded = "\r\n\r\n".join(f"      {item}      " for item in items.split("\n")) + "\r\n" * 800
    assert len(padded) > 2000 and len(items) <= CELL_MAX_LENGTH

    response = save(manager_client, row, padded, "Koptelefoons")

    row.refresh_from_db()
    assert response.status_code == 200
    assert row.brings_resources == items


def test_the_editor_counts_the_characters_and_does_not_cut_a_paste(english, row):
    row.brings_resources = "Koptelefoons\nAkoestiek"
    row.save()

    html = editor(english, row)

    assert f'data-cell-limit="{CELL_MAX_LENGTH}"' in html
    assert re.search(rf"<span data-cell-count>22</span> / {CELL_MAX_LENGTH} characters", html)
    assert "maxlength" not in html  # a browser would cut a longer paste short without a word
    assert re.search(r'<span class="cell-error" data-cell-too-long\s+hidden>', html)


def test_the_counter_script_is_served_with_the_matrix_page(manager_client, row):
    page = manager_client.get(row.matrix.get_absolute_url()).text
    assert 'src="/static/js/matrix_cell_counter.js"' in page
    with open(finders.find("js/matrix_cell_counter.js"), encoding="utf-8") as handle:
        script = handle.read()
    assert "data-cell-limit" in script and "data-cell-count" in script and "data-cell-too-long" in script


def test_a_longer_text_from_before_the_cap_stays_readable_and_editable(english, row):
    legacy = dutch_items(CELL_MAX_LENGTH * 2)
    assert len(legacy) > CELL_MAX_LENGTH
    row.brings_resources = legacy
    row.save()

    page = english.get(row.matrix.get_absolute_url()).text
    for item in legacy.split("\n"):
        assert f"<li>{item}</li>" in page.replace("&#x27;", "'")
    html = editor(english, row)
    assert f">{legacy}</textarea>".replace("'", "&#x27;") in html
    assert re.search(rf"<span data-cell-count>{len(legacy)}</span> / {CELL_MAX_LENGTH}", html)
    assert re.search(r'<span class="cell-error" data-cell-too-long>', html)  # the warning shows

    # Leaving the editor saves it as it is: not a change, so not refused.
    assert save(english, row, legacy, legacy).status_code == 200
    # Shorter, but still too long: refused, the old text stays.
    shorter = legacy[: CELL_MAX_LENGTH + 10]
    assert save(english, row, shorter, legacy).status_code == 422
    row.refresh_from_db()
    assert row.brings_resources == legacy
    # Short enough: saved.
    fitting = dutch_items(CELL_MAX_LENGTH)
    assert save(english, row, fitting, legacy).status_code == 200
    row.refresh_from_db()
    assert row.brings_resources == fitting


def test_the_service_refuses_a_longer_text_whoever_calls_it(row, manager):
    with pytest.raises(ValidationError) as refused:
        services.cell_save(
            row=row,
            field="brings_resources",
            text="x" * (CELL_MAX_LENGTH + 1),
            original="Koptelefoons",
            actor=manager,
        )
    assert refused.value.code == "cell_too_long"
    row.refresh_from_db()
    assert row.brings_resources == "Koptelefoons"


def test_full_cells_at_the_cap_still_let_two_partners_share_a_printed_page(org):
    matrix = ValueMatrixFactory(organisation=org)
    for n in range(5):
        MatrixRowFactory(
            matrix=matrix,
            partner=PartnerFactory(organisation=org, name=f"Partner{n}"),
            position=n,
            **{field: dutch_items(CELL_MAX_LENGTH) for field in CELL_FIELDS},
        )
    assert len(dutch_items(CELL_MAX_LENGTH)) > CELL_MAX_LENGTH - 60
    document = Document(organisation=org, kind="value_matrix", title="Vol", params={"matrix_id": matrix.pk})

    _filename, template, context = value_matrix_pdf(document)
    pages = PdfReader(io.BytesIO(render_pdf(template, context))).pages

    # The first page also carries the title block; every page after it holds two full partners.
    per_page = [len(re.findall(r"Partner\d", page.extract_text())) for page in pages]
    assert per_page[1] == 2, per_page
