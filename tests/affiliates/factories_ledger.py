"""Builders for the ledger tests: affiliates with a payout account, ledger lines, clicks and orders."""

import datetime
import itertools
import secrets
from decimal import Decimal

from django.utils import timezone

from affiliates.models import (
    Affiliate,
    Attribution,
    Click,
    Commission,
    CommissionKind,
    CommissionStatus,
    PortalLink,
    Project,
)
from affiliates.programme.rules import programme_for
from tests.factories import PartnerFactory

IBANS = ["NL91ABNA0417164300", "NL20INGB0001234567", "NL69INGB0123456789", "NL44RABO0123456789"]
_n = itertools.count(1)


def affiliate(organisation, *, name=None, iban=IBANS[0], account_holder=None, **fields):
    n = next(_n)
    partner = PartnerFactory(organisation=organisation, name=name or f"Blogger {n}", category="other")
    return Affiliate.objects.create(
        organisation=organisation,
        partner=partner,
        code=fields.pop("code", f"blog-{organisation.pk}-{n}"),
        iban=iban,
        account_holder=partner.name if account_holder is None else account_holder,
        **fields,
    )


def line(partner, amount, *, status=CommissionStatus.APPROVED, kind=CommissionKind.COMMISSION, **fields):
    return Commission.objects.create(
        organisation_id=partner.organisation_id,
        partner=partner,
        kind=kind,
        status=status,
        amount=Decimal(amount),
        description=fields.pop("description", f"line {next(_n)}"),
        **fields,
    )


def order(partner, value, *, date=None, attribution=Attribution.COUPON, customer=None):
    return Project.objects.create(
        organisation_id=partner.organisation_id,
        partner=partner,
        customer_reference=customer or f"klant-{next(_n)}",
        value=Decimal(value),
        date=date or timezone.localdate(),
        attribution=attribution,
    )


def clicks(affiliate, moments):
    Click.objects.bulk_create(
        Click(
            organisation_id=affiliate.organisation_id,
            affiliate=affiliate,
            click_id=secrets.token_hex(16),
            created_at=moment,
            source_hash=f"h{n}-{secrets.token_hex(4)}",
            dedup_bucket=i,
        )
        for (i, moment), n in zip(enumerate(moments), _n, strict=False)
    )


def portal_link(affiliate, *, days=365, revoked=False):
    link = PortalLink(affiliate=affiliate, expires_at=timezone.now() + datetime.timedelta(days=days))
    raw = link.issue_token()
    if revoked:
        link.revoked_at = timezone.now()
    link.save()
    return link, raw


def paying_account(organisation, **changes):
    programme = programme_for(organisation)
    programme.debtor_name = changes.get("name", "Tinnitracks BV")
    programme.debtor_iban = changes.get("iban", "NL44RABO0123456789")
    programme.debtor_bic = changes.get("bic", "RABONL2U")
    programme.save()
    return programme
