"""The flow every CSV import shares (partners, projects): upload → every row checked in a preview → confirm,
all rows or none. The uploaded text waits in the session between preview and confirmation, one file per
organisation and import. A confirmation becomes a CsvImportJob named by the preview's token, so confirming
twice imports once; a small file is imported during the request, a large one by a background job whose
progress the page follows (`?job=<id>`, polled by htmx every second). The job checks every row again and
saves them in one transaction. An import describes itself with a `CsvImport`; its page extends
`partials/csv_import.html`, and its name is the kind its service registered
(`partner_import.register_importer`)."""

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from partnerhub.exports import csv_response
from partnerhub.models import CsvImportJob, CsvImportStatus
from partnerhub.partner_import import (
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    ImportPreview,
    ImportRow,
    PartnerImportForm,
    background_rows,
    csv_import_queue,
    csv_import_retry,
    csv_import_run,
    csv_import_start,
)
from partnerhub.tenancy import OrganisationRequest


@dataclass(frozen=True)
class CsvImport:
    name: str  # the session key's prefix and the kind of its jobs (as registered by its service)
    template: str
    example: Callable  # () -> (header, rows)
    example_filename: Callable  # () -> the (translated) name of the example file
    read: Callable  # (text) -> ImportPreview, rows not yet checked
    parse: Callable  # (organisation=, text=) -> ImportPreview, rows checked
    save: Callable  # (organisation=, actor=, rows=) -> the saved objects; raises `rejected`
    rejected: type  # the exception that carries a new preview when a row no longer passes
    done_message: Callable  # (count) -> the success message
    done_url: str  # URL name of the list to return to (takes the organisation's slug)
    context: dict[str, Any] = field(
        default_factory=dict
    )  # what the page's help text needs besides the limits


def csv_import_page(request: OrganisationRequest, flow: CsvImport) -> HttpResponseBase:
    """The whole page of one import: the example file (GET ?template=1), the preview, the confirmation and
    the progress of a background import (GET ?job=<id>, POST action=retry)."""
    if request.method == "GET" and request.GET.get("template"):
        header, rows = flow.example()
        return csv_response(flow.example_filename(), header, rows)
    if request.method == "GET" and request.GET.get("job"):
        return _job_page(request, flow, _job(request, flow, request.GET["job"]))

    organisation = request.organisation
    session_key = f"{flow.name}:{organisation.slug}"
    context: dict[str, Any] = {"form": PartnerImportForm(), "preview": None, "upload_id": None}
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "retry":
        job = _job(request, flow, request.POST.get("job"))
        if csv_import_retry(job=job):
            messages.info(request, _("The import is being tried again."))
        return redirect(_job_url(request, job))
    if action == "confirm":
        return _confirm(request, flow, session_key, context)

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


def _confirm(
    request: OrganisationRequest, flow: CsvImport, session_key: str, context: dict[str, Any]
) -> HttpResponseBase:
    organisation = request.organisation
    upload_id = request.POST.get("upload_id") or ""
    stored = request.session.get(session_key)
    if not stored or stored.get("id") != upload_id:
        # Confirmed before (a second click, another tab): follow that import instead of starting one.
        earlier = CsvImportJob.objects.filter(organisation=organisation, kind=flow.name, token=upload_id)
        if upload_id and (job := earlier.first()) is not None:
            return redirect(_job_url(request, job))
        context["file_errors"] = [_("This upload has expired or was replaced. Upload the file again.")]
        return _render(request, flow, context)
    preview = flow.read(stored["text"])
    filename = stored.get("filename", "")
    if preview.file_errors:
        context.update(preview=preview, filename=filename)
        return _render(request, flow, context)
    job, created = csv_import_start(
        organisation=organisation,
        kind=flow.name,
        requested_by=request.user,
        token=upload_id,
        filename=filename,
        text=stored["text"],
        total_rows=len(preview.rows),
    )
    request.session.pop(session_key, None)
    if not created:
        return redirect(_job_url(request, job))
    if job.total_rows > background_rows():
        csv_import_queue(job=job)
        return redirect(_job_url(request, job))
    rejected = csv_import_run(job_id=job.pk, show_progress=False)
    job.refresh_from_db()
    if job.status == CsvImportStatus.DONE:
        messages.success(request, flow.done_message(job.imported_rows))
        return redirect(flow.done_url, organisation.slug)
    if rejected is not None:
        context.update(preview=rejected, filename=filename)
        return _render(request, flow, context)
    return redirect(_job_url(request, job))


def _job(request: OrganisationRequest, flow: CsvImport, job_id: str | None) -> CsvImportJob:
    try:
        pk = int(job_id or "")  # none given: no such import, as for any text that is no number
    except (TypeError, ValueError):
        raise Http404("No such import.") from None
    return get_object_or_404(
        CsvImportJob.objects.filter(organisation=request.organisation, kind=flow.name).select_related(
            "requested_by"
        ),
        pk=pk,
    )


def _job_url(request: OrganisationRequest, job: CsvImportJob) -> str:
    return f"{request.path}?job={job.pk}"


def _job_page(request: OrganisationRequest, flow: CsvImport, job: CsvImportJob) -> HttpResponse:
    """The job's progress. htmx polls the status block; once the job is finished the whole page is loaded
    again (HX-Refresh), so it shows the outcome with what goes with it (the rows that failed)."""
    polling = request.htmx and not request.htmx.history_restore_request
    context: dict[str, Any] = {
        "job": job,
        "job_url": _job_url(request, job),
        "done_message": flow.done_message(job.imported_rows) if job.status == CsvImportStatus.DONE else "",
        "done_list_url": reverse(flow.done_url, args=[request.organisation.slug]),
    }
    if polling:
        response = render(request, "partials/csv_import.html#job", context)
        if job.is_finished:
            response["HX-Refresh"] = "true"
        return response
    preview = None
    if job.row_errors:
        preview = ImportPreview(
            rows=[
                ImportRow(line=row["line"], values=row.get("values") or {}, errors=row["errors"])
                for row in job.row_errors
            ]
        )
    context.update(form=PartnerImportForm(), preview=preview, upload_id=None, filename=job.filename)
    return _render(request, flow, context)


def _render(request: OrganisationRequest, flow: CsvImport, context: dict[str, Any]) -> HttpResponse:
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
