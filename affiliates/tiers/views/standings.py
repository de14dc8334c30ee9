"""Tiers: the overview (tiers, partners and their distance to the next tier, history), evaluating now,
and setting a partner's tier by hand."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from affiliates.models import Tier, TierChange, TierStanding
from affiliates.programme.rules import programme_for, tier_for_count
from affiliates.tiers import standings
from affiliates.tiers.forms import TierOverrideForm
from partnerhub.tenancy import organisation_view, require_write

PAGE_SIZE = 50
HISTORY_SIZE = 15


@organisation_view
@require_safe
def tier_overview(request):
    organisation = request.organisation
    programme_for(organisation)
    tiers = list(
        Tier.objects.filter(organisation=organisation)
        .annotate(partner_count=Count("standings"))
        .order_by("min_projects")
    )
    selection = (
        TierStanding.objects.filter(organisation=organisation)
        .select_related("partner", "tier")
        .order_by("-project_count", "partner__name", "pk")
    )
    selected = request.GET.get("tier", "")
    if selected == "none":
        selection = selection.filter(tier__isnull=True)
    elif selected.isdigit():
        selection = selection.filter(tier_id=int(selected))
    without_tier = TierStanding.objects.filter(organisation=organisation, tier__isnull=True).count()
    page = Paginator(selection, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for standing in page.object_list:
        upcoming, distance = standings.next_tier(tiers, standing.project_count, current=standing.tier)
        eligible = tier_for_count(tiers, standing.project_count)
        rows.append({"standing": standing, "next": upcoming, "distance": distance, "eligible": eligible})
    history = (
        TierChange.objects.filter(organisation=organisation)
        .select_related("partner", "actor")
        .order_by("-created_at", "-pk")[:HISTORY_SIZE]
    )
    after, until = standings.window(timezone.localdate())
    return render(
        request,
        "affiliates/tiers/tier_overview.html",
        {
            "tiers": tiers,
            "without_tier": without_tier,
            "page": page,
            "rows": rows,
            "history": history,
            "selected": selected,
            "window_after": after,
            "window_until": until,
        },
    )


@organisation_view
@require_POST
def tier_evaluate(request):
    """Evaluate every partner now (as the quarterly task does); the managers get the usual e-mail."""
    changed = standings.tiers_evaluate_organisation(request.organisation, actor=request.user)
    if changed:
        up = sum(1 for outcome in changed if outcome.is_promotion)
        down = sum(1 for outcome in changed if outcome.is_demotion)
        messages.success(
            request,
            _("Tiers evaluated: %(up)s promoted, %(down)s demoted.") % {"up": up, "down": down},
        )
    else:
        messages.success(request, _("Tiers evaluated: no partner changed tier."))
    return redirect("affiliates:tier_overview", request.organisation.slug)


@organisation_view
@require_http_methods(["GET", "POST"])
def tier_override(request, partner_id):
    partner = get_object_or_404(request.organisation.partners.select_related("organisation"), pk=partner_id)
    standing = TierStanding.objects.filter(partner=partner).select_related("tier").first()
    require_write(request.membership)
    initial = {"tier": standing.tier if standing else None}
    form = TierOverrideForm(request.POST or None, organisation=request.organisation, initial=initial)
    if request.method == "POST" and request.POST.get("action") == "end":
        if standings.tier_override_end(partner, actor=request.user) is not None:
            messages.success(request, _("%(name)s follows the evaluation again.") % {"name": partner.name})
        return redirect("affiliates:tier_overview", request.organisation.slug)
    if request.method == "POST" and form.is_valid():
        try:
            standings.tier_override(
                partner,
                tier=form.cleaned_data["tier"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            tier = form.cleaned_data["tier"]
            messages.success(
                request,
                _("%(name)s now has tier %(tier)s, set by hand.")
                % {"name": partner.name, "tier": tier.name if tier else _("none")},
            )
            return redirect("affiliates:tier_overview", request.organisation.slug)
    history = (
        TierChange.objects.filter(partner=partner).select_related("actor").order_by("-created_at", "-pk")[:10]
    )
    return render(
        request,
        "affiliates/tiers/tier_override.html",
        {"partner": partner, "standing": standing, "form": form, "history": history},
    )


urlpatterns = [
    path("tiers/", tier_overview, name="tier_overview"),
    path("tiers/evaluate/", tier_evaluate, name="tier_evaluate"),
    path("tiers/partners/<int:partner_id>/", tier_override, name="tier_override"),
]
