"""The partner list as CSV, and importing partners from a CSV file (upload → preview → confirm)."""

import secrets

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from partnerhub import selectors
from partnerhub.exports import csv_response
from partnerhub.forms import PartnerFilterForm
from partnerhub.models import Partner, PartnerCategory, PartnerStatus
from partnerhub.partner_import import (
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    ImportPreview,
    PartnerImportForm,
    PartnerImportRejected,
    parse_partner_csv,
    partners_import,
    read_partner_csv,
    template_csv,
)
from partnerhub.tenancy import organisation_view, require_write

EXPORT_FIELDS = ["name", "category", "status", "kvk_number", "website", "influence", "importance"]
# The uploaded text waits here between the preview and the confirmation; one file per organisation.
SESSION_KEY = "partner_import:{slug}"


@organisation_view
@require_safe
def partner_export(request):
    """The list as the user filtered it, one query, streamed. Viewers may export: it is reading."""
    filters = PartnerFilterForm(request.GET).filters()
    partners = selectors.partner_search(organisation=request.organisation, **filters)
    categories = {value: str(label) for value, label in PartnerCategory.choices}
    statuses = {value: str(label) for value, label in PartnerStatus.choices}
    header = [capfirst(Partner._meta.get_field(name).verbose_name) for name in EXPORT_FIELDS]
    header += [_("Contacts"), _("Key persons"), capfirst(Partner._meta.get_field("notes").verbose_name)]
    rows = (
        [
            name,
            categories.get(category, category),
            statuses.get(status, status),
            kvk_number,
            website,
            influence,
            importance,
            contact_count,
            key_person_count,
            notes,
        ]
        for (
            name,
            category,
            status,
            kvk_number,
            website,
            influence,
            importance,
            contact_count,
            key_person_count,
            notes,
        ) in partners.values_list(*EXPORT_FIELDS, "contact_count", "key_person_count", "notes").iterator(
            chunk_size=2000
        )
    )
    filename = f"partners-{request.organisation.slug}-{timezone.localdate():%Y-%m-%d}.csv"
    return csv_response(filename, header, rows)


@organisation_view
@require_http_methods(["GET", "POST"])
def partner_import(request):
    """Upload a CSV, see every row checked, then import all rows or none. Owners and managers only."""
    require_write(request.membership)
    if request.method == "GET" and request.GET.get("template"):
        header, rows = template_csv()
        return csv_response(_("partners-import-example.csv"), header, rows)

    session_key = SESSION_KEY.format(slug=request.organisation.slug)
    context = {"form": PartnerImportForm(), "preview": None, "upload_id": None}
    if request.method == "POST" and request.POST.get("action") == "confirm":
        stored = request.session.get(session_key)
        if not stored or stored.get("id") != request.POST.get("upload_id"):
            context["file_errors"] = [_("This upload has expired or was replaced. Upload the file again.")]
            return _render(request, context)
        # partners_import checks every row again inside its transaction; reading is all that is left here.
        preview = read_partner_csv(stored["text"])
        if not preview.file_errors:
            try:
                partners = partners_import(
                    organisation=request.organisation, actor=request.user, rows=preview.rows
                )
            except PartnerImportRejected as rejected:
                preview = rejected.preview
            else:
                del request.session[session_key]
                messages.success(
                    request,
                    ngettext("%(count)s partner imported.", "%(count)s partners imported.", len(partners))
                    % {"count": len(partners)},
                )
                return redirect("partner_list", request.organisation.slug)
        context.update(preview=preview, filename=stored.get("filename", ""))
        return _render(request, context)

    if request.method == "POST":
        form = PartnerImportForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            text = form.cleaned_data["text"]
            preview = parse_partner_csv(organisation=request.organisation, text=text)
            filename = form.cleaned_data["file"].name
            if preview.is_importable:
                upload_id = secrets.token_urlsafe(16)
                request.session[session_key] = {"id": upload_id, "text": text, "filename": filename}
                context["upload_id"] = upload_id
            else:
                request.session.pop(session_key, None)
            context.update(preview=preview, filename=filename)
    return _render(request, context)


def _render(request, context):
    preview = context.get("preview") or ImportPreview()
    context.setdefault("file_errors", preview.file_errors)
    context.update(
        shown_rows=preview.rows_to_show(),
        max_megabytes=MAX_IMPORT_BYTES // 1024 // 1024,
        max_rows=MAX_IMPORT_ROWS,
        categories=PartnerCategory.labels,
        statuses=PartnerStatus.labels,
    )
    return render(request, "partnerhub/partner_import.html", context)
