"""Matrix pieces shown on other apps' pages: the partner page lists the partner's row in every matrix."""

from django import template

from matrix import selectors
from matrix.models import CELL_FIELDS, MatrixRow

register = template.Library()


@register.inclusion_tag("matrix/partials/partner_rows.html", takes_context=True)
def partner_matrix_rows(context, partner):
    rows = MatrixRow.objects.filter(matrix__organisation_id=partner.organisation_id, partner=partner)
    rows = rows.select_related("matrix").order_by("-matrix__date", "-matrix__pk")
    return {
        "organisation": context["organisation"],
        "partner": partner,
        "lines": [{"row": row, "cells": [selectors.cell(row, name) for name in CELL_FIELDS]} for row in rows],
    }
