"""Matrix pieces: the partner's row in every matrix (on the partner page), and the grid's cells."""

import functools
import html
from collections.abc import Callable
from dataclasses import dataclass

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from matrix import selectors
from matrix.models import CELL_FIELDS, MatrixRow, ValueKind

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


def _url_of_rows(name: str, *args: object) -> Callable[[int], str]:
    """The address of URL `name` for any row id, its last argument: reversed once with a stand-in id whose
    digits are then replaced (a 200-row grid has 800 row addresses, and reversing costs more than a cell).
    Falls back to reversing each time if the stand-in's digits happen to occur elsewhere in the address."""
    stand_in = "9081726354"
    url = reverse(name, args=[*args, int(stand_in)])
    if url.count(stand_in) != 1:
        return lambda row_id: reverse(name, args=[*args, row_id])
    before, _, after = url.partition(stand_in)
    return lambda row_id: f"{before}{row_id}{after}"


@dataclass(frozen=True)
class _GridWords:
    """The grid's fixed words in one language, escaped once for the whole grid instead of once a row."""

    edit: str
    empty: str
    partnership: str
    brings_nothing: str
    gets_nothing: str
    not_filled_in: str
    move_up: str
    move_down: str
    remove: str
    brings_gets: str
    move_name_up: str
    move_name_down: str
    remove_name: str
    kinds: dict[str, str]  # the value kinds' labels (a cell's screen-reader label)


@functools.cache
def _grid_words(language: str | None) -> _GridWords:
    with translation.override(language):
        return _GridWords(
            edit=escape(gettext("Click or press Enter to edit")),
            empty=escape(gettext("empty")),
            partnership=escape(gettext("A partnership lasts when both sides gain from it.")),
            brings_nothing=escape(gettext("brings nothing")),
            gets_nothing=escape(gettext("gets nothing")),
            not_filled_in=escape(gettext("not filled in yet")),
            move_up=escape(gettext("Move up")),
            move_down=escape(gettext("Move down")),
            remove=escape(gettext("Remove from the matrix")),
            # Translations are trusted text, as in {% blocktranslate %}: only the values are escaped.
            brings_gets=gettext("brings %(brings)s/4 · gets %(gets)s/4"),
            move_name_up=gettext("Move %(name)s up"),
            move_name_down=gettext("Move %(name)s down"),
            remove_name=gettext("Remove %(name)s from the matrix"),
            kinds={kind: escape(str(label)) for kind, label in ValueKind.choices},
        )


class _GridAddresses:
    """A grid's row addresses, reversed once per grid (kept on the row while a page renders)."""

    def __init__(self, organisation, matrix_id):
        self.partner = _url_of_rows("partner_detail", organisation.slug)
        self.cell = _url_of_rows("matrix:cell", organisation.slug, matrix_id)
        self.move = _url_of_rows("matrix:row_move", organisation.slug, matrix_id)
        self.remove = _url_of_rows("matrix:row_remove", organisation.slug, matrix_id)


def _addresses(context, organisation, row) -> _GridAddresses:
    cache = context.render_context.setdefault("matrix_grid_addresses", {})
    key = (organisation.slug, row.matrix_id)
    if key not in cache:
        cache[key] = _GridAddresses(organisation, row.matrix_id)
    return cache[key]


@register.simple_tag(takes_context=True)
def cell_url(context, organisation, row):
    """The address of a row's cells."""
    return _addresses(context, organisation, row).cell(row.pk)


@register.simple_tag(takes_context=True)
def matrix_row_head(context, organisation, row, can_write):
    """A row's header (its partner, how many kinds each side has, a one-sided badge, the move and remove
    buttons), built here for the same reason as the cells: the template version cost more than the cells.
    The grid's `rowhead` partial (also swapped in out of band after a save) calls it."""
    words = _grid_words(translation.get_language())
    addresses = _addresses(context, organisation, row)
    name = html.escape(row.partner.name)
    brings, gets = row.brings_count, row.gets_count
    brings_nothing, gets_nothing = brings == 0, gets == 0
    if brings_nothing != gets_nothing:
        nothing = words.brings_nothing if brings_nothing else words.gets_nothing
        badge = f'<span class="badge badge-warning" title="{words.partnership}">{nothing}</span>'
    elif brings_nothing:
        badge = f'<span class="badge">{words.not_filled_in}</span>'
    else:
        badge = ""
    tools = ""
    if can_write:
        form = f'<form method="post" action="{addresses.move(row.pk)}">{CsrfTokenNode().render(context)}'
        up = " disabled" if getattr(row, "is_first", False) else ""
        down = " disabled" if getattr(row, "is_last", False) else ""
        tools = (
            '\n        <div class="row-tools">\n'
            f'          {form}<input type="hidden" name="direction" value="up">'
            f'<button type="submit" class="icon-button" title="{words.move_up}" '
            f'aria-label="{words.move_name_up % {"name": name}}"{up}>↑</button></form>\n'
            f'          {form}<input type="hidden" name="direction" value="down">'
            f'<button type="submit" class="icon-button" title="{words.move_down}" '
            f'aria-label="{words.move_name_down % {"name": name}}"{down}>↓</button></form>\n'
            f'          <a href="{addresses.remove(row.pk)}" class="icon-button" title="{words.remove}" '
            f'aria-label="{words.remove_name % {"name": name}}">✕</a>\n'
            "        </div>"
        )
    oob = ' hx-swap-oob="true"' if context.get("oob") else ""
    return mark_safe(  # noqa: S308 - the partner's name and every word are escaped above
        f'<th scope="row" id="row-{row.pk}-head" class="row-head"{oob}>\n'
        f'        <a href="{addresses.partner(row.partner_id)}">{name}</a>\n'
        f'        <span class="row-kinds">{words.brings_gets % {"brings": brings, "gets": gets}}</span>\n'
        f"        {badge}{tools}\n"
        "      </th>"
    )


def _cell(words: _GridWords, url: str, row_id: int, name: str, cell: selectors.Cell, can_write: bool) -> str:
    """One cell of the grid as shown (not being edited): its items, or an empty cell to click into. `name` is
    the partner's, escaped."""
    editing = ""
    if can_write:
        editing = (
            f' tabindex="0" title="{words.edit}"\n        hx-get="{url}?field={cell.field}"'
            ' hx-trigger="click" hx-swap="outerHTML"'
        )
    if cell.items:
        body = "<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in cell.items) + "</ul>"
    elif can_write:
        body = f'<span class="cell-add" aria-hidden="true">+</span><span class="sr-only">{words.empty}</span>'
    else:
        body = f'<span class="sr-only">{words.empty}</span>'
    empty = "" if cell.items else " cell-empty"
    return (
        f'<td id="cell-{row_id}-{cell.field}" class="cell side-{cell.side}{empty}"{editing}>\n'
        f'        <span class="sr-only">{name} · {words.kinds[cell.kind]}:</span>\n'
        f"        {body}\n      </td>"
    )


@register.simple_tag(takes_context=True)
def matrix_cell(context, organisation, row, cell, can_write):
    """One cell: the grid's `cell` partial, the htmx fragment after a save."""
    words = _grid_words(translation.get_language())
    url = cell_url(context, organisation, row)
    name = html.escape(row.partner.name)
    return mark_safe(_cell(words, url, row.pk, name, cell, can_write))  # noqa: S308 - escaped in _cell


@register.simple_tag(takes_context=True)
def matrix_row_cells(context, organisation, row, cells, can_write):
    """A row's eight cells. Built here rather than in the template because the grid shows 8 cells a row: on a
    200-row matrix the template version was most of the page's time."""
    words = _grid_words(translation.get_language())
    url = cell_url(context, organisation, row)
    name = html.escape(row.partner.name)
    return mark_safe(  # noqa: S308 - escaped in _cell
        "\n      ".join(_cell(words, url, row.pk, name, cell, can_write) for cell in cells)
    )


@register.simple_tag
def score_options(chosen):
    """The options of a radar score select: none, then 1 to 5 with the partner's score selected. A tag rather
    than a template loop: the radar page has two of these selects for each of its 50 partners."""
    options = "".join(
        f'<option value="{score}"{" selected" if chosen == score else ""}>{score}</option>'
        for score in range(1, 6)
    )
    return mark_safe(f'<option value="">–</option>\n                  {options}')  # noqa: S308 - numbers only
