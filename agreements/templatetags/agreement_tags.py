"""Agreement pieces on other pages: a partner's collaborations on its page."""

from typing import Any

from django import template
from django.template.context import Context

from agreements.models import Party
from partnerhub.models import Partner

register = template.Library()


@register.inclusion_tag("agreements/partials/partner_agreements.html", takes_context=True)
def partner_agreements(context: Context, partner: Partner) -> dict[str, Any]:
    """The agreements the partner takes part in, newest first, with its own share and whether it leads."""
    parties = (
        Party.objects.filter(partner=partner, agreement__organisation_id=partner.organisation_id)
        .select_related("agreement__organisation")
        .order_by("-agreement__updated_at", "-agreement__pk")
    )
    rows = [(party.agreement, party) for party in parties]
    return {
        "organisation": context.get("organisation"),
        "partner": partner,
        "rows": rows,
        "can_write": context.get("can_write"),
    }
