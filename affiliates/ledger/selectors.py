"""Named reads of the ledger: the one place that sorts ledger lines into balance states.

Every figure is one aggregate query, whatever the data's size.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Aggregate, Count, DecimalField, Func, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from affiliates.models import (
    Affiliate,
    Commission,
    CommissionKind,
    CommissionStatus,
    ProgrammeSettings,
    Project,
)
from affiliates.programme.rules import cents, programme_for
from affiliates.tracking.selectors import Period, click_counts
from partnerhub.models import Organisation, Partner

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

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


def state_conditions(review_threshold: Decimal) -> dict[str, Q]:
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
    def empty(self) -> bool:
        """Whether every state is zero."""
        return not any(getattr(self, state) for state in STATE_LABELS)

    def states(self) -> list[tuple[str, "StrOrPromise", Decimal]]:
        """(state, label, amount) in the order every page shows them."""
        return [(state, STATE_LABELS[state], getattr(self, state)) for state in STATE_LABELS]


def _balance_aggregates(review_threshold: Decimal) -> dict[str, Func | Aggregate]:
    conditions = state_conditions(review_threshold)
    sums: dict[str, Func | Aggregate] = {
        state: Coalesce(Sum("amount", filter=condition), ZERO) for state, condition in conditions.items()
    }
    sums["payable"] = Coalesce(
        Sum("amount", filter=Q(status=CommissionStatus.APPROVED, payout__isnull=True)), ZERO
    )
    sums["to_review_count"] = Count("pk", filter=conditions[BalanceState.TO_REVIEW])
    return sums


def _balances(row: Mapping[str, Any]) -> Balances:
    values: dict[str, Any] = {}
    for item in fields(Balances):
        value = row.get(item.name)
        if item.name == "to_review_count":
            values[item.name] = value or 0
        else:
            values[item.name] = cents(value or 0)
    return Balances(**values)


def ledger_balances(
    organisation: Organisation,
    *,
    programme: ProgrammeSettings | None = None,
    partner: Partner | None = None,
) -> Balances:
    """The organisation's (or one partner's) ledger per state, in one aggregate query."""
    programme = programme or programme_for(organisation)
    lines = Commission.objects.filter(organisation=organisation)
    if partner is not None:
        lines = lines.filter(partner=partner)
    return _balances(lines.aggregate(**_balance_aggregates(programme.review_threshold)))


def balances_by_partner(
    organisation: Organisation, partner_ids: Iterable[int], *, programme: ProgrammeSettings | None = None
) -> dict[int, Balances]:
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


# --- the portal's weeks ------------------------------------------------------------------------------------

WEEKS = 12


class Week(TypedDict):
    week: datetime.date  # its Monday
    clicks: int
    conversions: int


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def weekly_figures(
    affiliate: Affiliate, *, today: datetime.date | None = None, weeks: int = WEEKS
) -> list[Week]:
    """Clicks and conversions per week (Monday to Sunday, local time) over the last `weeks` weeks.

    Clicks from the days rolled up (`tracking/selectors.click_counts`: the closed days from `ClickDay`, the
    rest from the clicks); conversions in one aggregate query, a conditional count per week over an indexed
    range (partner, date), without a date function per row.
    """
    today = today or timezone.localdate()
    first = week_start(today) - datetime.timedelta(weeks=weeks - 1)
    mondays = [first + datetime.timedelta(weeks=i) for i in range(weeks + 1)]
    clicks = click_counts(
        affiliate.organisation,
        {f"w{i}": Period.of_days(mondays[i], mondays[i + 1]) for i in range(weeks)},
        affiliate=affiliate,
    )
    conversions = (
        Project.objects.filter(partner_id=affiliate.partner_id, date__gte=mondays[0], date__lt=mondays[-1])
        .exclude(attribution="")
        .aggregate(
            **{
                f"w{i}": Count("pk", filter=Q(date__gte=mondays[i], date__lt=mondays[i + 1]))
                for i in range(weeks)
            }
        )
    )
    return [
        {"week": mondays[i], "clicks": clicks[f"w{i}"], "conversions": conversions[f"w{i}"]}
        for i in range(weeks)
    ]
