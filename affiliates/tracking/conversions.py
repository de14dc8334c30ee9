"""Conversions reported by an organisation's webshop or CRM, and the API keys it reports them with.

Rules enforced here (the HTTP layer in `affiliates/api.py` only parses and validates input):

- Exactly once: a conversion carries an idempotency key; the first answer is stored on the `Project`
  (`api_result`) and every repeat with the same key and the same order gets exactly that answer and creates
  nothing; the same key with another order is refused (409). Concurrent repeats are settled by the unique
  constraint (organisation, idempotency_key) and a row lock on the organisation's programme settings.
- Attribution: by click id (from the tracking snippet), else by coupon, else by affiliate code, always within
  the organisation of the API key: another organisation's click or coupon attributes nothing.
- The window is enforced here, from the click's time: an order on the click's day counts as day 0, and
  it is inside the window up to and including day `cookie_window_days` (90: a click on 1 January counts for
  orders up to and including 1 April; 2 April is outside). A coupon or code has no click to date it, so
  its order must be dated on or after the day the programme and the affiliate were set up
  (`before_programme`, `before_affiliate`) and be reported within `cookie_window_days` of its date
  (`outside_window`).
- Plausibility: an order worth more than the programme's `max_order_value` is refused (422, field `value`)
  and nothing is stored; it is almost certainly a typing or unit mistake.
- A commission only on the customer's first order in the organisation (no other project with the same
  customer reference, or the same e-mail address when one is given), never on the affiliate's own order
  (self-referral), never for an inactive affiliate.
- A refund marks the project refunded and takes the commission back through the ledger: rejected while
  unpaid, a negative correction once paid. Refunding twice changes nothing.
"""

import datetime
import hashlib
import json
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from affiliates.ledger import booking
from affiliates.models import (
    Affiliate,
    ApiKey,
    Attribution,
    Click,
    Commission,
    CommissionKind,
    ProgrammeSettings,
    Project,
    ProjectSource,
)
from affiliates.programme.rules import cents, programme_for
from partnerhub.audit import AuditAction, audit_record
from partnerhub.models import Organisation, User
from partnerhub.tokens import token_hash

API_KEY_PREFIX = "phk_"
LAST_USED_EVERY = 60  # seconds: how stale `ApiKey.last_used_at` may be before a request writes it


# ---------------------------------------------------------------------------------------------- API keys


def api_key_create(*, organisation: Organisation, name: str, actor: User | None) -> tuple[ApiKey, str]:
    """A new key: returns (api_key, raw). The raw key is shown once; only its SHA-256 is kept."""
    raw = API_KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        organisation=organisation,
        name=name.strip()[:100],
        prefix=raw[:12],
        key_hash=token_hash(raw),
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit_record(
        organisation=organisation,
        actor=actor,
        action=AuditAction.CREATE,
        obj=api_key,
        changes={"name": ["", api_key.name]},
    )
    return api_key, raw


def api_key_revoke(*, api_key: ApiKey, actor: User | None, now: datetime.datetime | None = None) -> bool:
    """Revoke a key at once; revoking a revoked key changes nothing. Returns whether it was revoked now."""
    now = now or timezone.now()
    revoked = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=now)
    if revoked:
        api_key.revoked_at = now
        audit_record(
            organisation=api_key.organisation,
            actor=actor,
            action=AuditAction.UPDATE,
            obj=api_key,
            changes={"revoked_at": ["", now.isoformat(timespec="seconds")]},
        )
    return bool(revoked)


def api_key_authenticate(raw: str | None, now: datetime.datetime | None = None) -> ApiKey | None:
    """The non-revoked key for a raw bearer token (with its organisation), or None.

    `last_used_at` is written at most once a minute per key, so a busy shop does not write on every call."""
    if not raw or len(raw) > 200 or not raw.startswith(API_KEY_PREFIX):
        return None
    api_key = (
        ApiKey.objects.select_related("organisation")
        .filter(key_hash=token_hash(raw), revoked_at__isnull=True)
        .first()
    )
    if api_key is None:
        return None
    now = now or timezone.now()
    if api_key.last_used_at is None or (now - api_key.last_used_at).total_seconds() > LAST_USED_EVERY:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key


# -------------------------------------------------------------------------------------------- conversions


class Reason:
    """Why an order earned no commission: machine-readable, documented in the API."""

    NO_ATTRIBUTION = "no_attribution"
    UNKNOWN_CLICK = "unknown_click"
    UNKNOWN_COUPON = "unknown_coupon"
    UNKNOWN_CODE = "unknown_code"
    OUTSIDE_WINDOW = "outside_window"
    AFFILIATE_INACTIVE = "affiliate_inactive"
    SELF_REFERRAL = "self_referral"
    NOT_FIRST_ORDER = "not_first_order"
    BEFORE_PROGRAMME = "before_programme"
    BEFORE_AFFILIATE = "before_affiliate"


REASON_TEXT: dict[str | None, str] = {  # no reason (None): the default text of `_record`
    Reason.NO_ATTRIBUTION: "The order names no click id, coupon or affiliate code.",
    Reason.UNKNOWN_CLICK: "The click id is not one of this organisation's clicks.",
    Reason.UNKNOWN_COUPON: "The coupon is not one of this organisation's affiliate coupons.",
    Reason.UNKNOWN_CODE: "The affiliate code is not one of this organisation's affiliates.",
    Reason.OUTSIDE_WINDOW: "The order came outside the attribution window of the click.",
    Reason.AFFILIATE_INACTIVE: "The affiliate is no longer active.",
    Reason.SELF_REFERRAL: "The customer is the affiliate itself: no commission on its own orders.",
    Reason.NOT_FIRST_ORDER: "The customer ordered before: commission is only paid on a first order.",
    Reason.BEFORE_PROGRAMME: "The order is dated before the affiliate programme started.",
    Reason.BEFORE_AFFILIATE: "The order is dated before the affiliate joined the programme.",
}
# A coupon or code has no click: its window runs from the order's date to the day it is reported.
COUPON_OUTSIDE_WINDOW = "The order is dated more than the attribution window before the day it was reported."


@dataclass(frozen=True)
class Order:
    """A validated conversion request."""

    idempotency_key: str
    customer_reference: str
    value: Decimal  # at most 2 places, >= 0
    date: datetime.date  # not in the future
    customer_email: str = ""
    click_id: str = ""
    coupon: str = ""
    code: str = ""

    def fingerprint(self) -> str:
        """What makes two requests "the same order": compared when an idempotency key comes again."""
        canonical = {
            "customer_reference": self.customer_reference,
            "customer_email": self.customer_email.lower(),
            "value": str(cents(self.value)),
            "date": self.date.isoformat(),
            "click_id": self.click_id,
            "coupon": self.coupon.upper(),
            "code": self.code.lower(),
        }
        return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Outcome:
    """An API answer: the HTTP status and the JSON body."""

    status: int
    body: dict[str, Any]


def _stored(project: Project, order: Order) -> Outcome:
    """The first answer for this key, or a 409 when the key comes back with another order."""
    result = project.api_result or {}
    if result.get("fingerprint") != order.fingerprint():
        return Outcome(
            409,
            {
                "error": "idempotency_key_reused",
                "detail": "This idempotency key was used for another order. Use a new key for a new order.",
                "project_id": project.pk,
            },
        )
    return Outcome(result["status"], json.loads(result["response"]))


def _attribute(
    organisation: Organisation, order: Order
) -> tuple[Affiliate | None, str, Click | None, str | None]:
    """(affiliate, method, click, reason): who the order is attributed to, within this organisation only."""
    reason = Reason.NO_ATTRIBUTION
    if order.click_id:
        click = (
            Click.objects.select_related("affiliate")
            .filter(organisation=organisation, click_id=order.click_id)
            .first()
        )
        if click is not None:
            return click.affiliate, Attribution.CLICK, click, None
        reason = Reason.UNKNOWN_CLICK
    if order.coupon:
        affiliate = Affiliate.objects.filter(
            organisation=organisation, coupon_code=order.coupon.upper()
        ).first()
        if affiliate is not None:
            return affiliate, Attribution.COUPON, None, None
        reason = reason if reason != Reason.NO_ATTRIBUTION else Reason.UNKNOWN_COUPON
    if order.code:
        affiliate = Affiliate.objects.filter(organisation=organisation, code=order.code.lower()).first()
        if affiliate is not None:
            return affiliate, "code", None, None
        reason = reason if reason != Reason.NO_ATTRIBUTION else Reason.UNKNOWN_CODE
    return None, "", None, reason


def value_refusal(programme: ProgrammeSettings, order: Order) -> Outcome | None:
    """The 422 for an order above the programme's highest order value, or None when the value is plausible."""
    if cents(order.value) <= programme.max_order_value:
        return None
    return Outcome(
        422,
        {
            "error": "validation_error",
            "detail": "The request is not valid; nothing was stored.",
            "errors": [
                {
                    "field": "value",
                    "message": f"Higher than this programme's highest order value "
                    f"({programme.max_order_value}). Check the value is in euros, not cents.",
                }
            ],
        },
    )


def _dating_refusal(
    programme: ProgrammeSettings, affiliate: Affiliate, order: Order, today: datetime.date
) -> tuple[str | None, str | None]:
    """Why a coupon or code order's date earns nothing (a reason and its detail), or (None, None)."""
    if order.date < timezone.localdate(programme.created_at):
        return Reason.BEFORE_PROGRAMME, None
    if order.date < timezone.localdate(affiliate.created_at):
        return Reason.BEFORE_AFFILIATE, None
    if (today - order.date).days > programme.cookie_window_days:
        return Reason.OUTSIDE_WINDOW, COUPON_OUTSIDE_WINDOW
    return None, None


def window_days(click: Click, order_date: datetime.date) -> int:
    """Days from the click (its local date, day 0) to the order."""
    return (order_date - timezone.localdate(click.created_at)).days


def _is_self_referral(affiliate: Affiliate, order: Order) -> bool:
    own_reference = affiliate.customer_reference.strip().lower()
    own_email = affiliate.email.strip().lower()
    return bool(
        (own_reference and order.customer_reference.strip().lower() == own_reference)
        or (own_email and order.customer_email and order.customer_email.lower() == own_email)
    )


def _is_first_order(organisation: Organisation, order: Order) -> bool:
    others = Q(customer_reference=order.customer_reference)
    if order.customer_email:
        others |= Q(customer_email__iexact=order.customer_email)
    return not Project.objects.filter(Q(organisation=organisation) & others).exists()


def _commission_body(line: Commission | None) -> dict[str, Any] | None:
    if line is None:
        return None
    return {"id": line.pk, "amount": str(line.amount), "status": line.status, "percent": str(line.percent)}


def conversion_record(
    *, organisation: Organisation, order: Order, now: datetime.datetime | None = None
) -> Outcome:
    """Record an order reported through the API, and the affiliate's commission when it earns one.

    Returns an `Outcome` (201 for a new order, the stored first answer for a repeat, 409 for a reused key).
    """
    existing = Project.objects.filter(
        organisation=organisation, idempotency_key=order.idempotency_key
    ).first()
    if existing is not None:
        return _stored(existing, order)
    try:
        with transaction.atomic():
            programme = programme_for(organisation)
            # Conversions of one organisation are serialised: the first-order rule and the idempotency key
            # are checked while no other conversion of the organisation is being written.
            programme = ProgrammeSettings.objects.select_for_update().get(pk=programme.pk)
            existing = Project.objects.filter(
                organisation=organisation, idempotency_key=order.idempotency_key
            ).first()
            if existing is not None:
                return _stored(existing, order)
            refusal = value_refusal(programme, order)
            if refusal is not None:
                return refusal
            return _record(organisation, programme, order, now or timezone.now())
    except IntegrityError:
        # A concurrent request with the same key won the race (the unique constraint): answer as it did.
        existing = Project.objects.get(organisation=organisation, idempotency_key=order.idempotency_key)
        return _stored(existing, order)


def _record(
    organisation: Organisation, programme: ProgrammeSettings, order: Order, now: datetime.datetime
) -> Outcome:
    affiliate, method, click, reason = _attribute(organisation, order)
    attribution: dict[str, Any] | None = None
    detail = None
    if affiliate is not None:
        attribution = {"method": method, "affiliate": affiliate.code}
        if click is None:
            attribution["window_days"] = programme.cookie_window_days
            reason, detail = _dating_refusal(programme, affiliate, order, timezone.localdate(now))
        else:
            days = window_days(click, order.date)
            attribution.update(
                click_id=click.click_id,
                clicked_at=click.created_at.isoformat(timespec="seconds"),
                days_since_click=days,
                window_days=programme.cookie_window_days,
            )
            if not 0 <= days <= programme.cookie_window_days:
                reason = Reason.OUTSIDE_WINDOW
        if reason is None and not affiliate.is_active:
            reason = Reason.AFFILIATE_INACTIVE
        if reason is None and _is_self_referral(affiliate, order):
            reason = Reason.SELF_REFERRAL
    # Only an order the affiliate may be credited with counts for its partner (and its tier).
    credited_to = affiliate if reason is None else None
    credited = credited_to is not None
    first_order = _is_first_order(organisation, order)
    if credited and not first_order:
        reason = Reason.NOT_FIRST_ORDER
    project = Project.objects.create(
        organisation=organisation,
        partner_id=credited_to.partner_id if credited_to is not None else None,
        customer_reference=order.customer_reference,
        customer_email=order.customer_email,
        value=cents(order.value),
        date=order.date,
        source=ProjectSource.API,
        # An affiliate code named at checkout is kept like a coupon: the shop named the affiliate.
        attribution=(Attribution.CLICK if method == Attribution.CLICK else Attribution.COUPON)
        if credited
        else "",
        click=click if credited else None,
        idempotency_key=order.idempotency_key,
    )
    commission = None
    if credited_to is not None and reason is None:
        percent = credited_to.commission_rate(programme)
        commission = booking.commission_create(project=project, percent=percent, programme=programme)
    body: dict[str, Any] = {
        "project_id": project.pk,
        "idempotency_key": order.idempotency_key,
        "customer_reference": order.customer_reference,
        "value": str(project.value),
        "date": order.date.isoformat(),
        "first_order": first_order,
        "attribution": attribution,
        # Whether the order is booked on the partner (its tier counts it), with or without a commission.
        "counts_for_partner": credited,
        "credited": credited,  # the former name of counts_for_partner, kept for existing clients
        "commission": _commission_body(commission),
        "reason": reason,
        "detail": detail or REASON_TEXT.get(reason, "Commission created."),
        "recorded_at": now.isoformat(timespec="seconds"),
    }
    # The answer is kept as JSON text: a JSON column (jsonb) would reorder its keys, and a repeat must get
    # exactly the first answer.
    project.api_result = {"fingerprint": order.fingerprint(), "status": 201, "response": json.dumps(body)}
    project.save(update_fields=["api_result"])
    return Outcome(201, body)


def conversion_state(*, organisation: Organisation, idempotency_key: str) -> dict[str, Any] | None:
    """An order of this organisation as it stands now, or None for an unknown key.

    What was decided when it was recorded (attribution, first order, reason) comes from the first answer;
    the commission's status, the refund and the correction of a paid commission are read now. (A repeated
    POST still gets the first answer exactly: `conversion_record`.)"""
    project = Project.objects.filter(organisation=organisation, idempotency_key=idempotency_key).first()
    if project is None or not project.api_result:
        return None
    first = json.loads(project.api_result["response"])
    line = Commission.objects.filter(project=project, kind=CommissionKind.COMMISSION).first()
    correction = line.corrections.order_by("pk").first() if line is not None else None
    counts = first.get("counts_for_partner", first.get("credited"))
    detail = first["detail"]
    if project.refunded_at is not None:
        if correction is not None:
            detail = "The order was refunded; a negative line takes back the commission already paid."
        elif line is not None:
            detail = "The order was refunded; its commission was rejected."
        else:
            detail = "The order was refunded."
    return {
        **first,
        "customer_reference": project.customer_reference,
        "value": str(project.value),
        "date": project.date.isoformat(),
        "counts_for_partner": counts,
        "credited": counts,
        "commission": _commission_body(line),
        "detail": detail,
        "refunded_at": None
        if project.refunded_at is None
        else project.refunded_at.isoformat(timespec="seconds"),
        "correction": None
        if correction is None
        else {"id": correction.pk, "amount": str(correction.amount), "status": correction.status},
    }


def conversion_refund(
    *,
    organisation: Organisation,
    idempotency_key: str,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> Outcome | None:
    """Mark the order refunded and take its commission back (rejected while unpaid, a negative correction
    once paid). Repeating it changes nothing and answers the same. None for an unknown key."""
    now = now or timezone.now()
    with transaction.atomic():
        project = (
            Project.objects.select_for_update()
            .filter(organisation=organisation, idempotency_key=idempotency_key)
            .first()
        )
        if project is None:
            return None
        if project.refunded_at is None:
            project.refunded_at = now
            project.save(update_fields=["refunded_at"])
        line = Commission.objects.filter(project=project, kind=CommissionKind.COMMISSION).first()
        correction = None
        if line is not None:
            text = reason.strip() or _("Order %(customer)s refunded") % {
                "customer": project.customer_reference
            }
            correction = booking.claw_back(line=line, reason=text)
            line.refresh_from_db()
            if correction is None:
                correction = line.corrections.order_by("pk").first()
    return Outcome(
        200,
        {
            "project_id": project.pk,
            "idempotency_key": idempotency_key,
            "refunded_at": project.refunded_at.isoformat(timespec="seconds"),
            "commission": _commission_body(line),
            "correction": None
            if correction is None
            else {"id": correction.pk, "amount": str(correction.amount), "status": correction.status},
        },
    )
