"""Comparing two versions of a value matrix, item by item.

Rows are matched by partner; within a row each of the eight cells is compared per item (one item per line),
so "Kennis van de markt" moved to another line is unchanged and a reworded item shows as one removed and one
added. Two queries whatever the size of the matrices.
"""

import dataclasses
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from matrix.models import CELL_FIELDS, ValueMatrix
from partnerhub.models import Partner

ROW_ADDED = "added"
ROW_REMOVED = "removed"
ROW_KEPT = "kept"


@dataclass
class CellChange:
    """One cell: its items in the newer version's order, each marked, then the items that were removed."""

    field: str
    added: list[str] = dataclasses.field(default_factory=list)
    removed: list[str] = dataclasses.field(default_factory=list)
    unchanged: list[str] = dataclasses.field(default_factory=list)
    # (item, "added" | "unchanged") in the newer version's order, for display.
    current: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


@dataclass
class RowChange:
    partner: Partner
    status: str
    cells: list[CellChange]

    @property
    def changed(self) -> bool:
        return self.status != ROW_KEPT or any(cell.changed for cell in self.cells)


@dataclass
class MatrixComparison:
    """`matrix` (the newer one, usually) compared with `base` (what it is measured against)."""

    matrix: ValueMatrix
    base: ValueMatrix
    rows: list[RowChange]

    @property
    def rows_added(self) -> list[RowChange]:
        return [row for row in self.rows if row.status == ROW_ADDED]

    @property
    def rows_removed(self) -> list[RowChange]:
        return [row for row in self.rows if row.status == ROW_REMOVED]

    @property
    def rows_changed(self) -> list[RowChange]:
        return [row for row in self.rows if row.status == ROW_KEPT and row.changed]

    @property
    def items_added(self) -> int:
        return sum(len(cell.added) for row in self.rows for cell in row.cells)

    @property
    def items_removed(self) -> int:
        return sum(len(cell.removed) for row in self.rows for cell in row.cells)

    @property
    def has_changes(self) -> bool:
        return any(row.changed for row in self.rows)


def cell_compare(field_name: str, base_items: Sequence[str], current_items: Sequence[str]) -> CellChange:
    """Items of one cell compared as multisets: an item twice in the base and once now is once removed."""
    left = Counter(base_items)
    change = CellChange(field=field_name)
    for item in current_items:
        if left[item] > 0:
            left[item] -= 1
            change.unchanged.append(item)
            change.current.append((item, "unchanged"))
        else:
            change.added.append(item)
            change.current.append((item, "added"))
    for item in base_items:
        if left[item] > 0:
            left[item] -= 1
            change.removed.append(item)
    return change


def matrix_compare(*, matrix: ValueMatrix, base: ValueMatrix) -> MatrixComparison:
    """What changed from `base` to `matrix`: per partner (matched by partner_id) and per cell, per item.

    Rows come in the order of `matrix`, followed by the rows only `base` has (removed). Both matrices must
    belong to the same organisation; callers look them up from the request's organisation.
    """
    if matrix.organisation_id != base.organisation_id:
        raise ValueError("Only versions of one organisation can be compared.")
    current_rows = list(matrix.rows.select_related("partner").order_by("position", "pk"))
    base_rows = {
        row.partner_id: row for row in base.rows.select_related("partner").order_by("position", "pk")
    }
    rows = []
    for row in current_rows:
        old = base_rows.pop(row.partner_id, None)
        status = ROW_KEPT if old else ROW_ADDED
        cells = [cell_compare(name, old.items(name) if old else [], row.items(name)) for name in CELL_FIELDS]
        rows.append(RowChange(partner=row.partner, status=status, cells=cells))
    for old in base_rows.values():
        cells = [cell_compare(name, old.items(name), []) for name in CELL_FIELDS]
        rows.append(RowChange(partner=old.partner, status=ROW_REMOVED, cells=cells))
    return MatrixComparison(matrix=matrix, base=base, rows=rows)
