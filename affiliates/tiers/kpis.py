"""KPIs per partner (seed 004, section 3), with a traffic light against the organisation's target and a trend.

Each KPI: how the value is computed; the target; when the value meets it.

- Projects per month: projects of the last 3 months / 3; the tier's pace, its minimum projects / 12
  (a partner without a tier: the lowest tier's pace); met when value >= target.
- Average order value: value / projects of the last 12 months; `target_order_value` (700), "€700+":
  met when value >= target.
- On-time delivery: delivered on time / projects whose delivery is known, last 12 months, in %;
  `target_on_time_delivery` (95), ">95 %": met when value > target.
- NPS: % promoters (9-10) minus % detractors (0-6) of the scores of the last 12 months, a whole number;
  `target_nps` (60), "NPS >60": met when value > target.
- Payment on time: paid on time / projects whose payment is known, last 12 months, in %;
  `target_payment_on_time` (90), ">90 %": met when value > target.

"Last 12 months" is the tiers' window (`tiers.standings.window`); "last 3 months" the same with 3 months.
Refunded orders do not count. The light: green meets the target; orange misses it by at most 10 % of the
target (on-time 95 → from 85.5; NPS 60 → from 54; €700 → from €630; a pace of 2.08 → from 1.875); red
misses it by more; grey when there is nothing to measure (no project ever, no delivery or payment known,
no NPS score, no tiers). Values are compared as shown (percentages to 0.1, NPS whole, euros to the cent;
the pace exactly).

The trend compares the last 3 months with the 3 months before ("this quarter against the previous",
rolling): up, down or flat, none when either has no data. The sparkline shows the last 6 months, one point
per month (rolling months ending today), so its right half is "this quarter".

`kpis_for_partners` computes any number of partners in four queries (programme, tiers, projects, NPS);
the partners' standings come with them (`select_related("tier_standing__tier")`).
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from affiliates.models import NpsScore, ProgrammeSettings, Project, Tier, TierStanding
from affiliates.programme.rules import cents, programme_for, tier_for_count
from affiliates.tiers.standings import add_months, next_tier
from partnerhub.models import Organisation, Partner

TREND_MONTHS = 6
ONE_DECIMAL = Decimal("0.1")
TWO_DECIMALS = Decimal("0.01")
ORANGE_MARGIN = Fraction(1, 10)

# A KPI's figure: a pace or an amount (Decimal), an NPS (int); None when there is nothing to measure.
Figure = Decimal | int | None
# An aggregate row of `_project_figures` or `_nps_figures`.
Row = Mapping[str, Any]

GREEN, ORANGE, RED, GREY = "green", "orange", "red", "grey"
UP, DOWN, FLAT = "up", "down", "flat"

LIGHT_LABELS = {
    GREEN: _("meets the target"),
    ORANGE: _("just below the target"),
    RED: _("below the target"),
    GREY: _("no data"),
}


def kpi_light(value: Fraction | Figure, target: Fraction | Figure, *, strict: bool = False) -> str:
    """green / orange / red / grey for `value` against `target` (see the module's table).

    `strict`: the target must be exceeded (">95 %"), not just reached ("€700+"). Orange: short of the target
    by at most 10 % of it.
    """
    if value is None or target is None:
        return GREY
    exact, goal = Fraction(value), Fraction(target)
    if exact > goal or (not strict and exact == goal):
        return GREEN
    if exact >= goal - abs(goal) * ORANGE_MARGIN:
        return ORANGE
    return RED


def kpi_trend(current: Figure, previous: Figure) -> str:
    """up / down / flat from the previous period to the current one; "" when either is missing."""
    if current is None or previous is None:
        return ""
    if current > previous:
        return UP
    if current < previous:
        return DOWN
    return FLAT


def nps_value(*, promoters: int, detractors: int, total: int) -> int | None:
    """Net Promoter Score: % promoters (9–10) minus % detractors (0–6), a whole number from −100 to 100
    (half up); None without answers."""
    if not total:
        return None
    exact = Decimal(100 * (promoters - detractors)) / Decimal(total)
    return int(exact.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def nps_of_scores(scores: Iterable[int]) -> int | None:
    """The NPS of a list of 0–10 scores."""
    answers = list(scores)
    return nps_value(
        promoters=sum(1 for score in answers if score >= 9),
        detractors=sum(1 for score in answers if score <= 6),
        total=len(answers),
    )


def percent(part: int, whole: int) -> Decimal | None:
    """part / whole as a percentage to 0.1 (half up), or None when whole is 0."""
    if not whole:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def average(total: Decimal | int | None, count: int | None) -> Decimal | None:
    if not count:
        return None
    return cents(Decimal(total or 0) / Decimal(count))


def month_buckets(
    today: datetime.date, months: int = TREND_MONTHS
) -> list[tuple[datetime.date, datetime.date]]:
    """[(after, until), …] oldest first: `months` rolling months ending today (after < date <= until)."""
    return [(add_months(today, -(months - i)), add_months(today, -(months - i - 1))) for i in range(months)]


@dataclass
class Sparkline:
    """Geometry of a small line chart: polylines (gaps where a month has no data) and the last point."""

    width: int
    height: int
    lines: list[str]  # "x,y x,y …" per polyline
    last: tuple[float, float] | None
    values: list[Figure]
    # Months with data between two without: drawn as a dot.
    dots: list[tuple[float, float]] = field(default_factory=list)


def sparkline(series: Sequence[Figure], *, width: int = 84, height: int = 22, pad: int = 3) -> Sparkline:
    """Server-side geometry for the sparkline of `programme_tags.kpi_cell` (pages and PDFs alike)."""
    numbers = [float(value) for value in series if value is not None]
    if not numbers:
        return Sparkline(width=width, height=height, lines=[], last=None, values=list(series))
    low, high = min(numbers), max(numbers)
    span = (high - low) or 1.0
    step = (width - 2 * pad) / max(len(series) - 1, 1)
    lines: list[list[str]] = []
    current: list[str] = []
    last: tuple[float, float] | None = None
    for index, value in enumerate(series):
        if value is None:
            if current:
                lines.append(current)
            current = []
            continue
        x = round(pad + index * step, 1)
        y = round(height - pad - (float(value) - low) / span * (height - 2 * pad), 1)
        if high == low:
            y = round(height / 2, 1)
        current.append(f"{x},{y}")
        last = (x, y)
    if current:
        lines.append(current)
    return Sparkline(
        width=width,
        height=height,
        lines=[" ".join(points) for points in lines],
        last=last,
        values=list(series),
    )


@dataclass
class Kpi:
    key: str
    label: str | Promise
    unit: str  # pace | euro | percent | nps
    value: Figure
    target: Figure
    strict: bool
    light: str
    current: Figure = None  # the last 3 months
    previous: Figure = None  # the 3 months before
    trend: str = ""
    series: list[Figure] = field(default_factory=list)
    sample: int = 0  # what the value rests on: projects, known deliveries or payments, NPS answers

    @property
    def light_label(self) -> str | Promise:
        return LIGHT_LABELS[self.light]

    @property
    def spark(self) -> Sparkline:
        return sparkline(self.series)


@dataclass
class PartnerKpis:
    partner: Partner
    tier: Tier | None
    is_override: bool
    project_count: int  # in the tiers' 12-month window, counted now
    next_tier: Tier | None
    distance: int | None
    eligible_tier: Tier | None  # the tier the count reaches now (what the next evaluation gives)
    kpis: list[Kpi]

    def kpi(self, key: str) -> Kpi:
        """The KPI called `key` (pace, order_value, on_time, nps, payment)."""
        return next(kpi for kpi in self.kpis if kpi.key == key)

    @property
    def lights(self) -> list[str]:
        return [kpi.light for kpi in self.kpis]


YEAR_MONTHS = 12


def _month_of(today: datetime.date) -> Case:
    """Which of the 12 rolling months ending today a row's `date` falls in: 0 the oldest, 11 the one ending
    today (the last TREND_MONTHS of them are `month_buckets`), -1 before them. For rows dated up to today."""
    return Case(
        *[
            When(date__gt=add_months(today, -(YEAR_MONTHS - month)), then=Value(month))
            for month in reversed(range(YEAR_MONTHS))
        ],
        default=Value(-1),
    )


def _by_partner(rows: Iterable[Row], names: Sequence[str], empty: Row) -> dict[int, Row]:
    """{partner id: {name: number}} from rows per partner and month (`_month_of`; figures as `of_<name>`):
    each name summed over the 12 months (`y_<name>`) and per trend month (`m0_<name>` … `m5_<name>`), and
    the rows of all time (`ever`)."""
    first_trend_month = YEAR_MONTHS - TREND_MONTHS
    figures: dict[int, dict[str, Any]] = {}
    for row in rows:
        figure = figures.get(row["partner_id"])
        if figure is None:
            figure = figures[row["partner_id"]] = dict(empty)
        figure["ever"] += row["of_n"]
        month = row["month"]
        if month < 0:
            continue
        prefixes = ["y", f"m{month - first_trend_month}"] if month >= first_trend_month else ["y"]
        for name in names:
            value = row[f"of_{name}"]
            if value is None:
                continue
            for key in (f"{prefix}_{name}" for prefix in prefixes):
                figure[key] = value if figure[key] is None else figure[key] + value
    return dict(figures)


def _empty(names: Sequence[str], sums: Sequence[str] = ()) -> dict[str, Any]:
    """A partner's figures before any row: counts 0, sums None (as an aggregate over no rows)."""
    prefixes = ["y", *(f"m{i}" for i in range(TREND_MONTHS))]
    return {"ever": 0} | {
        f"{prefix}_{name}": None if name in sums else 0 for prefix in prefixes for name in names
    }


def _project_figures(
    organisation: Organisation, partner_ids: list[int], today: datetime.date
) -> dict[int, Row]:
    """{partner id: {name: number}} for the 12 months and each of the last 6 months, one query: grouped by
    partner and month in the database, the months added up here (a dozen aggregates instead of 43 filtered
    ones, which took longer to build than to run)."""
    rows = (
        Project.objects.filter(
            organisation=organisation, partner_id__in=partner_ids, refunded_at__isnull=True, date__lte=today
        )
        .values("partner_id", month=_month_of(today))
        .annotate(
            of_n=Count("pk"),
            of_v=Sum("value"),
            of_dk=Count("pk", filter=Q(delivered_on_time__isnull=False)),
            of_dt=Count("pk", filter=Q(delivered_on_time=True)),
            of_pk=Count("pk", filter=Q(paid_on_time__isnull=False)),
            of_pt=Count("pk", filter=Q(paid_on_time=True)),
        )
        .order_by()
    )
    names = ["n", "v", "dk", "dt", "pk", "pt"]
    return _by_partner(rows, names, _empty(names, sums=["v"]))


def _nps_figures(organisation: Organisation, partner_ids: list[int], today: datetime.date) -> dict[int, Row]:
    """{partner id: {name: count}}: answers, promoters and detractors for 12 months and per month."""
    rows = (
        NpsScore.objects.filter(
            organisation=organisation,
            partner_id__in=partner_ids,
            date__gt=add_months(today, -12),
            date__lte=today,
        )
        .values("partner_id", month=_month_of(today))
        .annotate(
            of_n=Count("pk"),
            of_p=Count("pk", filter=Q(score__gte=9)),
            of_d=Count("pk", filter=Q(score__lte=6)),
        )
        .order_by()
    )
    names = ["n", "p", "d"]
    return _by_partner(rows, names, _empty(names))


def _sum(row: Row, key: str, months: Iterable[int]) -> int:
    return sum((row.get(f"m{i}_{key}") or 0) for i in months)


PREVIOUS, CURRENT = range(0, 3), range(3, 6)


def _ratio_kpi(
    key: str, label: str | Promise, row: Row, *, known: str, true: str, target: Decimal | None
) -> Kpi:
    value = percent(row.get(f"y_{true}", 0), row.get(f"y_{known}", 0))
    current = percent(_sum(row, true, CURRENT), _sum(row, known, CURRENT))
    previous = percent(_sum(row, true, PREVIOUS), _sum(row, known, PREVIOUS))
    return Kpi(
        key=key,
        label=label,
        unit="percent",
        value=value,
        target=target,
        strict=True,
        light=kpi_light(value, target, strict=True),
        current=current,
        previous=previous,
        trend=kpi_trend(current, previous),
        series=[percent(row.get(f"m{i}_{true}", 0), row.get(f"m{i}_{known}", 0)) for i in range(6)],
        sample=row.get(f"y_{known}", 0),
    )


def _partner_kpis(
    partner: Partner,
    standing: TierStanding | None,
    project_row: Row | None,
    score_row: Row | None,
    *,
    programme: ProgrammeSettings,
    tiers: Sequence[Tier],
) -> PartnerKpis:
    row = project_row or {}
    nps_row = score_row or {}
    tier = standing.tier if standing else None
    pace_tier = tier or (tiers[0] if tiers else None)
    pace_target = Fraction(pace_tier.min_projects, 12) if pace_tier else None
    has_projects = bool(row.get("ever"))
    current_count, previous_count = _sum(row, "n", CURRENT), _sum(row, "n", PREVIOUS)
    pace_value = Fraction(current_count, 3) if has_projects else None

    def pace_display(fraction: Fraction) -> Decimal:
        return None if fraction is None else Decimal(fraction.numerator) / Decimal(fraction.denominator)

    pace = Kpi(
        key="pace",
        label=_("Projects per month"),
        unit="pace",
        value=pace_display(pace_value).quantize(TWO_DECIMALS, ROUND_HALF_UP)
        if pace_value is not None
        else None,
        target=pace_display(pace_target).quantize(TWO_DECIMALS, ROUND_HALF_UP) if pace_target else None,
        strict=False,
        light=kpi_light(pace_value, pace_target),
        current=Decimal(current_count) if has_projects else None,
        previous=Decimal(previous_count) if has_projects else None,
        trend=kpi_trend(current_count, previous_count) if has_projects else "",
        series=[row.get(f"m{i}_n", 0) for i in range(6)] if has_projects else [],
        sample=current_count,
    )
    order_value = average(row.get("y_v"), row.get("y_n"))
    current_aov = average(_sum_value(row, CURRENT), _sum(row, "n", CURRENT))
    previous_aov = average(_sum_value(row, PREVIOUS), _sum(row, "n", PREVIOUS))
    aov = Kpi(
        key="order_value",
        label=_("Average order value"),
        unit="euro",
        value=order_value,
        target=programme.target_order_value,
        strict=False,
        light=kpi_light(order_value, programme.target_order_value),
        current=current_aov,
        previous=previous_aov,
        trend=kpi_trend(current_aov, previous_aov),
        series=[average(row.get(f"m{i}_v"), row.get(f"m{i}_n")) for i in range(6)],
        sample=row.get("y_n", 0),
    )
    on_time = _ratio_kpi(
        "on_time", _("On-time delivery"), row, known="dk", true="dt", target=programme.target_on_time_delivery
    )
    payment = _ratio_kpi(
        "payment", _("Payment on time"), row, known="pk", true="pt", target=programme.target_payment_on_time
    )

    def nps_of(prefix_months: Iterable[int]) -> int | None:
        return nps_value(
            promoters=_sum(nps_row, "p", prefix_months),
            detractors=_sum(nps_row, "d", prefix_months),
            total=_sum(nps_row, "n", prefix_months),
        )

    nps_now = nps_value(
        promoters=nps_row.get("y_p", 0), detractors=nps_row.get("y_d", 0), total=nps_row.get("y_n", 0)
    )
    nps_current, nps_previous = nps_of(CURRENT), nps_of(PREVIOUS)
    nps = Kpi(
        key="nps",
        label=_("Customer satisfaction (NPS)"),
        unit="nps",
        value=nps_now,
        target=programme.target_nps,
        strict=True,
        light=kpi_light(nps_now, programme.target_nps, strict=True),
        current=nps_current,
        previous=nps_previous,
        trend=kpi_trend(nps_current, nps_previous),
        series=[nps_of([i]) for i in range(6)],
        sample=nps_row.get("y_n", 0),
    )
    count = row.get("y_n", 0)
    upcoming, distance = next_tier(tiers, count, current=tier)
    return PartnerKpis(
        partner=partner,
        tier=tier,
        is_override=bool(standing and standing.is_override),
        project_count=count,
        next_tier=upcoming,
        distance=distance,
        eligible_tier=tier_for_count(tiers, count),
        kpis=[pace, aov, on_time, nps, payment],
    )


def _sum_value(row: Row, months: Iterable[int]) -> Decimal:
    values = [row.get(f"m{i}_v") for i in months]
    return sum((value for value in values if value is not None), Decimal("0"))


def kpis_for_partners(
    organisation: Organisation,
    partners: Iterable[Partner],
    *,
    today: datetime.date | None = None,
    programme: ProgrammeSettings | None = None,
    tiers: Sequence[Tier] | None = None,
) -> dict[int, PartnerKpis]:
    """{partner id: PartnerKpis} for `partners` (with `tier_standing__tier` selected), in at most four
    queries whatever their number: programme and tiers (unless given), projects, NPS scores."""
    today = today or timezone.localdate()
    partners = list(partners)
    programme = programme or programme_for(organisation)
    if tiers is None:
        tiers = list(Tier.objects.filter(organisation=organisation).order_by("min_projects"))
    ids = [partner.pk for partner in partners]
    projects = _project_figures(organisation, ids, today) if ids else {}
    scores = _nps_figures(organisation, ids, today) if ids else {}
    result: dict[int, PartnerKpis] = {}
    for partner in partners:
        try:
            standing = partner.tier_standing
        except TierStanding.DoesNotExist:
            standing = None
        result[partner.pk] = _partner_kpis(
            partner,
            standing,
            projects.get(partner.pk),
            scores.get(partner.pk),
            programme=programme,
            tiers=tiers,
        )
    return result


def partner_kpis(partner: Partner, *, today: datetime.date | None = None) -> PartnerKpis:
    """One partner's KPIs (five queries at most)."""
    partner = Partner.objects.select_related("tier_standing__tier", "organisation").get(pk=partner.pk)
    return kpis_for_partners(partner.organisation, [partner], today=today)[partner.pk]


def kpi_partners(organisation: Organisation, *, today: datetime.date | None = None) -> QuerySet[Partner]:
    """Partners with programme activity: projects or NPS scores in the last 12 months, or a tier."""
    today = today or timezone.localdate()
    after = add_months(today, -12)
    return (
        Partner.objects.filter(organisation=organisation)
        .filter(
            Q(
                Exists(
                    Project.objects.filter(
                        partner=OuterRef("pk"), date__gt=after, date__lte=today, refunded_at__isnull=True
                    )
                )
            )
            | Q(Exists(NpsScore.objects.filter(partner=OuterRef("pk"), date__gt=after, date__lte=today)))
            | Q(tier_standing__tier__isnull=False)
        )
        .select_related("tier_standing__tier")
        .order_by("name", "pk")
    )
