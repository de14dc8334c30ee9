"""The value matrix as an A3 landscape PDF (seed 000's template): filled, or blank for a paper brainstorm.

Both renderers read only the Document row (its organisation and `params["matrix_id"]`), so a failed
document can be rendered again. They are registered when the app is ready (see matrix/apps.py).
"""

from typing import Any

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from matrix.models import CELL_FIELDS, MatrixRow, ValueMatrix
from partnerhub.documents import register
from partnerhub.models import Document

# A blank template gives at least this many rows to write in, whatever the matrix holds.
BLANK_MIN_ROWS = 8


def _matrix(document: Document) -> ValueMatrix:
    return ValueMatrix.objects.select_related("organisation").get(
        organisation=document.organisation, pk=document.params["matrix_id"]
    )


def _rows(matrix: ValueMatrix) -> list[MatrixRow]:
    return list(matrix.rows.select_related("partner").order_by("position", "pk"))


def _context(document: Document, matrix: ValueMatrix) -> dict[str, Any]:
    return {
        "document": document,
        "organisation": matrix.organisation,
        "matrix": matrix,
        "title": document.title,
        "today": timezone.localdate(),
    }


def _filename(matrix: ValueMatrix, suffix: str = "") -> str:
    name = slugify(matrix.name) or "matrix"
    return f"{slugify(_('value matrix'))}-{name}-v{matrix.version}{suffix}.pdf"


@register("value_matrix")
def value_matrix_pdf(document: Document) -> tuple[str, str, dict[str, Any]]:
    """The matrix as it stands: one row per partner, each cell's items as bullets."""
    matrix = _matrix(document)
    rows = [
        {"partner": row.partner.name, "cells": [row.items(field) for field in CELL_FIELDS]}
        for row in _rows(matrix)
    ]
    context = {**_context(document, matrix), "rows": rows}
    return _filename(matrix), "matrix/pdf/matrix_a3.html", context


@register("value_matrix_blank")
def value_matrix_blank_pdf(document: Document) -> tuple[str, str, dict[str, Any]]:
    """The empty template: the matrix's partners by name with empty cells, topped up to BLANK_MIN_ROWS."""
    matrix = _matrix(document)
    names = [row.partner.name for row in _rows(matrix)]
    names += [""] * max(0, BLANK_MIN_ROWS - len(names))
    context = {**_context(document, matrix), "partner_names": names, "empty_cells": range(len(CELL_FIELDS))}
    return _filename(matrix, "-" + slugify(_("blank"))), "matrix/pdf/matrix_blank_a3.html", context
