"""A partner's customer satisfaction: the scores, entering one, and asking a customer through a link."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from kombu.exceptions import OperationalError as KombuOperationalError

from affiliates.models import NpsRequest, NpsScore
from affiliates.people import nps, tasks
from affiliates.people.forms import NpsRequestForm, NpsScoreForm
from partnerhub.models import Partner
from partnerhub.tenancy import organisation_view

PER_PAGE = 25


def _partner(request, partner_id):
    return get_object_or_404(Partner, organisation=request.organisation, pk=partner_id)


def _request_state(nps_request, now):
    if nps_request.answered_at:
        return "answered"
    if nps_request.revoked_at:
        return "revoked"
    if nps.is_pending(nps_request):
        return "sending"
    if nps_request.expires_at <= now:
        return "expired"
    return "open"


def _page(request, partner, *, score_form=None, request_form=None, fresh_url=None, status=200):
    scores = NpsScore.objects.filter(partner=partner).select_related("project").order_by("-date", "-pk")
    page = Paginator(scores, PER_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    requests = [
        (item, _request_state(item, now))
        for item in NpsRequest.objects.filter(partner=partner)
        .select_related("project")
        .order_by("-created_at")[:10]
    ]
    return render(
        request,
        "affiliates/people/nps_list.html",
        {
            "partner": partner,
            "page_obj": page,
            "summary": nps.partner_summary(partner),
            "score_form": score_form or NpsScoreForm(partner=partner),
            "request_form": request_form or NpsRequestForm(partner=partner),
            "requests": requests,
            "fresh_url": fresh_url,
            "link_days": nps.LINK_DAYS,
        },
        status=status,
    )


@organisation_view
def nps_list(request, partner_id):
    return _page(request, _partner(request, partner_id))


@organisation_view
@require_http_methods(["GET", "POST"])
def nps_create(request, partner_id):
    partner = _partner(request, partner_id)
    if request.method == "GET":
        return redirect(
            f"{reverse('affiliates:nps_list', args=[request.organisation.slug, partner.pk])}#enter"
        )
    form = NpsScoreForm(request.POST, partner=partner)
    if form.is_valid():
        try:
            nps.nps_score_create(partner=partner, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The score is saved."))
            return redirect("affiliates:nps_list", request.organisation.slug, partner.pk)
    return _page(request, partner, score_form=form, status=422)


@organisation_view
@require_POST
def nps_request_create(request, partner_id):
    """With an e-mail address: the link is mailed (the task makes it). Without: the link is shown once here
    to copy (it is not stored, so the page is rendered, not redirected to)."""
    partner = _partner(request, partner_id)
    form = NpsRequestForm(request.POST, partner=partner)
    if not form.is_valid():
        return _page(request, partner, request_form=form, status=422)
    email, project = form.cleaned_data["email"], form.cleaned_data["project"]
    if email:
        try:
            nps_request = nps.nps_request_mail(
                partner=partner, email=email, project=project, actor=request.user
            )
        except nps.NpsAlreadyAsked:
            messages.info(
                request,
                _("The question was just sent to %(email)s; it was not sent again.") % {"email": email},
            )
        else:
            try:
                tasks.send_nps_link.delay(nps_request.pk, base_url=request.build_absolute_uri("/"))
            except (KombuOperationalError, OSError):
                # Not on its way: withdrawn, so the same address is not refused as "just sent".
                nps.nps_request_revoke(nps_request=nps_request, actor=None)
                messages.error(
                    request,
                    _(
                        "The question could not be handed to the mail queue; nothing was sent. "
                        "Try again in a moment."
                    ),
                )
            else:
                messages.success(request, _("The question is being sent to %(email)s.") % {"email": email})
        return redirect("affiliates:nps_list", request.organisation.slug, partner.pk)
    _nps_request, raw = nps.nps_request_link(partner=partner, project=project, actor=request.user)
    url = request.build_absolute_uri(reverse("nps_answer", args=[raw]))
    return _page(request, partner, fresh_url=url)


@organisation_view
@require_http_methods(["GET", "POST"])
def nps_request_revoke(request, nps_request_id):
    nps_request = get_object_or_404(
        NpsRequest.objects.select_related("partner"),
        organisation=request.organisation,
        partner__organisation=request.organisation,
        pk=nps_request_id,
    )
    back = reverse("affiliates:nps_list", args=[request.organisation.slug, nps_request.partner_id])
    if request.method == "POST":
        nps.nps_request_revoke(nps_request=nps_request, actor=request.user)
        messages.success(request, _("The link no longer works."))
        return redirect(back)
    return render(
        request,
        "partnerhub/confirm_delete.html",
        {
            "object": nps_request,
            "title": _("Withdraw this satisfaction link?"),
            "confirm_label": _("Yes, withdraw the link"),
            "cancel_url": back,
            "consequences": _("The link stops working at once. A score already given is kept."),
        },
    )


urlpatterns = [
    path("nps/<int:partner_id>/", nps_list, name="nps_list"),
    path("nps/<int:partner_id>/new/", nps_create, name="nps_create"),
    path("nps/<int:partner_id>/request/", nps_request_create, name="nps_request_create"),
    path("nps/requests/<int:nps_request_id>/withdraw/", nps_request_revoke, name="nps_request_revoke"),
]
