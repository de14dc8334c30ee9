"""Co-marketing actions with partners (seed 004, 5.1): what we do together and what we put in."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from affiliates.models import CoMarketingAction, CoMarketingStatus
from affiliates.people import comarketing
from affiliates.people.forms import CoMarketingForm, partner_choices
from partnerhub.deletion import confirm_delete
from partnerhub.tenancy import organisation_view

PER_PAGE = 25


def _action(request, comarketing_id):
    return get_object_or_404(
        CoMarketingAction.objects.select_related("partner"),
        organisation=request.organisation,
        pk=comarketing_id,
    )


@organisation_view
def comarketing_list(request):
    organisation = request.organisation
    queryset = CoMarketingAction.objects.filter(organisation=organisation)
    status = request.GET.get("status", "")
    if status not in CoMarketingStatus.values:
        status = ""
    if status:
        queryset = queryset.filter(status=status)
    partner = None
    if request.GET.get("partner", "").isdigit():
        partner = partner_choices(organisation).filter(pk=request.GET["partner"]).first()
    if partner is not None:
        queryset = queryset.filter(partner=partner)
    page = Paginator(queryset.select_related("partner").order_by("-date", "-pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "affiliates/people/comarketing_list.html",
        {
            "page_obj": page,
            "rows": [(action, comarketing.our_cost(action)) for action in page.object_list],
            "totals": comarketing.totals(queryset),
            "status": status,
            "statuses": CoMarketingStatus.choices,
            "partner": partner,
            "partners": partner_choices(organisation).only("pk", "name"),
        },
    )


def _form_page(request, form, action=None, status=200):
    return render(
        request, "affiliates/people/comarketing_form.html", {"form": form, "action": action}, status=status
    )


@organisation_view
@require_http_methods(["GET", "POST"])
def comarketing_create(request):
    organisation = request.organisation
    form = CoMarketingForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            comarketing.action_create(organisation=organisation, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The co-marketing action is saved."))
            return redirect("affiliates:comarketing_list", organisation.slug)
    return _form_page(request, form, status=422 if request.method == "POST" else 200)


@organisation_view
@require_http_methods(["GET", "POST"])
def comarketing_update(request, comarketing_id):
    action = _action(request, comarketing_id)
    form = CoMarketingForm(request.POST or None, instance=action, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            comarketing.action_update(comarketing_action=action, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The co-marketing action is saved."))
            return redirect("affiliates:comarketing_list", request.organisation.slug)
    return _form_page(request, form, action, status=422 if request.method == "POST" else 200)


@organisation_view
@require_http_methods(["GET", "POST"])
def comarketing_delete(request, comarketing_id):
    action = _action(request, comarketing_id)
    back = reverse("affiliates:comarketing_list", args=[request.organisation.slug])
    return confirm_delete(
        request,
        action,
        delete=lambda: comarketing.action_delete(comarketing_action=action, actor=request.user),
        success_url=back,
        success_message=_("The co-marketing action “%(action)s” is deleted.") % {"action": action.action},
        cancel_url=back,
        context={"consequences": _("The action and its figures are removed.")},
    )


urlpatterns = [
    path("comarketing/", comarketing_list, name="comarketing_list"),
    path("comarketing/new/", comarketing_create, name="comarketing_create"),
    path("comarketing/<int:comarketing_id>/edit/", comarketing_update, name="comarketing_update"),
    path("comarketing/<int:comarketing_id>/delete/", comarketing_delete, name="comarketing_delete"),
]
