"""A matrix's rows (add partners, create one inline, move, remove) and editing or deleting a matrix."""

from django.urls import reverse

from matrix.models import MatrixRow, ValueMatrix
from partnerhub.models import Partner, PartnerStatus
from tests.factories import ContactFactory, MatrixRowFactory, PartnerFactory, ValueMatrixFactory


def url(name, matrix, *args):
    return reverse(f"matrix:{name}", args=[matrix.organisation.slug, matrix.pk, *args])


def names(matrix):
    return list(matrix.rows.order_by("position").values_list("partner__name", flat=True))


def test_the_add_page_offers_partners_not_yet_in_the_matrix_most_important_first(manager_client, org):
    matrix = ValueMatrixFactory(organisation=org)
    MatrixRowFactory(matrix=matrix, partner__name="Al erin")
    PartnerFactory(organisation=org, name="Klein", influence=1, importance=1)
    PartnerFactory(organisation=org, name="Groot", influence=5, importance=5)
    PartnerFactory(organisation=org, name="Ongescoord", influence=None, importance=None)
    PartnerFactory(organisation=org, name="Gestopt", status=PartnerStatus.ENDED)
    response = manager_client.get(url("rows_add", matrix))
    assert [partner.name for partner in response.context["page_obj"]] == ["Groot", "Klein", "Ongescoord"]
    assert f'value="{Partner.objects.get(name="Groot").pk}"' in response.text


def test_the_add_page_searches_like_the_partner_list_case_and_accents_ignored(manager_client, org, other_org):
    matrix = ValueMatrixFactory(organisation=org)
    MatrixRowFactory(matrix=matrix, partner__name="Günder al erin")
    PartnerFactory(organisation=org, name="Günderfonds", influence=5, importance=5)
    ContactFactory(partner=PartnerFactory(organisation=org, name="KNO arts"), name="José Günder")
    PartnerFactory(organisation=org, name="Sennheiser")
    PartnerFactory(organisation=other_org, name="Günderfonds Geheim")

    def found(query):
        response = manager_client.get(url("rows_add", matrix), {"q": query})
        return [partner.name for partner in response.context["page_obj"]], response.text

    assert found("GUNDER")[0] == ["Günderfonds", "KNO arts"]
    assert found("jose")[0] == ["KNO arts"]
    shown, html = found("gü")
    assert shown == ["Günderfonds"] and 'id="search-limited"' in html


def test_adding_selected_partners_appends_rows(manager_client, org):
    matrix = ValueMatrixFactory(organisation=org)
    MatrixRowFactory(matrix=matrix, partner__name="Eerste", position=1)
    a, b = PartnerFactory(organisation=org, name="Ander"), PartnerFactory(organisation=org, name="Bijna")
    response = manager_client.post(url("rows_add", matrix), {"partners": [a.pk, b.pk]})
    assert response.status_code == 302
    assert names(matrix) == ["Eerste", "Ander", "Bijna"]


def test_adding_nothing_or_a_foreign_partner_changes_nothing(manager_client, org, other_org):
    matrix = ValueMatrixFactory(organisation=org)
    foreign = PartnerFactory(organisation=other_org)
    mine = PartnerFactory(organisation=org)
    assert manager_client.post(url("rows_add", matrix), {}).status_code == 422
    response = manager_client.post(url("rows_add", matrix), {"partners": [mine.pk, foreign.pk]})
    assert response.status_code == 422
    assert not matrix.rows.exists()


def test_a_new_partner_is_created_and_added_in_one_step(manager_client, org):
    matrix = ValueMatrixFactory(organisation=org)
    response = manager_client.post(
        url("row_create_partner", matrix),
        {"name": " Nieuwe  Partner ", "category": "supplier", "influence": "4"},
    )
    partner = Partner.objects.get(organisation=org, name="Nieuwe Partner")
    row = MatrixRow.objects.get(matrix=matrix, partner=partner)
    assert response.status_code == 302 and response.url.endswith(f"#row-{row.pk}")
    assert partner.influence == 4


def test_a_new_partner_with_a_taken_name_is_refused_with_the_reason(manager_client, org):
    matrix = ValueMatrixFactory(organisation=org)
    PartnerFactory(organisation=org, name="Sennheiser")
    response = manager_client.post(
        url("row_create_partner", matrix), {"name": "sennheiser", "category": "other"}
    )
    assert response.status_code == 422
    assert "name" in response.context["form"].errors
    assert Partner.objects.filter(organisation=org).count() == 1 and not matrix.rows.exists()


def test_rows_move_up_and_down(manager_client, org):
    matrix = ValueMatrixFactory(organisation=org)
    rows = [
        MatrixRowFactory(matrix=matrix, partner__name=name, position=i) for i, name in enumerate("ABC", 1)
    ]
    manager_client.post(url("row_move", matrix, rows[2].pk), {"direction": "up"})
    assert names(matrix) == ["A", "C", "B"]
    manager_client.post(url("row_move", matrix, rows[0].pk), {"direction": "down"})
    assert names(matrix) == ["C", "A", "B"]
    manager_client.post(url("row_move", matrix, rows[1].pk), {"direction": "down"})  # already last
    assert names(matrix) == ["C", "A", "B"]
    manager_client.post(url("row_move", matrix, rows[1].pk), {"direction": "sideways"})
    assert names(matrix) == ["C", "A", "B"]


def test_removing_a_row_asks_first_and_keeps_the_partner(manager_client, org):
    row = MatrixRowFactory(
        matrix__organisation=org, partner__name="Weg", brings_resources="", gets_money="", brings_money="Geld"
    )
    manager_client.cookies["django_language"] = "en"
    confirm = manager_client.get(url("row_remove", row.matrix, row.pk))
    assert "Its 1 filled cell is removed with it" in confirm.text
    assert MatrixRow.objects.filter(pk=row.pk).exists()
    manager_client.post(url("row_remove", row.matrix, row.pk))
    assert not MatrixRow.objects.filter(pk=row.pk).exists()
    assert Partner.objects.filter(pk=row.partner_id).exists()


def test_a_viewer_cannot_add_move_or_remove_rows(viewer_client, org):
    row = MatrixRowFactory(matrix__organisation=org, position=1)
    other = MatrixRowFactory(matrix=row.matrix, position=2)
    partner = PartnerFactory(organisation=org)
    assert viewer_client.get(url("rows_add", row.matrix)).status_code == 403
    assert viewer_client.post(url("rows_add", row.matrix), {"partners": [partner.pk]}).status_code == 403
    assert viewer_client.post(url("row_move", row.matrix, other.pk), {"direction": "up"}).status_code == 403
    assert viewer_client.get(url("row_remove", row.matrix, row.pk)).status_code == 403
    assert viewer_client.post(url("row_remove", row.matrix, row.pk)).status_code == 403
    assert row.matrix.rows.count() == 2 and names(row.matrix)[0] == row.partner.name


def test_a_matrix_is_edited_and_deleted_after_confirmation(manager_client, org):
    matrix = ValueMatrixFactory(organisation=org, name="Oud")
    MatrixRowFactory(matrix=matrix)
    response = manager_client.post(
        url("matrix_update", matrix), {"name": "Nieuw", "date": "2026-11-01", "status": "workshop"}
    )
    matrix.refresh_from_db()
    assert response.status_code == 302 and (matrix.name, matrix.status) == ("Nieuw", "workshop")
    assert manager_client.get(url("matrix_delete", matrix)).status_code == 200
    assert ValueMatrix.objects.filter(pk=matrix.pk).exists()
    manager_client.post(url("matrix_delete", matrix))
    assert not ValueMatrix.objects.filter(pk=matrix.pk).exists()
    assert Partner.objects.filter(organisation=org).count() == 1


def test_a_viewer_cannot_edit_or_delete_a_matrix(viewer_client, org):
    matrix = ValueMatrixFactory(organisation=org, name="Blijft")
    assert viewer_client.get(url("matrix_update", matrix)).status_code == 403
    assert viewer_client.post(url("matrix_delete", matrix)).status_code == 403
    assert ValueMatrix.objects.get(pk=matrix.pk).name == "Blijft"


def test_the_workshop_view_shows_the_grid_editable_for_a_manager(manager_client, org):
    row = MatrixRowFactory(matrix__organisation=org, brings_money="Investering")
    html = manager_client.get(url("matrix_workshop", row.matrix)).text
    assert 'class="workshop"' in html and "<li>Investering</li>" in html and "hx-get" in html
    assert "data-fullscreen" in html


def test_the_partner_page_shows_its_rows_in_every_matrix(manager_client, org, other_org):
    partner = PartnerFactory(organisation=org, name="Sennheiser")
    MatrixRowFactory(
        matrix__organisation=org, matrix__name="Workshop maart", partner=partner, gets_money="Marge"
    )
    MatrixRowFactory(matrix__organisation=org, matrix__name="Workshop juni", partner=partner)
    MatrixRowFactory(matrix__organisation=org, matrix__name="Zonder Sennheiser")
    html = manager_client.get(partner.get_absolute_url()).text
    assert "Workshop maart" in html and "Workshop juni" in html and "Zonder Sennheiser" not in html
    assert "Marge" in html
