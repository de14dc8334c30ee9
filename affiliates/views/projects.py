"""Projects (orders) per partner: the list with totals, entry by hand, deleting, and the CSV import."""

import secrets

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from affiliates import projects as services
from affiliates.forms_tiers import ProjectFilterForm, ProjectForm
from affiliates.models import ProjectSource
from partnerhub.exports import csv_response
from partnerhub.partner_import import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, ImportPreview, PartnerImportForm
from partnerhub.tenancy import organisation_view, require_write

PAGE_SIZE = 50
SESSION_KEY = "project_import:{slug}"


def _project(request, project_id):
    return get_object_or_404(services.projects_with_flags(request.organisation), pk=project_id)


@organisation_view
@require_safe
def project_list(request):
    """All projects, filtered by partner and customer reference, with the count and value of the selection."""
    form = ProjectFilterForm(request.GET or None, organisation=request.organisation)
    filters = form.filters()
    projects = services.projects_with_flags(request.organisation)
    if filters["partner"] is not None:
        projects = projects.filter(partner=filters["partner"])
    if filters["q"]:
        projects = projects.filter(customer_reference__icontains=filters["q"])
    totals = projects.order_by().aggregate(count=Count("pk"), value=Sum("value"))
    page = Paginator(projects.order_by("-date", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "affiliates/tiers/project_list.html",
        {
            "form": form,
            "page": page,
            "projects": page.object_list,
            "totals": totals,
            "filtered": bool(filters["q"] or filters["partner"]),
            "api_source": ProjectSource.API,
        },
    )


@organisation_view
@require_http_methods(["GET", "POST"])
def project_create(request):
    require_write(request.membership)
    initial = {}
    partner_id = request.GET.get("partner")
    if partner_id and partner_id.isdigit():
        initial["partner"] = request.organisation.partners.filter(pk=partner_id).first()
    form = ProjectForm(request.POST or None, organisation=request.organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        project = services.project_create(
            organisation=request.organisation, actor=request.user, **form.cleaned_data
        )
        messages.success(
            request, _("Project %(reference)s saved.") % {"reference": project.customer_reference}
        )
        if request.POST.get("another"):
            return redirect("affiliates:project_create", request.organisation.slug)
        return redirect("affiliates:project_list", request.organisation.slug)
    return render(request, "affiliates/tiers/project_form.html", {"form": form, "project": None})


@organisation_view
@require_http_methods(["GET", "POST"])
def project_update(request, project_id):
    project = _project(request, project_id)
    require_write(request.membership)
    form = ProjectForm(request.POST or None, instance=project, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        services.project_update(project=project, actor=request.user, values=form.cleaned_data)
        messages.success(
            request, _("Project %(reference)s saved.") % {"reference": project.customer_reference}
        )
        return redirect("affiliates:project_list", request.organisation.slug)
    return render(request, "affiliates/tiers/project_form.html", {"form": form, "project": project})


@organisation_view
@require_http_methods(["GET", "POST"])
def project_delete(request, project_id):
    project = _project(request, project_id)
    require_write(request.membership)
    if request.method == "POST" and not project.has_commission:
        try:
            services.project_delete(project=project, actor=request.user)
        except services.ProjectProtected:
            project.has_commission = True
        else:
            messages.success(
                request, _("Project %(reference)s deleted.") % {"reference": project.customer_reference}
            )
            return redirect("affiliates:project_list", request.organisation.slug)
    return render(request, "affiliates/tiers/project_confirm_delete.html", {"project": project})


@organisation_view
@require_http_methods(["GET", "POST"])
def project_import(request):
    """Upload a CSV, see every row checked, then import all rows or none (as the partner import)."""
    require_write(request.membership)
    if request.method == "GET" and request.GET.get("template"):
        header, rows = services.template_csv()
        return csv_response(_("projects-import-example.csv"), header, rows)

    session_key = SESSION_KEY.format(slug=request.organisation.slug)
    context = {"form": PartnerImportForm(), "preview": None, "upload_id": None}
    if request.method == "POST" and request.POST.get("action") == "confirm":
        stored = request.session.get(session_key)
        if not stored or stored.get("id") != request.POST.get("upload_id"):
            context["file_errors"] = [_("This upload has expired or was replaced. Upload the file again.")]
            return _render_import(request, context)
        preview = services.read_project_csv(stored["text"])
        if not preview.file_errors:
            try:
                projects = services.projects_import(
                    organisation=request.organisation, actor=request.user, rows=preview.rows
                )
            except services.ProjectImportRejected as rejected:
                preview = rejected.preview
            else:
                del request.session[session_key]
                messages.success(
                    request,
                    ngettext("%(count)s project imported.", "%(count)s projects imported.", len(projects))
                    % {"count": len(projects)},
                )
                return redirect("affiliates:project_list", request.organisation.slug)
        context.update(preview=preview, filename=stored.get("filename", ""))
        return _render_import(request, context)

    if request.method == "POST":
        form = PartnerImportForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            text = form.cleaned_data["text"]
            preview = services.parse_project_csv(organisation=request.organisation, text=text)
            filename = form.cleaned_data["file"].name
            if preview.is_importable:
                upload_id = secrets.token_urlsafe(16)
                request.session[session_key] = {"id": upload_id, "text": text, "filename": filename}
                context["upload_id"] = upload_id
            else:
                request.session.pop(session_key, None)
            context.update(preview=preview, filename=filename)
    return _render_import(request, context)


def _render_import(request, context):
    preview = context.get("preview") or ImportPreview()
    context.setdefault("file_errors", preview.file_errors)
    context.update(
        shown_rows=preview.rows_to_show(),
        max_megabytes=MAX_IMPORT_BYTES // 1024 // 1024,
        max_rows=MAX_IMPORT_ROWS,
    )
    return render(request, "affiliates/tiers/project_import.html", context)


urlpatterns = [
    path("projects/", project_list, name="project_list"),
    path("projects/new/", project_create, name="project_create"),
    path("projects/import/", project_import, name="project_import"),
    path("projects/<int:project_id>/", project_update, name="project_update"),
    path("projects/<int:project_id>/delete/", project_delete, name="project_delete"),
]
