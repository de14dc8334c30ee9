"""Onboarding: the organisation's template, the partners in onboarding, and one partner's tasks."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from affiliates.models import OnboardingTask
from affiliates.people import onboarding
from affiliates.people.forms import OnboardingStartForm, OnboardingStepFormSet, OnboardingTaskForm
from partnerhub.models import Partner
from partnerhub.tenancy import organisation_view

PER_PAGE = 25


def _partner(request, partner_id):
    return get_object_or_404(Partner, organisation=request.organisation, pk=partner_id)


def _task(request, task_id):
    return get_object_or_404(
        OnboardingTask.objects.select_related("partner", "owner"),
        organisation=request.organisation,
        partner__organisation=request.organisation,
        pk=task_id,
    )


def _startable(organisation):
    """Partners without an open onboarding, for the start form."""
    open_tasks = OnboardingTask.objects.filter(partner=OuterRef("pk"), done_at__isnull=True)
    return Partner.objects.filter(organisation=organisation).exclude(Exists(open_tasks)).order_by("name")


def _start(request, form, partner):
    try:
        onboarding.onboarding_start(
            partner=partner,
            start=form.cleaned_data["start"],
            owner=form.cleaned_data["owner"],
            actor=request.user,
        )
    except onboarding.OnboardingRefused as refused:
        form.add_error(None, refused.message)
        return False
    except ValidationError as error:
        form.add_error("owner", error)
        return False
    messages.success(request, _("The onboarding of %(partner)s has started.") % {"partner": partner.name})
    return True


@organisation_view
@require_http_methods(["GET", "POST"])
def onboarding_overview(request):
    organisation = request.organisation
    members = onboarding.members(organisation)
    form = OnboardingStartForm(
        request.POST or None, organisation=organisation, members=members, partners=_startable(organisation)
    )
    status = 200
    if request.method == "POST":
        if form.is_valid() and _start(request, form, form.cleaned_data["partner"]):
            return redirect(
                "affiliates:onboarding_partner", organisation.slug, form.cleaned_data["partner"].pk
            )
        status = 422
    onboarding.template_steps(organisation)
    page = Paginator(onboarding.partners_in_onboarding(organisation), PER_PAGE).get_page(
        request.GET.get("page")
    )
    overdue = list(onboarding.overdue_tasks(organisation)[:20])
    return render(
        request,
        "affiliates/people/onboarding_overview.html",
        {"page_obj": page, "overdue": overdue, "form": form, "today": timezone.localdate()},
        status=status,
    )


@organisation_view
@require_http_methods(["GET", "POST"])
def onboarding_template(request):
    organisation = request.organisation
    steps = onboarding.template_steps(organisation)
    formset = OnboardingStepFormSet(request.POST or None, queryset=steps, prefix="steps")
    status = 200
    if request.method == "POST":
        if formset.is_valid():
            try:
                onboarding.template_save(organisation=organisation, formset=formset, actor=request.user)
            except ValidationError as error:
                formset._non_form_errors = formset.error_class(error.messages)
            else:
                messages.success(
                    request,
                    _("The onboarding template is saved. It applies to onboardings started from now on."),
                )
                return redirect("affiliates:onboarding_template", organisation.slug)
        status = 422
    return render(request, "affiliates/people/onboarding_template.html", {"formset": formset}, status=status)


@organisation_view
def onboarding_partner(request, partner_id):
    partner = _partner(request, partner_id)
    tasks = list(OnboardingTask.objects.filter(partner=partner).select_related("owner"))
    form = None
    if not any(task.done_at is None for task in tasks):
        form = OnboardingStartForm(
            organisation=request.organisation, members=onboarding.members(request.organisation)
        )
    return _partner_page(request, partner, tasks, form)


def _partner_page(request, partner, tasks, form, status=200):
    return render(
        request,
        "affiliates/people/onboarding_partner.html",
        {
            "partner": partner,
            "tasks": tasks,
            "progress": onboarding.progress(tasks),
            "form": form,
            "today": timezone.localdate(),
        },
        status=status,
    )


@organisation_view
@require_http_methods(["GET", "POST"])
def onboarding_start(request, partner_id):
    partner = _partner(request, partner_id)
    form = OnboardingStartForm(
        request.POST or None,
        organisation=request.organisation,
        members=onboarding.members(request.organisation),
    )
    if request.method == "POST" and form.is_valid() and _start(request, form, partner):
        return redirect("affiliates:onboarding_partner", request.organisation.slug, partner.pk)
    tasks = list(OnboardingTask.objects.filter(partner=partner).select_related("owner"))
    return _partner_page(request, partner, tasks, form, status=422 if request.method == "POST" else 200)


@organisation_view
@require_POST
def onboarding_task_toggle(request, task_id):
    task = onboarding.task_toggle(task=_task(request, task_id), actor=request.user)
    if request.htmx:
        tasks = list(
            OnboardingTask.objects.filter(partner_id=task.partner_id).select_related("owner", "partner")
        )
        task = next(t for t in tasks if t.pk == task.pk)
        return render(
            request,
            "affiliates/people/onboarding_partner.html#toggled",
            {
                "task": task,
                "partner": task.partner,
                "progress": onboarding.progress(tasks),
                "today": timezone.localdate(),
            },
        )
    return redirect("affiliates:onboarding_partner", request.organisation.slug, task.partner_id)


@organisation_view
@require_http_methods(["GET", "POST"])
def onboarding_task_update(request, task_id):
    task = _task(request, task_id)
    members = onboarding.members(request.organisation)
    form = OnboardingTaskForm(
        request.POST or None, members=members, initial={"owner": task.owner_id, "due_date": task.due_date}
    )
    if request.method == "POST" and form.is_valid():
        try:
            onboarding.task_update(task=task, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("owner", error)
        else:
            messages.success(request, _("The task is saved."))
            return redirect("affiliates:onboarding_partner", request.organisation.slug, task.partner_id)
    return render(
        request,
        "affiliates/people/onboarding_task_form.html",
        {"task": task, "form": form},
        status=422 if request.method == "POST" else 200,
    )


urlpatterns = [
    path("onboarding/", onboarding_overview, name="onboarding_overview"),
    path("onboarding/template/", onboarding_template, name="onboarding_template"),
    path("onboarding/partners/<int:partner_id>/", onboarding_partner, name="onboarding_partner"),
    path("onboarding/partners/<int:partner_id>/start/", onboarding_start, name="onboarding_start"),
    path("onboarding/tasks/<int:task_id>/toggle/", onboarding_task_toggle, name="onboarding_task_toggle"),
    path("onboarding/tasks/<int:task_id>/edit/", onboarding_task_update, name="onboarding_task_update"),
]
