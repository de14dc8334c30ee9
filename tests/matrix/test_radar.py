"""The partner radar: every partner on the chart by influence and importance, scores edited on the page,
and the selected partners put in a value matrix in one action."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matrix.models import MatrixRow, ValueMatrix
from matrix.radar import radar_chart
from partnerhub.models import Partner
from tests.factories import MatrixRowFactory, PartnerFactory, ValueMatrixFactory


def radar_url(org):
    return reverse("matrix:radar", args=[org.slug])


def score_url(partner):
    return reverse("matrix:radar_score", args=[partner.organisation.slug, partner.pk])


def add_url(org):
    return reverse("matrix:radar_add_to_matrix", args=[org.slug])


def test_the_chart_places_partners_in_their_square_and_marks_the_key_corner():
    chart = radar_chart(
        [(1, "Sennheiser", 5, 5), (2, "Innovatiefonds", 4, 5), (3, "Drukkerij", 1, 2), (4, "Nieuw", None, 3)]
    )
    squares = {(square.influence, square.importance): square for square in chart.squares}
    assert squares[(5, 5)].names == ["Sennheiser"] and squares[(5, 5)].key
    assert squares[(4, 5)].key and not squares[(3, 5)].key and not squares[(5, 3)].key
    assert squares[(1, 2)].names == ["Drukkerij"]
    assert chart.unscored == 1
    # Influence runs up, importance to the right.
    assert squares[(5, 1)].y < squares[(1, 1)].y and squares[(1, 5)].x > squares[(1, 1)].x


def test_a_crowded_square_lists_a_few_names_and_counts_the_rest():
    chart = radar_chart([(n, f"Partner {n}", 3, 3) for n in range(9)])
    square = next(square for square in chart.squares if (square.influence, square.importance) == (3, 3))
    assert square.count == 9 and len(square.names) == 3 and square.more == 6


def test_the_radar_page_shows_every_partner_of_the_organisation_only(manager_client, org, other_org):
    PartnerFactory(organisation=org, name="Sennheiser", influence=5, importance=5)
    PartnerFactory(organisation=org, name="Zonder scores", influence=None, importance=None)
    PartnerFactory(organisation=other_org, name="Van een ander")
    response = manager_client.get(radar_url(org))
    html = response.text
    assert response.status_code == 200 and "<svg" in html
    assert "Sennheiser" in html and "Zonder scores" in html and "Van een ander" not in html
    assert "1 partner heeft nog geen scores" in html
    # A key partner is selected for the matrix beforehand.
    sennheiser = Partner.objects.get(name="Sennheiser")
    assert f'value="{sennheiser.pk}" form="radar-add" id="select-{sennheiser.pk}" checked' in html


def test_the_radar_page_costs_the_same_queries_for_5_and_50_partners(manager_client, org):
    def queries():
        with CaptureQueriesContext(connection) as context:
            assert manager_client.get(radar_url(org)).status_code == 200
        return len(context.captured_queries)

    PartnerFactory.create_batch(5, organisation=org)
    queries()  # the first request of a session also writes the session
    few = queries()
    PartnerFactory.create_batch(45, organisation=org)
    assert queries() == few


def test_a_score_is_saved_on_the_page_and_the_chart_comes_along(manager_client, org):
    partner = PartnerFactory(organisation=org, name="Sennheiser", influence=2, importance=2)
    response = manager_client.post(
        score_url(partner), {"influence": "5", "importance": "4"}, headers={"HX-Request": "true"}
    )
    partner.refresh_from_db()
    assert response.status_code == 200 and (partner.influence, partner.importance) == (5, 4)
    html = response.text
    assert f'id="radar-partner-{partner.pk}"' in html and 'id="radar-chart"' in html
    assert 'hx-swap-oob="true"' in html and "kernpartner" in html


def test_an_empty_score_clears_it(manager_client, org):
    partner = PartnerFactory(organisation=org, influence=2, importance=2)
    manager_client.post(
        score_url(partner), {"influence": "", "importance": "3"}, headers={"HX-Request": "true"}
    )
    partner.refresh_from_db()
    assert (partner.influence, partner.importance) == (None, 3)


def test_a_bad_score_is_refused_and_changes_nothing(manager_client, org):
    partner = PartnerFactory(organisation=org, influence=2, importance=2)
    response = manager_client.post(
        score_url(partner), {"influence": "9", "importance": "4"}, headers={"HX-Request": "true"}
    )
    partner.refresh_from_db()
    assert response.status_code == 422 and "Kies een score van 1 tot en met 5." in response.text
    assert (partner.influence, partner.importance) == (2, 2)


def test_without_javascript_a_score_is_saved_and_the_page_comes_back(manager_client, org):
    partner = PartnerFactory(organisation=org, influence=2, importance=2)
    response = manager_client.post(score_url(partner), {"influence": "4", "importance": "4"})
    partner.refresh_from_db()
    assert response.status_code == 302 and response.url == radar_url(org)
    assert (partner.influence, partner.importance) == (4, 4)


def test_a_viewer_sees_scores_without_controls_and_cannot_post(viewer_client, org):
    partner = PartnerFactory(organisation=org, name="Sennheiser", influence=2, importance=3)
    html = viewer_client.get(radar_url(org)).text
    assert "Sennheiser" in html and "<select" not in html and 'form="radar-add"' not in html
    assert viewer_client.post(score_url(partner), {"influence": "5", "importance": "5"}).status_code == 403
    assert viewer_client.post(add_url(org), {"partners": [partner.pk], "new_name": "X"}).status_code == 403
    partner.refresh_from_db()
    assert partner.influence == 2 and not ValueMatrix.objects.exists()


def test_selected_partners_go_into_a_new_matrix_in_the_page_order(manager_client, org):
    first = PartnerFactory(organisation=org, name="Sennheiser")
    second = PartnerFactory(organisation=org, name="Innovatiefonds")
    response = manager_client.post(
        add_url(org), {"partners": [second.pk, first.pk], "new_name": " Kern  2026 "}
    )
    matrix = ValueMatrix.objects.get(organisation=org)
    assert response.status_code == 302 and response.url == matrix.get_absolute_url()
    assert matrix.name == "Kern 2026"
    rows = list(matrix.rows.order_by("position").values_list("partner__name", flat=True))
    assert rows == ["Innovatiefonds", "Sennheiser"]


def test_selected_partners_join_an_existing_matrix_once(manager_client, org):
    matrix = ValueMatrixFactory(organisation=org, name="Workshop")
    present = PartnerFactory(organisation=org, name="Sennheiser")
    MatrixRowFactory(matrix=matrix, partner=present, position=1)
    new = PartnerFactory(organisation=org, name="Innovatiefonds")
    response = manager_client.post(
        add_url(org), {"partners": [present.pk, new.pk], "matrix": matrix.pk}, follow=True
    )
    assert MatrixRow.objects.filter(matrix=matrix).count() == 2
    assert "1 partner is toegevoegd aan Workshop. 1 stond er al in." in response.text


def test_adding_needs_a_selection_and_a_matrix_and_changes_nothing_otherwise(manager_client, org, other_org):
    mine = PartnerFactory(organisation=org)
    foreign = PartnerFactory(organisation=other_org)
    response = manager_client.post(add_url(org), {"new_name": "Kern"})
    assert response.status_code == 422 and "Kies minstens één partner om toe te voegen." in response.text
    response = manager_client.post(add_url(org), {"partners": [mine.pk]})
    assert response.status_code == 422 and "Geef de nieuwe matrix een naam" in response.text
    response = manager_client.post(add_url(org), {"partners": [mine.pk, foreign.pk], "new_name": "Kern"})
    assert response.status_code == 422 and "Kies alleen partners van je eigen organisatie." in response.text
    foreign_matrix = ValueMatrixFactory(organisation=other_org)
    response = manager_client.post(add_url(org), {"partners": [mine.pk], "matrix": foreign_matrix.pk})
    assert response.status_code == 422
    assert not ValueMatrix.objects.filter(organisation=org).exists() and not MatrixRow.objects.exists()


def test_a_partner_of_another_organisation_cannot_be_scored(manager_client, org, other_org):
    foreign = PartnerFactory(organisation=other_org, influence=1, importance=1)
    response = manager_client.post(
        reverse("matrix:radar_score", args=[org.slug, foreign.pk]), {"influence": "5", "importance": "5"}
    )
    foreign.refresh_from_db()
    assert response.status_code == 404 and foreign.influence == 1
