"""The matrix services: rows in order, cells saved without silently overwriting a colleague, versions."""

import pytest

from matrix.models import MatrixRow
from matrix.services import CellConflict, cell_save, matrix_duplicate, row_move, row_remove, rows_add
from partnerhub.models import AuditEntry
from tests.factories import MatrixRowFactory, PartnerFactory, ValueMatrixFactory


@pytest.fixture
def matrix(org):
    return ValueMatrixFactory(organisation=org)


def test_rows_are_added_after_the_existing_ones_and_only_once(matrix, manager):
    first, second = PartnerFactory.create_batch(2, organisation=matrix.organisation)
    rows_add(matrix=matrix, partners=[first], actor=manager)
    added = rows_add(matrix=matrix, partners=[second, first], actor=manager)
    assert [row.partner for row in added] == [second]
    assert list(matrix.rows.values_list("partner", "position")) == [(first.pk, 1), (second.pk, 2)]


def test_a_partner_of_another_organisation_is_refused(matrix, other_org, manager):
    stranger = PartnerFactory(organisation=other_org)
    with pytest.raises(ValueError):
        rows_add(matrix=matrix, partners=[stranger], actor=manager)
    assert not matrix.rows.exists()


def test_moving_swaps_with_the_neighbour_and_stops_at_the_edges(matrix):
    a, b, c = (MatrixRowFactory(matrix=matrix, position=p) for p in (1, 2, 3))
    row_move(row=c, offset=-1)
    assert list(matrix.rows.values_list("pk", flat=True)) == [a.pk, c.pk, b.pk]
    row_move(row=a, offset=-1)
    assert list(matrix.rows.values_list("pk", flat=True)) == [a.pk, c.pk, b.pk]
    assert list(matrix.rows.values_list("position", flat=True)) == [1, 2, 3]


def test_a_cell_keeps_one_item_per_line_and_is_audited(matrix, manager):
    row = MatrixRowFactory(matrix=matrix, gets_other="")
    cell_save(row=row, field="gets_other", text="  Merknaam \r\n\r\n Kennis ", original="", actor=manager)
    row.refresh_from_db()
    assert row.items("gets_other") == ["Merknaam", "Kennis"]
    entry = AuditEntry.objects.get(object_type="matrix.matrixrow", action="update")
    assert entry.partner == row.partner and "gets_other" in entry.changes


def test_the_second_of_two_editors_is_told_and_nothing_is_lost(matrix, manager, owner):
    row = MatrixRowFactory(matrix=matrix, brings_money="Startkapitaal")
    cell_save(
        row=row, field="brings_money", text="Startkapitaal\nLening", original="Startkapitaal", actor=owner
    )
    with pytest.raises(CellConflict) as conflict:
        cell_save(row=row, field="brings_money", text="Subsidie", original="Startkapitaal", actor=manager)
    assert (conflict.value.theirs, conflict.value.mine) == ("Startkapitaal\nLening", "Subsidie")
    row.refresh_from_db()
    assert row.brings_money == "Startkapitaal\nLening"


def test_saving_the_same_text_twice_is_no_conflict(matrix, manager):
    row = MatrixRowFactory(matrix=matrix, brings_other="")
    cell_save(row=row, field="brings_other", text="Advies", original="", actor=manager)
    cell_save(row=row, field="brings_other", text="Advies", original="", actor=manager)  # a double submit
    row.refresh_from_db()
    assert row.brings_other == "Advies"


def test_only_the_eight_cells_can_be_written(matrix, manager):
    row = MatrixRowFactory(matrix=matrix)
    with pytest.raises(ValueError):
        cell_save(row=row, field="partner_id", text="1", original="", actor=manager)


def test_a_duplicate_is_the_next_version_with_copied_rows(matrix, manager):
    row = MatrixRowFactory(matrix=matrix, brings_resources="Koptelefoons")
    copy = matrix_duplicate(matrix=matrix, actor=manager)
    third = matrix_duplicate(matrix=matrix, actor=manager)
    assert (copy.version, third.version) == (2, 3)
    assert copy.previous_version == matrix
    copied = copy.rows.get()
    assert (copied.partner, copied.brings_resources) == (row.partner, "Koptelefoons")
    assert copied.pk != row.pk and MatrixRow.objects.filter(partner=row.partner).count() == 3


def test_removing_a_row_keeps_the_partner(matrix, manager):
    row = MatrixRowFactory(matrix=matrix)
    row_remove(row=row, actor=manager)
    assert not matrix.rows.exists()
    row.partner.refresh_from_db()
