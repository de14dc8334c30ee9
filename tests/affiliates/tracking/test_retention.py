"""Clicks are kept for AFFILIATE_CLICKS_KEEP_MONTHS (25 by default), then counted per affiliate and month and
removed: the totals on the affiliate list do not change, the visitors' traces go, an order keeps its
attribution; whole months only; --dry-run changes nothing and a second run finds nothing to do."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from affiliates.models import Click, ClickMonth, Project
from affiliates.programme.affiliates import affiliates_with_figures
from affiliates.tracking.housekeeping import prune_clicks, retention_start
from tests.affiliates.factories_tracking import affiliate_for, click_for

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 7)


def at(year, month, day):
    return timezone.make_aware(datetime.datetime(year, month, day, 12, 0))


def test_retention_starts_on_the_first_of_the_month_25_months_back():
    assert retention_start(TODAY) == datetime.date(2024, 11, 1)
    assert retention_start(datetime.date(2026, 1, 31), months=1) == datetime.date(2025, 12, 1)


def test_old_clicks_become_monthly_counts_and_the_totals_stay(org):
    anna = affiliate_for(org, "blogger-anna")
    bram = affiliate_for(org, "blogger-bram")
    for n in range(3):
        click_for(anna, at=at(2024, 9, 3 + n), source=f"198.51.100.{n}")
    click_for(anna, at=at(2024, 10, 31), source="198.51.100.9")
    click_for(bram, at=at(2024, 10, 2), source="198.51.100.10")
    kept = [
        click_for(anna, at=at(2024, 11, 1), source="198.51.100.11"),  # the oldest month still kept
        click_for(anna, at=at(2026, 12, 1), source="198.51.100.12"),
    ]
    order = Project.objects.create(
        organisation=org,
        partner=anna.partner,
        customer_reference="Bestelling 1",
        value="100.00",
        date=datetime.date(2024, 9, 3),
        source="api",
        attribution="click",
        click=Click.objects.order_by("created_at").first(),
    )
    before = {a.code: a.click_count for a in affiliates_with_figures(org)}
    assert before == {"blogger-anna": 6, "blogger-bram": 1}

    assert prune_clicks(today=TODAY, dry_run=True) == {"clicks counted per month and removed": 5}
    assert Click.objects.count() == 7 and not ClickMonth.objects.exists()

    assert prune_clicks(today=TODAY) == {"clicks counted per month and removed": 5}
    assert set(Click.objects.values_list("pk", flat=True)) == {click.pk for click in kept}
    assert sorted(ClickMonth.objects.values_list("affiliate__code", "month", "clicks")) == [
        ("blogger-anna", datetime.date(2024, 9, 1), 3),
        ("blogger-anna", datetime.date(2024, 10, 1), 1),
        ("blogger-bram", datetime.date(2024, 10, 1), 1),
    ]
    assert {a.code: a.click_count for a in affiliates_with_figures(org)} == before
    order.refresh_from_db()
    assert (order.click_id, order.attribution) == (None, "click")  # the order keeps its attribution

    assert prune_clicks(today=TODAY) == {"clicks counted per month and removed": 0}
    assert ClickMonth.objects.get(affiliate=anna, month=datetime.date(2024, 9, 1)).clicks == 3


def test_a_later_run_adds_to_the_months_counts(org, settings):
    anna = affiliate_for(org)
    click_for(anna, at=at(2024, 9, 3), source="198.51.100.1")
    prune_clicks(today=TODAY)
    # A click of that month that arrived late (an import, say) is added, not counted over.
    click_for(anna, at=at(2024, 9, 20), source="198.51.100.2")
    prune_clicks(today=TODAY)
    assert ClickMonth.objects.get(affiliate=anna).clicks == 2


def test_the_command_takes_dry_run(org, settings):
    settings.AFFILIATE_CLICKS_KEEP_MONTHS = 0
    click_for(affiliate_for(org), at=timezone.now() - datetime.timedelta(days=40))
    out = io.StringIO()
    call_command("prune_clicks", "--dry-run", stdout=out)
    assert out.getvalue().splitlines()[0] == "Dry run: nothing was changed. It would be:"
    assert Click.objects.count() == 1
    call_command("prune_clicks", stdout=io.StringIO())
    assert Click.objects.count() == 0
    assert ClickMonth.objects.get().clicks == 1
