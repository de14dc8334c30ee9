"""The partner radar (seed 000, step 1: "selecteer de belangrijkste partners"): every partner placed by its
influence on the business (1–5, up) against its importance to it (1–5, right).

`radar_chart(partners)` turns (pk, name, influence, importance) tuples into the geometry of a server-rendered
SVG: a 5 × 5 grid in which each square lists its partners by name (a few, then "+ n more"). The squares where
both scores are 4 or 5 are the key partners: the candidates for the value matrix.
"""

import dataclasses
from collections.abc import Iterable

SCORES = range(1, 6)
KEY_FROM = 4  # influence and importance both at least this: a key partner
CELL = 110  # px, one square of the grid
LEFT, TOP, BOTTOM = 56, 12, 48  # room for the axis labels
NAMES_PER_CELL = 4
NAME_LENGTH = 14


def is_key(influence: int | None, importance: int | None) -> bool:
    return influence is not None and importance is not None and min(influence, importance) >= KEY_FROM


def _short(name: str) -> str:
    return name if len(name) <= NAME_LENGTH else name[: NAME_LENGTH - 1].rstrip() + "…"


@dataclasses.dataclass
class Square:
    influence: int
    importance: int
    x: int
    y: int
    names: list[str] = dataclasses.field(default_factory=list)
    count: int = 0

    @property
    def key(self) -> bool:
        return is_key(self.influence, self.importance)

    @property
    def more(self) -> int:
        """Partners in the square whose names do not fit."""
        return self.count - len(self.names)

    @property
    def lines(self) -> list[tuple[int, str]]:
        """(y, text) of each name shown in the square, from its top."""
        return [(self.y + 22 + 17 * index, name) for index, name in enumerate(self.names)]

    @property
    def more_y(self) -> int:
        return self.y + 22 + 17 * len(self.names)


@dataclasses.dataclass
class RadarChart:
    squares: list[Square]
    unscored: int
    width: int = LEFT + 5 * CELL + 8
    height: int = TOP + 5 * CELL + BOTTOM
    cell: int = CELL
    left: int = LEFT
    top: int = TOP

    @property
    def key_box(self) -> tuple[int, int, int, int]:
        """x, y, width, height of the key partners' corner (top right)."""
        span = 6 - KEY_FROM
        return LEFT + (KEY_FROM - 1) * CELL, TOP, span * CELL, span * CELL

    @property
    def x_ticks(self) -> list[tuple[int, float]]:
        return [(score, LEFT + (score - 0.5) * CELL) for score in SCORES]

    @property
    def y_ticks(self) -> list[tuple[int, float]]:
        return [(score, TOP + (5 - score + 0.5) * CELL) for score in SCORES]

    @property
    def grid_lines(self) -> tuple[list[int], list[int]]:
        return [LEFT + n * CELL for n in range(6)], [TOP + n * CELL for n in range(6)]

    @property
    def bottom(self) -> int:
        return TOP + 5 * CELL

    @property
    def right(self) -> int:
        return LEFT + 5 * CELL

    @property
    def middle_x(self) -> float:
        return LEFT + 2.5 * CELL

    @property
    def middle_y(self) -> float:
        return TOP + 2.5 * CELL


def radar_chart(partners: Iterable[tuple[int, str, int | None, int | None]]) -> RadarChart:
    """partners: (pk, name, influence, importance), in the order their names should appear in a square."""
    squares: dict[tuple[int | None, int | None], Square] = {
        (influence, importance): Square(
            influence, importance, x=LEFT + (importance - 1) * CELL, y=TOP + (5 - influence) * CELL
        )
        for influence in SCORES
        for importance in SCORES
    }
    unscored = 0
    for _pk, name, influence, importance in partners:
        square = squares.get((influence, importance))
        if square is None:
            unscored += 1
            continue
        square.count += 1
        if len(square.names) < NAMES_PER_CELL:
            square.names.append(_short(name))
    for square in squares.values():
        if square.count > NAMES_PER_CELL:  # the last line says "+ n more" instead
            del square.names[NAMES_PER_CELL - 1 :]
    return RadarChart(squares=list(squares.values()), unscored=unscored)
