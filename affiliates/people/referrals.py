"""Referrals: the leads a partner (an estate agent, usually) passes on, and the one fee a won lead earns.

The pipeline is new → qualified → won, or lost on the way:

    new        → qualified, lost
    qualified  → new, won, lost
    won        → lost   (the deal fell through after all: the fee is taken back, see below)
    lost       → new    (reopened; only while the lead never earned a fee)

Moving a referral to "won" accrues exactly one referral fee (`referral_fee_accrue`): the referral's
row is locked while its status changes, so two "won" at once wait for each other and the second finds the
referral won already; the unique constraint `commission_one_fee_per_referral` is the last guard.

Won → lost claws the fee back (`claw_back`): an unpaid fee is rejected with the reason, a paid fee
gets a negative correction line that the next payout nets. A referral whose fee was taken back stays lost:
reopening it could never earn a second fee (one fee per referral), so it is refused.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from affiliates.ledger.booking import claw_back, referral_fee_accrue
from affiliates.models import Commission, CommissionKind, Referral, ReferralStatus
from partnerhub.audit import AuditAction, audit_changes, audit_record
from partnerhub.models import Organisation, Partner, User

NEW, QUALIFIED, WON, LOST = (
    ReferralStatus.NEW,
    ReferralStatus.QUALIFIED,
    ReferralStatus.WON,
    ReferralStatus.LOST,
)

# A referral's status (a `ReferralStatus` value, as the model stores it) → the statuses it may move to.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    NEW: (QUALIFIED, LOST),
    QUALIFIED: (NEW, WON, LOST),
    WON: (LOST,),
    LOST: (NEW,),
}

EDITABLE = ("partner", "lead_name", "lead_email", "lead_phone", "notes")


class ReferralRefused(Exception):
    """A status change the pipeline does not allow; `message` says why, for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def with_fees(queryset: QuerySet[Referral]) -> QuerySet[Referral]:
    """Referrals with their referral fee (or None) as `.fee`, in one extra query for the whole page."""
    return queryset.select_related("partner").prefetch_related(
        Prefetch(
            "commissions",
            queryset=Commission.objects.filter(kind=CommissionKind.REFERRAL_FEE).prefetch_related(
                "corrections"
            ),
            to_attr="fee_lines",
        )
    )


def fee_of(referral: Referral) -> Commission | None:
    lines = getattr(referral, "fee_lines", None)
    if lines is None:
        lines = list(referral.commissions.filter(kind=CommissionKind.REFERRAL_FEE))
    return lines[0] if lines else None


def status_counts(organisation: Organisation, partner: Partner | None = None) -> dict[str, int]:
    """{status: count} of the organisation's referrals (of one partner, when given): one query."""
    queryset = Referral.objects.filter(organisation=organisation)
    if partner is not None:
        queryset = queryset.filter(partner=partner)
    counts = dict(queryset.order_by().values_list("status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in ReferralStatus.values}


def next_statuses(referral: Referral) -> list[str]:
    """The statuses this referral may move to now (a lost referral that earned a fee stays lost)."""
    allowed = list(TRANSITIONS[referral.status])
    if referral.status == LOST and fee_of(referral) is not None:
        allowed.remove(NEW)
    return allowed


def _check_contact(lead_email: str | None, lead_phone: str | None) -> None:
    if not (lead_email or "").strip() and not (lead_phone or "").strip():
        raise ValidationError(_("Give an e-mail address or a phone number of the lead."))


@transaction.atomic
def referral_create(
    *,
    organisation: Organisation,
    actor: User | None,
    partner: Partner,
    lead_name: str,
    lead_email: str = "",
    lead_phone: str = "",
    notes: str = "",
) -> Referral:
    """A new lead from `partner` (of this organisation), status new. A lead needs an e-mail address or a
    phone number."""
    if partner.organisation_id != organisation.pk:
        raise ValidationError(_("Choose a partner of your organisation."))
    _check_contact(lead_email, lead_phone)
    referral = Referral(
        organisation=organisation,
        partner=partner,
        lead_name=lead_name.strip(),
        lead_email=lead_email.strip(),
        lead_phone=lead_phone.strip(),
        notes=notes,
        created_by=actor,
    )
    referral.full_clean()
    referral.save()
    audit_record(
        organisation=organisation,
        actor=actor,
        action=AuditAction.CREATE,
        obj=referral,
        partner=partner,
        changes={"lead_name": ["", referral.lead_name], "status": ["", referral.status]},
    )
    return referral


@transaction.atomic
def referral_update(*, referral: Referral, actor: User | None, **fields: Any) -> Referral:
    """Change the lead's details (not its status: see `referral_status_change`). Changing the partner of
    a referral that earned a fee is refused: the fee belongs to the partner that brought the lead."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    before = Referral.objects.select_for_update().order_by().get(pk=referral.pk)
    partner = fields.get("partner", before.partner)
    if partner.organisation_id != before.organisation_id:
        raise ValidationError(_("Choose a partner of your organisation."))
    if partner.pk != before.partner_id and fee_of(before) is not None:
        raise ValidationError(
            _("This referral earned a fee for %(partner)s; its partner can no longer change.")
            % {"partner": before.partner.name}
        )
    _check_contact(fields.get("lead_email", before.lead_email), fields.get("lead_phone", before.lead_phone))
    after = Referral.objects.get(pk=referral.pk)
    for name, value in fields.items():
        setattr(after, name, value.strip() if isinstance(value, str) and name != "notes" else value)
    after.full_clean()
    after.save(update_fields=list(fields))
    audit_changes(
        organisation=after.organisation,
        actor=actor,
        before=before,
        after=after,
        fields=list(fields),
        partner=after.partner,
    )
    return after


def referral_status_change(
    *, referral: Referral, status: str, actor: User | None, reason: str | None = ""
) -> tuple[Referral, Commission | None]:
    """Move a referral along the pipeline (see the module's docstring). Returns (referral, fee): the fee
    line when the referral is won (the existing one if it was won already), else None.

    Moving to the status it already has changes nothing (a double-submitted "won" accrues no second fee).
    Lost needs a reason. Raises `ReferralRefused` for a move the pipeline does not allow.
    """
    if status not in ReferralStatus.values:
        raise ReferralRefused(_("Unknown status."))
    reason = (reason or "").strip()
    with transaction.atomic():
        # The lock serialises two status changes of one referral: the second sees what the first did.
        locked = Referral.objects.select_for_update().order_by().get(pk=referral.pk)
        fee = Commission.objects.filter(referral=locked, kind=CommissionKind.REFERRAL_FEE).first()
        if locked.status == status:
            return locked, fee if status == WON else None
        allowed = TRANSITIONS[locked.status]
        if status not in allowed:
            raise ReferralRefused(
                _("A referral that is %(current)s cannot become %(new)s.")
                % {
                    "current": locked.get_status_display().lower(),
                    "new": ReferralStatus(status).label.lower(),
                }
            )
        if status == LOST and not reason:
            raise ReferralRefused(_("Say why the lead was lost."))
        if locked.status == LOST and status == NEW and fee is not None:
            raise ReferralRefused(
                _("This referral's fee was taken back; it stays lost. Register the lead again if it returns.")
            )
        before_reason = locked.lost_reason
        previous = locked.status
        locked.status = status
        locked.lost_reason = reason[:300] if status == LOST else ""
        locked.status_changed_at = timezone.now()
        locked.save(update_fields=["status", "lost_reason", "status_changed_at"])
        changes: dict[str, list[str]] = {"status": [previous, locked.status]}
        if before_reason != locked.lost_reason:
            changes["lost_reason"] = [before_reason, locked.lost_reason]
        result = None
        if status == WON:
            result, _created = referral_fee_accrue(referral=locked)
        elif previous == WON and fee is not None:
            claw_back(
                line=fee,
                reason=_("Referral %(lead)s lost: %(reason)s") % {"lead": locked.lead_name, "reason": reason},
            )
        audit_record(
            organisation=locked.organisation,
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            partner=locked.partner,
            changes=changes,
        )
        return locked, result
