"""The value matrix as a CSV download: one line per partner, the eight cells, safe in a spreadsheet."""

import csv
import io

from django.conf import settings
from django.urls import reverse

from tests.conftest import login
from tests.factories import MatrixRowFactory, PartnerFactory, ValueMatrixFactory


def export_url(matrix):
    return reverse("matrix:matrix_csv", args=[matrix.organisation.slug, matrix.pk])


def export(client, matrix):
    response = client.get(export_url(matrix))
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:], newline="")))


def test_it_exports_a_line_per_partner_with_the_eight_cells(viewer_client, org):
    matrix = ValueMatrixFactory(organisation=org, name="Workshop")
    MatrixRowFactory(
        matrix=matrix,
        partner=PartnerFactory(organisation=org, name="Sennheiser"),
        position=1,
        brings_resources="Koptelefoons\n\n  Geluidstechniek ",
        gets_money="Marge",
        gets_other="",
    )
    MatrixRowFactory(
        matrix=matrix, partner=PartnerFactory(organisation=org, name="Fonds"), position=2, brings_resources=""
    )

    rows = export(viewer_client, matrix)

    assert len(rows[0]) == 9 and rows[0][0] == "Partner"
    assert rows[1] == ["Sennheiser", "Koptelefoons\nGeluidstechniek", "", "", "", "", "", "Marge", ""]
    assert rows[2][0] == "Fonds" and rows[2][1] == ""


def test_it_is_an_attachment_named_after_the_matrix(viewer_client, org):
    matrix = ValueMatrixFactory(organisation=org, name="Workshop mei")
    response = viewer_client.get(export_url(matrix))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "workshop-mei-v1.csv" in response["Content-Disposition"]


def test_headers_follow_the_users_language(viewer_client, org):
    matrix = ValueMatrixFactory(organisation=org)
    dutch = export(viewer_client, matrix)[0]  # Dutch is the default
    viewer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = export(viewer_client, matrix)[0]
    assert dutch[1] == "Brengt: middelen" and dutch[8] == "Haalt eruit: anders"
    assert english[1] == "Brings: resources" and english[8] == "Gets: other"


def test_it_defuses_spreadsheet_formulas(viewer_client, org):
    matrix = ValueMatrixFactory(organisation=org)
    MatrixRowFactory(
        matrix=matrix,
        partner=PartnerFactory(organisation=org, name="=HYPERLINK(1)"),
        brings_resources="+1\nnormaal",
        gets_money="@SUM(A1)",
    )
    row = export(viewer_client, matrix)[1]
    assert row[0] == "'=HYPERLINK(1)"
    assert row[1] == "'+1\nnormaal"
    assert row[7] == "'@SUM(A1)"


def test_it_makes_constant_queries(viewer_client, org, django_assert_max_num_queries):
    matrix = ValueMatrixFactory(organisation=org)
    for _ in range(30):
        MatrixRowFactory(matrix=matrix)
    with django_assert_max_num_queries(8):
        rows = export(viewer_client, matrix)
    assert len(rows) == 31


def test_it_checks_the_organisation(client, stranger, org):
    matrix = ValueMatrixFactory(organisation=org)
    login(client, stranger)
    assert client.get(export_url(matrix)).status_code == 404
