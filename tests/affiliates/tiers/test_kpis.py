"""KPIs per partner: lights at their edges, the NPS formula, figures, trends, the overview's queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from affiliates.models import NpsScore, Project, TierStanding
from affiliates.programme.rules import programme_for, tiers_of
from affiliates.tiers.kpis import (
    GREEN,
    GREY,
    ORANGE,
    RED,
    kpi_light,
    kpis_for_partners,
    nps_of_scores,
    nps_value,
    partner_kpis,
)
from affiliates.tiers.standings import add_months, tier_evaluate
from partnerhub.models import PartnerStatus
from tests.factories import PartnerFactory

TODAY = datetime.date(2026, 4, 15)


@pytest.fixture
def partner(org):
    programme_for(org)
    return PartnerFactory(organisation=org, name="Bouwbedrijf De Vries", status=PartnerStatus.ACTIVE)


def add(partner, count, *, date=TODAY, value="800.00", delivered=None, paid=None):
    Project.objects.bulk_create(
        Project(
            organisation=partner.organisation,
            partner=partner,
            customer_reference=f"K-{date}-{i}-{Project.objects.count()}",
            value=Decimal(value),
            date=date,
            delivered_on_time=delivered,
            paid_on_time=paid,
        )
        for i in range(count)
    )


def scores(partner, values, *, date=TODAY):
    NpsScore.objects.bulk_create(
        NpsScore(organisation=partner.organisation, partner=partner, score=value, date=date)
        for value in values
    )


@pytest.mark.parametrize(
    ("value", "target", "strict", "light"),
    [
        ("700.00", "700", False, GREEN),  # "€700+": reaching it is enough
        ("699.99", "700", False, ORANGE),
        ("630.00", "700", False, ORANGE),  # 10 % of the target below it
        ("629.99", "700", False, RED),
        ("95.0", "95", True, ORANGE),  # ">95 %": 95 itself misses
        ("95.1", "95", True, GREEN),
        ("85.5", "95", True, ORANGE),
        ("85.4", "95", True, RED),
        (60, 60, True, ORANGE),  # "NPS >60"
        (61, 60, True, GREEN),
        (54, 60, True, ORANGE),
        (53, 60, True, RED),
        (-20, 60, True, RED),
        (None, 60, True, GREY),
        ("800", None, False, GREY),
    ],
)
def test_the_light_at_its_edges(value, target, strict, light):
    value = Decimal(value) if isinstance(value, str) else value
    target = Decimal(target) if isinstance(target, str) else target
    assert kpi_light(value, target, strict=strict) == light


def test_nps_is_promoters_minus_detractors():
    assert nps_of_scores([10, 9, 8, 7, 6, 0]) == 0
    assert nps_of_scores([10, 10, 10, 9, 8]) == 80
    assert nps_of_scores(range(11)) == -45  # 2 promoters, 7 detractors of 11: −45.45
    assert nps_of_scores([9, 8, 8, 8, 8, 8, 8, 8]) == 13  # 12.5 rounds half up
    assert nps_of_scores([6, 8, 8, 8, 8, 8, 8, 8]) == -13
    assert nps_of_scores([]) is None
    assert nps_value(promoters=7, detractors=1, total=10) == 60


def test_the_pace_against_the_tier(partner, manager):
    silver = next(tier for tier in tiers_of(partner.organisation) if tier.name == "Silver")
    TierStanding.objects.create(organisation=partner.organisation, partner=partner, tier=silver)
    add(partner, 6, date=datetime.date(2026, 2, 1))  # 6 in the last 3 months: 2.00 a month
    pace = partner_kpis(partner, today=TODAY).kpi("pace")
    assert (pace.value, pace.target, pace.light) == (Decimal("2.00"), Decimal("2.08"), ORANGE)
    add(partner, 1, date=datetime.date(2026, 1, 16))  # 7: 2.33 a month, Silver's pace is 25 / 12
    assert partner_kpis(partner, today=TODAY).kpi("pace").light == GREEN
    add(partner, 1, date=datetime.date(2026, 1, 15))  # exactly 3 months ago: outside the 3 months
    assert partner_kpis(partner, today=TODAY).kpi("pace").value == Decimal("2.33")


def test_a_partner_without_tier_is_measured_against_the_lowest_tier(partner):
    add(partner, 2, date=datetime.date(2026, 3, 1))  # 0.67 a month against Bronze's 0.83
    pace = partner_kpis(partner, today=TODAY).kpi("pace")
    assert (pace.target, pace.light) == (Decimal("0.83"), RED)
    add(partner, 1, date=datetime.date(2026, 3, 1))
    assert partner_kpis(partner, today=TODAY).kpi("pace").light == GREEN


def test_order_value_delivery_and_payment(partner):
    add(partner, 19, value="700.00", delivered=True, paid=True)
    add(partner, 1, value="700.00", delivered=False, paid=False, date=datetime.date(2025, 6, 1))
    add(partner, 5, value="700.00")  # delivery and payment unknown: not counted in the percentages
    add(partner, 3, value="100000.00", date=datetime.date(2025, 4, 15))  # 12 months ago: outside
    figures = partner_kpis(partner, today=TODAY)
    aov, on_time, payment = figures.kpi("order_value"), figures.kpi("on_time"), figures.kpi("payment")
    assert (aov.value, aov.light) == (Decimal("700.00"), GREEN)
    assert (on_time.value, on_time.light, on_time.sample) == (Decimal("95.0"), ORANGE, 20)
    assert (payment.value, payment.light) == (Decimal("95.0"), GREEN)  # > 90
    assert figures.project_count == 25


def test_nps_of_the_last_12_months(partner):
    scores(partner, [10, 10, 9, 9, 9, 9, 9, 8, 7, 3])  # 7 promoters, 1 detractor: 60
    scores(partner, [0, 0, 0], date=datetime.date(2025, 4, 15))  # exactly 12 months ago: outside
    nps = partner_kpis(partner, today=TODAY).kpi("nps")
    assert (nps.value, nps.light, nps.sample) == (60, ORANGE, 10)
    scores(partner, [10])
    assert partner_kpis(partner, today=TODAY).kpi("nps").light == GREEN


def test_no_data_is_grey(partner):
    scores(partner, [9])
    figures = partner_kpis(partner, today=TODAY)
    assert [kpi.light for kpi in figures.kpis] == [GREY, GREY, GREY, GREEN, GREY]


def test_the_trend_compares_the_last_3_months_with_the_3_before(partner):
    add(partner, 1, date=datetime.date(2025, 12, 1), value="500.00", delivered=True)
    add(partner, 3, date=datetime.date(2026, 3, 1), value="900.00", delivered=False)
    figures = partner_kpis(partner, today=TODAY)
    pace, aov, on_time = figures.kpi("pace"), figures.kpi("order_value"), figures.kpi("on_time")
    assert (pace.previous, pace.current, pace.trend) == (Decimal(1), Decimal(3), "up")
    assert (aov.previous, aov.current, aov.trend) == (Decimal("500.00"), Decimal("900.00"), "up")
    assert (on_time.previous, on_time.current, on_time.trend) == (Decimal("100.0"), Decimal("0.0"), "down")
    assert pace.series == [0, 1, 0, 0, 3, 0]  # rolling months ending 15 Nov … 15 Apr
    assert figures.kpi("payment").trend == ""
    spark = pace.spark
    assert spark.lines and spark.last is not None


def test_a_project_on_a_month_boundary_counts_in_the_month_it_ends(partner):
    """Months are rolling and end on their day (after < date <= until): a project dated on a boundary is the
    older month's last day, the 12-month window starts the day after 12 months ago, older ones only ever."""
    for months_ago in range(13):
        boundary = add_months(TODAY, -months_ago)
        add(partner, 1, date=boundary, value="100.00", delivered=True)
        add(partner, 1, date=boundary + datetime.timedelta(days=1), value="300.00", paid=False)
    add(partner, 1, date=datetime.date(2020, 1, 1), value="999.00")
    figures = partner_kpis(partner, today=TODAY)
    pace, aov = figures.kpi("pace"), figures.kpi("order_value")
    # Each month holds the project on its closing day and the one the day after it starts (tomorrow's and
    # the one of exactly 12 months ago count nowhere, 2020's only as ever having had a project).
    assert pace.series == [2, 2, 2, 2, 2, 2]
    assert figures.project_count == 24
    assert aov.series == [Decimal("200.00")] * 6
    assert figures.kpi("on_time").sample == 12  # known deliveries: the closing days within 12 months
    assert figures.kpi("payment").value == Decimal("0.0")


def test_the_partner_block_in_six_queries(rf, org, partner, manager, django_assert_max_num_queries):
    add(partner, 22, delivered=True)
    tier_evaluate(partner)
    request = rf.get("/")
    request.user = manager
    template = Template("{% load programme_tags %}{% partner_programme partner %}")
    with django_assert_max_num_queries(6):
        html = template.render(
            Context({"partner": partner, "organisation": org, "can_write": True, "request": request})
        )
    assert "Bronze" in html and "nog 3 projecten tot Silver" in html
    assert "light-green" in html and "<svg" in html


def test_the_partner_page_shows_tier_override_and_lights(manager_client, org, partner, manager):
    from affiliates.tiers.standings import tier_override

    gold = next(tier for tier in tiers_of(org) if tier.name == "Gold")
    add(partner, 3, delivered=False)
    tier_override(partner, tier=gold, reason="Strategische partner", actor=manager)
    html = manager_client.get(reverse("partner_detail", args=[org.slug, partner.pk])).content.decode()
    assert "Partnerprogramma" in html or "Partner programme" in html
    assert "Gold" in html and "15 %" in html and "Strategische partner" in html
    assert "nog 97 projecten tot Platinum" in html
    assert "light-red" in html


def _overview_queries(client, org, size):
    for _ in range(size):
        partner = PartnerFactory(organisation=org, status=PartnerStatus.ACTIVE)
        add(partner, 2, delivered=True, paid=False)
        scores(partner, [9, 3])
    url = reverse("affiliates:kpi_overview", args=[org.slug])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return len(queries), response


def test_the_overview_does_not_grow_with_partners(manager_client, org):
    programme_for(org)
    few, _response = _overview_queries(manager_client, org, 2)
    many, response = _overview_queries(manager_client, org, 20)
    assert few == many
    assert response.context["page"].paginator.count == 22
    assert response.content.decode().count("kpi-cell") == 22 * 5


def test_the_overview_lists_only_partners_with_activity(manager_client, org, partner):
    PartnerFactory(organisation=org, name="Zonder Projecten")
    add(partner, 1, date=datetime.date.today())
    html = manager_client.get(reverse("affiliates:kpi_overview", args=[org.slug])).content.decode()
    assert "Bouwbedrijf De Vries" in html and "Zonder Projecten" not in html


def test_kpis_for_partners_keeps_organisations_apart(org, other_org, partner):
    foreign = PartnerFactory(organisation=other_org, status=PartnerStatus.ACTIVE)
    add(foreign, 5)
    figures = kpis_for_partners(org, [partner, foreign], today=TODAY)
    assert figures[foreign.pk].project_count == 0  # the other organisation's projects are not read


@pytest.fixture
def rf():
    return RequestFactory()
