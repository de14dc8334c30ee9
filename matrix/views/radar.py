"""The partner radar (see matrix/radar.py): the chart, scoring a partner on the page, and putting the
selected partners in a value matrix in one action.

    GET  radar/                     the chart and the list of partners (the highest scores first)
    POST radar/<partner_id>/score/  influence and importance of one partner (htmx: the row and the chart)
    POST radar/add-to-matrix/       the selected partners into an existing matrix or a new one
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from matrix import services
from matrix.forms import AddToMatrixForm, RadarScoreForm
from matrix.radar import is_key, radar_chart
from partnerhub import services as partner_services
from partnerhub.models import Partner, PartnerStatus
from partnerhub.tenancy import organisation_view

PAGE = "matrix/radar.html"
PARTNERS_PER_PAGE = 50


def _partners(organisation):
    """Every partner still worked with, the highest on the radar first, unscored ones last."""
    return (
        organisation.partners.exclude(status=PartnerStatus.ENDED)
        .annotate(score=F("influence") * F("importance"))
        .order_by(F("score").desc(nulls_last=True), F("influence").desc(nulls_last=True), "name", "pk")
    )


def _chart(organisation):
    return radar_chart(_partners(organisation).values_list("pk", "name", "influence", "importance"))


def _page(request, *, form=None, status=200):
    organisation = request.organisation
    page = Paginator(_partners(organisation), PARTNERS_PER_PAGE).get_page(request.GET.get("page"))
    for partner in page.object_list:
        partner.is_key = is_key(partner.influence, partner.importance)
    return render(
        request,
        PAGE,
        {
            "chart": _chart(organisation),
            "page_obj": page,
            "form": form or AddToMatrixForm(organisation=organisation),
        },
        status=status,
    )


@organisation_view
@require_GET
def radar(request):
    return _page(request)


@organisation_view
@require_POST
def radar_score(request, partner_id):
    """Save one partner's two scores. htmx gets the row and the chart back; without it, the page."""
    partner = get_object_or_404(
        Partner.objects.exclude(status=PartnerStatus.ENDED), pk=partner_id, organisation=request.organisation
    )
    form = RadarScoreForm(request.POST)
    if form.is_valid():
        partner = partner_services.partner_update(
            partner=partner,
            actor=request.user,
            influence=form.cleaned_data["influence"],
            importance=form.cleaned_data["importance"],
        )
    if not request.htmx:
        if form.is_valid():
            messages.success(request, _("The scores of %(name)s were saved.") % {"name": partner.name})
        else:
            messages.error(request, form.errors.as_text())
        return redirect("matrix:radar", request.organisation.slug)
    partner.score = partner.radar_score
    partner.is_key = is_key(partner.influence, partner.importance)
    return render(
        request,
        f"{PAGE}#score_saved",
        {
            "partner": partner,
            "score_form": form,
            "saved": form.is_valid(),
            "chart": _chart(request.organisation),
        },
        status=200 if form.is_valid() else 422,
    )


@organisation_view
@require_POST
def radar_add_to_matrix(request):
    form = AddToMatrixForm(request.POST, organisation=request.organisation)
    if not form.is_valid():
        return _page(request, form=form, status=422)
    with transaction.atomic():
        matrix = form.cleaned_data["matrix"]
        if matrix is None:
            matrix = services.matrix_create(
                organisation=request.organisation, actor=request.user, name=form.cleaned_data["new_name"]
            )
        partners = form.cleaned_data["partners"]
        added = services.rows_add(matrix=matrix, partners=partners, actor=request.user)
    message = ngettext(
        "%(count)d partner was added to %(name)s.",
        "%(count)d partners were added to %(name)s.",
        len(added),
    ) % {"count": len(added), "name": matrix.name}
    already = len(partners) - len(added)
    if already:
        message += " " + ngettext(
            "%(count)d was in it already.", "%(count)d were in it already.", already
        ) % {"count": already}
    messages.success(request, message)
    return redirect(matrix)


urlpatterns = [
    path("radar/", radar, name="radar"),
    path("radar/<int:partner_id>/score/", radar_score, name="radar_score"),
    path("radar/add-to-matrix/", radar_add_to_matrix, name="radar_add_to_matrix"),
]
