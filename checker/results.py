"""Results of a checker round: everyone's scores side by side (seed 003, "legt u de resultaten naast elkaar").

`round_results(round_)` reads a round in a fixed number of queries, however many respondents and statements
it has, and returns plain objects for the results page, its CSV and a later PDF. The statistics are pure
functions on numbers (`describe`, `for_discussion`, `weakest`, `response_rate`, `direction`), so they can be
checked on known scores.

"Bespreek dit samen": where the partners' scores on a statement lie two or more points apart, the seed's
advice is to talk it over; those statements come first.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from checker.models import SCORE_MAX, SCORE_MIN, Answer, CheckerRound, Invitation, Statement

DISCUSS_SPREAD = 2
WEAKEST_COUNT = 3


def one_decimal(total: int, count: int) -> float | None:
    """total / count rounded half up to one decimal (3.25 → 3.3, as people round), or None for no count."""
    if not count:
        return None
    return float((Decimal(total) / Decimal(count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclasses.dataclass(frozen=True)
class Summary:
    n: int
    mean: float | None
    lowest: int | None
    highest: int | None

    @property
    def spread(self) -> int | None:
        if self.highest is None or self.lowest is None:  # no scores: n == 0
            return None
        return self.highest - self.lowest

    @property
    def needs_discussion(self) -> bool:
        spread = self.spread  # None when n == 0
        return spread is not None and spread >= DISCUSS_SPREAD


def describe(scores: Iterable[int | None]) -> Summary:
    """n, mean (one decimal), lowest and highest of some scores; `None`s (not answered) are left out."""
    given = [score for score in scores if score is not None]
    if not given:
        return Summary(0, None, None, None)
    return Summary(len(given), one_decimal(sum(given), len(given)), min(given), max(given))


def is_apart(score: int | None, summary: Summary) -> bool:
    """A score two or more points from someone else's score on the same statement."""
    if score is None or summary.lowest is None or summary.highest is None:  # lowest and highest: n > 0
        return False
    return max(score - summary.lowest, summary.highest - score) >= 2


def for_discussion(lines: Iterable[StatementResult]) -> list[StatementResult]:
    """The statements to talk over: spread of two or more, the widest first, then the lowest mean."""
    flagged = [line for line in lines if line.summary.needs_discussion]
    # A flagged statement has answers, so its spread and mean are never None.
    return sorted(
        flagged, key=lambda line: (-(line.summary.spread or 0), line.summary.mean or 0, line.position)
    )


def weakest(lines: Iterable[StatementResult], count: int = WEAKEST_COUNT) -> list[StatementResult]:
    """The `count` answered statements with the lowest mean; equal means keep the round's order."""
    answered = [line for line in lines if line.summary.n]
    return sorted(answered, key=lambda line: (line.summary.mean or 0, line.position))[
        :count
    ]  # answered: a mean


def direction(previous: float | None, now: float | None) -> str | None:
    """ "up", "down" or "same" from one mean to the next; None when either is missing."""
    if previous is None or now is None:
        return None
    if now > previous:
        return "up"
    return "down" if now < previous else "same"


@dataclasses.dataclass(frozen=True)
class ResponseRate:
    submitted: int
    invited: int

    @property
    def fraction(self) -> float | None:
        return self.submitted / self.invited if self.invited else None

    @property
    def percentage(self) -> int | None:
        if not self.invited:
            return None
        return int((Decimal(100 * self.submitted) / self.invited).quantize(Decimal(1), ROUND_HALF_UP))


def response_rate(submitted: int, invited: int) -> ResponseRate:
    return ResponseRate(submitted, invited)


@dataclasses.dataclass(frozen=True)
class Respondent:
    """A column of the results. In an anonymised round it holds a number and nothing that says who it is:
    no name, e-mail address, partner, or invitation id."""

    number: int
    label: str
    partner_name: str
    is_member: bool
    submitted: bool
    grade: int | None


@dataclasses.dataclass(frozen=True)
class Cell:
    score: int | None
    apart: bool = False
    tone: str = ""  # "low" or "high" for a score that lies apart from the others


@dataclasses.dataclass
class StatementResult:
    statement: Statement
    position: int
    summary: Summary
    cells: list[Cell] = dataclasses.field(default_factory=list)  # one per respondent, in their order
    # One per earlier round, oldest first.
    earlier_means: list[float | None] = dataclasses.field(default_factory=list)

    @property
    def previous_mean(self) -> float | None:
        return self.earlier_means[-1] if self.earlier_means else None

    @property
    def direction(self) -> str | None:
        return direction(self.previous_mean, self.summary.mean)


@dataclasses.dataclass(frozen=True)
class EarlierRound:
    round: CheckerRound
    overall: float | None
    grade: float | None
    grade_count: int
    means: dict[int, float | None]  # statement id → mean


@dataclasses.dataclass
class RoundResults:
    round: CheckerRound
    statements: list[StatementResult]
    respondents: list[Respondent]
    discuss: list[StatementResult]
    weakest: list[StatementResult]
    overall: Summary
    grades: Summary
    response: ResponseRate
    earlier: list[EarlierRound]  # oldest first

    @property
    def has_answers(self) -> bool:
        return bool(self.respondents)

    @property
    def previous(self) -> EarlierRound | None:
        return self.earlier[-1] if self.earlier else None

    @property
    def overall_direction(self) -> str | None:
        return direction(self.previous.overall if self.previous else None, self.overall.mean)

    @property
    def grade_direction(self) -> str | None:
        return direction(self.previous.grade if self.previous else None, self.grades.mean)

    def rows(self) -> Iterator[tuple[Respondent, Statement | None, int]]:
        """(respondent, statement or None for the grade, score) for a CSV: every statement, then the grade."""
        for index, respondent in enumerate(self.respondents):
            for line in self.statements:
                score = line.cells[index].score
                if score is not None:
                    yield respondent, line.statement, score
            if respondent.grade is not None:
                yield respondent, None, respondent.grade


def anonymous_order(round_id: int, invitation_id: int) -> str:
    """A stable order that says nothing about the person: a keyed hash (the site's secret) of the ids.
    Neither names, partners nor invitation order can be read from it, and nobody without the key can
    recompute it from the invitation ids that the round page shows."""
    return salted_hmac(
        "checker.results.anonymous", f"{round_id}:{invitation_id}", algorithm="sha256"
    ).hexdigest()


def _named_order(invitation: Invitation) -> tuple[bool, str, str, int]:
    partner = invitation.partner.name.casefold() if invitation.partner else ""
    return (invitation.partner is None, partner, invitation.name.casefold(), invitation.pk)


def _respondents(
    round_: CheckerRound, invitations: Iterable[Invitation]
) -> tuple[list[Invitation], list[Respondent]]:
    if round_.anonymous:
        ordered = sorted(invitations, key=lambda invitation: anonymous_order(round_.pk, invitation.pk))
        return ordered, [
            Respondent(
                number=number,
                label=_("Respondent %(number)d") % {"number": number},
                partner_name="",
                is_member=False,
                submitted=invitation.submitted_at is not None,
                grade=invitation.grade,
            )
            for number, invitation in enumerate(ordered, start=1)
        ]
    ordered = sorted(invitations, key=_named_order)
    return ordered, [
        Respondent(
            number=number,
            label=invitation.name,
            partner_name=invitation.partner.name if invitation.partner else "",
            is_member=invitation.partner is None and invitation.user_id is not None,
            submitted=invitation.submitted_at is not None,
            grade=invitation.grade,
        )
        for number, invitation in enumerate(ordered, start=1)
    ]


def _earlier_rounds(round_: CheckerRound) -> list[EarlierRound]:
    """The collaboration's rounds before this one (by opening date), and the previous round it repeats,
    each with its means; rounds without any answer or grade are left out. Three queries."""
    rounds = list(
        CheckerRound.objects.filter(
            organisation_id=round_.organisation_id, collaboration_id=round_.collaboration_id
        )
        .filter(
            Q(opens_on__lt=round_.opens_on)
            | Q(opens_on=round_.opens_on, pk__lt=round_.pk)
            | Q(pk=round_.previous_round_id)
        )
        .exclude(pk=round_.pk)
        .order_by("opens_on", "pk")
    )
    if not rounds:
        return []
    per_statement = (
        Answer.objects.filter(invitation__round__in=rounds, invitation__revoked_at__isnull=True)
        .values("invitation__round_id", "statement_id")
        .annotate(total=Sum("score"), count=Count("pk"))
        .order_by()
    )
    totals: defaultdict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    for row in per_statement:
        totals[row["invitation__round_id"]][row["statement_id"]] = (row["total"], row["count"])
    grades: dict[int, tuple[int, int]] = {
        row["round_id"]: (row["total"], row["count"])
        for row in Invitation.objects.filter(round__in=rounds, revoked_at__isnull=True, grade__isnull=False)
        .values("round_id")
        .annotate(total=Sum("grade"), count=Count("pk"))
        .order_by()
    }
    earlier = []
    for earlier_round in rounds:
        statements = totals.get(earlier_round.pk, {})
        grade_total, grade_count = grades.get(earlier_round.pk, (0, 0))
        if not statements and not grade_count:
            continue
        earlier.append(
            EarlierRound(
                round=earlier_round,
                overall=one_decimal(
                    sum(total for total, _count in statements.values()),
                    sum(count for _total, count in statements.values()),
                ),
                grade=one_decimal(grade_total, grade_count),
                grade_count=grade_count,
                means={pk: one_decimal(total, count) for pk, (total, count) in statements.items()},
            )
        )
    return earlier


def round_results(round_: CheckerRound) -> RoundResults:
    """Everything the results page shows, in a fixed number of queries (at most six).

    Respondents are the invitations (not revoked) with at least one answer or a grade, submitted or not:
    results fill in as answers come in. The response rate counts submitted invitations against all that are
    not revoked.
    """
    round_statements = list(round_.round_statements.select_related("statement").order_by("position", "pk"))
    invitations = list(round_.invitations.filter(revoked_at__isnull=True).select_related("partner"))
    scores: defaultdict[int, dict[int, int]] = defaultdict(dict)
    answers = Answer.objects.filter(invitation__round=round_, invitation__revoked_at__isnull=True)
    for invitation_id, statement_id, given in answers.values_list("invitation_id", "statement_id", "score"):
        scores[invitation_id][statement_id] = given

    answered = [
        invitation for invitation in invitations if scores.get(invitation.pk) or invitation.grade is not None
    ]
    ordered, respondents = _respondents(round_, answered)
    earlier = _earlier_rounds(round_)

    lines = []
    for item in round_statements:
        column = [scores[invitation.pk].get(item.statement_id) for invitation in ordered]
        summary = describe(column)
        cells = []
        for score in column:
            apart = is_apart(score, summary)
            tone = ""
            if apart and score is not None and summary.mean is not None:  # apart: both are there
                tone = "low" if score < summary.mean else "high"
            cells.append(Cell(score=score, apart=apart, tone=tone))
        lines.append(
            StatementResult(
                statement=item.statement,
                position=item.position,
                summary=summary,
                cells=cells,
                earlier_means=[previous.means.get(item.statement_id) for previous in earlier],
            )
        )
    statement_ids = {item.statement_id for item in round_statements}
    all_scores = [
        score
        for invitation in ordered
        for statement_id, score in scores[invitation.pk].items()
        if statement_id in statement_ids
    ]
    return RoundResults(
        round=round_,
        statements=lines,
        respondents=respondents,
        discuss=for_discussion(lines),
        weakest=weakest(lines),
        overall=describe(all_scores),
        grades=describe([invitation.grade for invitation in ordered]),
        response=response_rate(
            sum(invitation.submitted_at is not None for invitation in invitations), len(invitations)
        ),
        earlier=earlier,
    )


# The chart (checker/partials/results_chart.svg): whole pixels only, since a template would print a float
# with the page language's decimal comma. Each statement's text sits above its bar, so the chart stays
# readable when a phone scales it down.
CHART_WIDTH = 480
CHART_AXIS_LEFT = 8
CHART_AXIS_RIGHT = 440
CHART_TOP = 24
CHART_ROW = 42
CHART_BAR = 12


def _x(value: float) -> int:
    unit = (CHART_AXIS_RIGHT - CHART_AXIS_LEFT) / (SCORE_MAX - SCORE_MIN)
    return round(CHART_AXIS_LEFT + (value - SCORE_MIN) * unit)


def chart_geometry(results: RoundResults) -> dict[str, Any]:
    """Positions for a horizontal chart: per answered statement its text, under it a bar from 1 to the
    mean and a whisker from the lowest to the highest score, on a 1–5 axis."""
    rows: list[dict[str, Any]] = []
    for index, line in enumerate(results.statements):
        mean, lowest, highest = line.summary.mean, line.summary.lowest, line.summary.highest
        if mean is None or lowest is None or highest is None:  # not answered (n == 0)
            continue
        y = CHART_TOP + len(rows) * CHART_ROW
        middle = y + 26
        rows.append(
            {
                "line": line,
                "number": index + 1,
                "text_y": y + 12,
                "bar_y": middle - CHART_BAR // 2,
                "bar_width": max(_x(mean) - CHART_AXIS_LEFT, 2),
                "middle": middle,
                "value_y": middle + 4,
                "cap_top": middle - 6,
                "cap_bottom": middle + 6,
                "low_x": _x(lowest),
                "high_x": _x(highest),
            }
        )
    height = CHART_TOP + len(rows) * CHART_ROW + 4
    return {
        "rows": rows,
        "width": CHART_WIDTH,
        "height": height,
        "axis_left": CHART_AXIS_LEFT,
        "value_x": CHART_AXIS_RIGHT + 10,
        "ticks": [{"value": value, "x": _x(value)} for value in range(SCORE_MIN, SCORE_MAX + 1)],
        "grid_top": CHART_TOP - 6,
        "grid_bottom": height - 4,
        "bar_height": CHART_BAR,
    }
