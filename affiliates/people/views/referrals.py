"""Referrals: the lead pipeline (new → qualified → won / lost) and the fee a won lead earns."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from affiliates.models import Referral, ReferralStatus
from affiliates.people import referrals
from affiliates.people.forms import ReferralForm, ReferralLostForm, partner_choices
from partnerhub.tenancy import organisation_view

PER_PAGE = 25


def _referral(request, referral_id):
    return get_object_or_404(
        referrals.with_fees(Referral.objects.filter(organisation=request.organisation)), pk=referral_id
    )


@organisation_view
def referral_list(request):
    organisation = request.organisation
    queryset = Referral.objects.filter(organisation=organisation)
    status = request.GET.get("status", "")
    if status not in ReferralStatus.values:
        status = ""
    partner = None
    partner_id = request.GET.get("partner", "")
    if partner_id.isdigit():
        partner = partner_choices(organisation).filter(pk=partner_id).first()
    if partner is not None:
        queryset = queryset.filter(partner=partner)
    counts = referrals.status_counts(organisation, partner)
    if status:
        queryset = queryset.filter(status=status)
    page = Paginator(referrals.with_fees(queryset).order_by("-created_at", "-pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = [(referral, referrals.fee_of(referral)) for referral in page.object_list]
    return render(
        request,
        "affiliates/people/referral_list.html",
        {
            "page_obj": page,
            "rows": rows,
            "status": status,
            "partner": partner,
            "partners": partner_choices(organisation, estate_agents_first=True).only("pk", "name"),
            "counts": [(value, label, counts[value]) for value, label in ReferralStatus.choices],
            "total": sum(counts.values()),
        },
    )


def _form_page(request, form, referral=None, status=200):
    return render(
        request, "affiliates/people/referral_form.html", {"form": form, "referral": referral}, status=status
    )


@organisation_view
@require_http_methods(["GET", "POST"])
def referral_create(request):
    organisation = request.organisation
    initial = {}
    if request.GET.get("partner", "").isdigit():
        initial["partner"] = request.GET["partner"]
    form = ReferralForm(request.POST or None, organisation=organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            referral = referrals.referral_create(
                organisation=organisation, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The referral of %(lead)s is registered.") % {"lead": referral.lead_name}
            )
            return redirect("affiliates:referral_status", organisation.slug, referral.pk)
    return _form_page(request, form, status=422 if request.method == "POST" else 200)


@organisation_view
@require_http_methods(["GET", "POST"])
def referral_update(request, referral_id):
    referral = _referral(request, referral_id)
    form = ReferralForm(request.POST or None, instance=referral, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            referrals.referral_update(
                referral=referral,
                actor=request.user,
                **{name: form.cleaned_data[name] for name in referrals.EDITABLE},
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The referral is saved."))
            return redirect("affiliates:referral_status", request.organisation.slug, referral.pk)
    return _form_page(request, form, referral, status=422 if request.method == "POST" else 200)


@organisation_view
@require_http_methods(["GET", "POST"])
def referral_status(request, referral_id):
    """GET: the referral with its fee and the moves it can make. POST: one move (`status`, and `reason`
    for lost)."""
    referral = _referral(request, referral_id)
    lost_form = ReferralLostForm()
    status = 200
    if request.method == "POST":
        new_status = request.POST.get("status", "")
        reason = ""
        if new_status == ReferralStatus.LOST:
            lost_form = ReferralLostForm(request.POST)
            reason = request.POST.get("reason", "")
        try:
            changed, fee = referrals.referral_status_change(
                referral=referral, status=new_status, actor=request.user, reason=reason
            )
        except referrals.ReferralRefused as refused:
            if new_status == ReferralStatus.LOST:
                lost_form.is_valid()
            messages.error(request, refused.message)
            status = 422
        else:
            if new_status == ReferralStatus.WON and fee is not None:
                messages.success(
                    request,
                    _("%(lead)s is won. A referral fee for %(partner)s is in the ledger.")
                    % {"lead": changed.lead_name, "partner": changed.partner.name},
                )
            else:
                messages.success(
                    request,
                    _("%(lead)s is now %(status)s.")
                    % {"lead": changed.lead_name, "status": changed.get_status_display().lower()},
                )
            next_url = request.POST.get("next", "")
            if next_url.startswith(reverse("affiliates:referral_list", args=[request.organisation.slug])):
                return redirect(next_url)
            return redirect("affiliates:referral_status", request.organisation.slug, referral.pk)
        referral = _referral(request, referral_id)
    fee = referrals.fee_of(referral)
    return render(
        request,
        "affiliates/people/referral_detail.html",
        {
            "referral": referral,
            "fee": fee,
            "corrections": list(fee.corrections.all()) if fee else [],
            "moves": referrals.next_statuses(referral),
            "lost_form": lost_form,
        },
        status=status,
    )


urlpatterns = [
    path("referrals/", referral_list, name="referral_list"),
    path("referrals/new/", referral_create, name="referral_create"),
    path("referrals/<int:referral_id>/edit/", referral_update, name="referral_update"),
    path("referrals/<int:referral_id>/", referral_status, name="referral_status"),
]
