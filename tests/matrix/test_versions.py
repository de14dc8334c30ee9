"""Versions of a value matrix: duplicating one, and comparing two item by item."""

import pytest
from django.urls import NoReverseMatch, reverse

from matrix.models import ValueMatrix
from matrix.versions import ROW_ADDED, ROW_KEPT, ROW_REMOVED, cell_compare, matrix_compare
from tests.conftest import login
from tests.factories import MatrixRowFactory, PartnerFactory, ValueMatrixFactory


def duplicate_url(matrix):
    return reverse("matrix:matrix_duplicate", args=[matrix.organisation.slug, matrix.pk])


def compare_url(matrix, other=None):
    url = reverse("matrix:matrix_compare", args=[matrix.organisation.slug, matrix.pk])
    return url if other is None else f"{url}?with={other}"


@pytest.fixture
def versions(org):
    """Version 1 with three partners; version 2 changes cells, drops one partner and adds another."""
    old = ValueMatrixFactory(organisation=org, name="Workshop")
    sennheiser = PartnerFactory(organisation=org, name="Sennheiser")
    fonds = PartnerFactory(organisation=org, name="Fonds")
    arts = PartnerFactory(organisation=org, name="Arts")
    verkoper = PartnerFactory(organisation=org, name="Verkoper")
    MatrixRowFactory(
        matrix=old, partner=sennheiser, position=1, brings_resources="kop\ngeluid", gets_money=""
    )
    MatrixRowFactory(matrix=old, partner=fonds, position=2, brings_resources="", gets_money="rendement")
    MatrixRowFactory(matrix=old, partner=arts, position=3, brings_resources="diagnose", gets_money="")
    new = ValueMatrixFactory(organisation=org, name="Workshop", version=2, previous_version=old)
    MatrixRowFactory(
        matrix=new, partner=sennheiser, position=1, brings_resources="geluid\nmarge", gets_money=""
    )
    MatrixRowFactory(matrix=new, partner=fonds, position=2, brings_resources="", gets_money="rendement")
    MatrixRowFactory(matrix=new, partner=verkoper, position=3, brings_resources="kanaal", gets_money="")
    return old, new


# Duplicate


@pytest.fixture
def detail_url(monkeypatch):
    """The matrix page (matrix:matrix_detail) is built in parallel; until it exists, stand in for its URL."""
    try:
        reverse("matrix:matrix_detail", args=["x", 1])
    except NoReverseMatch:
        monkeypatch.setattr(
            ValueMatrix, "get_absolute_url", lambda matrix: f"/matrix-detail-stand-in/{matrix.pk}/"
        )


def test_duplicate_copies_rows_and_increments_the_version(manager_client, org, detail_url):
    matrix = ValueMatrixFactory(organisation=org, name="Workshop")
    MatrixRowFactory(matrix=matrix, brings_resources="kop\ngeluid")
    MatrixRowFactory(matrix=matrix, gets_money="marge")

    response = manager_client.post(duplicate_url(matrix))

    copy = ValueMatrix.objects.exclude(pk=matrix.pk).get()
    assert response.status_code == 302
    assert response.url == copy.get_absolute_url()
    assert (copy.version, copy.previous_version, copy.name) == (2, matrix, "Workshop")
    assert sorted(copy.rows.values_list("partner_id", "brings_resources", "gets_money")) == sorted(
        matrix.rows.values_list("partner_id", "brings_resources", "gets_money")
    )


def test_duplicate_requires_write_access(viewer_client, org):
    matrix = ValueMatrixFactory(organisation=org)
    assert viewer_client.post(duplicate_url(matrix)).status_code == 403
    assert ValueMatrix.objects.count() == 1


def test_duplicate_rejects_get(manager_client, org):
    matrix = ValueMatrixFactory(organisation=org)
    assert manager_client.get(duplicate_url(matrix)).status_code == 405


def test_duplicate_checks_the_organisation(client, stranger, org):
    matrix = ValueMatrixFactory(organisation=org)
    login(client, stranger)
    assert client.post(duplicate_url(matrix)).status_code == 404
    assert ValueMatrix.objects.count() == 1


# Comparing: the logic


def test_cell_compare_works_per_item():
    change = cell_compare("brings_resources", ["kop", "geluid", "kop"], ["geluid", "marge", "kop"])
    assert change.added == ["marge"]
    assert change.removed == ["kop"]
    assert change.unchanged == ["geluid", "kop"]
    assert change.current == [("geluid", "unchanged"), ("marge", "added"), ("kop", "unchanged")]
    assert change.changed


def test_compare_finds_added_removed_and_changed(versions):
    old, new = versions
    comparison = matrix_compare(matrix=new, base=old)

    by_name = {row.partner.name: row for row in comparison.rows}
    assert [row.partner.name for row in comparison.rows] == ["Sennheiser", "Fonds", "Verkoper", "Arts"]
    assert by_name["Sennheiser"].status == ROW_KEPT and by_name["Sennheiser"].changed
    resources = by_name["Sennheiser"].cells[0]
    assert (resources.added, resources.removed, resources.unchanged) == (["marge"], ["kop"], ["geluid"])
    assert not any(cell.changed for cell in by_name["Sennheiser"].cells[1:])
    assert by_name["Fonds"].status == ROW_KEPT and not by_name["Fonds"].changed
    assert by_name["Verkoper"].status == ROW_ADDED and by_name["Verkoper"].cells[0].added == ["kanaal"]
    assert by_name["Arts"].status == ROW_REMOVED and by_name["Arts"].cells[0].removed == ["diagnose"]
    assert [row.partner.name for row in comparison.rows_changed] == ["Sennheiser"]
    assert (comparison.items_added, comparison.items_removed) == (2, 2)


def test_compare_makes_two_queries_whatever_the_size(org, django_assert_num_queries):
    old = ValueMatrixFactory(organisation=org)
    for _ in range(25):
        MatrixRowFactory(matrix=old)
    new = ValueMatrixFactory(organisation=org, previous_version=old)
    with django_assert_num_queries(2):
        comparison = matrix_compare(matrix=new, base=old)
        names = [row.partner.name for row in comparison.rows]
    assert len(names) == 25


def test_compare_refuses_two_organisations(org, other_org):
    with pytest.raises(ValueError):
        matrix_compare(
            matrix=ValueMatrixFactory(organisation=org), base=ValueMatrixFactory(organisation=other_org)
        )


# Comparing: the page


def test_compare_page_defaults_to_the_previous_version(viewer_client, versions):
    old, new = versions
    response = viewer_client.get(compare_url(new))
    assert response.status_code == 200
    assert response.context["comparison"].base == old
    html = response.content.decode()
    assert '<ins><span aria-hidden="true">+ </span>marge</ins>' in html
    assert '<del><span aria-hidden="true">− </span>kop</del>' in html
    assert "<ins>+ Verkoper</ins>" in html and "<del>Arts</del>" in html
    assert 'class="cell-changed"' in html
    assert f'<option value="{old.pk}" selected>' in html


def test_compare_page_with_a_chosen_version(viewer_client, versions):
    old, new = versions
    response = viewer_client.get(compare_url(old, new.pk))  # the other way round: Verkoper was removed
    comparison = response.context["comparison"]
    assert comparison.base == new
    assert [row.partner.name for row in comparison.rows_removed] == ["Verkoper"]


def test_compare_page_without_a_previous_version_offers_the_choice(viewer_client, org):
    matrix = ValueMatrixFactory(organisation=org)
    other = ValueMatrixFactory(organisation=org, name="Andere versie")
    response = viewer_client.get(compare_url(matrix))
    assert response.status_code == 200
    assert response.context["comparison"] is None
    assert f'<option value="{other.pk}">' in response.content.decode()
    assert "Andere versie" in response.content.decode()


def test_compare_page_makes_constant_queries(viewer_client, org, django_assert_max_num_queries):
    old = ValueMatrixFactory(organisation=org)
    for _ in range(30):
        MatrixRowFactory(matrix=old, brings_resources="a\nb", gets_other="c")
    new = ValueMatrixFactory(organisation=org, previous_version=old)
    for _ in range(10):
        MatrixRowFactory(matrix=new)
    with django_assert_max_num_queries(11):  # session ×3, user, membership, 2 matrices, 2×rows, versions
        response = viewer_client.get(compare_url(new))
    assert len(response.context["comparison"].rows) == 40


def test_compare_with_another_organisations_matrix_is_404(viewer_client, org, other_org):
    matrix = ValueMatrixFactory(organisation=org)
    foreign = ValueMatrixFactory(organisation=other_org)
    assert viewer_client.get(compare_url(matrix, foreign.pk)).status_code == 404


def test_compare_with_garbage_is_404(viewer_client, org):
    matrix = ValueMatrixFactory(organisation=org)
    assert viewer_client.get(compare_url(matrix, "abc")).status_code == 404
    assert viewer_client.get(compare_url(matrix, matrix.pk)).status_code == 404  # not with itself


def test_compare_checks_the_organisation(client, stranger, org):
    matrix = ValueMatrixFactory(organisation=org)
    login(client, stranger)
    assert client.get(compare_url(matrix)).status_code == 404
