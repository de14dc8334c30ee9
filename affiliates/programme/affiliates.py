"""Affiliates: setting one up (for an existing partner, or a blogger who becomes a partner in the same step),
changing its codes and payout account, and the portal links it reads its figures through.

Link codes are unique across PartnerHub (the redirect `/r/<code>` knows no organisation); coupon codes are
unique per organisation. IBANs are stored compact (NL91ABNA0417164300) and shown in groups of four.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from affiliates.models import (
    Affiliate,
    PortalLink,
    Project,
)
from affiliates.tracking.selectors import click_total
from partnerhub.audit import AuditAction, audit_changes, audit_record, field_changes
from partnerhub.models import Organisation, Partner, PartnerCategory, User
from partnerhub.names import tidy_name
from partnerhub.services import partner_create

PORTAL_LINK_DAYS = 365
AFFILIATE_FIELDS = [
    "code",
    "coupon_code",
    "commission_percent",
    "email",
    "customer_reference",
    "account_holder",
    "iban",
    "is_active",
]
# A blogger or influencer set up from the affiliate page becomes a partner of this category.
BLOGGER_CATEGORY = PartnerCategory.OTHER


class AffiliateError(Exception):
    """A change that breaks a rule of the programme; the message is for the user."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# --- IBAN --------------------------------------------------------------------------------------------------


def iban_compact(value: str | None) -> str:
    """The IBAN without spaces, upper case, or raise AffiliateError with a Dutch-ready message."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return IBAN(value).compact
    except SchwiftyException:
        raise AffiliateError(
            _("This is not a valid IBAN. Check the number, for example NL91 ABNA 0417 1643 00."), "iban"
        ) from None


def iban_formatted(value: str) -> str:
    """The IBAN in groups of four for reading; an invalid stored value is shown as it is."""
    try:
        return IBAN(value).formatted if value else ""
    except SchwiftyException:
        return value


def iban_problem(affiliate: Affiliate | None) -> str:
    """Why this affiliate cannot be paid by bank transfer, or "" when its account is complete and valid."""
    if affiliate is None:
        return _("No payout account: this partner is not set up as an affiliate.")
    if not affiliate.iban:
        return _("No IBAN filled in.")
    try:
        IBAN(affiliate.iban)
    except SchwiftyException:
        return _("The IBAN is not valid.")
    if not affiliate.account_holder.strip():
        return _("No account holder filled in.")
    return ""


def bic_for(iban: str) -> str:
    """The bank's BIC derived from a valid IBAN, or "" when the bank is not in schwifty's registry."""
    try:
        bic = IBAN(iban).bic
    except SchwiftyException:
        return ""
    return str(bic) if bic else ""


# --- codes -------------------------------------------------------------------------------------------------


def code_suggest(name: str, *, exclude_pk: int | None = None) -> str:
    """A free link code made from a name: "Bouwblog Jansen" → "bouwblog-jansen" (or "-2", "-3" …)."""
    base = slugify(name)[:34].strip("-") or "partner"
    if len(base) < 3:
        base = f"{base}-aff"
    taken = set(_others(exclude_pk).filter(code__startswith=base).values_list("code", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _others(exclude_pk: int | None) -> QuerySet[Affiliate]:
    """Every affiliate but the one being changed (all of them for a new one)."""
    affiliates = Affiliate.objects.all()
    return affiliates if exclude_pk is None else affiliates.exclude(pk=exclude_pk)


def _check_unique(
    organisation: Organisation, *, code: str, coupon_code: str, exclude_pk: int | None = None
) -> None:
    others = _others(exclude_pk)
    if others.filter(code=code).exists():
        raise AffiliateError(_("This link code is already in use. Choose another one."), "code")
    if coupon_code and others.filter(organisation=organisation, coupon_code=coupon_code).exists():
        raise AffiliateError(_("This coupon code is already in use by another affiliate."), "coupon_code")


# --- affiliates --------------------------------------------------------------------------------------------


def affiliate_create(
    *,
    organisation: Organisation,
    actor: User | None,
    partner: Partner | None = None,
    new_partner_name: str = "",
    new_partner_category: str = BLOGGER_CATEGORY,
    code: str,
    coupon_code: str = "",
    email: str = "",
    customer_reference: str = "",
    account_holder: str = "",
    iban: str = "",
    commission_percent: Decimal | None = None,
) -> Affiliate:
    """Set up an affiliate for `partner` (of this organisation, not yet an affiliate), or for a new partner
    named `new_partner_name`, created in the same transaction. Nothing is saved when a rule is broken."""
    iban = iban_compact(iban)
    coupon_code = (coupon_code or "").strip().upper()
    try:
        with transaction.atomic():
            if partner is None:
                name = tidy_name(new_partner_name)
                if not name:
                    raise AffiliateError(_("Choose a partner or fill in the name of a new one."), "partner")
                if Partner.objects.filter(organisation=organisation, name__iexact=name).exists():
                    raise AffiliateError(
                        _("A partner with this name already exists: choose it from the list."),
                        "new_partner_name",
                    )
                partner = partner_create(
                    organisation=organisation, actor=actor, name=name, category=new_partner_category
                )
            elif partner.organisation_id != organisation.pk:
                raise AffiliateError(_("Choose a partner of your own organisation."), "partner")
            elif Affiliate.objects.filter(partner=partner).exists():
                raise AffiliateError(_("This partner is already an affiliate."), "partner")
            _check_unique(organisation, code=code, coupon_code=coupon_code)
            affiliate = Affiliate(
                organisation=organisation,
                partner=partner,
                code=code,
                coupon_code=coupon_code,
                email=email,
                customer_reference=customer_reference.strip(),
                account_holder=account_holder.strip(),
                iban=iban,
                commission_percent=commission_percent,
            )
            affiliate.full_clean(exclude=["partner", "organisation"])
            affiliate.save()
            audit_record(
                organisation=organisation,
                actor=actor,
                action=AuditAction.CREATE,
                obj=affiliate,
                partner=partner,
                changes=field_changes(Affiliate(), affiliate, AFFILIATE_FIELDS),
            )
            return affiliate
    except IntegrityError:  # a concurrent request took the code, the coupon or the partner meanwhile
        raise AffiliateError(_("This link code or coupon code was just taken. Try again."), "code") from None


def affiliate_update(*, affiliate: Affiliate, actor: User | None, **fields: Any) -> Affiliate:
    """Change an affiliate's codes, rate, contact and payout account (audited field by field)."""
    if "iban" in fields:
        fields["iban"] = iban_compact(fields["iban"])
    if "coupon_code" in fields:
        fields["coupon_code"] = (fields["coupon_code"] or "").strip().upper()
    try:
        with transaction.atomic():
            before = Affiliate.objects.select_for_update().get(pk=affiliate.pk)
            for name, value in fields.items():
                setattr(affiliate, name, value)
            _check_unique(
                affiliate.organisation,
                code=affiliate.code,
                coupon_code=affiliate.coupon_code,
                exclude_pk=affiliate.pk,
            )
            affiliate.full_clean(exclude=["partner", "organisation"])
            affiliate.save()
            audit_changes(
                organisation=affiliate.organisation,
                actor=actor,
                before=before,
                after=affiliate,
                fields=AFFILIATE_FIELDS,
                partner=affiliate.partner,
            )
            return affiliate
    except IntegrityError:
        raise AffiliateError(_("This link code or coupon code was just taken. Try again."), "code") from None


def affiliates_with_figures(organisation: Organisation) -> QuerySet[Affiliate]:
    """The organisation's affiliates with clicks, conversions and open portal links, each a subquery: one
    query for the whole page however many rows (joins would multiply the counts), and one for where the
    clicks' days end. Their
    balances come from `selectors.balances_by_partner`, the one place that sorts ledger lines into states."""

    def count_of(queryset: QuerySet[Any], group: str) -> Coalesce:
        return Coalesce(
            Subquery(
                queryset.order_by().values(group).annotate(c=Count("pk")).values("c"),
                output_field=IntegerField(),
            ),
            Value(0),
        )

    conversions = Project.objects.filter(partner=OuterRef("partner")).exclude(attribution="")
    return (
        Affiliate.objects.filter(organisation=organisation)
        .select_related("partner")
        .annotate(
            # The days rolled up, the clicks since, and the months pruned (tracking/selectors.py).
            click_count=click_total(organisation),
            conversion_count=count_of(conversions, "partner"),
            # A subquery too, not a join: without GROUP BY the database works out only the rows of the page.
            open_portal_links=count_of(
                PortalLink.objects.filter(
                    affiliate=OuterRef("pk"), revoked_at__isnull=True, expires_at__gt=timezone.now()
                ),
                "affiliate",
            ),
        )
        .order_by("partner__name")
    )


# --- portal links ------------------------------------------------------------------------------------------


def portal_link_create(
    *, affiliate: Affiliate, actor: User | None, days: int = PORTAL_LINK_DAYS
) -> tuple[PortalLink, str]:
    """A new read-only portal link; returns (link, raw token). The raw token is shown once, never stored."""
    link = PortalLink(
        affiliate=affiliate,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    raw = link.issue_token()
    with transaction.atomic():
        link.save()
        audit_record(
            organisation=affiliate.organisation,
            actor=actor,
            action=AuditAction.CREATE,
            obj=link,
            partner=affiliate.partner,
            changes={"expires_at": ["", link.expires_at.date().isoformat()]},
        )
    return link, raw


def portal_link_revoke(*, link: PortalLink, actor: User | None) -> tuple[PortalLink, bool]:
    """Withdraw a portal link (the page answers 410 from then on). Revoking twice changes nothing."""
    with transaction.atomic():
        link = PortalLink.objects.select_for_update().select_related("affiliate__partner").get(pk=link.pk)
        if link.revoked_at is not None:
            return link, False
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        audit_record(
            organisation=link.affiliate.organisation,
            actor=actor,
            action=AuditAction.UPDATE,
            obj=link,
            partner=link.affiliate.partner,
            changes={"revoked_at": ["", link.revoked_at.isoformat(timespec="minutes")]},
        )
        return link, True
