"""Operations that change a value matrix. Views call these; none of them touches a request."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from matrix.models import CELL_FIELDS, CELL_MAX_LENGTH, MatrixRow, ValueMatrix
from partnerhub.audit import AuditAction, audit_changes, audit_record, field_changes
from partnerhub.models import Organisation, Partner, User

MATRIX_FIELDS = ["name", "date", "purpose", "status"]


class CellConflict(Exception):
    """Someone else saved the cell after this editor opened it. Carries both texts so neither is lost."""

    def __init__(self, row: MatrixRow, field: str, theirs: str, mine: str) -> None:
        super().__init__(f"{field} of row {row.pk} changed meanwhile")
        self.row, self.field, self.theirs, self.mine = row, field, theirs, mine


def normalise_cell(text: str) -> str:
    """One item per line: trims each line, drops empty ones, unifies line endings."""
    return "\n".join(line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip())


CELL_TOO_LONG = _(
    "A cell holds at most %(limit)d characters, so that it fits on the printed matrix; this text has "
    "%(length)d. Shorten the items or spread them over other cells."
)


def cell_check_length(text: str) -> None:
    """A cell's text, as saved, fits a printed cell: at most CELL_MAX_LENGTH characters or ValidationError."""
    if len(text) > CELL_MAX_LENGTH:
        raise ValidationError(
            CELL_TOO_LONG, code="cell_too_long", params={"limit": CELL_MAX_LENGTH, "length": len(text)}
        )


@transaction.atomic
def matrix_create(*, organisation: Organisation, actor: User | None, **fields: Any) -> ValueMatrix:
    matrix = ValueMatrix.objects.create(organisation=organisation, created_by=actor, **fields)
    audit_record(organisation=organisation, actor=actor, action=AuditAction.CREATE, obj=matrix)
    return matrix


@transaction.atomic
def matrix_update(*, matrix: ValueMatrix, actor: User | None, **fields: Any) -> ValueMatrix:
    before = ValueMatrix.objects.get(pk=matrix.pk)
    for name, value in fields.items():
        setattr(matrix, name, value)
    matrix.save()
    audit_changes(
        organisation=matrix.organisation, actor=actor, before=before, after=matrix, fields=MATRIX_FIELDS
    )
    return matrix


@transaction.atomic
def matrix_delete(*, matrix: ValueMatrix, actor: User | None) -> None:
    audit_record(organisation=matrix.organisation, actor=actor, action=AuditAction.DELETE, obj=matrix)
    matrix.delete()


@transaction.atomic
def rows_add(*, matrix: ValueMatrix, partners: Iterable[Partner], actor: User | None) -> list[MatrixRow]:
    """Put partners in the matrix, after the rows already there. A partner already in it is skipped.

    Returns the new rows. Partners must belong to the matrix's organisation (checked, not assumed).
    """
    adding = list(partners)
    if any(partner.organisation_id != matrix.organisation_id for partner in adding):
        raise ValueError("A partner of another organisation cannot be added to this matrix.")
    ValueMatrix.objects.select_for_update().get(pk=matrix.pk)  # one adder at a time keeps positions unique
    present = set(matrix.rows.values_list("partner_id", flat=True))
    position = (matrix.rows.aggregate(last=Max("position"))["last"] or 0) + 1
    new_rows = []
    for partner in adding:
        if partner.pk in present:
            continue
        present.add(partner.pk)
        new_rows.append(MatrixRow(matrix=matrix, partner=partner, position=position))
        position += 1
    MatrixRow.objects.bulk_create(new_rows)
    for row in new_rows:
        audit_record(
            organisation=matrix.organisation,
            actor=actor,
            action=AuditAction.CREATE,
            obj=row,
            partner=row.partner,
        )
    return new_rows


@transaction.atomic
def row_remove(*, row: MatrixRow, actor: User | None) -> None:
    audit_record(
        organisation=row.matrix.organisation,
        actor=actor,
        action=AuditAction.DELETE,
        obj=row,
        partner=row.partner,
    )
    row.delete()


@transaction.atomic
def row_move(*, row: MatrixRow, offset: int) -> list[MatrixRow]:
    """Move a row up (offset -1) or down (+1) by swapping places with its neighbour; renumbers 1..n."""
    rows = list(
        MatrixRow.objects.select_for_update().filter(matrix_id=row.matrix_id).order_by("position", "pk")
    )
    index = next(i for i, candidate in enumerate(rows) if candidate.pk == row.pk)
    target = index + offset
    if 0 <= target < len(rows):
        rows[index], rows[target] = rows[target], rows[index]
    for position, candidate in enumerate(rows, start=1):
        candidate.position = position
    MatrixRow.objects.bulk_update(rows, ["position"])
    return rows


@transaction.atomic
def cell_save(*, row: MatrixRow, field: str, text: str, original: str, actor: User | None) -> MatrixRow:
    """Save one cell unless it changed since the editor opened it (`original` is what they started from).

    Raises ValidationError when the new text is longer than CELL_MAX_LENGTH (what fits a printed cell); a
    longer text saved before the cap stays as it is, readable and editable, until it is saved shorter.
    Raises CellConflict with both texts when someone else saved a different text in between; saving the
    text that is already there is not a conflict. Returns the row with the new text.
    """
    if field not in CELL_FIELDS:
        raise ValueError(f"{field} is not a matrix cell.")
    locked = (
        MatrixRow.objects.select_for_update().select_related("matrix__organisation", "partner").get(pk=row.pk)
    )
    current = getattr(locked, field)
    text = normalise_cell(text)
    if current == text:
        return locked
    cell_check_length(text)
    if current != normalise_cell(original):
        raise CellConflict(locked, field, theirs=current, mine=text)
    before = MatrixRow(**{name: getattr(locked, name) for name in CELL_FIELDS})
    setattr(locked, field, text)
    locked.save(update_fields=[field, "updated_at"])
    ValueMatrix.objects.filter(pk=locked.matrix_id).update(updated_at=locked.updated_at)
    audit_record(
        organisation=locked.matrix.organisation,
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        partner=locked.partner,
        changes=field_changes(before, locked, [field]),
    )
    return locked


@transaction.atomic
def matrix_duplicate(*, matrix: ValueMatrix, actor: User | None, name: str | None = None) -> ValueMatrix:
    """A new version of the matrix with copies of its rows; the copy points back at the original."""
    latest = (
        ValueMatrix.objects.filter(organisation=matrix.organisation)
        .filter(pk__in=_version_family(matrix))
        .aggregate(last=Max("version"))["last"]
    )
    copy = ValueMatrix.objects.create(
        organisation=matrix.organisation,
        name=name or matrix.name,
        purpose=matrix.purpose,
        status=matrix.status,
        version=(latest or matrix.version) + 1,
        previous_version=matrix,
        created_by=actor,
    )
    MatrixRow.objects.bulk_create(
        MatrixRow(
            matrix=copy,
            partner_id=row.partner_id,
            position=row.position,
            **{field: getattr(row, field) for field in CELL_FIELDS},
        )
        for row in matrix.rows.all()
    )
    audit_record(organisation=matrix.organisation, actor=actor, action=AuditAction.CREATE, obj=copy)
    return copy


def _version_family(matrix: ValueMatrix) -> set[int]:
    """Ids of every matrix linked to this one through previous_version, both directions."""
    family, frontier = {matrix.pk}, {matrix.pk}
    while frontier:
        linked = (
            ValueMatrix.objects.filter(organisation_id=matrix.organisation_id)
            .filter(pk__in=frontier)
            .values_list("previous_version_id", flat=True)
        )
        following = ValueMatrix.objects.filter(previous_version_id__in=frontier).values_list("pk", flat=True)
        frontier = ({pk for pk in linked if pk} | set(following)) - family
        family |= frontier
    return family


def renumber(matrix: ValueMatrix) -> None:
    """Positions 1..n in the current order (after removals)."""
    rows = list(matrix.rows.order_by("position", "pk"))
    for position, row in enumerate(rows, start=1):
        row.position = position
    MatrixRow.objects.bulk_update(rows, ["position"])


__all__ = [
    "CellConflict",
    "cell_check_length",
    "cell_save",
    "matrix_create",
    "matrix_delete",
    "matrix_duplicate",
    "matrix_update",
    "normalise_cell",
    "row_move",
    "row_remove",
    "rows_add",
]
