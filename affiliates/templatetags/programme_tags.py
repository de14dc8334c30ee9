"""The programme on other pages: a partner's tier, discount, distance to the next tier and KPI lights."""

from django import template

from affiliates.models import Affiliate
from affiliates.tiers.kpis import partner_kpis

register = template.Library()


@register.inclusion_tag("affiliates/tiers/partials/partner_programme.html", takes_context=True)
def partner_programme(context, partner):
    """The partner page's programme block, in six queries (`tiers.kpis.partner_kpis` and the affiliate)."""
    return {
        "organisation": context.get("organisation"),
        "can_write": context.get("can_write"),
        "partner": partner,
        "figures": partner_kpis(partner),
        "affiliate": Affiliate.objects.filter(partner=partner).first(),
        "request": context.get("request"),
    }
