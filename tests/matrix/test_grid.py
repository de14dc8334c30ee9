"""The matrix list, creating a matrix, and the matrix page with its grid and balance."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matrix.models import ValueMatrix
from tests.factories import MatrixRowFactory, PartnerFactory, ValueMatrixFactory


def list_url(org):
    return reverse("matrix:matrix_list", args=[org.slug])


def detail_url(matrix):
    return reverse("matrix:matrix_detail", args=[matrix.organisation.slug, matrix.pk])


def test_the_list_shows_only_this_organisations_matrices(manager_client, org, other_org):
    ValueMatrixFactory(organisation=org, name="Onze matrix")
    ValueMatrixFactory(organisation=other_org, name="Hun matrix")
    html = manager_client.get(list_url(org)).text
    assert "Onze matrix" in html and "Hun matrix" not in html


def test_an_empty_list_invites_a_manager_to_start(manager_client, org):
    assert "Begin je eerste matrix" in manager_client.get(list_url(org)).text


def test_a_viewer_gets_no_start_button(viewer_client, org):
    html = viewer_client.get(list_url(org)).text
    assert "Er is nog geen partnerwaarde-matrix" in html and "Begin je eerste matrix" not in html


def test_a_manager_creates_a_matrix(manager_client, org):
    response = manager_client.post(
        reverse("matrix:matrix_create", args=[org.slug]),
        {"name": "  Workshop   maart ", "date": "2026-03-12", "purpose": "", "status": "draft"},
    )
    matrix = ValueMatrix.objects.get(organisation=org)
    assert response.status_code == 302 and response.url == detail_url(matrix)
    assert matrix.name == "Workshop maart"


def test_a_matrix_without_name_or_with_a_bad_date_is_refused(manager_client, org):
    url = reverse("matrix:matrix_create", args=[org.slug])
    response = manager_client.post(url, {"name": " ", "date": "12-13-2026", "status": "draft"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "date"}
    assert not ValueMatrix.objects.exists()


def test_a_viewer_cannot_create_a_matrix(viewer_client, org):
    url = reverse("matrix:matrix_create", args=[org.slug])
    response = viewer_client.post(url, {"name": "Stiekem", "date": "2026-03-12", "status": "draft"})
    assert response.status_code == 403
    assert not ValueMatrix.objects.exists()


def test_the_grid_shows_the_items_and_flags_one_sided_rows(manager_client, org):
    matrix = ValueMatrixFactory(organisation=org)
    MatrixRowFactory(
        matrix=matrix, partner__name="Sennheiser", brings_resources="Koptelefoons", gets_money="Marge"
    )
    MatrixRowFactory(matrix=matrix, partner__name="Fonds", brings_resources="", gets_money="Rendement")
    MatrixRowFactory(matrix=matrix, partner__name="Leeg", brings_resources="", gets_money="")
    manager_client.cookies["django_language"] = "en"
    response = manager_client.get(detail_url(matrix))
    html = response.text
    assert "<li>Koptelefoons</li>" in html and "<li>Rendement</li>" in html
    assert response.context["balance"] == {"rows": 3, "balanced": 1, "one_sided": 1, "empty": 1}
    assert "brings nothing" in html and "not filled in yet" in html


def test_the_grid_costs_the_same_queries_for_5_and_50_rows(manager_client, org):
    def queries_for(rows):
        matrix = ValueMatrixFactory(organisation=org)
        for partner in PartnerFactory.create_batch(rows, organisation=org):
            MatrixRowFactory(matrix=matrix, partner=partner)
        with CaptureQueriesContext(connection) as context:
            assert manager_client.get(detail_url(matrix)).status_code == 200
        return len(context)

    manager_client.get(list_url(org))  # the first visit stores the organisation in the session
    assert queries_for(5) == queries_for(50)


def test_another_organisations_matrix_is_not_found(manager_client, other_org):
    matrix = ValueMatrixFactory(organisation=other_org)
    assert manager_client.get(detail_url(matrix)).status_code == 404
