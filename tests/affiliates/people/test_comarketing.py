"""Co-marketing actions: the investment kinds of seed 004 5.1 (50/50, time, €500) and their validation."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from affiliates.models import CoMarketingAction
from affiliates.people import comarketing
from partnerhub.models import AuditEntry
from tests.conftest import login
from tests.factories import PartnerFactory


@pytest.fixture
def partner(org):
    return PartnerFactory(organisation=org, name="Bouwbedrijf Alfa", category="contractor")


def url(name, org, *args):
    return reverse(f"affiliates:{name}", args=[org.slug, *args])


def form(partner, **changes):
    data = {
        "partner": partner.pk,
        "action": "Gezamenlijke beursstand",
        "investment": "split",
        "our_share_percent": "50",
        "amount": "3000",
        "hours": "",
        "date": "2026-04-10",
        "status": "planned",
        "notes": "",
    }
    data.update(changes)
    return data


def test_a_50_50_split_is_saved_and_costs_us_half(manager_client, org, partner):
    response = manager_client.post(url("comarketing_create", org), form(partner))
    assert response.status_code == 302
    action = CoMarketingAction.objects.get()
    assert (action.our_share_percent, action.amount, action.hours) == (Decimal("50"), Decimal("3000"), None)
    assert comarketing.our_cost(action) == Decimal("1500.00")
    assert AuditEntry.objects.filter(object_type="affiliates.comarketingaction", action="create").exists()


def test_a_fixed_amount_in_dutch_notation(manager_client, org, partner):
    response = manager_client.post(
        url("comarketing_create", org),
        form(
            partner, action="Flyers in de winkel", investment="amount", our_share_percent="", amount="500,00"
        ),
    )
    assert response.status_code == 302
    action = CoMarketingAction.objects.get()
    assert (action.amount, action.our_share_percent) == (Decimal("500.00"), None)


def test_time_clears_money_figures(manager_client, org, partner):
    response = manager_client.post(
        url("comarketing_create", org), form(partner, investment="time", hours="6", amount="100")
    )
    assert response.status_code == 302
    action = CoMarketingAction.objects.get()
    assert (action.hours, action.amount, action.our_share_percent) == (6, None, None)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"our_share_percent": ""}, "our_share_percent"),
        ({"our_share_percent": "101"}, "our_share_percent"),
        ({"our_share_percent": "-1"}, "our_share_percent"),
        ({"our_share_percent": "vijftig"}, "our_share_percent"),
        ({"investment": "time", "hours": ""}, "hours"),
        ({"investment": "time", "hours": "-2"}, "hours"),
        ({"investment": "amount", "amount": ""}, "amount"),
        ({"investment": "amount", "amount": "-500"}, "amount"),
        ({"investment": ""}, "investment"),
        ({"action": ""}, "action"),
    ],
)
def test_invalid_investments_are_refused_with_a_message_at_the_field(
    manager_client, org, partner, changes, field
):
    response = manager_client.post(url("comarketing_create", org), form(partner, **changes))
    assert response.status_code == 422
    assert response.context["form"].errors[field]
    assert not CoMarketingAction.objects.exists()


def test_the_service_checks_too(org, partner):
    with pytest.raises(ValidationError) as refused:
        comarketing.action_create(
            organisation=org, actor=None, partner=partner, action="Webinar", investment="time"
        )
    assert "hours" in refused.value.message_dict
    assert not CoMarketingAction.objects.exists()


def test_another_organisations_partner_is_refused(manager_client, org, other_org):
    foreign = PartnerFactory(organisation=other_org)
    response = manager_client.post(url("comarketing_create", org), form(foreign))
    assert response.status_code == 422
    assert not CoMarketingAction.objects.exists()


def test_update_changes_the_kind(manager_client, org, partner):
    action = comarketing.action_create(
        organisation=org, actor=None, partner=partner, action="Webinar", investment="time", hours=4
    )
    response = manager_client.post(
        url("comarketing_update", org, action.pk),
        form(partner, action="Webinar", investment="amount", amount="250"),
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.investment, action.amount, action.hours) == ("amount", Decimal("250.00"), None)


def test_delete_asks_first(manager_client, org, partner):
    action = comarketing.action_create(
        organisation=org, actor=None, partner=partner, action="Webinar", investment="time", hours=4
    )
    page = manager_client.get(url("comarketing_delete", org, action.pk))
    assert page.status_code == 200
    assert CoMarketingAction.objects.exists()
    assert manager_client.post(url("comarketing_delete", org, action.pk)).status_code == 302
    assert not CoMarketingAction.objects.exists()
    assert manager_client.post(url("comarketing_delete", org, action.pk)).status_code == 404


def test_list_filters_and_totals(manager_client, org, partner, django_assert_max_num_queries):
    other = PartnerFactory(organisation=org, name="Architect Beta", category="architect")
    comarketing.action_create(
        organisation=org,
        actor=None,
        partner=partner,
        action="Beurs",
        investment="split",
        our_share_percent=Decimal("50"),
        amount=Decimal("3000"),
        status="planned",
    )
    comarketing.action_create(
        organisation=org,
        actor=None,
        partner=other,
        action="Webinar",
        investment="time",
        hours=8,
        status="done",
    )
    comarketing.action_create(
        organisation=org,
        actor=None,
        partner=partner,
        action="Flyers",
        investment="amount",
        amount=Decimal("500"),
        status="done",
    )
    for n in range(10):
        comarketing.action_create(
            organisation=org,
            actor=None,
            partner=other,
            action=f"Idee {n}",
            investment="amount",
            amount=Decimal("1"),
        )
    with django_assert_max_num_queries(10):
        response = manager_client.get(url("comarketing_list", org))
    assert response.context["totals"] == {"money": Decimal("2010.00"), "hours": 8}
    done = manager_client.get(url("comarketing_list", org), {"status": "done"})
    assert done.context["totals"] == {"money": Decimal("500.00"), "hours": 8}
    mine = manager_client.get(url("comarketing_list", org), {"partner": partner.pk})
    assert mine.context["totals"] == {"money": Decimal("2000.00"), "hours": 0}
    assert "2.000,00" in mine.content.decode()


def test_viewer_cannot_create(client, viewer, org, partner):
    response = login(client, viewer).post(url("comarketing_create", org), form(partner))
    assert response.status_code == 403
    assert not CoMarketingAction.objects.exists()


def test_another_organisations_action_is_404(client, stranger, org, other_org, partner):
    action = comarketing.action_create(
        organisation=org, actor=None, partner=partner, action="Webinar", investment="time", hours=4
    )
    login(client, stranger)
    assert client.post(url("comarketing_delete", other_org, action.pk)).status_code == 404
    assert CoMarketingAction.objects.exists()
