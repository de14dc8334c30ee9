"""Projects (orders) per partner: the list with totals, entry by hand, deleting, and the CSV import."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from affiliates.models import ProjectSource
from affiliates.tiers import projects
from affiliates.tiers.forms import ProjectFilterForm, ProjectForm
from partnerhub.csv_import import CsvImport, csv_import_page
from partnerhub.deletion import confirm_delete
from partnerhub.tenancy import organisation_view, require_write

PAGE_SIZE = 50


def _project(request, project_id):
    return get_object_or_404(projects.projects_with_flags(request.organisation), pk=project_id)


@organisation_view
@require_safe
def project_list(request):
    """All projects, filtered by partner and customer reference, with the count and value of the selection."""
    form = ProjectFilterForm(request.GET or None, organisation=request.organisation)
    filters = form.filters()
    selection = projects.projects_with_flags(request.organisation)
    if filters["partner"] is not None:
        selection = selection.filter(partner=filters["partner"])
    if filters["q"]:
        selection = selection.filter(customer_reference__icontains=filters["q"])
    totals = selection.order_by().aggregate(count=Count("pk"), value=Sum("value"))
    page = Paginator(selection.order_by("-date", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
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
        project = projects.project_create(
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
        projects.project_update(project=project, actor=request.user, values=form.cleaned_data)
        messages.success(
            request, _("Project %(reference)s saved.") % {"reference": project.customer_reference}
        )
        return redirect("affiliates:project_list", request.organisation.slug)
    return render(request, "affiliates/tiers/project_form.html", {"form": form, "project": project})


@organisation_view
@require_http_methods(["GET", "POST"])
def project_delete(request, project_id):
    """Delete a project, unless a commission was earned on it: the ledger keeps its order."""
    project = _project(request, project_id)
    require_write(request.membership)
    back = reverse("affiliates:project_list", args=[request.organisation.slug])
    return confirm_delete(
        request,
        project,
        delete=lambda: projects.project_delete(project=project, actor=request.user),
        success_url=back,
        success_message=_("Project %(reference)s deleted.") % {"reference": project.customer_reference},
        cancel_url=back,
        template="affiliates/tiers/project_confirm_delete.html",
        context={"project": project},
        refusals=(projects.ProjectProtected,),
    )


PROJECT_IMPORT = CsvImport(
    name="project_import",
    template="affiliates/tiers/project_import.html",
    example=projects.template_csv,
    example_filename=lambda: _("projects-import-example.csv"),
    read=projects.read_project_csv,
    parse=projects.parse_project_csv,
    save=projects.projects_import,
    rejected=projects.ProjectImportRejected,
    done_message=lambda count: (
        ngettext("%(count)s project imported.", "%(count)s projects imported.", count) % {"count": count}
    ),
    done_url="affiliates:project_list",
)


@organisation_view
@require_http_methods(["GET", "POST"])
def project_import(request):
    """Upload a CSV, see every row checked, then import all rows or none (the flow of the partner import)."""
    require_write(request.membership)
    return csv_import_page(request, PROJECT_IMPORT)


urlpatterns = [
    path("projects/", project_list, name="project_list"),
    path("projects/new/", project_create, name="project_create"),
    path("projects/import/", project_import, name="project_import"),
    path("projects/<int:project_id>/", project_update, name="project_update"),
    path("projects/<int:project_id>/delete/", project_delete, name="project_delete"),
]
