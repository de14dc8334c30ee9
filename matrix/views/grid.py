"""Matrix views: the list of an organisation's matrices, creating one, and the matrix itself as a grid."""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from matrix import services
from matrix.forms import ValueMatrixForm
from matrix.models import ValueKind, ValueMatrix
from partnerhub.tenancy import organisation_view


@organisation_view
def matrix_list(request):
    matrices = (
        ValueMatrix.objects.filter(organisation=request.organisation)
        .annotate(row_count=Count("rows"))
        .order_by("-date", "-pk")
    )
    return render(request, "matrix/matrix_list.html", {"matrices": matrices})


@organisation_view
@require_http_methods(["GET", "POST"])
def matrix_create(request):
    form = ValueMatrixForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        matrix = services.matrix_create(
            organisation=request.organisation, actor=request.user, **form.cleaned_data
        )
        messages.success(request, _("Matrix “%(name)s” created.") % {"name": matrix.name})
        return redirect(matrix.get_absolute_url())
    return render(request, "matrix/matrix_form.html", {"form": form})


@organisation_view
def matrix_detail(request, matrix_id):
    matrix = get_object_or_404(ValueMatrix.objects.filter(organisation=request.organisation), pk=matrix_id)
    rows = list(matrix.rows.select_related("partner"))
    kinds = [(kind, label) for kind, label in ValueKind.choices]
    grid = [
        {
            "row": row,
            "brings": [row.items(f"brings_{kind}") for kind, _label in kinds],
            "gets": [row.items(f"gets_{kind}") for kind, _label in kinds],
        }
        for row in rows
    ]
    balance = {
        "one_sided": sum(row.is_one_sided for row in rows),
        "empty": sum(row.brings_nothing and row.gets_nothing for row in rows),
    }
    balance["balanced"] = len(rows) - balance["one_sided"] - balance["empty"]
    return render(
        request,
        "matrix/matrix_detail.html",
        {"matrix": matrix, "grid": grid, "kinds": kinds, "balance": balance, "profile": request.organisation},
    )


urlpatterns = [
    path("matrices/", matrix_list, name="matrix_list"),
    path("matrices/new/", matrix_create, name="matrix_create"),
    path("matrices/<int:matrix_id>/", matrix_detail, name="matrix_detail"),
]
