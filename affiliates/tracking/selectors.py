"""Named reads of clicks: how many in a period, per affiliate or in total, whatever the number of clicks.

The closed days come from `ClickDay` (counted by `tracking/rollup.py`); the rest is counted from `Click`:
the days not rolled up yet (today at least) and the clicks that came in after the roll-up (a replay dated
in the past). `ClickRollup` says where the one ends and the other begins, so every figure is exactly what
counting the clicks themselves gives, in a constant number of queries: the mark, one over the days, one over
the clicks that are left (an indexed range of a day or two).

Days are local days (the current time zone, as the pages name them); a period starts and ends at any moment:
its partial first and last day are counted from the clicks.
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
    """Where an organisation's `ClickDay` rows end (see `ClickRollup`); none rolled up: `open_from` None."""

    open_from: datetime.date | None = None
    through: int = 0

    def days_of(self, period: Period) -> tuple[datetime.date, datetime.date] | None:
        """The whole days of the period that are rolled up, (first, following), or None."""
        if self.open_from is None:
            return None
        first = timezone.localtime(period.start).date()
        if local_midnight(first) < period.start:
            first += datetime.timedelta(days=1)
        following = self.open_from
        if period.end is not None:
            following = min(following, timezone.localtime(period.end).date())
        return (first, following) if first < following else None

    def live(self) -> Q:
        """The clicks `ClickDay` does not count: on or after the open day, or counted in after the roll-up."""
        if self.open_from is None:
            return Q()
        return Q(created_at__gte=local_midnight(self.open_from)) | Q(pk__gt=self.through)

    def live_in(self, period: Period) -> Q:
        """The clicks of the period that are counted from `Click`."""
        return _within(period) & reduce(operator.or_, self._parts(period))

    def live_among(self, periods: Iterable[Period]) -> Q:
        """The clicks of these periods that are counted from `Click`, or a few more: index ranges only (the
        partial days at either end, the open days, the clicks counted in since), for the query's WHERE."""
        parts = [part for period in periods for part in self._parts(period)]
        return reduce(operator.or_, parts) if parts else Q(pk__in=[])

    def _parts(self, period: Period) -> list[Q]:
        days = self.days_of(period)
        if days is None:
            return [_within(period)]
        first, following = local_midnight(days[0]), local_midnight(days[1])
        after = (
            _within(Period(following, period.end)) if period.end is None or following < period.end else None
        )
        return [
            part
            for part in (
                _within(Period(period.start, first)) if period.start < first else None,
                after,
                Q(pk__gt=self.through),
            )
            if part is not None
        ]


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
    counts = dict.fromkeys(periods, 0)
    spans = {name: rolled.days_of(period) for name, period in periods.items()}
    rolled_spans = {name: span for name, span in spans.items() if span is not None}
    if rolled_spans:
        first = min(span[0] for span in rolled_spans.values())
        following = max(span[1] for span in rolled_spans.values())
        sums = days.filter(day__gte=first, day__lt=following).aggregate(
            **{
                name: Sum("clicks", filter=Q(day__gte=span[0], day__lt=span[1]))
                for name, span in rolled_spans.items()
            }
        )
        counts.update({name: value or 0 for name, value in sums.items()})
    live = {name: rolled.live_in(period) for name, period in periods.items()}
    if live:
        found = clicks.filter(rolled.live_among(periods.values())).aggregate(
            **{name: Count("pk", filter=condition) for name, condition in live.items()}
        )
        counts = {name: counts[name] + found[name] for name in periods}
    return counts


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
    counted = (
        Click.objects.filter(rolled.live_among([period]), rolled.live_in(period), organisation=organisation)
        .order_by()
        .values_list("affiliate")
        .annotate(n=Count("pk"))
        .values_list("affiliate", "n")
    )
    for affiliate_id, n in counted:
        counts[affiliate_id] = counts.get(affiliate_id, 0) + n
    return counts


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
