"""Money formatting, the one place: `{{ amount|euro }}` → "€ 1.234,50" in Dutch, "€1,234.50" in English."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language

register = template.Library()


@register.filter
def euro(value, decimals=2):
    """A Decimal amount in euros for the active language; decimals=0 drops the cents."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    text = number_format(amount, decimal_pos=int(decimals), use_l10n=True, force_grouping=True)
    if (get_language() or "nl").startswith("nl"):
        return f"€\u00a0{text}"
    return f"€{text}"
