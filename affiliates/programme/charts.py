"""Server-rendered SVG charts: the browser and a PDF (WeasyPrint) draw the same picture, no JavaScript.

    chart_svg([("Clicks", [("3 mrt", 12), ("10 mrt", 30)]), ("Orders", [...])], title="Last 12 weeks")

Input is a list of series, each a (name, [(label, value), …]) pair, all series over the same labels. The
geometry is computed here (numbers as plain strings, so no locale ever writes "12,5" into an attribute);
the drawing is the template `affiliates/programme/chart.svg`. `kind` is "bar" (grouped bars) or "line".
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.safestring import SafeString

PALETTE = ("#0f766e", "#c2410c", "#1d4ed8", "#7e22ce", "#a16207")
TEMPLATE = "affiliates/programme/chart.svg"

# A value of a chart (None is drawn as 0); a point is (label, value); a series is (name, points).
Number = int | float | Decimal
Point = tuple[str, Number | None]
Series = tuple[str | Promise, Iterable[Point]]


@dataclass
class Geometry:
    width: int = 480
    height: int = 200
    left: int = 40
    right: int = 8
    top: int = 24
    bottom: int = 22

    @property
    def plot_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom


def _num(value: Number) -> str:
    """A coordinate as an attribute value: a dot, one decimal at most, never localised."""
    text = f"{float(value):.1f}"
    return text[:-2] if text.endswith(".0") else text


def nice_ceiling(value: Number) -> Decimal:
    """The smallest of 1, 2, 4, 6 × 10ⁿ at or above `value` (at least 2): the top and the middle gridline
    are whole numbers, as counts are."""
    amount = Decimal(str(value))
    if amount <= 2:
        return Decimal(2)
    magnitude = Decimal(10) ** (len(str(int(amount))) - 1)
    for step in (1, 2, 4, 6, 10):
        if amount <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _label(value: Number) -> str:
    amount = Decimal(str(value))
    return number_format(amount, decimal_pos=0 if amount == amount.to_integral() else 1)


def chart_context(
    series: Iterable[Series],
    *,
    title: str | Promise,
    kind: str = "bar",
    geometry: Geometry | None = None,
    label_every: int | None = None,
) -> dict[str, Any]:
    """The chart's drawing instructions (what the template needs)."""
    geometry = geometry or Geometry()
    drawn_series = [(str(name), list(points)) for name, points in series]
    labels = [label for label, _value in drawn_series[0][1]] if drawn_series else []
    values = [value or 0 for _name, points in drawn_series for _label_, value in points]
    top_value = nice_ceiling(max(values, default=0))
    count = max(len(labels), 1)
    slot = geometry.plot_width / count
    base_y = geometry.top + geometry.plot_height
    every = label_every or (1 if count <= 8 else 2 if count <= 16 else max(1, count // 8))

    def y_of(value: Number | None) -> float:
        return base_y - float(Decimal(str(value or 0)) / top_value) * geometry.plot_height

    grid = []
    for fraction in (Decimal(0), Decimal("0.5"), Decimal(1)):
        level = top_value * fraction
        grid.append({"y": _num(y_of(level)), "label": _label(level), "text_y": _num(y_of(level) + 4)})

    x_labels = [
        {"x": _num(geometry.left + slot * (i + 0.5)), "text": label}
        for i, label in enumerate(labels)
        if i % every == 0
    ]
    drawn = []
    group = len(drawn_series) or 1
    bar_width = max(slot * 0.8 / group, 1)
    for index, (name, points) in enumerate(drawn_series):
        colour = PALETTE[index % len(PALETTE)]
        marks: list[dict[str, Any]] = []
        for i, (label, value) in enumerate(points):
            y = y_of(value)
            x_centre = geometry.left + slot * (i + 0.5)
            x_bar = geometry.left + slot * i + slot * 0.1 + bar_width * index
            marks.append(
                {
                    "x": _num(x_bar),
                    "y": _num(y),
                    "cx": _num(x_centre),
                    "width": _num(bar_width),
                    "height": _num(base_y - y),
                    "label": label,
                    "value": value or 0,
                }
            )
        drawn.append(
            {
                "name": name,
                "colour": colour,
                "marks": marks,
                "points": " ".join(f"{mark['cx']},{mark['y']}" for mark in marks),
                "legend_x": _num(geometry.left + index * 110),
            }
        )
    return {
        "title": title,
        "kind": kind,
        "g": {
            "width": _num(geometry.width),
            "height": _num(geometry.height),
            "left": _num(geometry.left),
            "axis_text_x": _num(geometry.left - 6),
            "right_x": _num(geometry.width - geometry.right),
            "base_y": _num(base_y),
            "label_y": _num(base_y + 15),
            "legend_y": 12,
        },
        "grid": grid,
        "x_labels": x_labels,
        "series": drawn,
        "empty": not any(values),
    }


def chart_svg(
    series: Iterable[Series],
    *,
    title: str | Promise,
    kind: str = "bar",
    geometry: Geometry | None = None,
    label_every: int | None = None,
) -> SafeString:
    """The chart as inline SVG markup (safe to put in a page or a PDF template)."""
    context = chart_context(series, title=title, kind=kind, geometry=geometry, label_every=label_every)
    return render_to_string(TEMPLATE, context)
