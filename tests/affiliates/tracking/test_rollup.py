"""Clicks rolled up into days: the overview, the affiliate list and the portal show exactly what counting the
clicks themselves gives, whatever is rolled up yet (today, a day the roll-up has not reached, clicks replayed
into a closed day), in a number of queries that does not grow with the clicks; the roll-up counts a day again
rather than adding to it, so running it twice changes nothing; pruning moves a month out of the days."""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.db.models import Sum
from django.utils import timezone

from affiliates.ledger.selectors import week_start, weekly_figures
from affiliates.models import Click, ClickDay, ClickMonth, ClickRollup
from affiliates.programme.affiliates import affiliates_with_figures
from affiliates.programme.rules import programme_for
from affiliates.programme.selectors import overview, top_affiliates
from affiliates.tracking import tasks
from affiliates.tracking.housekeeping import prune_clicks
from affiliates.tracking.rollup import roll_up_clicks
from affiliates.tracking.selectors import Period, Rolled, click_counts, clicks_by_affiliate
from tests.affiliates import factories_ledger as f
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def local(day, hour=12, minute=0, second=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute, second)))


def spread_clicks(affiliates, today, now):
    """Clicks on the days every page cuts at: today, the last moments of yesterday, both sides of the
    overview's moment 30 and 60 days back, the last day of the previous month, weeks' first and last
    moments, and long ago."""
    last_month = today.replace(day=1) - DAY
    monday = week_start(today)
    moments = [
        now - datetime.timedelta(minutes=5),
        local(today, 0, 0, 0),
        local(today - DAY, 23, 59, 59),
        local(today - 2 * DAY, 0, 0, 1),
        local(today - 3 * DAY),
        local(today - 4 * DAY),
        now - datetime.timedelta(days=30, hours=1),
        now - datetime.timedelta(days=30) + datetime.timedelta(hours=1),
        now - datetime.timedelta(days=60, hours=1),
        now - datetime.timedelta(days=60) + datetime.timedelta(hours=1),
        local(last_month, 23, 30),
        local(last_month, 0, 10),
        local(monday - 7 * DAY, 0, 0, 0),
        local(monday - DAY, 23, 59, 59),
        local(monday - 11 * 7 * DAY, 0, 0, 0),
        local(monday - 11 * 7 * DAY - DAY, 23, 59, 59),
        local(today - 100 * DAY),
        local(today - 200 * DAY, 8),
    ]
    for n, affiliate in enumerate(affiliates):
        # Each affiliate a different number of each, so that the counts tell them apart.
        f.clicks(affiliate, [moment for moment in moments for _ in range(n + 1)])


def direct(organisation, start, end=None, affiliate=None):
    clicks = Click.objects.filter(organisation=organisation, created_at__gte=start)
    if end is not None:
        clicks = clicks.filter(created_at__lt=end)
    if affiliate is not None:
        clicks = clicks.filter(affiliate=affiliate)
    return clicks.count()


def assert_pages_count_every_click(organisation, affiliates):
    """Every click figure of the overview, the affiliate list and the portal against a direct count."""
    figures = overview(organisation, programme_for(organisation))
    top = top_affiliates(organisation)
    now = timezone.now()  # the selectors' moment, give or take the milliseconds no click was made in
    start, previous = now - datetime.timedelta(days=30), now - datetime.timedelta(days=60)
    assert figures["clicks"] == {
        "now": direct(organisation, start),
        "before": direct(organisation, previous, start),
    }
    assert {row["affiliate"].pk: row["clicks"] for row in top} == {
        affiliate.pk: direct(organisation, start, affiliate=affiliate) for affiliate in affiliates
    }
    assert [row["clicks"] for row in top] == sorted((row["clicks"] for row in top), reverse=True)
    months = {
        affiliate.pk: sum(ClickMonth.objects.filter(affiliate=affiliate).values_list("clicks", flat=True))
        for affiliate in affiliates
    }
    assert {affiliate.pk: affiliate.click_count for affiliate in affiliates_with_figures(organisation)} == {
        affiliate.pk: Click.objects.filter(affiliate=affiliate).count() + months[affiliate.pk]
        for affiliate in affiliates
    }
    for affiliate in affiliates:
        weeks = weekly_figures(affiliate)
        following = [row["week"] for row in weeks[1:]] + [weeks[-1]["week"] + 7 * DAY]
        assert [row["clicks"] for row in weeks] == [
            direct(organisation, local(row["week"], 0), local(end, 0), affiliate=affiliate)
            for row, end in zip(weeks, following, strict=True)
        ]


@pytest.fixture
def affiliates(org):
    programme_for(org)
    return [f.affiliate(org, name=name) for name in ("Anna", "Bram", "Cas")]


def test_pages_count_exactly_the_clicks_before_between_and_after_roll_ups(org, other_org, affiliates):
    today, now = timezone.localdate(), timezone.now()
    spread_clicks(affiliates, today, now)
    spread_clicks([f.affiliate(other_org)], today, now)  # another organisation's clicks count nowhere here
    assert_pages_count_every_click(org, affiliates)  # nothing rolled up: all from the clicks

    # The roll-up has not run for the last three days: those are counted from the clicks.
    roll_up_clicks(today=today - 3 * DAY)
    assert ClickRollup.objects.get(organisation=org).open_from == today - 3 * DAY
    assert ClickDay.objects.filter(organisation=org, day__gte=today - 3 * DAY).count() == 0
    assert ClickDay.objects.filter(organisation=org, day=today - 4 * DAY).count() == 3
    assert_pages_count_every_click(org, affiliates)

    # A replay of missed clicks dated in closed days (one of them rolled up already, one long ago).
    f.clicks(affiliates[0], [local(today - 20 * DAY, 9)] * 4 + [local(today - 150 * DAY, 9)])
    assert_pages_count_every_click(org, affiliates)

    roll_up_clicks()
    rows = set(ClickDay.objects.values_list("affiliate", "day", "clicks"))
    assert ClickDay.objects.get(affiliate=affiliates[0], day=today - 20 * DAY).clicks == 4
    assert ClickDay.objects.get(affiliate=affiliates[0], day=today - 150 * DAY).clicks == 1
    assert not ClickDay.objects.filter(day__gte=today).exists()  # today is never rolled up
    assert_pages_count_every_click(org, affiliates)

    # Twice: the same rows, counted again rather than added to.
    tasks.roll_up_clicks()
    assert set(ClickDay.objects.values_list("affiliate", "day", "clicks")) == rows
    assert_pages_count_every_click(org, affiliates)


def test_the_first_roll_up_counts_every_closed_day_and_a_later_one_only_the_recent_ones(org, affiliates):
    today = timezone.localdate()
    spread_clicks(affiliates, today, timezone.now())
    assert roll_up_clicks(today=today) == {"days counted": 200}  # from the first click, 200 days back
    mark = ClickRollup.objects.get(organisation=org)
    assert (mark.open_from, mark.through) == (today, Click.objects.latest("pk").pk)
    # The next run: the closed days since (none) and the last two again.
    assert roll_up_clicks(today=today) == {"days counted": 2}
    assert roll_up_clicks(today=today + DAY) == {"days counted": 3}
    assert ClickRollup.objects.get(organisation=org).open_from == today + DAY
    assert_pages_count_every_click(org, affiliates)


def test_a_day_counted_again_loses_clicks_that_are_gone(org, affiliates):
    anna = affiliates[0]
    yesterday = timezone.localdate() - DAY
    f.clicks(anna, [local(yesterday, 10), local(yesterday, 11)])
    roll_up_clicks()
    Click.objects.filter(affiliate=anna, created_at=local(yesterday, 11)).delete()
    roll_up_clicks()
    assert ClickDay.objects.get(affiliate=anna, day=yesterday).clicks == 1


def test_the_number_of_queries_does_not_grow_with_clicks_or_days(org, affiliates, django_assert_num_queries):
    today, now = timezone.localdate(), timezone.now()
    anna = affiliates[0]
    periods = {
        "now": Period(now - datetime.timedelta(days=30)),
        "days": Period.of_days(today - 9 * DAY, today),
    }

    def queries():
        # The roll-up's mark, the days, the clicks left (and the orders for the portal's weeks).
        with django_assert_num_queries(3):
            click_counts(org, periods)
        with django_assert_num_queries(3):
            click_counts(org, periods, affiliate=anna)
        with django_assert_num_queries(3):
            clicks_by_affiliate(org, periods["now"])
        with django_assert_num_queries(4):
            weekly_figures(anna)
        with django_assert_num_queries(2):
            list(affiliates_with_figures(org))

    f.clicks(anna, [now - datetime.timedelta(hours=1), local(today - 2 * DAY)])
    roll_up_clicks()
    queries()
    spread_clicks(affiliates, today, now)
    for days in range(1, 80):
        f.clicks(affiliates[days % 3], [local(today - days * DAY, 7)] * (days % 5))
    roll_up_clicks()
    f.clicks(anna, [local(today - 40 * DAY, 7)])  # replayed after the roll-up
    queries()


def test_pruning_moves_a_month_out_of_the_days_and_the_totals_stay(org, affiliates):
    anna, bram = affiliates[:2]
    today = datetime.date(2026, 12, 7)
    f.clicks(anna, [local(datetime.date(2024, 9, 3), 10)] * 3 + [local(datetime.date(2024, 11, 2), 10)])
    f.clicks(bram, [local(datetime.date(2024, 10, 31), 23, 30)])
    roll_up_clicks(today=today)
    assert ClickDay.objects.filter(day__lt=datetime.date(2024, 11, 1)).count() == 2
    totals = {a.pk: a.click_count for a in affiliates_with_figures(org)}
    assert totals[anna.pk] == 4 and totals[bram.pk] == 1

    prune_clicks(today=today)
    assert not ClickDay.objects.filter(day__lt=datetime.date(2024, 11, 1)).exists()
    assert sorted(ClickMonth.objects.values_list("affiliate", "month", "clicks")) == sorted(
        [(anna.pk, datetime.date(2024, 9, 1), 3), (bram.pk, datetime.date(2024, 10, 1), 1)]
    )
    assert {a.pk: a.click_count for a in affiliates_with_figures(org)} == totals
    roll_up_clicks(today=today)
    assert {a.pk: a.click_count for a in affiliates_with_figures(org)} == totals

    # A click of a pruned month replayed later: counted from the clicks, then in its day, then in its month.
    f.clicks(anna, [local(datetime.date(2024, 9, 20), 10)])
    assert {a.pk: a.click_count for a in affiliates_with_figures(org)}[anna.pk] == 5
    roll_up_clicks(today=today)
    assert ClickDay.objects.get(affiliate=anna, day=datetime.date(2024, 9, 20)).clicks == 1
    assert {a.pk: a.click_count for a in affiliates_with_figures(org)}[anna.pk] == 5
    prune_clicks(today=today)
    assert ClickMonth.objects.get(affiliate=anna, month=datetime.date(2024, 9, 1)).clicks == 4
    assert {a.pk: a.click_count for a in affiliates_with_figures(org)}[anna.pk] == 5


def test_periods_that_start_and_end_at_any_hour_count_exactly_the_clicks_in_them(org, affiliates):
    """A partial day at either end comes from the clicks, or from its day less the clicks outside the
    period, whichever is fewer: early and late hours, a period within one day, one up to today."""
    today = timezone.localdate()
    anna, bram = affiliates[:2]
    for days in range(1, 12):
        day = today - days * DAY
        f.clicks(anna, [local(day, hour, 17) for hour in range(0, 24, 2)])
        f.clicks(bram, [local(day, hour, 43) for hour in range(1, 24, 3)])
    f.clicks(anna, [timezone.now() - datetime.timedelta(minutes=1)])
    roll_up_clicks(today=today - 2 * DAY)  # the last two closed days not rolled up yet
    f.clicks(bram, [local(today - 6 * DAY, 5, 5)])  # replayed after the roll-up

    periods = {}
    for first_hour in (1, 3, 12, 21, 23):
        for last_hour in (2, 11, 13, 22):
            periods[f"{first_hour}-{last_hour}"] = Period(
                local(today - 9 * DAY, first_hour), local(today - 4 * DAY, last_hour)
            )
            periods[f"day {first_hour}-{last_hour}"] = Period(
                local(today - 7 * DAY, min(first_hour, last_hour)),
                local(today - 7 * DAY, max(first_hour, last_hour)),
            )
        periods[f"{first_hour}-"] = Period(local(today - 10 * DAY, first_hour))
        periods[f"{first_hour}-open"] = Period(
            local(today - 3 * DAY, first_hour), local(today - DAY, first_hour)
        )
    for affiliate in (None, anna):
        assert click_counts(org, periods, affiliate=affiliate) == {
            name: direct(org, period.start, period.end, affiliate=affiliate)
            for name, period in periods.items()
        }
    for period in periods.values():
        assert clicks_by_affiliate(org, period) == {
            a.pk: n for a in (anna, bram) if (n := direct(org, period.start, period.end, affiliate=a))
        }


def test_of_a_partial_day_the_shorter_part_is_counted_from_the_clicks():
    monday, friday = datetime.date(2026, 3, 2), datetime.date(2026, 3, 6)
    rolled = Rolled(open_from=datetime.date(2026, 3, 10), through=99)
    # 01:00 to 23:00: both end days from their rows, less the hour outside the period at either end.
    assert rolled.days_of(Period(local(monday, 1), local(friday, 23))) == (monday, friday + DAY)
    # 23:00 to 01:00: the hour inside the period at either end from the clicks, the days between from rows.
    assert rolled.days_of(Period(local(monday, 23), local(friday, 1))) == (monday + DAY, friday)
    # Never past the days rolled up.
    assert rolled.days_of(Period(local(monday, 1))) == (monday, datetime.date(2026, 3, 10))
    assert Rolled().days_of(Period(local(monday, 1))) is None


@pytest.mark.django_db(transaction=True)
def test_roll_ups_and_pruning_at_once_count_every_click_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs Postgres: concurrent transactions and row locks")
    org = OrganisationFactory(name="Tinnitracks", slug="tinnitracks")
    programme_for(org)
    anna, bram = f.affiliate(org, name="Anna"), f.affiliate(org, name="Bram")
    today = timezone.localdate()
    old = [local(today - 800 * DAY - n * DAY, 10) for n in range(5)]  # older than the retention
    recent = [local(today - n * DAY, 1) for n in range(1, 40)]
    f.clicks(anna, old + recent)
    f.clicks(bram, recent[::2])
    totals = {a.pk: a.click_count for a in affiliates_with_figures(org)}
    start = threading.Barrier(6)
    failures = []

    def run(work):
        try:
            start.wait()
            work()
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(roll_up_clicks,)) for _ in range(4)]
    threads += [threading.Thread(target=run, args=(prune_clicks,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert not Click.objects.filter(created_at__in=old).exists()
    assert ClickMonth.objects.filter(affiliate=anna).aggregate(n=Sum("clicks"))["n"] == 5
    assert {a.pk: a.click_count for a in affiliates_with_figures(org)} == totals
    rows = set(ClickDay.objects.values_list("affiliate", "day", "clicks"))
    roll_up_clicks()
    assert set(ClickDay.objects.values_list("affiliate", "day", "clicks")) == rows
    assert {a.pk: a.click_count for a in affiliates_with_figures(org)} == totals
