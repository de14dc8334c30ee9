"""A checker round's results as an A4 portrait PDF, through the document pipeline (partnerhub.documents).

The renderer reads only the Document row (its organisation and `params["round_id"]`), so a failed document can
be rendered again. It is registered when the app is ready (see checker/apps.py). An anonymised round's PDF
shows "Respondent n" labels only: the results object already leaves out names, e-mail addresses and partners,
and nothing here adds them back.
"""

from typing import Any

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from checker.models import CheckerRound
from checker.results import RoundResults, chart_geometry, round_results
from partnerhub.documents import register
from partnerhub.models import Document
from partnerhub.pdf import page_counter_css

# The answers table is split into blocks of at most this many respondents, so it fits the width of A4.
RESPONDENTS_PER_TABLE = 6
# The trend table shows at most this many earlier rounds (the most recent ones).
TREND_ROUNDS = 4
# The chart is drawn at most this wide and tall (mm), so that it fits on one page.
CHART_MAX_WIDTH_MM = 170
CHART_MAX_HEIGHT_MM = 215


def answer_tables(results: RoundResults, size: int = RESPONDENTS_PER_TABLE) -> list[dict[str, Any]]:
    """The answers table in blocks of `size` respondents: each block's respondents, per statement its
    cells, and the respondents' grades."""
    respondents = results.respondents
    blocks = []
    for start in range(0, len(respondents), size):
        stop = start + size
        blocks.append(
            {
                "first": start + 1,
                "last": min(stop, len(respondents)),
                "respondents": respondents[start:stop],
                "rows": [(line, line.cells[start:stop]) for line in results.statements],
            }
        )
    return blocks


def chart_width_mm(chart: dict[str, Any]) -> int:
    """Width that keeps the chart within CHART_MAX_HEIGHT_MM on the page."""
    if not chart["height"]:
        return CHART_MAX_WIDTH_MM
    return min(CHART_MAX_WIDTH_MM, int(CHART_MAX_HEIGHT_MM * chart["width"] / chart["height"]))


@register("checker_report")
def checker_report_pdf(document: Document) -> tuple[str, str, dict[str, Any]]:
    """The round's results: summary, what to discuss, the weakest, the chart, all answers, the trend."""
    round_ = CheckerRound.objects.select_related("organisation", "collaboration").get(
        organisation=document.organisation, pk=document.params["round_id"]
    )
    results = round_results(round_)
    chart = chart_geometry(results)
    trend = results.earlier[-TREND_ROUNDS:]
    context = {
        "document": document,
        "organisation": round_.organisation,
        "round": round_,
        "results": results,
        "chart": chart,
        "chart_width_mm": chart_width_mm(chart),
        "answer_tables": answer_tables(results),
        # Who has not submitted yet is marked only where names are shown, as on the results page.
        "unsubmitted": not round_.anonymous and any(not r.submitted for r in results.respondents),
        "trend_rounds": trend,
        "trend_lines": [(line, line.earlier_means[-TREND_ROUNDS:]) for line in results.statements],
        "title": document.title,
        "today": timezone.localdate(),
        "page_counter": page_counter_css(),
    }
    filename = f"{slugify(_('Collaboration checker'))}-{slugify(round_.name) or 'round'}.pdf"
    return filename, "checker/pdf/round_report.html", context
