"""Agreements in the product: creating one with its parties, the sections saved one by one, and the split of
costs and revenue that must add up to exactly 100 % (nothing is saved otherwise)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements import services
from agreements.models import Agreement, Party, Section
from checker.models import Collaboration
from tests.factories import ContactFactory, PartnerFactory


def url(name, org, *args):
    return reverse(f"agreements:{name}", args=[org.slug, *args])


@pytest.fixture
def agreement(org, owner):
    sennheiser = PartnerFactory(organisation=org, name="Sennheiser")
    ContactFactory(partner=sennheiser, name="Katrin Vogel")
    fonds = PartnerFactory(organisation=org, name="Innovatiefonds")
    return services.agreement_create(
        organisation=org,
        actor=owner,
        title="Tinnitracks-alliantie",
        partners=[sennheiser, fonds],
        kind="structural",
    )


def test_a_manager_creates_an_agreement_with_its_parties_and_collaboration(manager_client, org):
    partner = PartnerFactory(organisation=org, name="Sennheiser")
    ContactFactory(partner=partner, name="Jonas Becker", is_key_person=False)
    key = ContactFactory(partner=partner, name="Katrin Vogel", is_key_person=True)
    response = manager_client.post(
        url("agreement_create", org),
        {
            "title": " Pilot  KNO ",
            "partners": [partner.pk],
            "level": "tactical",
            "kind": "project",
            "end_date": "2027-06-30",
        },
    )
    agreement = Agreement.objects.get()
    assert response.status_code == 302 and response.url == agreement.get_absolute_url()
    assert agreement.title == "Pilot KNO" and agreement.status == "idea"
    assert agreement.collaboration.name == "Pilot KNO" and list(agreement.collaboration.partners.all()) == [
        partner
    ]
    parties = list(agreement.parties.all())
    assert [party.partner for party in parties] == [None, partner]
    assert parties[1].contact == key  # the key person signs for the partner
    html = manager_client.get(agreement.get_absolute_url()).text
    assert "Sennheiser" in html and "Katrin Vogel" in html and "0 van 15 onderdelen af" in html


def test_bad_agreement_input_is_refused_with_reasons(manager_client, org, other_org):
    foreign = PartnerFactory(organisation=other_org)
    mine = PartnerFactory(organisation=org)
    Collaboration.objects.create(organisation=org, name="Bestaat al")
    cases = [
        ({"title": "A", "partners": [mine.pk], "level": "tactical", "kind": "project"}, "end_date"),
        ({"title": "A", "partners": [foreign.pk], "level": "tactical", "kind": "structural"}, "partners"),
        ({"title": "A", "level": "tactical", "kind": "structural"}, "partners"),
        ({"title": "Bestaat al", "partners": [mine.pk], "level": "tactical", "kind": "structural"}, "title"),
    ]
    for data, field in cases:
        response = manager_client.post(url("agreement_create", org), data)
        assert response.status_code == 422 and field in response.context["form"].errors
    assert not Agreement.objects.exists()


def split_data(agreement, costs, revenues, **extra):
    parties = list(agreement.parties.all())
    data = {f"cost_{party.pk}": cost for party, cost in zip(parties, costs, strict=True)}
    data |= {f"revenue_{party.pk}": revenue for party, revenue in zip(parties, revenues, strict=True)}
    return data | extra


@pytest.mark.parametrize(
    ("costs", "revenues", "wrong"),
    [
        (["33,33", "33,33", "33,33"], ["50", "25", "25"], "kosten"),  # 99,99
        (["33,33", "33,33", "33,35"], ["50", "25", "25"], "kosten"),  # 100,01
        (["50", "25", "25"], ["33,33", "33,33", "33,33"], "opbrengst"),  # 99,99
        (["50", "25", "25"], ["40", "30", "30,01"], "opbrengst"),  # 100,01
        (["50", "50", ""], ["50", "25", "25"], "kosten"),  # a party without a share
    ],
)
def test_a_split_that_is_not_exactly_100_is_refused_and_nothing_is_saved(
    manager_client, org, agreement, costs, revenues, wrong
):
    response = manager_client.post(
        url("section_edit", org, agreement.pk, "split"),
        split_data(agreement, costs, revenues, settlement="Uurtarief"),
    )
    assert response.status_code == 422
    errors = " ".join(response.context["form"].non_field_errors())
    assert wrong in errors and ("100 %" in errors or "ingevuld" in errors)
    assert not Party.objects.filter(agreement=agreement, cost_share__isnull=False).exists()
    assert not Section.objects.filter(agreement=agreement, key="split").exists()
    assert 'value="33,33"' in response.text or 'value="50"' in response.text  # what was typed stays


def test_the_error_names_the_total(manager_client, org, agreement):
    response = manager_client.post(
        url("section_edit", org, agreement.pk, "split"),
        split_data(agreement, ["33,33", "33,33", "33,33"], ["50", "25", "25"]),
    )
    assert "tellen op tot 99,99 %" in response.text


def test_an_exact_split_is_saved_with_decimals(manager_client, org, agreement):
    response = manager_client.post(
        url("section_edit", org, agreement.pk, "split"),
        split_data(
            agreement, ["33,33", "33,33", "33,34"], ["50", "25", "25"], settlement="Uurtarief", complete="on"
        ),
    )
    assert response.status_code == 302
    shares = list(agreement.parties.values_list("cost_share", "revenue_share"))
    assert shares == [
        (Decimal("33.33"), Decimal("50")),
        (Decimal("33.33"), Decimal("25")),
        (Decimal("33.34"), Decimal("25")),
    ]
    section = Section.objects.get(agreement=agreement, key="split")
    assert section.complete and section.content == {"settlement": "Uurtarief"}


@pytest.mark.parametrize("value", ["-1", "100,5", "12,345", "veel"])
def test_a_bad_percentage_is_refused(manager_client, org, agreement, value):
    response = manager_client.post(
        url("section_edit", org, agreement.pk, "split"),
        split_data(agreement, [value, "50", "50"], ["50", "25", "25"]),
    )
    assert response.status_code == 422
    assert not Party.objects.filter(agreement=agreement, cost_share__isnull=False).exists()


def test_the_split_service_refuses_99_99_and_100_01_on_both_splits(agreement, owner):
    parties = list(agreement.parties.all())

    def shares(costs, revenues):
        return {
            party.pk: {"cost_share": Decimal(cost), "revenue_share": Decimal(revenue)}
            for party, cost, revenue in zip(parties, costs, revenues, strict=True)
        }

    for total in (["33.33", "33.33", "33.33"], ["33.33", "33.33", "33.35"]):
        with pytest.raises(services.SplitError) as refused:
            services.split_save(agreement=agreement, actor=owner, shares=shares(total, ["50", "25", "25"]))
        assert set(refused.value.errors) == {"cost_share"}
        with pytest.raises(services.SplitError) as refused:
            services.split_save(agreement=agreement, actor=owner, shares=shares(["50", "25", "25"], total))
        assert set(refused.value.errors) == {"revenue_share"}
    assert not Party.objects.filter(agreement=agreement, cost_share__isnull=False).exists()


def test_a_text_section_is_saved_on_its_own_and_marked_complete(manager_client, org, agreement):
    response = manager_client.post(
        url("section_edit", org, agreement.pk, "exit"),
        {
            "how_to_leave": " Schriftelijk opzeggen ",
            "notice_period": "3 maanden",
            "complete": "on",
            "other": "x",
        },
    )
    assert response.status_code == 302
    section = Section.objects.get(agreement=agreement, key="exit")
    assert section.complete and section.content["how_to_leave"] == "Schriftelijk opzeggen"
    assert "other" not in section.content
    page = manager_client.get(url("section_edit", org, agreement.pk, "exit")).text
    assert "Schriftelijk opzeggen" in page and "3 maanden" in page
    assert "1 van 15 onderdelen af" in manager_client.get(agreement.get_absolute_url()).text


def test_an_unknown_section_is_not_found(manager_client, org, agreement):
    assert manager_client.get(url("section_edit", org, agreement.pk, "nope")).status_code == 404


def test_a_viewer_reads_but_cannot_write(viewer_client, org, agreement):
    assert viewer_client.get(agreement.get_absolute_url()).status_code == 200
    assert viewer_client.get(url("section_edit", org, agreement.pk, "exit")).status_code == 200
    assert (
        viewer_client.post(url("section_edit", org, agreement.pk, "exit"), {"notice_period": "1"}).status_code
        == 403
    )
    assert viewer_client.get(url("agreement_create", org)).status_code == 403
    assert not Section.objects.exists()


def test_editing_the_record_renames_its_collaboration_and_sets_the_status(manager_client, org, agreement):
    response = manager_client.post(
        url("agreement_update", org, agreement.pk),
        {"title": "Alliantie 2027", "level": "strategic", "kind": "structural", "status": "intent"},
    )
    agreement.refresh_from_db()
    assert response.status_code == 302 and agreement.status == "intent" and agreement.level == "strategic"
    assert agreement.collaboration.name == "Alliantie 2027"


def test_the_list_shows_only_own_agreements(manager_client, org, other_org, agreement, owner):
    services.agreement_create(
        organisation=other_org,
        actor=None,
        title="Van een ander",
        partners=[PartnerFactory(organisation=other_org)],
        kind="structural",
    )
    html = manager_client.get(url("agreement_list", org)).text
    assert "Tinnitracks-alliantie" in html and "Van een ander" not in html


def goals_data(rows, **extra):
    data = {"goals-TOTAL_FORMS": str(len(rows)), "goals-INITIAL_FORMS": "0", "goals-MAX_NUM_FORMS": "50"}
    for index, row in enumerate(rows):
        data |= {f"goals-{index}-{name}": value for name, value in row.items()}
    return data | extra


def test_goals_are_saved_and_a_goal_that_is_not_smart_is_flagged_with_the_reason(
    manager_client, org, agreement
):
    sennheiser = agreement.parties.get(partner__name="Sennheiser")
    response = manager_client.post(
        url("section_edit", org, agreement.pk, "goals"),
        goals_data(
            [
                {"text": "20 nieuwe klanten via het gezamenlijke platform", "due_date": "2027-07-01"},
                {"text": "We willen meer klanten", "party": str(sennheiser.pk)},
            ],
            complete="on",
        ),
    )
    assert response.status_code == 302
    goals = list(agreement.goals.order_by("pk"))
    assert [goal.party for goal in goals] == [None, sennheiser]
    page = manager_client.get(url("section_edit", org, agreement.pk, "goals")).text
    assert page.count('class="smart-flags"') == 1  # only the vague goal
    assert "Eigen doel van Sennheiser" in page


def test_a_goal_cannot_belong_to_a_party_of_another_agreement(manager_client, org, agreement, owner):
    other = services.agreement_create(
        organisation=org,
        actor=owner,
        title="Ander",
        partners=[PartnerFactory(organisation=org)],
        kind="structural",
    )
    foreign_party = other.parties.first()
    response = manager_client.post(
        url("section_edit", org, agreement.pk, "goals"),
        goals_data([{"text": "20 klanten in 2027", "party": str(foreign_party.pk)}]),
    )
    assert response.status_code == 422 and not agreement.goals.exists()


def test_risks_and_contributions_are_saved(manager_client, org, agreement):
    data = {"risks-TOTAL_FORMS": "1", "risks-INITIAL_FORMS": "0", "risks-MAX_NUM_FORMS": "50"}
    data |= {"risks-0-description": "Partner haakt af", "risks-0-mitigation": "Opzegtermijn van drie maanden"}
    assert manager_client.post(url("section_edit", org, agreement.pk, "risks"), data).status_code == 302
    assert agreement.risks.get().mitigation == "Opzegtermijn van drie maanden"
    parties = list(agreement.parties.all())
    data = {f"contribution_{party.pk}": f"Inbreng van {party.name}" for party in parties} | {"complete": "on"}
    assert (
        manager_client.post(url("section_edit", org, agreement.pk, "contributions"), data).status_code == 302
    )
    assert [party.contribution for party in agreement.parties.all()] == [
        f"Inbreng van {p.name}" for p in parties
    ]
    assert Section.objects.get(agreement=agreement, key="contributions").complete


def test_a_new_title_may_not_take_the_name_of_another_collaboration(manager_client, org, agreement):
    Collaboration.objects.create(organisation=org, name="Bestaat al")
    response = manager_client.post(
        url("agreement_update", org, agreement.pk),
        {"title": "Bestaat al", "level": "strategic", "kind": "structural", "status": "intent"},
    )
    agreement.refresh_from_db()
    assert response.status_code == 422 and "title" in response.context["form"].errors
    assert agreement.title == "Tinnitracks-alliantie" and agreement.status == "idea"


def test_new_goals_go_after_the_existing_ones(manager_client, org, agreement):
    path = url("section_edit", org, agreement.pk, "goals")
    manager_client.post(path, goals_data([{"text": "Eerste doel: 10 klanten in 2027"}]))
    first = agreement.goals.get()
    data = goals_data(
        [{"id": str(first.pk), "text": first.text}, {"text": "Tweede doel: 20 klanten in 2028"}]
    )
    data["goals-INITIAL_FORMS"] = "1"
    assert manager_client.post(path, data).status_code == 302
    assert list(agreement.goals.order_by("position").values_list("text", flat=True)) == [
        "Eerste doel: 10 klanten in 2027",
        "Tweede doel: 20 klanten in 2028",
    ]


def test_the_new_agreement_form_costs_the_same_queries_for_3_and_30_partners(manager_client, org):
    """Every partner is a checkbox of the form; the form's queries do not grow with them."""
    manager_client.get(url("agreement_create", org))  # the first request of a session asks a few more
    counts = []
    for total in (3, 30):
        while org.partners.count() < total:
            PartnerFactory(organisation=org)
        with CaptureQueriesContext(connection) as queries:
            page = manager_client.get(url("agreement_create", org)).content.decode()
        counts.append(len(queries))
        assert page.count('type="checkbox" name="partners"') == total
    assert counts[0] == counts[1]
