"""The programme's overview and its settings page (rules, KPI targets, the paying account, the tiers)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from affiliates.models import Tier
from affiliates.programme import rules, selectors
from affiliates.programme.forms import ProgrammeSettingsForm, TierFormSet
from partnerhub.second_factor import second_factor_required
from partnerhub.tenancy import organisation_view, require_write


@organisation_view
def programme_home(request):
    programme = rules.programme_for(request.organisation)
    return render(
        request,
        "affiliates/programme/overview.html",
        {
            "programme": programme,
            "figures": selectors.overview(request.organisation, programme),
            "top_affiliates": selectors.top_affiliates(request.organisation),
        },
    )


def _paying_account_changes(request):
    """Whether this request changes the IBAN payouts are paid from (the second factor guards that)."""
    if request.method != "POST" or request.POST.get("part") == "tiers":
        return False
    typed = "".join(request.POST.get("debtor_iban", "").split()).upper()
    saved = "".join(rules.programme_for(request.organisation).debtor_iban.split()).upper()
    return typed != saved


@organisation_view
@require_http_methods(["GET", "POST"])
@second_factor_required(when=_paying_account_changes)
def programme_settings(request):
    """One page, two forms: the rules (`settings`) and the tiers (`tiers`); each is saved on its own."""
    organisation = request.organisation
    programme = rules.programme_for(organisation)
    tiers = Tier.objects.filter(organisation=organisation)
    form = ProgrammeSettingsForm(instance=programme)
    formset = TierFormSet(queryset=tiers, prefix="tiers")
    status = 200
    if request.method == "POST":
        require_write(request.membership)
        if request.POST.get("part") == "tiers":
            formset = TierFormSet(request.POST, queryset=tiers, prefix="tiers")
            if formset.is_valid():
                rules.tiers_save(organisation=organisation, formset=formset, actor=request.user)
                messages.success(request, _("The tiers are saved. They count from the next evaluation."))
                return redirect("affiliates:programme_settings", organisation.slug)
        else:
            form = ProgrammeSettingsForm(request.POST, instance=programme)
            if form.is_valid():
                rules.settings_save(programme=programme, form=form, actor=request.user)
                messages.success(request, _("The programme settings are saved."))
                return redirect("affiliates:programme_settings", organisation.slug)
        status = 422
    return render(
        request,
        "affiliates/programme/settings.html",
        {"programme": programme, "form": form, "formset": formset},
        status=status,
    )


urlpatterns = [
    path("", programme_home, name="programme_home"),
    path("settings/", programme_settings, name="programme_settings"),
]
