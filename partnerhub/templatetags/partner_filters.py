"""The partner filter of a list page (referrals, co-marketing): a select of every partner."""

import html

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def partner_options(partners, chosen=None) -> SafeString:
    """An <option> per partner, the chosen one selected: one string join rather than a template loop, since
    an organisation has hundreds of partners (`partners` needs only their pk and name)."""
    chosen_pk = chosen.pk if chosen is not None else None
    return mark_safe(  # noqa: S308 - the names are escaped
        "".join(
            f'<option value="{partner.pk}"{" selected" if partner.pk == chosen_pk else ""}>'
            f"{html.escape(partner.name)}</option>"
            for partner in partners
        )
    )
