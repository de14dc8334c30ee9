"""Editing a matrix cell inline (htmx): open the editor, save, cancel, and the conflict of two editors.

One URL per row: GET ?field=… answers the editor (writers) or, with &show=1, the cell as shown (cancel);
POST saves. Every answer is a fragment of matrix/partials/grid.html, so the page and the fragments never
drift apart. A save also refreshes the row's header and the balance summary out of band.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from matrix import selectors, services
from matrix.models import CELL_FIELDS, CELL_MAX_LENGTH, MatrixRow
from partnerhub.tenancy import organisation_view, require_write

GRID = "matrix/partials/grid.html"


class CellForm(forms.Form):
    """The cell editor. How long a cell may be is the service's rule (cell_check_length), checked on the
    text as it will be saved; a text that is too long comes back in the editor with the reason, never cut."""

    field = forms.ChoiceField(choices=[(name, name) for name in CELL_FIELDS])
    text = forms.CharField(required=False, strip=False)
    original = forms.CharField(required=False, strip=False)


def _row(request, matrix_id, row_id):
    return get_object_or_404(
        MatrixRow.objects.select_related("partner", "matrix"),
        pk=row_id,
        matrix_id=matrix_id,
        matrix__organisation=request.organisation,
    )


def _editor(request, row, field, *, text, original, error="", conflict=None, status=200):
    return render(
        request,
        f"{GRID}#cell_edit",
        {
            "row": row,
            "cell": selectors.cell(row, field),
            "text": text,
            "original": original,
            "error": error,
            "conflict": conflict,
            "textarea_rows": max(3, min(12, text.count("\n") + 2)),
            "text_length": len(services.normalise_cell(text)),
            "max_length": CELL_MAX_LENGTH,
        },
        status=status,
    )


def _shown(request, row, field):
    return render(request, f"{GRID}#cell", {"row": row, "cell": selectors.cell(row, field)})


def _saved(request, row, field):
    """The saved cell, plus the row header and the balance summary out of band."""
    selectors.mark_ends(row)
    context = {
        "row": row,
        "cell": selectors.cell(row, field),
        "balance": selectors.matrix_balance(row.matrix),
        "oob": True,
    }
    return render(request, "matrix/partials/cell_saved.html", context)


@organisation_view
@require_http_methods(["GET", "POST"])
def cell(request, matrix_id, row_id):
    row = _row(request, matrix_id, row_id)
    if request.method == "GET":
        field = request.GET.get("field")
        if field not in CELL_FIELDS:
            return HttpResponseBadRequest("Unknown cell.")
        if "show" in request.GET:
            return _shown(request, row, field)
        require_write(request.membership)
        text = getattr(row, field)
        return _editor(request, row, field, text=text, original=text)

    form = CellForm(request.POST)
    if not form.is_valid():
        if "field" in form.errors:
            return HttpResponseBadRequest("Unknown cell.")
        field = form.cleaned_data["field"]
        # Nothing is saved and nothing typed is lost: the editor comes back with the text and the reason.
        return _editor(
            request,
            row,
            field,
            text=request.POST.get("text", ""),
            original=request.POST.get("original", ""),
            error=" ".join(form.errors["text"]),
            status=422,
        )
    field, text, original = (form.cleaned_data[name] for name in ("field", "text", "original"))
    try:
        row = services.cell_save(row=row, field=field, text=text, original=original, actor=request.user)
    except ValidationError as error:
        return _editor(
            request, row, field, text=text, original=original, error=" ".join(error.messages), status=422
        )
    except services.CellConflict as conflict:
        # Their text is now the starting point: saving again (after reading it) is a deliberate choice.
        return _editor(
            request,
            conflict.row,
            field,
            text=conflict.mine,
            original=conflict.theirs,
            conflict={"theirs_items": conflict.row.items(field)},
            status=409,
        )
    if not request.htmx:
        messages.success(request, _("Saved."))
        return redirect(f"{row.matrix.get_absolute_url()}#row-{row.pk}")
    return _saved(request, row, field)


urlpatterns = [
    path("matrices/<int:matrix_id>/rows/<int:row_id>/cell/", cell, name="cell"),
]
