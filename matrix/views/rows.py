"""A matrix's rows: add existing partners or a new one, move a row up or down, remove a row (confirmed)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from matrix import services
from matrix.forms import QuickPartnerForm
from matrix.models import CELL_FIELDS, MatrixRow, ValueMatrix
from partnerhub import search, selectors
from partnerhub import services as partner_services
from partnerhub.deletion import confirm_delete
from partnerhub.models import PartnerStatus
from partnerhub.tenancy import organisation_view, require_write

CANDIDATES_PER_PAGE = 50


def _matrix(request, matrix_id):
    return get_object_or_404(ValueMatrix.objects.filter(organisation=request.organisation), pk=matrix_id)


def _row(request, matrix_id, row_id):
    return get_object_or_404(
        MatrixRow.objects.select_related("partner", "matrix"),
        pk=row_id,
        matrix_id=matrix_id,
        matrix__organisation=request.organisation,
    )


def _candidates(matrix, query):
    """The organisation's partners not in the matrix yet that match the query (the partner list's search),
    the radar's most important first."""
    partners = (
        matrix.organisation.partners.exclude(matrix_rows__matrix=matrix)
        .exclude(status=PartnerStatus.ENDED)
        .order_by(
            (F("influence") + F("importance")).desc(nulls_last=True),
            "name",
        )
    )
    return selectors.partners_matching(partners, organisation=matrix.organisation, query=query)


def _add_page(request, matrix, *, form=None, selection_error=""):
    query = request.GET.get("q", "").strip()
    page = Paginator(_candidates(matrix, query), CANDIDATES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "matrix/rows_add.html",
        {
            "matrix": matrix,
            "page_obj": page,
            "query": query,
            "search_limited": search.is_limited(query),
            "form": form or QuickPartnerForm(organisation=request.organisation),
            "selection_error": selection_error,
        },
        status=200 if form is None and not selection_error else 422,
    )


@organisation_view
@require_http_methods(["GET", "POST"])
def rows_add(request, matrix_id):
    require_write(request.membership)
    matrix = _matrix(request, matrix_id)
    if request.method == "GET":
        return _add_page(request, matrix)
    ids = [value for value in request.POST.getlist("partners") if value.isdigit()]
    partners = list(request.organisation.partners.filter(pk__in=ids))
    if not partners or len(partners) != len(set(ids)):
        return _add_page(request, matrix, selection_error=_("Select at least one of your partners to add."))
    added = services.rows_add(matrix=matrix, partners=partners, actor=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)d partner added to the matrix.", "%(count)d partners added to the matrix.", len(added)
        )
        % {"count": len(added)},
    )
    return redirect(matrix)


@organisation_view
@require_POST
def row_create_partner(request, matrix_id):
    matrix = _matrix(request, matrix_id)
    form = QuickPartnerForm(request.POST, organisation=request.organisation)
    if not form.is_valid():
        return _add_page(request, matrix, form=form)
    partner = partner_services.partner_create(
        organisation=request.organisation, actor=request.user, **form.cleaned_data
    )
    (row,) = services.rows_add(matrix=matrix, partners=[partner], actor=request.user)
    messages.success(
        request, _("Partner “%(name)s” created and added to the matrix.") % {"name": partner.name}
    )
    return redirect(f"{matrix.get_absolute_url()}#row-{row.pk}")


@organisation_view
@require_POST
def row_move(request, matrix_id, row_id):
    row = _row(request, matrix_id, row_id)
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction"))
    if offset is None:
        messages.error(request, _("Choose to move the row up or down."))
    else:
        services.row_move(row=row, offset=offset)
    return redirect(f"{row.matrix.get_absolute_url()}#row-{row.pk}")


@organisation_view
@require_http_methods(["GET", "POST"])
def row_remove(request, matrix_id, row_id):
    require_write(request.membership)
    row = _row(request, matrix_id, row_id)
    matrix = row.matrix

    def remove():
        services.row_remove(row=row, actor=request.user)
        services.renumber(matrix)

    filled = sum(bool(row.items(name)) for name in CELL_FIELDS)
    return confirm_delete(
        request,
        row,
        delete=remove,
        success_url=matrix.get_absolute_url(),
        success_message=_("“%(name)s” removed from the matrix.") % {"name": row.partner.name},
        cancel_url=matrix.get_absolute_url(),
        context={
            "title": _("Remove “%(name)s” from “%(matrix)s”?")
            % {"name": row.partner.name, "matrix": matrix.name},
            "confirm_label": _("Yes, take it out of the matrix"),
            "consequences": ngettext(
                "Its %(count)d filled cell is removed with it. The partner itself stays.",
                "Its %(count)d filled cells are removed with it. The partner itself stays.",
                filled,
            )
            % {"count": filled},
        },
    )


urlpatterns = [
    path("matrices/<int:matrix_id>/rows/add/", rows_add, name="rows_add"),
    path("matrices/<int:matrix_id>/rows/new-partner/", row_create_partner, name="row_create_partner"),
    path("matrices/<int:matrix_id>/rows/<int:row_id>/move/", row_move, name="row_move"),
    path("matrices/<int:matrix_id>/rows/<int:row_id>/remove/", row_remove, name="row_remove"),
]
