"""Affiliates, clicks and API keys for the tracking tests."""

import datetime

from django.utils import timezone

from affiliates.models import Affiliate, Click
from affiliates.programme.rules import programme_for
from affiliates.tracking import clicks, conversions
from tests.factories import PartnerFactory

HOME = "https://www.voorbeeld.nl/"
LANDINGS = "https://www.voorbeeld.nl/\nhttps://shop.voorbeeld.nl/acties/"


def programme_with_landings(organisation, *, home=HOME, landings=LANDINGS, **changes):
    programme = programme_for(organisation)
    programme.home_url = home
    programme.landing_urls = landings
    for name, value in changes.items():
        setattr(programme, name, value)
    programme.save()
    return programme


def affiliate_for(organisation, code="blogger-anna", **fields):
    partner = fields.pop("partner", None) or PartnerFactory(organisation=organisation, name=f"Partner {code}")
    return Affiliate.objects.create(organisation=organisation, partner=partner, code=code, **fields)


def click_for(affiliate, *, at=None, source="198.51.100.7"):
    """A click at a given moment (default: now), recorded through the service."""
    at = at or timezone.now()
    click_id = clicks.click_record(
        affiliate=affiliate, ip=source, user_agent="Mozilla/5.0 test", landing=HOME, utm={}, now=at
    )
    return Click.objects.get(click_id=click_id)


def api_key_for(organisation, name="Webshop"):
    api_key, raw = conversions.api_key_create(organisation=organisation, name=name, actor=None)
    return api_key, raw


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


# The conversions API, as a shop calls it.
API_URL = "/api/v1/conversions"


def api_order(**changes):
    """An order body; a field given as None is left out."""
    body = {"customer_reference": "K-1001", "value": "250.00", "date": timezone.localdate().isoformat()}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def api_post(client, raw, body, key="order-1", **headers):
    """POST an order with the API key `raw` and the Idempotency-Key `key` (each left out when empty)."""
    if raw:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(API_URL, body, content_type="application/json", **headers)
