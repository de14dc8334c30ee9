"""The cost and revenue split in a browser: 99 % is refused with the total named and nothing saved; the
corrected split (with Dutch decimals) is saved."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from agreements import services
from agreements.models import Party
from partnerhub.models import Role
from tests.browser.conftest import log_in_as
from tests.factories import MembershipFactory, OrganisationFactory, PartnerFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]

EMAIL = "renske@tinnitracks.example"


@pytest.fixture
def agreement(transactional_db):
    org = OrganisationFactory(name="Tinnitracks", slug="tinnitracks")
    MembershipFactory(organisation=org, role=Role.MANAGER, user__email=EMAIL)
    partners = [PartnerFactory(organisation=org, name=name) for name in ("Sennheiser", "Innovatiefonds")]
    return services.agreement_create(
        organisation=org, actor=None, title="Tinnitracks-alliantie", partners=partners, kind="structural"
    )


def fill_split(page, costs, revenues):
    for row, cost, revenue in zip(
        page.locator("table.split-table tbody tr").all(), costs, revenues, strict=True
    ):
        row.locator("input").nth(0).fill(cost)
        row.locator("input").nth(1).fill(revenue)


def test_a_split_of_99_is_refused_then_corrected_and_saved(page, live_server, agreement, browser_errors):
    log_in_as(page, live_server, EMAIL, landing=r"/o/tinnitracks/$")
    page.goto(f"{live_server.url}{agreement.get_absolute_url()}")
    page.get_by_role("link", name="Kosten en opbrengsten").click()

    fill_split(page, ["40", "40", "19"], ["33,33", "33,33", "33,34"])
    page.locator("main button[type=submit]").click()
    errors = page.locator("#split-errors")
    expect(errors).to_contain_text("99 %")
    assert Party.objects.filter(agreement=agreement, cost_share__isnull=False).count() == 0
    # What was typed is still there to correct.
    expect(page.locator("table.split-table tbody tr").nth(2).locator("input").nth(0)).to_have_value("19")

    page.locator("table.split-table tbody tr").nth(2).locator("input").nth(0).fill("20")
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}{agreement.get_absolute_url()}")
    expect(page.locator(".messages")).to_contain_text("verdeling")
    shares = list(Party.objects.filter(agreement=agreement).values_list("cost_share", "revenue_share"))
    assert shares == [
        (Decimal("40"), Decimal("33.33")),
        (Decimal("40"), Decimal("33.33")),
        (Decimal("20"), Decimal("33.34")),
    ]
    # Chromium logs the refused form's 422 as a failed resource; nothing else may have gone wrong.
    assert [error for error in browser_errors if "status of 422" not in error] == []
