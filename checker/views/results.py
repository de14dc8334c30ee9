"""Checker views: a round's results, as a page, a CSV and an A4 PDF (see checker/urls.py)."""

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from checker.models import CheckerRound
from checker.results import chart_geometry, round_results
from partnerhub import documents
from partnerhub.exports import csv_response
from partnerhub.tenancy import organisation_view


def _round(request, round_id):
    return get_object_or_404(
        CheckerRound.objects.select_related("collaboration"), pk=round_id, organisation=request.organisation
    )


@organisation_view
@require_GET
def round_results_view(request, round_id):
    """The answers side by side: first what to discuss together, then the weakest, the table, the trend."""
    round_ = _round(request, round_id)
    results = round_results(round_)
    return render(
        request,
        "checker/round_results.html",
        {"round": round_, "results": results, "chart": chart_geometry(results)},
    )


def _partner_column(respondent):
    if respondent.partner_name:
        return respondent.partner_name
    return _("own organisation") if respondent.is_member else ""


@organisation_view
@require_GET
def round_results_csv(request, round_id):
    """One line per respondent and statement, then a line with their grade. An anonymised round's file
    holds "Respondent n" labels only: no names, e-mail addresses or partners."""
    round_ = _round(request, round_id)
    results = round_results(round_)
    grade_label = _("Grade (1–10)")
    # A list, not a generator: statement texts and labels take the request's language, and rows stream later.
    lines = [
        [
            respondent.label,
            _partner_column(respondent),
            statement.text if statement is not None else grade_label,
            score,
        ]
        for respondent, statement, score in results.rows()
    ]
    header = [_("Respondent"), _("Partner"), _("Statement"), _("Score")]
    filename = f"{slugify(_('results'))}-{slugify(round_.name) or 'round'}.csv"
    return csv_response(filename, header, lines)


# A viewer may print what they can read (as with the matrix): the request creates a Document and changes no
# checker data.
@organisation_view(viewer_may_post=True)
@require_POST
def round_results_pdf(request, round_id):
    """Ask for the A4 report of the results; it is made in the background (see checker/documents.py)."""
    round_ = _round(request, round_id)
    document = documents.document_request(
        organisation=request.organisation,
        kind="checker_report",
        title=_("Collaboration checker %(name)s") % {"name": round_.name},
        params={"round_id": round_.pk},
        requested_by=request.user,
    )
    return redirect("document_status", request.organisation.slug, document.pk)


urlpatterns = [
    path("rounds/<int:round_id>/results/", round_results_view, name="round_results"),
    path("rounds/<int:round_id>/results.csv", round_results_csv, name="round_results_csv"),
    path("rounds/<int:round_id>/results.pdf", round_results_pdf, name="round_results_pdf"),
]
