"""Editing a cell inline: the editor, saving, cancelling, bad input, two editors at once, and roles."""

import pytest
from django.test import Client
from django.urls import reverse

from matrix.models import CELL_MAX_LENGTH, MatrixRow
from partnerhub.models import AuditEntry
from tests.conftest import login
from tests.factories import MatrixRowFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def row(org):
    return MatrixRowFactory(
        matrix__organisation=org,
        partner__name="Sennheiser",
        brings_resources="Koptelefoons\nAkoestiek",
        gets_money="",
    )


def cell_url(row):
    return reverse("matrix:cell", args=[row.matrix.organisation.slug, row.matrix_id, row.pk])


def save(client, row, text, original, field="brings_resources"):
    return client.post(cell_url(row), {"field": field, "text": text, "original": original}, **HTMX)


def test_the_editor_holds_the_text_and_what_it_started_from(manager_client, row):
    response = manager_client.get(cell_url(row), {"field": "brings_resources"}, **HTMX)
    html = response.text
    assert response.status_code == 200
    assert html.count(f'id="cell-{row.pk}-brings_resources"') == 1
    assert ">Koptelefoons\nAkoestiek</textarea>" in html
    assert 'name="original" value="Koptelefoons\nAkoestiek"' in html
    assert "hx-post" in html and "data-cell-form" in html
    assert f'data-cell-limit="{CELL_MAX_LENGTH}"' in html


def test_saving_stores_the_items_and_answers_the_cell_with_row_and_summary_out_of_band(manager_client, row):
    response = save(manager_client, row, "Koptelefoons\n\n  Merk  \n", "Koptelefoons\nAkoestiek")
    row.refresh_from_db()
    assert response.status_code == 200
    assert row.brings_resources == "Koptelefoons\nMerk"
    html = response.text
    assert "<li>Merk</li>" in html and "<li>Akoestiek</li>" not in html
    assert f'id="row-{row.pk}-head" class="row-head" hx-swap-oob="true"' in html
    assert 'id="matrix-balance" class="matrix-balance" hx-swap-oob="true"' in html
    entry = AuditEntry.objects.get(action="update", object_id=row.pk)
    assert entry.partner_id == row.partner_id


def test_filling_the_other_side_makes_the_row_balanced(manager_client, row):
    manager_client.cookies["django_language"] = "en"
    page = manager_client.get(row.matrix.get_absolute_url()).text
    assert "0 balanced" in page and "1 one-sided" in page
    html = save(manager_client, row, "Marge", "", field="gets_money").text
    assert "1 balanced" in html and "0 one-sided" in html and "gets 1/4" in html


def test_cancel_shows_the_cell_as_saved(manager_client, row):
    response = manager_client.get(cell_url(row), {"field": "brings_resources", "show": "1"}, **HTMX)
    assert "<li>Akoestiek</li>" in response.text and "<textarea" not in response.text


def test_the_second_editor_is_told_about_the_conflict_and_sees_both_texts(org, manager, owner, row):
    first, second = login(Client(), manager), login(Client(), owner)
    original = row.brings_resources
    assert save(first, row, "Koptelefoons\nDoor de eerste", original).status_code == 200

    response = save(second, row, "Koptelefoons\nDoor de tweede", original)
    row.refresh_from_db()
    assert response.status_code == 409
    assert row.brings_resources == "Koptelefoons\nDoor de eerste"  # nothing silently overwritten
    html = response.text
    assert "<li>Door de eerste</li>" in html  # their text
    assert ">Koptelefoons\nDoor de tweede</textarea>" in html  # mine, still there to save
    assert 'name="original" value="Koptelefoons\nDoor de eerste"' in html

    # Having seen theirs, saving again is a deliberate choice and goes through.
    assert save(second, row, "Koptelefoons\nDoor beiden", row.brings_resources).status_code == 200
    row.refresh_from_db()
    assert row.brings_resources == "Koptelefoons\nDoor beiden"


def test_saving_the_text_that_is_already_there_is_no_conflict(manager_client, row):
    response = save(manager_client, row, "Koptelefoons\nAkoestiek", "iets anders")
    assert response.status_code == 200


def test_a_too_long_text_is_refused_and_comes_back_in_the_editor(manager_client, row):
    long_text = "x" * (CELL_MAX_LENGTH + 1)
    response = save(manager_client, row, long_text, row.brings_resources)
    row.refresh_from_db()
    assert response.status_code == 422
    assert row.brings_resources == "Koptelefoons\nAkoestiek"
    assert f">{long_text}</textarea>" in response.text
    assert f"hoogstens {CELL_MAX_LENGTH} tekens" in response.text


def test_an_unknown_field_is_a_bad_request(manager_client, row):
    assert save(manager_client, row, "x", "", field="partner_id").status_code == 400
    assert manager_client.get(cell_url(row), {"field": "position"}).status_code == 400


def test_a_viewer_sees_no_edit_controls_and_a_forged_post_is_refused(viewer_client, row):
    page = viewer_client.get(row.matrix.get_absolute_url()).text
    assert "<li>Akoestiek</li>" in page
    assert "hx-get" not in page and "matrix:cell" not in page and "row-tools" not in page
    assert viewer_client.get(cell_url(row), {"field": "brings_resources"}, **HTMX).status_code == 403
    assert save(viewer_client, row, "Overschreven", row.brings_resources).status_code == 403
    assert MatrixRow.objects.get(pk=row.pk).brings_resources == "Koptelefoons\nAkoestiek"


def test_a_manager_sees_editable_cells(manager_client, row):
    page = manager_client.get(row.matrix.get_absolute_url()).text
    assert page.count('hx-trigger="click"') == 8
    assert f"{cell_url(row)}?field=gets_other" in page


def test_a_row_of_another_matrix_is_not_found(manager_client, org, row):
    elsewhere = MatrixRowFactory(matrix__organisation=org)
    url = reverse("matrix:cell", args=[org.slug, elsewhere.matrix_id, row.pk])
    assert manager_client.post(url, {"field": "brings_money", "text": "x", "original": ""}).status_code == 404


def test_without_htmx_a_save_returns_to_the_matrix(manager_client, row):
    response = manager_client.post(
        cell_url(row), {"field": "brings_money", "text": "Investering", "original": ""}
    )
    assert response.status_code == 302 and response.url.endswith(f"#row-{row.pk}")
    assert MatrixRow.objects.get(pk=row.pk).brings_money == "Investering"
