"""Read queries of the programme overview, and the one place that sorts ledger lines into balance states.

Every figure is one aggregate query, whatever the data's size.
"""

import datetime
from dataclasses import dataclass, fields
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from affiliates import payouts
from affiliates.models import (
    Affiliate,
    Click,
    Commission,
    CommissionKind,
    CommissionStatus,
    OnboardingTask,
    Project,
    Referral,
    ReferralStatus,
    Tier,
    TierStanding,
)
from affiliates.programme import cents, programme_for

ZERO = Value(0, output_field=DecimalField(max_digits=12, decimal_places=2))


# --- balance states ----------------------------------------------------------------------------------------
#
# Every ledger line is in exactly one state, so the states of a partner (or of the organisation) add up to
# its whole ledger. Every page that shows a balance reads it from `ledger_balances` / `balances_by_partner`.


class BalanceState:
    PENDING = "pending"
    TO_REVIEW = "to_review"
    APPROVED = "approved"
    IN_BATCH = "in_batch"
    PAID = "paid"
    REJECTED = "rejected"
    CLAWED_BACK = "clawed_back"


STATE_LABELS = {
    BalanceState.PENDING: _("pending"),
    BalanceState.TO_REVIEW: _("to review"),
    BalanceState.APPROVED: _("approved, not in a batch yet"),
    BalanceState.IN_BATCH: _("in a batch, not yet paid"),
    BalanceState.PAID: _("paid"),
    BalanceState.REJECTED: _("rejected"),
    BalanceState.CLAWED_BACK: _("clawed back"),
}


def state_conditions(review_threshold):
    """{state: Q} for the lines of one organisation whose review threshold is `review_threshold`.

    - pending: waiting for the hold to end, then approved automatically;
    - to review: pending and above the review threshold: only a person approves it;
    - approved: approved, not yet in a payout batch; in a batch: approved and in a batch not yet paid;
    - paid; rejected (not paid, with a reason);
    - clawed back: the negative corrections booked after a paid order was refunded (netted in a payout).
    """
    correction = Q(kind=CommissionKind.CORRECTION)
    earning = ~correction
    return {
        BalanceState.PENDING: earning & Q(status=CommissionStatus.PENDING) & ~Q(amount__gt=review_threshold),
        BalanceState.TO_REVIEW: earning & Q(status=CommissionStatus.PENDING, amount__gt=review_threshold),
        BalanceState.APPROVED: earning & Q(status=CommissionStatus.APPROVED, payout__isnull=True),
        BalanceState.IN_BATCH: earning & Q(status=CommissionStatus.APPROVED, payout__isnull=False),
        BalanceState.PAID: earning & Q(status=CommissionStatus.PAID),
        BalanceState.REJECTED: Q(status=CommissionStatus.REJECTED),
        BalanceState.CLAWED_BACK: correction & ~Q(status=CommissionStatus.REJECTED),
    }


@dataclass(frozen=True)
class Balances:
    """A ledger's amounts per state (Decimal euros), and what the next batch would pay."""

    pending: Decimal = Decimal("0.00")
    to_review: Decimal = Decimal("0.00")
    approved: Decimal = Decimal("0.00")
    in_batch: Decimal = Decimal("0.00")
    paid: Decimal = Decimal("0.00")
    rejected: Decimal = Decimal("0.00")
    clawed_back: Decimal = Decimal("0.00")
    # Approved lines not yet in a batch, claw-backs included: the payout rule's balance.
    payable: Decimal = Decimal("0.00")
    to_review_count: int = 0

    @property
    def empty(self):
        """Whether every state is zero."""
        return not any(getattr(self, state) for state in STATE_LABELS)

    def states(self):
        """(state, label, amount) in the order every page shows them."""
        return [(state, STATE_LABELS[state], getattr(self, state)) for state in STATE_LABELS]


def _balance_aggregates(review_threshold):
    conditions = state_conditions(review_threshold)
    sums = {state: Coalesce(Sum("amount", filter=condition), ZERO) for state, condition in conditions.items()}
    sums["payable"] = Coalesce(
        Sum("amount", filter=Q(status=CommissionStatus.APPROVED, payout__isnull=True)), ZERO
    )
    sums["to_review_count"] = Count("pk", filter=conditions[BalanceState.TO_REVIEW])
    return sums


def _balances(row):
    values = {}
    for item in fields(Balances):
        value = row.get(item.name)
        if item.name == "to_review_count":
            values[item.name] = value or 0
        else:
            values[item.name] = cents(value or 0)
    return Balances(**values)


def ledger_balances(organisation, *, programme=None, partner=None) -> Balances:
    """The organisation's (or one partner's) ledger per state, in one aggregate query."""
    programme = programme or programme_for(organisation)
    lines = Commission.objects.filter(organisation=organisation)
    if partner is not None:
        lines = lines.filter(partner=partner)
    return _balances(lines.aggregate(**_balance_aggregates(programme.review_threshold)))


def balances_by_partner(organisation, partner_ids, *, programme=None) -> dict:
    """{partner id: Balances} for these partners of the organisation, in one grouped query; a partner
    without lines gets zero balances."""
    programme = programme or programme_for(organisation)
    rows = (
        Commission.objects.filter(organisation=organisation, partner_id__in=list(partner_ids))
        .order_by()
        .values("partner")
        .annotate(**_balance_aggregates(programme.review_threshold))
    )
    found = {row["partner"]: _balances(row) for row in rows}
    return {partner_id: found.get(partner_id, Balances()) for partner_id in partner_ids}


def overview(organisation, programme, *, today=None, days=30):
    """The programme's figures for the overview page: this period against the one before."""
    today = today or timezone.localdate()
    now = timezone.now()
    start = now - datetime.timedelta(days=days)
    previous = start - datetime.timedelta(days=days)
    clicks = Click.objects.filter(organisation=organisation, created_at__gte=previous).aggregate(
        now=Count("pk", filter=Q(created_at__gte=start)),
        before=Count("pk", filter=Q(created_at__lt=start)),
    )
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
        organisation=organisation, month=payouts.previous_month(today), programme=programme
    )
    # Due: every partner who reached the minimum, also those a batch skips until their account is fixed.
    due = {
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


def tier_counts(organisation):
    """Every tier with the number of partners in it, lowest first, and the partners in none."""
    counts = dict(
        TierStanding.objects.filter(organisation=organisation, tier__isnull=False)
        .values_list("tier")
        .annotate(n=Count("pk"))
        .values_list("tier", "n")
    )
    return [(tier, counts.get(tier.pk, 0)) for tier in Tier.objects.filter(organisation=organisation)]


def top_affiliates(organisation, *, days=30, limit=5):
    """The affiliates with the most clicks in the period, with their attributed orders in it."""
    start = timezone.now() - datetime.timedelta(days=days)
    since = timezone.localdate() - datetime.timedelta(days=days)
    clicks = list(
        Click.objects.filter(organisation=organisation, created_at__gte=start)
        .values("affiliate")
        .annotate(n=Count("pk"))
        .order_by("-n")[:limit]
    )
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
