"""Booking lines into the ledger: the commission of an order, a referral fee, a claw-back. Approving,
rejecting and paying live in `payouts`.

Amounts are Decimal to the cent. A paid line never changes; a correction is a new line.
"""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from affiliates.models import (
    Commission,
    CommissionKind,
    CommissionStatus,
    ProgrammeSettings,
    Project,
    Referral,
)
from affiliates.programme.rules import cents, programme_for


def commission_create(
    *, project: Project, percent: Decimal, programme: ProgrammeSettings | None = None
) -> Commission:
    """The affiliate's commission on a first order: `percent` of its value, pending until the hold ends.

    At most one per project (a unique constraint); a second call returns the existing line.
    """
    if project.partner_id is None:  # a line belongs to a partner: the insert would fail, then the lookup
        raise ValueError("A commission needs a project booked on a partner.")
    programme = programme or programme_for(project.organisation)
    existing = Commission.objects.filter(project=project, kind=CommissionKind.COMMISSION).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Commission.objects.create(
                organisation_id=project.organisation_id,
                partner_id=project.partner_id,
                kind=CommissionKind.COMMISSION,
                amount=cents(project.value * percent / 100),
                base_amount=project.value,
                percent=percent,
                description=_("Commission on the first order of %(customer)s")
                % {"customer": project.customer_reference},
                project=project,
                approve_after=project.date + datetime.timedelta(days=programme.hold_days),
            )
    except IntegrityError:
        return Commission.objects.get(project=project, kind=CommissionKind.COMMISSION)


def referral_fee_accrue(
    *, referral: Referral, programme: ProgrammeSettings | None = None
) -> tuple[Commission, bool]:
    """The one referral fee of a won referral (a unique constraint guards "exactly one")."""
    programme = programme or programme_for(referral.organisation)
    existing = Commission.objects.filter(referral=referral, kind=CommissionKind.REFERRAL_FEE).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            fee = Commission.objects.create(
                organisation_id=referral.organisation_id,
                partner_id=referral.partner_id,
                kind=CommissionKind.REFERRAL_FEE,
                amount=cents(programme.referral_fee),
                description=_("Referral fee for %(lead)s") % {"lead": referral.lead_name},
                referral=referral,
                approve_after=timezone.localdate() + datetime.timedelta(days=programme.hold_days),
            )
            return fee, True
    except IntegrityError:
        return Commission.objects.get(referral=referral, kind=CommissionKind.REFERRAL_FEE), False


def claw_back(*, line: Commission, reason: str) -> Commission | None:
    """Take back a line: rejected if not yet paid nor in a payout, else a negative correction that the next
    payout nets (a line in a payout batch is money on its way: the batch's amounts never change).

    Returns the correction line, or None when the line was simply rejected (or already taken back).
    """
    with transaction.atomic():
        line = Commission.objects.select_for_update().get(pk=line.pk)
        if line.status == CommissionStatus.PENDING or (
            line.status == CommissionStatus.APPROVED and line.payout_id is None
        ):
            line.status = CommissionStatus.REJECTED
            line.rejected_reason = reason[:300]
            line.save(update_fields=["status", "rejected_reason"])
            return None
        if line.status == CommissionStatus.REJECTED or line.corrections.exists():
            return None
        return Commission.objects.create(
            organisation_id=line.organisation_id,
            partner_id=line.partner_id,
            kind=CommissionKind.CORRECTION,
            status=CommissionStatus.APPROVED,
            amount=-line.amount,
            description=reason[:300],
            corrects=line,
            project=line.project,
            approved_at=timezone.now(),
        )
