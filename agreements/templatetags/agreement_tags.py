"""Agreement pieces on other pages: a partner's collaborations on its page."""

from django import template

from agreements.models import Party

register = template.Library()


@register.inclusion_tag("agreements/partials/partner_agreements.html", takes_context=True)
def partner_agreements(context, partner):
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
