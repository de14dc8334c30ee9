"""Reading a matrix for its pages: the grid (rows × eight cells) and the balance summary, in a fixed number of
queries however many rows there are."""

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from django.utils.functional import Promise

from matrix.guidance import PROMPTS
from matrix.models import CELL_FIELDS, MatrixRow, ValueKind, ValueMatrix
from partnerhub.models import Organisation

KIND_LABELS = dict(ValueKind.choices)


@dataclass
class Cell:
    field: str
    items: list[str] = dataclasses.field(default_factory=list)

    @property
    def side(self) -> str:
        return self.field.split("_", 1)[0]

    @property
    def kind(self) -> str:
        return self.field.split("_", 1)[1]

    @property
    def label(self) -> str | Promise:
        return KIND_LABELS[self.kind]

    @property
    def prompt(self) -> str | Promise:
        return PROMPTS[self.field]


def cell(row: MatrixRow, field_name: str) -> Cell:
    return Cell(field=field_name, items=row.items(field_name))


def latest_rows_by_partner(*, organisation: Organisation, partner_ids: Iterable[int]) -> dict[int, MatrixRow]:
    """Each of the partners' row in the latest of the organisation's matrices it appears in (by the matrix's
    date, then the newest matrix), keyed by partner id; partners in no matrix are left out. One query."""
    rows = MatrixRow.objects.filter(matrix__organisation=organisation, partner__in=partner_ids)
    latest: dict[int, MatrixRow] = {}
    for row in rows.select_related("matrix").order_by("matrix__date", "matrix__pk"):
        latest[row.partner_id] = row
    return latest


def matrix_rows(matrix: ValueMatrix) -> list[MatrixRow]:
    """The rows in order, each marked first/last (for the move buttons)."""
    rows = list(matrix.rows.select_related("partner").order_by("position", "pk"))
    for index, row in enumerate(rows):
        row.is_first, row.is_last = index == 0, index == len(rows) - 1
    return rows


def mark_ends(row: MatrixRow) -> MatrixRow:
    """First/last for a single row rendered on its own (a fragment after a save)."""
    siblings = MatrixRow.objects.filter(matrix_id=row.matrix_id).order_by("position", "pk")
    row.is_first = siblings.values_list("pk", flat=True).first() == row.pk
    row.is_last = siblings.values_list("pk", flat=True).last() == row.pk
    return row


class Balance(TypedDict):
    rows: int
    one_sided: int
    empty: int
    balanced: int


def balance(rows: Sequence[MatrixRow]) -> Balance:
    one_sided = sum(row.is_one_sided for row in rows)
    empty = sum(row.brings_nothing and row.gets_nothing for row in rows)
    return {
        "rows": len(rows),
        "one_sided": one_sided,
        "empty": empty,
        "balanced": len(rows) - one_sided - empty,
    }


def matrix_grid(matrix: ValueMatrix) -> dict[str, Any]:
    rows = matrix_rows(matrix)
    return {
        "grid": [{"row": row, "cells": [cell(row, name) for name in CELL_FIELDS]} for row in rows],
        "kinds": list(ValueKind.choices),
        "balance": balance(rows),
    }


def matrix_balance(matrix: ValueMatrix) -> Balance:
    return balance(list(matrix.rows.all()))
