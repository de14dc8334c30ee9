"""Matrix views: the list of an organisation's matrices, creating one, and the matrix itself as a grid."""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from matrix import guidance, selectors, services
from matrix.forms import ValueMatrixForm
from matrix.models import ValueMatrix
from partnerhub.deletion import confirm_delete
from partnerhub.tenancy import organisation_view, require_write


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


def _matrix(request, matrix_id):
    return get_object_or_404(ValueMatrix.objects.filter(organisation=request.organisation), pk=matrix_id)


def _grid_page(request, matrix_id, template):
    matrix = _matrix(request, matrix_id)
    context = {
        "matrix": matrix,
        "profile": request.organisation,
        "steps": guidance.STEPS,
        "prompts": [(selectors.Cell(field=name), text) for name, text in guidance.PROMPTS.items()],
        **selectors.matrix_grid(matrix),
    }
    return render(request, template, context)


@organisation_view
def matrix_detail(request, matrix_id):
    return _grid_page(request, matrix_id, "matrix/matrix_detail.html")


@organisation_view
def matrix_workshop(request, matrix_id):
    """The matrix full screen for a projector: large type, no page furniture, still editable."""
    return _grid_page(request, matrix_id, "matrix/matrix_workshop.html")


@organisation_view
@require_http_methods(["GET", "POST"])
def matrix_update(request, matrix_id):
    matrix = _matrix(request, matrix_id)
    require_write(request.membership)
    form = ValueMatrixForm(request.POST or None, instance=matrix)
    if request.method == "POST" and form.is_valid():
        services.matrix_update(matrix=matrix, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Changes to “%(name)s” saved.") % {"name": matrix.name})
        return redirect(matrix)
    return render(request, "matrix/matrix_form.html", {"form": form, "matrix": matrix})


@organisation_view
@require_http_methods(["GET", "POST"])
def matrix_delete(request, matrix_id):
    matrix = _matrix(request, matrix_id)
    require_write(request.membership)
    return confirm_delete(
        request,
        matrix,
        delete=lambda: services.matrix_delete(matrix=matrix, actor=request.user),
        success_url=reverse("matrix:matrix_list", args=[request.organisation.slug]),
        success_message=_("Matrix “%(name)s” deleted.") % {"name": matrix.name},
        cancel_url=matrix.get_absolute_url(),
        context={"consequences": _("The partners themselves stay.")},
    )


urlpatterns = [
    path("matrices/", matrix_list, name="matrix_list"),
    path("matrices/new/", matrix_create, name="matrix_create"),
    path("matrices/<int:matrix_id>/", matrix_detail, name="matrix_detail"),
    path("matrices/<int:matrix_id>/workshop/", matrix_workshop, name="matrix_workshop"),
    path("matrices/<int:matrix_id>/edit/", matrix_update, name="matrix_update"),
    path("matrices/<int:matrix_id>/delete/", matrix_delete, name="matrix_delete"),
]
