"""Named reads of clicks: how many in a period, per affiliate or in total, whatever the number of clicks.

The closed days come from `ClickDay` (counted by `tracking/rollup.py`); the rest is counted from `Click`:
the days not rolled up yet (today at least) and the clicks that came in after the roll-up (a replay dated
in the past). `ClickRollup` says where the one ends and the other begins, so every figure is exactly what
counting the clicks themselves gives, in a constant number of queries: the mark, one over the days, one over
the clicks that are left (indexed ranges: today, and at most half a day at either end of a period).

Days are local days (the current time zone, as the pages name them); a period starts and ends at any moment:
of a partial first or last day, the shorter part is counted from the clicks (see `Rolled`).
"""

import datetime
import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import reduce

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce
from django.utils import timezone

from affiliates.models import Affiliate, Click, ClickDay, ClickMonth, ClickRollup
from partnerhub.models import Organisation


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The moment a local day starts."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass(frozen=True)
class Period:
    """The clicks from `start` until before `end` (no end: up to now and later)."""

    start: datetime.datetime
    end: datetime.datetime | None = None

    @classmethod
    def of_days(cls, first: datetime.date, following: datetime.date) -> "Period":
        """The local days from `first` until before `following`."""
        return cls(local_midnight(first), local_midnight(following))


@dataclass(frozen=True)
class Rolled:
    """Where an organisation's `ClickDay` rows end (see `ClickRollup`); none rolled up: `open_from` None.

    A period is counted as: its days in `ClickDay`, plus its clicks that those rows do not hold (outside
    those days, or counted in after the roll-up), minus the clicks those rows hold that are not in the
    period. A partial day at either end is taken from `ClickDay` when the part outside the period is the
    shorter one, so that the clicks counted one by one are never more than half a day at each end.
    """

    open_from: datetime.date | None = None
    through: int = 0

    def days_of(self, period: Period) -> tuple[datetime.date, datetime.date] | None:
        """The days of `ClickDay` that count for the period, (first, following), or None."""
        if self.open_from is None:
            return None
        first = timezone.localtime(period.start).date()
        if local_midnight(first) < period.start and not _mostly_after(first, period.start):
            first += datetime.timedelta(days=1)
        following = self.open_from
        if period.end is not None:
            last = timezone.localtime(period.end).date()
            if local_midnight(last) < period.end and not _mostly_after(last, period.end):
                last += datetime.timedelta(days=1)  # the rest of the day is taken off
            following = min(following, last)
        return (first, following) if first < following else None

    def live(self) -> Q:
        """The clicks `ClickDay` does not count: on or after the open day, or counted in after the roll-up."""
        if self.open_from is None:
            return Q()
        return Q(created_at__gte=local_midnight(self.open_from)) | Q(pk__gt=self.through)

    def live_in(self, period: Period) -> Q:
        """The clicks of the period that `ClickDay` does not count: added to its days."""
        days = self.days_of(period)
        if days is None:
            return _within(period)
        first, following = local_midnight(days[0]), local_midnight(days[1])
        return _within(period) & (
            Q(created_at__lt=first) | Q(created_at__gte=following) | Q(pk__gt=self.through)
        )

    def beyond(self, period: Period) -> Q | None:
        """The clicks `ClickDay` counts for the period's days that are not in the period: taken off."""
        parts = self._beyond_parts(period)
        return Q(pk__lte=self.through) & reduce(operator.or_, parts) if parts else None

    def live_among(self, periods: Iterable[Period]) -> Q:
        """The clicks that `live_in` and `beyond` of these periods name, or a few more: index ranges only (the
        partial days at either end, the open days, the clicks counted in since), for the query's WHERE."""
        parts = [part for period in periods for part in self._live_parts(period) + self._beyond_parts(period)]
        return reduce(operator.or_, parts) if parts else Q(pk__in=[])

    def _live_parts(self, period: Period) -> list[Q]:
        days = self.days_of(period)
        if days is None:
            return [_within(period)]
        first, following = local_midnight(days[0]), local_midnight(days[1])
        parts = [Q(pk__gt=self.through)]
        if period.start < first:
            parts.append(_within(Period(period.start, first)))
        if period.end is None or following < period.end:
            parts.append(_within(Period(following, period.end)))
        return parts

    def _beyond_parts(self, period: Period) -> list[Q]:
        days = self.days_of(period)
        if days is None:
            return []
        first, following = local_midnight(days[0]), local_midnight(days[1])
        parts = []
        if first < period.start:
            parts.append(_within(Period(first, period.start)))
        if period.end is not None and period.end < following:
            parts.append(_within(Period(period.end, following)))
        return parts


def _mostly_after(day: datetime.date, moment: datetime.datetime) -> bool:
    """Whether less of the day lies before the moment than after it."""
    return moment - local_midnight(day) < local_midnight(day + datetime.timedelta(days=1)) - moment


def _within(period: Period) -> Q:
    within = Q(created_at__gte=period.start)
    if period.end is not None:
        within &= Q(created_at__lt=period.end)
    return within


def rolled_up(organisation_id: int) -> Rolled:
    """How far the organisation's clicks are rolled up into days (one query)."""
    mark = ClickRollup.objects.filter(organisation_id=organisation_id).values("open_from", "through").first()
    return Rolled(mark["open_from"], mark["through"]) if mark else Rolled()


def click_counts(
    organisation: Organisation,
    periods: Mapping[str, Period],
    *,
    affiliate: Affiliate | None = None,
) -> dict[str, int]:
    """{name: clicks in that period} for the organisation, or for one of its affiliates: three queries."""
    rolled = rolled_up(organisation.pk)
    days = ClickDay.objects.filter(organisation=organisation)
    clicks = Click.objects.filter(organisation=organisation)
    if affiliate is not None:
        days, clicks = days.filter(affiliate=affiliate), clicks.filter(affiliate=affiliate)
    named = list(periods.items())
    # Aliases by position: a period's name is the caller's word, not necessarily a valid one.
    spans = {f"days{i}": rolled.days_of(period) for i, (_name, period) in enumerate(named)}
    summed = {alias: span for alias, span in spans.items() if span is not None}
    found: dict[str, int] = {}
    if summed:
        first = min(span[0] for span in summed.values())
        following = max(span[1] for span in summed.values())
        found |= days.filter(day__gte=first, day__lt=following).aggregate(
            **{
                alias: Sum("clicks", filter=Q(day__gte=span[0], day__lt=span[1]))
                for alias, span in summed.items()
            }
        )
    counted: dict[str, Count] = {}
    for i, (_name, period) in enumerate(named):
        counted[f"add{i}"] = Count("pk", filter=rolled.live_in(period))
        beyond = rolled.beyond(period)
        if beyond is not None:
            counted[f"less{i}"] = Count("pk", filter=beyond)
    if counted:
        found |= clicks.filter(rolled.live_among(periods.values())).aggregate(**counted)
    return {
        name: (found.get(f"days{i}") or 0) + (found.get(f"add{i}") or 0) - (found.get(f"less{i}") or 0)
        for i, (name, _period) in enumerate(named)
    }


def clicks_by_affiliate(organisation: Organisation, period: Period) -> dict[int, int]:
    """{affiliate id: clicks in the period} for the affiliates with any: three queries."""
    rolled = rolled_up(organisation.pk)
    counts: dict[int, int] = {}
    span = rolled.days_of(period)
    if span is not None:
        summed = (
            ClickDay.objects.filter(organisation=organisation, day__gte=span[0], day__lt=span[1])
            .order_by()
            .values_list("affiliate")
            .annotate(n=Sum("clicks"))
            .values_list("affiliate", "n")
        )
        counts.update(summed)
    beyond = rolled.beyond(period)
    counted = (
        Click.objects.filter(rolled.live_among([period]), organisation=organisation)
        .order_by()
        .values_list("affiliate")
        .annotate(
            add=Count("pk", filter=rolled.live_in(period)),
            less=Count("pk", filter=beyond) if beyond is not None else Value(0),
        )
        .values_list("affiliate", "add", "less")
    )
    for affiliate_id, add, less in counted:
        counts[affiliate_id] = counts.get(affiliate_id, 0) + add - less
    return {affiliate_id: n for affiliate_id, n in counts.items() if n}


def click_total(organisation: Organisation) -> CombinedExpression:
    """An annotation for the organisation's affiliates: every click they ever had, the pruned months
    (`ClickMonth`) included; three subqueries per row, each over an index (after one query for the mark)."""
    rolled = rolled_up(organisation.pk)

    def summed(model: type[ClickDay] | type[ClickMonth]) -> Coalesce:
        rows = model.objects.filter(affiliate=OuterRef("pk")).order_by().values("affiliate")
        return Coalesce(
            Subquery(rows.annotate(total=Sum("clicks")).values("total"), output_field=IntegerField()),
            Value(0),
        )

    live = (
        Click.objects.filter(rolled.live(), affiliate=OuterRef("pk"))
        .order_by()
        .values("affiliate")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Coalesce(Subquery(live, output_field=IntegerField()), Value(0))
        + summed(ClickDay)
        + summed(ClickMonth)
    )
