"""Matrix views: outputs (see matrix/urls.py): the A3 PDFs, the CSV export, versions and comparing them."""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from matrix import services
from matrix.models import CELL_FIELDS, ValueMatrix
from matrix.versions import matrix_compare
from partnerhub import documents
from partnerhub.exports import csv_response
from partnerhub.tenancy import organisation_view

# Versions offered in the compare page's select; a matrix with more history is rare.
COMPARE_CHOICES = 200


def _matrix(request, matrix_id):
    return get_object_or_404(ValueMatrix.objects.filter(organisation=request.organisation), pk=matrix_id)


def _request_pdf(request, matrix_id, *, kind, title):
    matrix = _matrix(request, matrix_id)
    document = documents.document_request(
        organisation=request.organisation,
        kind=kind,
        title=title % {"name": matrix.name},
        params={"matrix_id": matrix.pk},
        requested_by=request.user,
    )
    return redirect("document_status", request.organisation.slug, document.pk)


# A viewer may print what they can read (as with the partner list): the request creates a Document and
# changes no matrix data.
@organisation_view(viewer_may_post=True)
@require_POST
def matrix_pdf(request, matrix_id):
    return _request_pdf(request, matrix_id, kind="value_matrix", title=_("Partner value matrix %(name)s"))


@organisation_view(viewer_may_post=True)
@require_POST
def matrix_blank_pdf(request, matrix_id):
    return _request_pdf(
        request, matrix_id, kind="value_matrix_blank", title=_("Blank partner value matrix %(name)s")
    )


def csv_header():
    kinds = [_("resources"), _("sales channels"), _("money (€)"), _("other")]
    return [
        _("Partner"),
        *(_("Brings: %(kind)s") % {"kind": kind} for kind in kinds),
        *(_("Gets: %(kind)s") % {"kind": kind} for kind in kinds),
    ]


@organisation_view
@require_GET
def matrix_csv(request, matrix_id):
    """One line per partner; a cell's items joined by newlines (a spreadsheet shows them as lines)."""
    matrix = _matrix(request, matrix_id)
    rows = matrix.rows.select_related("partner").order_by("position", "pk")
    lines = (
        [row.partner.name, *("\n".join(row.items(field)) for field in CELL_FIELDS)] for row in rows.iterator()
    )
    filename = f"{slugify(_('value matrix'))}-{slugify(matrix.name) or 'matrix'}-v{matrix.version}.csv"
    return csv_response(filename, csv_header(), lines)


@organisation_view
@require_POST
def matrix_duplicate(request, matrix_id):
    matrix = _matrix(request, matrix_id)
    copy = services.matrix_duplicate(matrix=matrix, actor=request.user)
    return redirect(copy.get_absolute_url())


@organisation_view
@require_GET
def matrix_compare_view(request, matrix_id):
    """The matrix next to another version (default: the one it was copied from), item by item."""
    matrix = _matrix(request, matrix_id)
    versions = request.organisation.value_matrices.exclude(pk=matrix.pk).order_by("-date", "-pk")
    base_id = request.GET.get("with") or matrix.previous_version_id
    comparison = None
    if base_id:
        try:
            base_id = int(base_id)
        except (TypeError, ValueError) as exc:
            raise Http404("Not a matrix.") from exc
        base = get_object_or_404(versions, pk=base_id)
        comparison = matrix_compare(matrix=matrix, base=base)
    return render(
        request,
        "matrix/compare.html",
        {
            "matrix": matrix,
            "versions": versions.only("pk", "name", "version", "date")[:COMPARE_CHOICES],
            "base_id": base_id,
            "comparison": comparison,
        },
    )


urlpatterns = [
    path("matrices/<int:matrix_id>/pdf/", matrix_pdf, name="matrix_pdf"),
    path("matrices/<int:matrix_id>/pdf/blank/", matrix_blank_pdf, name="matrix_blank_pdf"),
    path("matrices/<int:matrix_id>/export.csv", matrix_csv, name="matrix_csv"),
    path("matrices/<int:matrix_id>/duplicate/", matrix_duplicate, name="matrix_duplicate"),
    path("matrices/<int:matrix_id>/compare/", matrix_compare_view, name="matrix_compare"),
]
