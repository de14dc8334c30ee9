"""Working the ledger: approving and rejecting lines, the monthly payout batch, and paying it. Its
exports (the SEPA file, the CSV) are in `sepa`.

Rules enforced here:
- a line goes pending → approved (by hand, or automatically once `approve_after` has come) → paid, or
  pending/approved → rejected with a reason;
- a pending line above the programme's review threshold is "to review": it is never approved automatically,
  and a person approves it only by confirming that they checked it (`reviewed=True`);
- a paid line never changes, and neither does a line that sits in a payout: corrections are new lines
  (`ledger.claw_back`);
- a batch exists once per organisation and month; it pays every partner whose approved balance (every
  approved line not yet in a payout, negative corrections included) reaches the minimum payout and who has
  a valid payout account; the others keep their lines approved for a later batch;
- the batch of a month holds only lines approved for that month or earlier: approved by its last day, or
  whose hold ended by then (a line of an order of 7 December waits for December's batch, even when
  November's batch is made on 10 December);
- a batch never pays the programme's own paying account (that partner is skipped, with the reason);
- amounts are Decimal to the cent.

Changing services lock the lines they change (`select_for_update`, in primary-key order) so two clicks, two
tabs or a task running alongside a person never change a line twice.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import Count, DecimalField, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from affiliates.models import (
    Affiliate,
    Commission,
    CommissionKind,
    CommissionStatus,
    Payout,
    PayoutBatch,
    PayoutStatus,
    ProgrammeSettings,
)
from affiliates.programme.affiliates import bic_for, iban_problem
from affiliates.programme.rules import cents, programme_for
from partnerhub.audit import AuditAction, audit_record
from partnerhub.models import Organisation, Partner, User
from partnerhub.templatetags.money import euro

REASON_MAX = 300
DEFAULT_REVIEW_THRESHOLD: Decimal = ProgrammeSettings._meta.get_field("review_threshold").default

Actor = User | AnonymousUser | None


class LedgerError(Exception):
    """A change the ledger refuses; the message is for the user. Nothing was changed."""


# --- approving and rejecting -------------------------------------------------------------------------------


def _locked(organisation: Organisation, ids: Iterable[int]) -> list[Commission]:
    """The organisation's lines with these ids, locked, in a fixed order (no deadlock between two runs)."""
    return list(
        Commission.objects.select_for_update()
        .filter(organisation=organisation, pk__in=list(ids))
        .order_by("pk")
    )


def needs_review(line: Commission, programme: ProgrammeSettings) -> bool:
    """Whether a line is "to review": pending, not a correction, above the programme's review threshold."""
    return (
        line.status == CommissionStatus.PENDING
        and line.kind != CommissionKind.CORRECTION
        and line.amount > programme.review_threshold
    )


def commissions_approve(
    *,
    organisation: Organisation,
    commission_ids: Iterable[int],
    actor: Actor,
    reviewed: bool = False,
    now: datetime.datetime | None = None,
) -> tuple[int, int]:
    """Approve the selected pending lines. Lines already approved, paid or rejected are left as they are, so
    sending the same selection twice approves nothing the second time. Returns (approved, left alone).

    A line to review (above the review threshold) is approved only with `reviewed=True`, the person's
    confirmation that they checked it; without it nothing is approved (LedgerError)."""
    now = now or timezone.now()
    programme = programme_for(organisation)
    with transaction.atomic():
        lines = _locked(organisation, commission_ids)
        pending = [line for line in lines if line.status == CommissionStatus.PENDING]
        to_review = [line for line in pending if needs_review(line, programme)]
        if to_review and not reviewed:
            raise LedgerError(
                ngettext(
                    "%(count)s selected line is above %(threshold)s and waits for review: confirm that you "
                    "checked it. Nothing was approved.",
                    "%(count)s selected lines are above %(threshold)s and wait for review: confirm that you "
                    "checked them. Nothing was approved.",
                    len(to_review),
                )
                % {"count": len(to_review), "threshold": euro(programme.review_threshold)}
            )
        for line in pending:
            line.status = CommissionStatus.APPROVED
            line.approved_at = now
            line.approved_by = actor if actor is not None and actor.is_authenticated else None
            line.save(update_fields=["status", "approved_at", "approved_by"])
            audit_record(
                organisation=organisation,
                actor=actor,
                action=AuditAction.UPDATE,
                obj=line,
                partner=line.partner,
                changes={"status": [CommissionStatus.PENDING, CommissionStatus.APPROVED]},
            )
    return len(pending), len(lines) - len(pending)


def rejection_refusal(line: Commission) -> str:
    """Why this line cannot be rejected, or "" when it can (a rejected line again is allowed: nothing)."""
    if line.status == CommissionStatus.PAID:
        return _("A paid line never changes; a refund is booked as a new, negative line.")
    if line.payout_id is not None:
        return _("This line is part of a payout batch; a refund is booked as a new, negative line.")
    return ""


def commissions_reject(
    *, organisation: Organisation, commission_ids: Iterable[int], actor: Actor, reason: str | None
) -> int:
    """Reject the selected pending or approved lines with a reason. All or nothing: if one of them is paid or
    in a payout, nothing changes. Lines already rejected stay as they were. Returns the number rejected."""
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError(_("Give a reason for rejecting."))
    if len(reason) > REASON_MAX:
        raise LedgerError(_("Keep the reason under 300 characters."))
    with transaction.atomic():
        lines = _locked(organisation, commission_ids)
        refused = [line for line in lines if rejection_refusal(line)]
        if refused:
            raise LedgerError(
                rejection_refusal(refused[0])
                + " "
                + _("Nothing was rejected (%(count)s of the selected lines cannot be).")
                % {"count": len(refused)}
            )
        open_lines = [line for line in lines if line.status != CommissionStatus.REJECTED]
        for line in open_lines:
            before = line.status
            line.status = CommissionStatus.REJECTED
            line.rejected_reason = reason
            line.save(update_fields=["status", "rejected_reason"])
            audit_record(
                organisation=organisation,
                actor=actor,
                action=AuditAction.UPDATE,
                obj=line,
                partner=line.partner,
                changes={"status": [before, CommissionStatus.REJECTED], "rejected_reason": ["", reason]},
            )
    return len(open_lines)


def approve_due_commissions(
    *, organisation: Organisation | None = None, today: datetime.date | None = None
) -> int:
    """Approve every pending line whose hold has ended (`approve_after` today or earlier), except the lines
    to review (above their programme's review threshold): only a person approves those. One UPDATE, which
    only touches lines still pending: safe next to a person approving or rejecting. Returns the count."""
    today = today or timezone.localdate()
    money = DecimalField(max_digits=12, decimal_places=2)
    threshold = Coalesce(
        Subquery(
            ProgrammeSettings.objects.filter(organisation=OuterRef("organisation")).values(
                "review_threshold"
            )[:1],
            output_field=money,
        ),
        Value(DEFAULT_REVIEW_THRESHOLD, output_field=money),
    )
    lines = Commission.objects.filter(
        status=CommissionStatus.PENDING,
        approve_after__isnull=False,
        approve_after__lte=today,
        amount__lte=threshold,
    )
    if organisation is not None:
        lines = lines.filter(organisation=organisation)
    return lines.update(status=CommissionStatus.APPROVED, approved_at=timezone.now())


# --- payout batches ----------------------------------------------------------------------------------------


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def previous_month(today: datetime.date | None = None) -> datetime.date:
    """The first day of the month before `today`'s: the month a batch made on the 1st pays for."""
    today = today or timezone.localdate()
    return month_start(month_start(today) - datetime.timedelta(days=1))


def month_cutoff(month: datetime.date) -> datetime.datetime:
    """The first moment (local time) after the month of `month`: a batch holds lines approved before it."""
    first = month_start(month)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return timezone.make_aware(datetime.datetime.combine(following, datetime.time.min))


def batch_lines(organisation: Organisation, month: datetime.date) -> QuerySet[Commission]:
    """The lines the batch of `month` may pay: approved lines not yet in a payout that were approved for the
    month or earlier: approved by its last day, or with a hold that ended by then (approved automatically on
    the 1st, just before the batch). A line without either date, from before they were kept, counts too."""
    cutoff = month_cutoff(month)
    return Commission.objects.filter(
        organisation=organisation, status=CommissionStatus.APPROVED, payout__isnull=True
    ).filter(
        Q(approved_at__lt=cutoff)
        | Q(approve_after__lt=cutoff.date())
        | Q(approved_at__isnull=True, approve_after__isnull=True)
    )


@dataclass
class Skipped:
    partner: Partner
    amount: Decimal
    reason: str


@dataclass
class PlannedPayout:
    partner: Partner
    affiliate: Affiliate
    amount: Decimal
    lines: list[Commission]


@dataclass
class PayoutPlan:
    """What the batch of `month` pays if it is made now: one payout per partner, and who is skipped why."""

    month: datetime.date
    payouts: list[PlannedPayout] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    below: int = 0  # partners with a positive balance below the minimum (carried to a later month)

    @property
    def count(self) -> int:
        return len(self.payouts)

    @property
    def total(self) -> Decimal:
        return cents(sum((payout.amount for payout in self.payouts), Decimal("0")))

    @property
    def largest(self) -> PlannedPayout | None:
        return max(self.payouts, key=lambda payout: payout.amount, default=None)


def own_account_problem(affiliate: Affiliate, programme: ProgrammeSettings) -> str:
    """Why this affiliate's account may not be paid: it is the programme's own paying account; or ""."""
    try:
        own = IBAN(programme.debtor_iban).compact if programme.debtor_iban else ""
        theirs = IBAN(affiliate.iban).compact
    except SchwiftyException:
        return ""
    if own and theirs == own:
        return _("This IBAN is the programme's own paying account: a payout to it is refused.")
    return ""


def payout_plan(
    *,
    organisation: Organisation,
    month: datetime.date,
    programme: ProgrammeSettings | None = None,
    lock: bool = False,
    lines: bool = True,
) -> PayoutPlan:
    """The payouts the batch of `month` would make now: each partner whose lines of the month (`batch_lines`)
    reach the minimum, with a valid account that is not the programme's own. With `lock`, the lines are
    locked (inside the caller's transaction). Without `lines`, only the partners' totals are read (summed in
    the database), and each planned payout's `lines` is empty: for the figures of a page."""
    month = month_start(month)
    programme = programme or programme_for(organisation)
    selected = batch_lines(organisation, month).order_by("pk")
    if lock:
        selected = selected.select_for_update()
    by_partner: defaultdict[int, list[Commission]] = defaultdict(list)
    totals: dict[int, Decimal] = {}
    if lines or lock:
        for line in selected:
            by_partner[line.partner_id].append(line)
        for partner_id, partner_lines in by_partner.items():
            totals[partner_id] = cents(sum((line.amount for line in partner_lines), Decimal("0")))
    else:
        summed = selected.order_by().values_list("partner").annotate(total=Sum("amount"))
        totals = {partner_id: cents(total) for partner_id, total in summed.values_list("partner", "total")}
    minimum = cents(programme.minimum_payout)
    due: dict[int, tuple[Decimal, list[Commission]]] = {}
    plan = PayoutPlan(month=month)
    for partner_id, total in totals.items():
        partner_lines = by_partner[partner_id]
        if total >= minimum and total > 0:
            due[partner_id] = (total, partner_lines)
        elif total > 0:
            plan.below += 1
    partners = Partner.objects.filter(organisation=organisation, pk__in=list(due)).select_related("affiliate")
    for partner in partners.order_by("name", "pk"):
        total, partner_lines = due[partner.pk]
        # The partner's affiliate, read with it (one query for all), and only one of this organisation.
        affiliate: Affiliate | None = getattr(partner, "affiliate", None)
        if affiliate is not None and affiliate.organisation_id != organisation.pk:
            affiliate = None
        problem = iban_problem(affiliate)  # says why when there is no affiliate
        if not problem and affiliate is not None:
            problem = own_account_problem(affiliate, programme)
        if problem or affiliate is None:
            plan.skipped.append(Skipped(partner, total, problem))
        else:
            plan.payouts.append(PlannedPayout(partner, affiliate, total, partner_lines))
    return plan


@dataclass
class BatchResult:
    batch: PayoutBatch
    created: bool
    payouts: list[Payout] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def payout_batch_create(
    *, organisation: Organisation, month: datetime.date | None = None, actor: Actor = None
) -> BatchResult:
    """The month's payout batch, as `payout_plan` shows it: one payout per partner whose approved balance of
    the month reaches the minimum and whose payout account is valid and not the programme's own; its lines
    are tied to the payout. If the month's batch exists already nothing new is made (running twice is safe).
    Returns a BatchResult (`created` False for an existing batch)."""
    month = month_start(month or previous_month())
    programme = programme_for(organisation)
    existing = PayoutBatch.objects.filter(organisation=organisation, month=month).first()
    if existing is not None:
        return BatchResult(batch=existing, created=False)
    try:
        with transaction.atomic():
            batch = PayoutBatch.objects.create(
                organisation=organisation,
                month=month,
                created_by=actor if actor is not None and actor.is_authenticated else None,
            )
            plan = payout_plan(organisation=organisation, month=month, programme=programme, lock=True)
            result = BatchResult(batch=batch, created=True, skipped=plan.skipped)
            for planned in plan.payouts:
                affiliate, partner_lines = planned.affiliate, planned.lines
                payout = Payout.objects.create(
                    organisation=organisation,
                    batch=batch,
                    partner_id=planned.partner.pk,
                    amount=planned.amount,
                    account_holder=affiliate.account_holder.strip()[:70],
                    iban=IBAN(affiliate.iban).compact,
                    bic=bic_for(affiliate.iban),
                )
                payout.end_to_end_id = f"PH-{month:%Y%m}-{payout.pk}"[:35]
                payout.save(update_fields=["end_to_end_id"])
                Commission.objects.filter(pk__in=[line.pk for line in partner_lines]).update(payout=payout)
                result.payouts.append(payout)
            audit_record(
                organisation=organisation,
                actor=actor,
                action=AuditAction.CREATE,
                obj=batch,
                changes={
                    "payouts": ["", str(len(result.payouts))],
                    "amount": ["", str(sum((p.amount for p in result.payouts), Decimal("0.00")))],
                },
                actor_name="" if actor else "PartnerHub",
            )
            return result
    except IntegrityError:  # another run made this month's batch at the same moment
        return BatchResult(
            batch=PayoutBatch.objects.get(organisation=organisation, month=month), created=False
        )


def batch_skipped(batch: PayoutBatch, programme: ProgrammeSettings | None = None) -> list[Skipped]:
    """The partners whose approved balance of the batch's month reaches the minimum but who cannot be paid,
    with the reason: those a batch leaves out (their lines stay approved). Computed now, so a fixed IBAN
    disappears from the list."""
    return payout_plan(
        organisation=batch.organisation, month=batch.month, programme=programme, lines=False
    ).skipped


def batch_totals(batch: PayoutBatch) -> dict[str, Any]:
    """Count and sums of a batch's payouts: all, still to pay, paid (one query)."""
    totals = batch.payouts.order_by().aggregate(
        count=Count("pk"),
        total=Sum("amount"),
        largest=Max("amount"),
        open=Count("pk", filter=Q(status=PayoutStatus.OPEN)),
        open_total=Sum("amount", filter=Q(status=PayoutStatus.OPEN)),
    )
    for name in ("total", "open_total", "largest"):
        totals[name] = cents(totals[name] or 0)
    return totals


def payout_batch_mark_paid(*, batch: PayoutBatch, actor: Actor, now: datetime.datetime | None = None) -> int:
    """Mark the batch's open payouts paid, with their lines: from now on those lines never change. Marking a
    paid batch again changes nothing. Returns the number of payouts marked paid."""
    now = now or timezone.now()
    with transaction.atomic():
        payouts = list(
            Payout.objects.select_for_update().filter(batch=batch, status=PayoutStatus.OPEN).order_by("pk")
        )
        if not payouts:
            return 0
        lines = Commission.objects.select_for_update().filter(payout__in=payouts).order_by("pk")
        list(lines)  # take the locks
        Commission.objects.filter(payout__in=payouts).update(status=CommissionStatus.PAID, paid_at=now)
        Payout.objects.filter(pk__in=[payout.pk for payout in payouts]).update(
            status=PayoutStatus.PAID, paid_at=now
        )
        audit_record(
            organisation=batch.organisation,
            actor=actor,
            action=AuditAction.UPDATE,
            obj=batch,
            changes={"status": [PayoutStatus.OPEN, PayoutStatus.PAID], "payouts": ["", str(len(payouts))]},
        )
        return len(payouts)
