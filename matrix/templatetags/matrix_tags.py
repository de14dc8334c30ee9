"""Matrix pieces: the partner's row in every matrix (on the partner page), and the grid's cells."""

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

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


@register.simple_tag
def cell_url(organisation, row):
    """The address of a row's cells, reversed once per row rather than once per cell (a 200-row matrix has
    1,600 cells, and reversing a URL costs more than the rest of a cell)."""
    url = row.__dict__.get("_cell_url")
    if url is None:
        url = row.__dict__["_cell_url"] = reverse(
            "matrix:cell", args=[organisation.slug, row.matrix_id, row.pk]
        )
    return url


@register.simple_tag
def matrix_cell(organisation, row, cell, can_write):
    """One cell of the grid as shown (not being edited): its items, or an empty cell to click into. Built here
    rather than in the template because the grid shows 8 cells a row: on a 200-row matrix the template version
    was most of the page's time. The grid's `cell` partial (also the htmx fragment after a save) calls it."""
    editing = ""
    if can_write:
        editing = format_html(
            ' tabindex="0" title="{}"\n        hx-get="{}?field={}" hx-trigger="click" hx-swap="outerHTML"',
            gettext("Click or press Enter to edit"),
            cell_url(organisation, row),
            cell.field,
        )
    if cell.items:
        body = format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((item,) for item in cell.items))
        )
    elif can_write:
        body = format_html(
            '<span class="cell-add" aria-hidden="true">+</span><span class="sr-only">{}</span>',
            gettext("empty"),
        )
    else:
        body = format_html('<span class="sr-only">{}</span>', gettext("empty"))
    return format_html(
        '<td id="cell-{}-{}" class="cell side-{}{}"{}>\n'
        '        <span class="sr-only">{} · {}:</span>\n        {}\n      </td>',
        row.pk,
        cell.field,
        cell.side,
        "" if cell.items else " cell-empty",
        editing,
        row.partner.name,
        cell.label,
        body,
    )
