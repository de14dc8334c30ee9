"""Quarterly reviews (seed 004, section 3): a partner's quarter in numbers, drafted; the words by a manager.

A quarter is a calendar quarter (`quarter_start` 1 January, 1 April, 1 July or 1 October). The draft's
`figures` are a snapshot in JSON (Decimals as strings, dates ISO) so the review and its PDF keep saying
what they said when drafted:

- volume: projects and their value this quarter, the previous quarter and the same quarter a year
  earlier, with the change in %;
- quality: on-time delivery and payment on time this quarter (%), the NPS of the 12 months up to the
  quarter's end and of the quarter;
- pricing: the average order value this quarter and the previous one, the target, the current tier's
  discount;
- tier: the 12-month count at the quarter's end (the tiers' window), the current tier (override noted),
  the tier that count reaches, the next tier and the distance to it;
- growth: the trend against the previous quarter and the same quarter last year, projects per month
  over the 12 months up to the quarter's end (the PDF's chart).

Refunded orders do not count. `review_draft` is idempotent (one review per partner and quarter, a unique
constraint); `reviews_draft_all` drafts for every active partner with projects in the 12 months up to
the quarter's end, computing all partners' figures in three queries.
"""

import datetime
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Aggregate, Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from affiliates.models import (
    NpsScore,
    ProgrammeSettings,
    Project,
    QuarterlyReview,
    ReviewStatus,
    Tier,
    TierStanding,
)
from affiliates.programme.rules import cents, programme_for, tier_for_count
from affiliates.tiers.kpis import average, kpi_trend, nps_value, percent
from affiliates.tiers.standings import add_months, next_tier
from partnerhub.audit import AuditAction, audit_changes, audit_record
from partnerhub.documents import document_request
from partnerhub.models import Document, Organisation, Partner, PartnerStatus, User

REVIEW_DOCUMENT = "quarterly_review"
# A review's figures: the JSON snapshot described above.
Figures = dict[str, Any]
TEXT_FIELDS = ["volume_analysis", "quality_feedback", "pricing_review", "tier_evaluation", "growth_plans"]


class ReviewIsFinal(Exception):
    """A final review is not edited; reopen it first."""


def quarter_start_of(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def previous_quarter_start(day: datetime.date) -> datetime.date:
    """The first day of the quarter before the one `day` is in (on 1 April: 1 January)."""
    return add_months(quarter_start_of(day), -3)


def quarter_end(quarter_start: datetime.date) -> datetime.date:
    return add_months(quarter_start, 3) - datetime.timedelta(days=1)


def quarter_label(quarter_start: datetime.date) -> str:
    return f"Q{(quarter_start.month - 1) // 3 + 1} {quarter_start.year}"


def recent_quarters(today: datetime.date | None = None, count: int = 8) -> list[tuple[datetime.date, str]]:
    """[(quarter start, label)] from the current quarter back, for choosing a quarter to review."""
    start = quarter_start_of(today or timezone.localdate())
    return [(add_months(start, -3 * i), quarter_label(add_months(start, -3 * i))) for i in range(count)]


def check_quarter_start(quarter_start: datetime.date, *, today: datetime.date | None = None) -> None:
    """ValidationError unless `quarter_start` is the first day of a quarter that has begun."""
    today = today or timezone.localdate()
    if quarter_start != quarter_start_of(quarter_start):
        raise ValidationError({"quarter": _("A quarter starts on 1 January, 1 April, 1 July or 1 October.")})
    if quarter_start > today:
        raise ValidationError({"quarter": _("This quarter has not started yet.")})


def _change(new: int | Decimal, old: int | Decimal) -> str | None:
    """The change from old to new in % (to 0.1), as a string; None when old is 0."""
    if not old:
        return None
    return str((Decimal(new - old) * 100 / Decimal(old)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _figures_for(
    organisation: Organisation,
    partners: Sequence[Partner],
    quarter_start: datetime.date,
    *,
    programme: ProgrammeSettings,
    tiers: Sequence[Tier],
) -> dict[int, Figures]:
    """{partner id: figures} for the quarter, in two aggregate queries for any number of partners."""
    end = quarter_end(quarter_start)
    previous = add_months(quarter_start, -3)
    last_year = add_months(quarter_start, -12)
    year_after = add_months(end, -12)  # the tiers' window at the quarter's end: after < date <= end
    months = [add_months(datetime.date(end.year, end.month, 1), -11 + i) for i in range(12)]  # to `end`
    periods = {
        "q": Q(date__gte=quarter_start, date__lte=end),
        "p": Q(date__gte=previous, date__lt=quarter_start),
        "l": Q(date__gte=last_year, date__lte=quarter_end(last_year)),
    }
    aggregates: dict[str, Aggregate] = {"y_n": Count("pk", filter=Q(date__gt=year_after, date__lte=end))}
    for key, period in periods.items():
        aggregates[f"{key}_n"] = Count("pk", filter=period)
        aggregates[f"{key}_v"] = Sum("value", filter=period)
        aggregates[f"{key}_dk"] = Count("pk", filter=period & Q(delivered_on_time__isnull=False))
        aggregates[f"{key}_dt"] = Count("pk", filter=period & Q(delivered_on_time=True))
        aggregates[f"{key}_pk"] = Count("pk", filter=period & Q(paid_on_time__isnull=False))
        aggregates[f"{key}_pt"] = Count("pk", filter=period & Q(paid_on_time=True))
    for index, month in enumerate(months):
        aggregates[f"m{index}"] = Count("pk", filter=Q(date__gte=month, date__lt=add_months(month, 1)))
    ids = [partner.pk for partner in partners]
    rows = {
        row["partner_id"]: row
        for row in Project.objects.filter(
            organisation=organisation,
            partner_id__in=ids,
            refunded_at__isnull=True,
            date__gte=min(last_year, year_after),
            date__lte=end,
        )
        .values("partner_id")
        .annotate(**aggregates)
        .order_by()
    }
    scores = {
        row["partner_id"]: row
        for row in NpsScore.objects.filter(
            organisation=organisation, partner_id__in=ids, date__gt=year_after, date__lte=end
        )
        .values("partner_id")
        .annotate(
            y_n=Count("pk"),
            y_p=Count("pk", filter=Q(score__gte=9)),
            y_d=Count("pk", filter=Q(score__lte=6)),
            q_n=Count("pk", filter=periods["q"]),
            q_p=Count("pk", filter=periods["q"] & Q(score__gte=9)),
            q_d=Count("pk", filter=periods["q"] & Q(score__lte=6)),
        )
        .order_by()
    }
    result: dict[int, Figures] = {}
    for partner in partners:
        row: Mapping[str, Any] = rows.get(partner.pk, {})
        nps_row: Mapping[str, Any] = scores.get(partner.pk, {})
        try:
            standing = partner.tier_standing
        except TierStanding.DoesNotExist:
            standing = None
        tier = standing.tier if standing else None
        count = row.get("y_n", 0)
        upcoming, distance = next_tier(tiers, count, current=tier)
        eligible = tier_for_count(tiers, count)

        def volume(key: str, row: Mapping[str, Any] = row) -> dict[str, Any]:
            return {"projects": row.get(f"{key}_n", 0), "value": _text(cents(row.get(f"{key}_v") or 0))}

        this, before, year_ago = volume("q"), volume("p"), volume("l")
        value = {
            key: Decimal(figures["value"]) for key, figures in (("q", this), ("p", before), ("l", year_ago))
        }
        aov = average(row.get("q_v"), row.get("q_n"))
        result[partner.pk] = {
            "quarter": {
                "start": quarter_start.isoformat(),
                "end": end.isoformat(),
                "label": quarter_label(quarter_start),
            },
            "volume": {
                **this,
                "previous": {**before, "label": quarter_label(previous)},
                "last_year": {**year_ago, "label": quarter_label(last_year)},
                "projects_change_previous": _change(this["projects"], before["projects"]),
                "value_change_previous": _change(value["q"], value["p"]),
                "projects_change_last_year": _change(this["projects"], year_ago["projects"]),
                "value_change_last_year": _change(value["q"], value["l"]),
            },
            "quality": {
                "on_time_percent": _text(percent(row.get("q_dt", 0), row.get("q_dk", 0))),
                "on_time_known": row.get("q_dk", 0),
                "payment_on_time_percent": _text(percent(row.get("q_pt", 0), row.get("q_pk", 0))),
                "payment_known": row.get("q_pk", 0),
                "nps": nps_value(
                    promoters=nps_row.get("y_p", 0),
                    detractors=nps_row.get("y_d", 0),
                    total=nps_row.get("y_n", 0),
                ),
                "nps_responses": nps_row.get("y_n", 0),
                "nps_quarter": nps_value(
                    promoters=nps_row.get("q_p", 0),
                    detractors=nps_row.get("q_d", 0),
                    total=nps_row.get("q_n", 0),
                ),
                "nps_quarter_responses": nps_row.get("q_n", 0),
                "target_on_time": _text(programme.target_on_time_delivery),
                "target_payment_on_time": _text(programme.target_payment_on_time),
                "target_nps": programme.target_nps,
            },
            "pricing": {
                "average_order_value": _text(aov),
                "previous_average_order_value": _text(average(row.get("p_v"), row.get("p_n"))),
                "target_order_value": _text(programme.target_order_value),
                "tier": tier.name if tier else None,
                "discount_percent": _text(tier.discount_percent if tier else Decimal("0")),
            },
            "tier": {
                "project_count": count,
                "window_after": year_after.isoformat(),
                "window_until": end.isoformat(),
                "tier": tier.name if tier else None,
                "is_override": bool(standing and standing.is_override),
                "override_reason": standing.override_reason if standing else "",
                "eligible_tier": eligible.name if eligible else None,
                "next_tier": upcoming.name if upcoming else None,
                "distance": distance,
            },
            "growth": {
                "trend_previous": kpi_trend(value["q"], value["p"]) if row else "",
                "trend_last_year": kpi_trend(value["q"], value["l"]) if row else "",
                "months": [
                    {"month": month.strftime("%Y-%m"), "projects": row.get(f"m{index}", 0)}
                    for index, month in enumerate(months)
                ],
            },
            "drafted_on": timezone.localdate().isoformat(),
        }
    return result


def _tiers(organisation: Organisation) -> list[Tier]:
    return list(Tier.objects.filter(organisation=organisation).order_by("min_projects"))


def review_figures(partner: Partner, quarter_start: datetime.date) -> Figures:
    """The figures of one partner's quarter (see the module docstring)."""
    partner = Partner.objects.select_related("tier_standing__tier", "organisation").get(pk=partner.pk)
    organisation = partner.organisation
    programme = programme_for(organisation)
    return _figures_for(
        organisation, [partner], quarter_start, programme=programme, tiers=_tiers(organisation)
    )[partner.pk]


def review_draft(
    partner: Partner,
    quarter_start: datetime.date,
    *,
    actor: User | None = None,
    today: datetime.date | None = None,
) -> tuple[QuarterlyReview, bool]:
    """The partner's review of the quarter: created with its figures, or the existing one unchanged.

    Returns (review, created). ValidationError for a date that does not start a quarter, or a quarter that
    has not begun.
    """
    check_quarter_start(quarter_start, today=today)
    existing = QuarterlyReview.objects.filter(partner=partner, quarter_start=quarter_start).first()
    if existing is not None:
        return existing, False
    figures = review_figures(partner, quarter_start)
    try:
        with transaction.atomic():
            review = QuarterlyReview.objects.create(
                organisation_id=partner.organisation_id,
                partner=partner,
                quarter_start=quarter_start,
                figures=figures,
            )
            audit_record(
                organisation=partner.organisation,
                actor=actor,
                actor_name="" if actor else "PartnerHub",
                action=AuditAction.CREATE,
                obj=review,
                partner=partner,
                changes={"quarter_start": ["", quarter_start.isoformat()]},
            )
            return review, True
    except IntegrityError:  # drafted by a concurrent request or task in the meantime
        return QuarterlyReview.objects.get(partner=partner, quarter_start=quarter_start), False


def reviewable_partners(organisation: Organisation, quarter_start: datetime.date) -> QuerySet[Partner]:
    """Active partners with projects in the 12 months up to the quarter's end."""
    end = quarter_end(quarter_start)
    return Partner.objects.filter(organisation=organisation, status=PartnerStatus.ACTIVE).filter(
        Exists(
            Project.objects.filter(
                partner=OuterRef("pk"), date__gt=add_months(end, -12), date__lte=end, refunded_at__isnull=True
            )
        )
    )


def reviews_draft_all(
    organisation: Organisation, quarter_start: datetime.date, *, today: datetime.date | None = None
) -> list[QuarterlyReview]:
    """Draft the quarter's review of every active partner with projects in the 12 months up to its end.

    Partners that have one already keep it. All figures in a fixed number of queries; the reviews in one
    insert (a review drafted concurrently is skipped). Returns the new reviews.
    """
    check_quarter_start(quarter_start, today=today)
    programme = programme_for(organisation)
    partners = list(
        reviewable_partners(organisation, quarter_start)
        .exclude(quarterly_reviews__quarter_start=quarter_start)
        .select_related("tier_standing__tier")
        .order_by("pk")
    )
    if not partners:
        return []
    figures = _figures_for(
        organisation, partners, quarter_start, programme=programme, tiers=_tiers(organisation)
    )
    QuarterlyReview.objects.bulk_create(
        [
            QuarterlyReview(
                organisation=organisation,
                partner=partner,
                quarter_start=quarter_start,
                figures=figures[partner.pk],
            )
            for partner in partners
        ],
        ignore_conflicts=True,
    )
    return list(
        QuarterlyReview.objects.filter(
            organisation=organisation, quarter_start=quarter_start, partner__in=partners
        ).select_related("partner")
    )


def review_update(
    review: QuarterlyReview, *, values: Mapping[str, str], actor: User | None
) -> QuarterlyReview:
    """Save the manager's texts (the five qualitative parts). ReviewIsFinal for a final review."""
    with transaction.atomic():
        locked = QuarterlyReview.objects.select_for_update().get(pk=review.pk)
        if locked.status == ReviewStatus.FINAL:
            raise ReviewIsFinal(review)
        before = QuarterlyReview.objects.get(pk=review.pk)
        for name in TEXT_FIELDS:
            if name in values:
                setattr(locked, name, values[name])
        locked.save()
        audit_changes(
            organisation=locked.organisation,
            actor=actor,
            before=before,
            after=locked,
            fields=TEXT_FIELDS,
            partner=locked.partner,
        )
    return locked


def review_set_status(review: QuarterlyReview, *, status: str, actor: User | None) -> QuarterlyReview:
    """Mark final (the texts are then fixed) or reopen. Setting the status it has changes nothing."""
    with transaction.atomic():
        locked = QuarterlyReview.objects.select_for_update().get(pk=review.pk)
        if locked.status == status:
            return locked
        old = locked.status
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        audit_record(
            organisation=locked.organisation,
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            partner=locked.partner,
            changes={"status": [old, status]},
        )
    return locked


def review_refresh(review: QuarterlyReview, *, actor: User | None) -> QuarterlyReview:
    """Recompute a draft's figures (after late projects or scores came in). ReviewIsFinal for a final one."""
    with transaction.atomic():
        locked = QuarterlyReview.objects.select_for_update().get(pk=review.pk)
        if locked.status == ReviewStatus.FINAL:
            raise ReviewIsFinal(review)
        locked.figures = review_figures(locked.partner, locked.quarter_start)
        locked.save(update_fields=["figures", "updated_at"])
    return locked


def review_request_pdf(review: QuarterlyReview, *, actor: User | None) -> Document:
    """Ask for the review's A4 PDF (rendered in the background by affiliates.documents)."""
    with transaction.atomic():
        document = document_request(
            organisation=review.organisation,
            kind=REVIEW_DOCUMENT,
            title=_("Quarterly review %(partner)s %(quarter)s")
            % {"partner": review.partner.name, "quarter": quarter_label(review.quarter_start)},
            params={"review_id": review.pk},
            requested_by=actor,
        )
        QuarterlyReview.objects.filter(pk=review.pk).update(document=document)
    return document


def month_bars(
    months: Sequence[Mapping[str, Any]], *, width: int = 480, height: int = 90, gap: int = 6
) -> dict[str, Any] | None:
    """Projects per month (`figures["growth"]["months"]`) as a bar chart's geometry, for the page and the
    PDF alike (affiliates/tiers/partials/month_bars.svg)."""
    if not months:
        return None
    top = max(month["projects"] for month in months) or 1
    bar = (width - gap * (len(months) - 1)) / len(months)
    base = height - 14
    bars: list[dict[str, Any]] = []
    for index, month in enumerate(months):
        bar_height = round(month["projects"] / top * (base - 12), 1)
        x = round(index * (bar + gap), 1)
        bars.append(
            {
                "x": x,
                "y": round(base - bar_height, 1),
                "width": round(bar, 1),
                "height": bar_height,
                "count": month["projects"],
                "count_y": round(base - bar_height - 2, 1),
                "label": datetime.date.fromisoformat(f"{month['month']}-01"),
                "label_x": round(x + bar / 2, 1),
            }
        )
    return {"width": width, "height": height, "bars": bars, "base": base, "text_y": height - 3}


def figure_dates(figures: Mapping[str, Any]) -> dict[str, datetime.date | None]:
    """The figures' ISO dates as dates, for templates to format in the reader's language."""

    def day(value: str | None) -> datetime.date | None:
        try:
            return datetime.date.fromisoformat(value) if value else None
        except (TypeError, ValueError):
            return None

    quarter, tier = figures.get("quarter", {}), figures.get("tier", {})
    return {
        "start": day(quarter.get("start")),
        "end": day(quarter.get("end")),
        "window_after": day(tier.get("window_after")),
        "window_until": day(tier.get("window_until")),
        "drafted_on": day(figures.get("drafted_on")),
    }
