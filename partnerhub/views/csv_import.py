"""The flow every CSV import shares (partners, projects): upload → every row checked in a preview → confirm,
all rows or none. The uploaded text waits in the session between preview and confirmation, one file per
organisation and import; a confirmation reads it again and the import's service checks every row again inside
its transaction. An import describes itself with a `CsvImport`; its page extends
`partials/csv_import.html`."""

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from partnerhub.exports import csv_response
from partnerhub.partner_import import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, ImportPreview, PartnerImportForm


@dataclass(frozen=True)
class CsvImport:
    name: str  # the session key's prefix
    template: str
    example: Callable  # () -> (header, rows)
    example_filename: Callable  # () -> the (translated) name of the example file
    read: Callable  # (text) -> ImportPreview, rows not yet checked
    parse: Callable  # (organisation=, text=) -> ImportPreview, rows checked
    save: Callable  # (organisation=, actor=, rows=) -> the saved objects; raises `rejected`
    rejected: type  # the exception that carries a new preview when a row no longer passes
    done_message: Callable  # (count) -> the success message
    done_url: str  # URL name of the list to return to (takes the organisation's slug)
    context: dict = field(default_factory=dict)  # what the page's help text needs besides the limits


def csv_import_page(request, flow):
    """The whole page of one import: the example file (GET ?template=1), the preview and the confirmation."""
    if request.method == "GET" and request.GET.get("template"):
        header, rows = flow.example()
        return csv_response(flow.example_filename(), header, rows)

    organisation = request.organisation
    session_key = f"{flow.name}:{organisation.slug}"
    context = {"form": PartnerImportForm(), "preview": None, "upload_id": None}
    if request.method == "POST" and request.POST.get("action") == "confirm":
        stored = request.session.get(session_key)
        if not stored or stored.get("id") != request.POST.get("upload_id"):
            context["file_errors"] = [_("This upload has expired or was replaced. Upload the file again.")]
            return _render(request, flow, context)
        preview = flow.read(stored["text"])
        if not preview.file_errors:
            try:
                saved = flow.save(organisation=organisation, actor=request.user, rows=preview.rows)
            except flow.rejected as rejected:
                preview = rejected.preview
            else:
                del request.session[session_key]
                messages.success(request, flow.done_message(len(saved)))
                return redirect(flow.done_url, organisation.slug)
        context.update(preview=preview, filename=stored.get("filename", ""))
        return _render(request, flow, context)

    if request.method == "POST":
        form = PartnerImportForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            text = form.cleaned_data["text"]
            preview = flow.parse(organisation=organisation, text=text)
            filename = form.cleaned_data["file"].name
            if preview.is_importable:
                upload_id = secrets.token_urlsafe(16)
                request.session[session_key] = {"id": upload_id, "text": text, "filename": filename}
                context["upload_id"] = upload_id
            else:
                request.session.pop(session_key, None)
            context.update(preview=preview, filename=filename)
    return _render(request, flow, context)


def _render(request, flow, context):
    preview = context.get("preview") or ImportPreview()
    context.setdefault("file_errors", preview.file_errors)
    context.update(
        flow.context,
        shown_rows=preview.rows_to_show(),
        max_megabytes=MAX_IMPORT_BYTES // 1024 // 1024,
        max_rows=MAX_IMPORT_ROWS,
        cancel_url=reverse(flow.done_url, args=[request.organisation.slug]),
    )
    return render(request, flow.template, context)
