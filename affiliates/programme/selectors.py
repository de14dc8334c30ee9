"""Named reads of the programme overview: its figures, tiers and best affiliates.

Every figure is one aggregate query, whatever the data's size; clicks are added up from their days
(`tracking/selectors.py`).
"""

import datetime
from decimal import Decimal
from typing import Any, TypedDict

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise

from affiliates.ledger import payouts
from affiliates.ledger.selectors import ZERO, Balances, ledger_balances
from affiliates.models import (
    Affiliate,
    Commission,
    CommissionKind,
    CommissionStatus,
    OnboardingTask,
    ProgrammeSettings,
    Project,
    Referral,
    ReferralStatus,
    Tier,
    TierStanding,
)
from affiliates.tracking.selectors import Period, click_counts, clicks_by_affiliate
from partnerhub.models import Organisation


class Due(TypedDict):
    """What the next batch owes: every partner who reached the minimum, also those it skips for now."""

    partners: int
    total: Decimal


class Overview(TypedDict):
    """The overview page's figures; `clicks`, `projects`, `ledger` and `onboarding` are aggregate rows."""

    days: int
    clicks: dict[str, Any]
    projects: dict[str, Any]
    conversion_rate: float | None
    ledger: dict[str, Any]
    balances: Balances
    due: Due
    referrals: list[tuple[str, str | Promise, int]]
    onboarding: dict[str, Any]
    tiers: list[tuple[Tier, int]]
    affiliates: int


class TopAffiliate(TypedDict):
    affiliate: Affiliate
    clicks: int
    orders: int


def overview(
    organisation: Organisation,
    programme: ProgrammeSettings,
    *,
    today: datetime.date | None = None,
    days: int = 30,
) -> Overview:
    """The programme's figures for the overview page: this period against the one before (clicks since this
    moment `days` ago, orders since that day)."""
    today = today or timezone.localdate()
    now = timezone.now()
    start = now - datetime.timedelta(days=days)
    previous = start - datetime.timedelta(days=days)
    # From the clicks rolled up into days, and the clicks since (tracking/selectors.py).
    clicks = click_counts(organisation, {"now": Period(start), "before": Period(previous, start)})
    since, before_since = today - datetime.timedelta(days=days), today - datetime.timedelta(days=2 * days)
    projects = Project.objects.filter(organisation=organisation, date__gt=before_since).aggregate(
        count=Count("pk", filter=Q(date__gt=since)),
        value=Coalesce(Sum("value", filter=Q(date__gt=since)), ZERO),
        attributed=Count("pk", filter=Q(date__gt=since) & ~Q(attribution="")),
        attributed_before=Count("pk", filter=Q(date__lte=since) & ~Q(attribution="")),
    )
    ledger = Commission.objects.filter(organisation=organisation).aggregate(
        paid_year=Coalesce(
            Sum("amount", filter=Q(status=CommissionStatus.PAID, paid_at__year=today.year)), ZERO
        ),
        fees_year=Coalesce(
            Sum(
                "amount",
                filter=Q(kind=CommissionKind.REFERRAL_FEE, created_at__year=today.year)
                & ~Q(status=CommissionStatus.REJECTED),
            ),
            ZERO,
        ),
    )
    # The payout rule itself: what the batch of the previous month would pay if it were made now.
    plan = payouts.payout_plan(
        organisation=organisation, month=payouts.previous_month(today), programme=programme, lines=False
    )
    # Due: every partner who reached the minimum, also those a batch skips until their account is fixed.
    due: Due = {
        "partners": plan.count + len(plan.skipped),
        "total": plan.total + sum((item.amount for item in plan.skipped), Decimal("0")),
    }
    referrals = dict(
        Referral.objects.filter(organisation=organisation)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    onboarding = OnboardingTask.objects.filter(organisation=organisation, done_at__isnull=True).aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(due_date__lt=today)),
        partners=Count("partner", distinct=True),
    )
    conversion_rate = round(100 * projects["attributed"] / clicks["now"], 1) if clicks["now"] else None
    return {
        "days": days,
        "clicks": clicks,
        "projects": projects,
        "conversion_rate": conversion_rate,
        "ledger": ledger,
        "balances": ledger_balances(organisation, programme=programme),
        "due": due,
        "referrals": [(status, label, referrals.get(status, 0)) for status, label in ReferralStatus.choices],
        "onboarding": onboarding,
        "tiers": tier_counts(organisation),
        "affiliates": Affiliate.objects.filter(organisation=organisation, is_active=True).count(),
    }


def tier_counts(organisation: Organisation) -> list[tuple[Tier, int]]:
    """Every tier with the number of partners in it, lowest first, and the partners in none."""
    counts = dict(
        TierStanding.objects.filter(organisation=organisation, tier__isnull=False)
        .values_list("tier")
        .annotate(n=Count("pk"))
        .values_list("tier", "n")
    )
    return [(tier, counts.get(tier.pk, 0)) for tier in Tier.objects.filter(organisation=organisation)]


def top_affiliates(organisation: Organisation, *, days: int = 30, limit: int = 5) -> list[TopAffiliate]:
    """The affiliates with the most clicks in the period, with their attributed orders in it."""
    start = timezone.now() - datetime.timedelta(days=days)
    since = timezone.localdate() - datetime.timedelta(days=days)
    counts = clicks_by_affiliate(organisation, Period(start))
    # The most clicks first; of equal counts the affiliate set up first.
    clicks = [
        {"affiliate": pk, "n": n} for pk, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ][:limit]
    ids = [row["affiliate"] for row in clicks]
    affiliates = Affiliate.objects.select_related("partner").in_bulk(ids)
    orders = dict(
        Project.objects.filter(partner__affiliate__in=ids, date__gt=since)
        .exclude(attribution="")
        .values_list("partner__affiliate")
        .annotate(n=Count("pk"))
        .values_list("partner__affiliate", "n")
    )
    return [
        {
            "affiliate": affiliates[row["affiliate"]],
            "clicks": row["n"],
            "orders": orders.get(row["affiliate"], 0),
        }
        for row in clicks
        if row["affiliate"] in affiliates
    ]
