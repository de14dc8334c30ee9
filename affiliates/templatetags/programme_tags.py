"""The programme on other pages: a partner's tier, discount, distance to the next tier and KPI lights."""

from django import template
from django.template.defaultfilters import floatformat
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from affiliates.models import Affiliate
from affiliates.tiers.kpis import Kpi, partner_kpis
from partnerhub.templatetags.money import euro

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


_TRENDS = {
    "up": ("trend-up", _("better than the 3 months before"), _("rising"), "↑"),
    "down": ("trend-down", _("worse than the 3 months before"), _("falling"), "↓"),
    "flat": ("trend-flat", _("as the 3 months before"), _("steady"), "→"),
}


def _kpi_value(kpi: Kpi) -> str:
    value = kpi.value
    if value is None:
        return "–"
    if kpi.unit == "euro":
        return escape(euro(value))
    if kpi.unit == "percent":
        return f"{floatformat(value, 1)} %"
    if kpi.unit == "pace":
        return floatformat(value, 2)
    return escape(localize(value))


def _sparkline(kpi: Kpi) -> str:
    """A KPI's last 6 months as a small line chart (geometry from `tiers.kpis.sparkline`)."""
    spark = kpi.spark
    if not spark.last:
        return ""
    # As {% blocktranslate %}: the translation is trusted text, the value in it is escaped.
    label = gettext("%(label)s, last 6 months") % {"label": escape(kpi.label)}
    stroke = 'fill="none" stroke="#0f766e" stroke-width="1.5" stroke-linejoin="round" stroke-linecap="round"'
    lines = "".join(f'<polyline points="{escape(points)}" {stroke}/>' for points in spark.lines)
    dots = "".join(f'<circle cx="{x}" cy="{y}" r="1.5" fill="#0f766e"/>' for x, y in spark.dots)
    width, height = spark.width, spark.height
    return (
        f'<svg class="sparkline" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" role="img" aria-label="{label}"><title>{label}</title>'
        f'{lines}{dots}<circle cx="{spark.last[0]}" cy="{spark.last[1]}" r="2.2" fill="#0f766e"/></svg>'
    )


@register.simple_tag
def kpi_cell(kpi: Kpi) -> str:
    """One KPI: its light, value, trend arrow and sparkline. Written here rather than by a template include
    (and two more inside it): the KPI overview shows five a partner; the includes were most of its time."""
    light_label = escape(kpi.light_label)
    trend = ""
    if kpi.trend in _TRENDS:
        css, title, aria_label, arrow = _TRENDS[kpi.trend]
        title, aria_label = escape(title), escape(aria_label)
        trend = f'<span class="trend {css}" title="{title}" aria-label="{aria_label}">{arrow}</span>'
    return mark_safe(  # noqa: S308 - every value and word is escaped above
        '<span class="kpi-cell">\n  <span class="kpi-line">\n'
        f'    <span class="light light-{kpi.light}" role="img" aria-label="{light_label}"'
        f' title="{light_label}"></span>\n'
        f'    <span class="kpi-value">{_kpi_value(kpi)}</span>\n'
        f"    {trend}\n  </span>\n  {_sparkline(kpi)}\n</span>"
    )
