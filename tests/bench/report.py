"""The figures `make bench` reports: each performance target's measured value with the target beside it.

A benchmark calls `figure(...)` for every number the performance targets name; the value is printed at once
and again, with all the others, in one table at the end of the run (`conftest.py`). Never an assertion on
time: a figure that misses its target is marked, not failed.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    target_name: str  # the target of the performance issue: "redirect", "search", "programme", "pages", "pdf"
    label: str
    value: float
    unit: str
    target: str  # "≥ 0.75", "≤ 100" …, or "" for a figure reported without a target
    met: bool | None

    def line(self, width: int = 58) -> str:
        mark = {True: "ok", False: "MISSED", None: ""}[self.met]
        value = f"{self.value:,.2f}" if abs(self.value) < 100 else f"{self.value:,.0f}"
        label = f"{self.label:<{width}}"
        return f"{self.target_name:<10} {label} {value:>10} {self.unit:<6} {self.target:<10} {mark}"


FIGURES: list[Figure] = []


def figure(
    target_name: str,
    label: str,
    value: float,
    unit: str = "",
    *,
    at_least: float | None = None,
    at_most: float | None = None,
) -> Figure:
    """Record and print one figure; `at_least`/`at_most` is its target (neither: reported without one)."""
    if at_least is not None:
        target, met = f"≥ {at_least:g}", value >= at_least
    elif at_most is not None:
        target, met = f"≤ {at_most:g}", value <= at_most
    else:
        target, met = "", None
    reported = Figure(target_name, label, float(value), unit, target, met)
    FIGURES.append(reported)
    print(f"\n  {reported.line()}")
    return reported


def table() -> str:
    width = max([58, *(len(f.label) for f in FIGURES)])
    header = f"{'target':<10} {'figure':<{width}} {'value':>10} {'unit':<6} {'aim':<10} met"
    return "\n".join([header, "-" * len(header), *(f.line(width) for f in FIGURES)])
