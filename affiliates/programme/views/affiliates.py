"""Affiliates: the list with their figures, setting one up (for a partner or a new blogger), changing its
codes and payout account, and its portal links (shown once when made, revocable)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from affiliates.ledger import selectors
from affiliates.models import Affiliate, PortalLink
from affiliates.programme import affiliates as affiliate_services
from affiliates.programme.forms import AffiliateForm
from affiliates.programme.rules import programme_for
from affiliates.tracking.clicks import example_link
from partnerhub.models import Partner
from partnerhub.tenancy import organisation_view, require_write

PER_PAGE = 25
# The raw portal token is shown once, on the page the user is sent back to.
PORTAL_SESSION_KEY = "affiliates.portal_link"


def affiliate_link(request, code):
    """The affiliate's link as the visitor types it: https://<host>/r/<code>."""
    return request.build_absolute_uri(reverse("affiliate_redirect", args=[code]))


def portal_url(request, token):
    return request.build_absolute_uri(reverse("portal", args=[token]))


def _affiliate(request, affiliate_id):
    return get_object_or_404(
        Affiliate.objects.select_related("partner", "organisation"),
        pk=affiliate_id,
        organisation=request.organisation,
    )


@organisation_view
def affiliate_list(request):
    programme = programme_for(request.organisation)
    page = Paginator(affiliate_services.affiliates_with_figures(request.organisation), PER_PAGE).get_page(
        request.GET.get("page")
    )
    balances = selectors.balances_by_partner(
        request.organisation, [affiliate.partner_id for affiliate in page], programme=programme
    )
    for affiliate in page:
        affiliate.balances = balances[affiliate.partner_id]
        affiliate.link = affiliate_link(request, affiliate.code)
        affiliate.iban_display = affiliate_services.iban_formatted(affiliate.iban)
        affiliate.payout_problem = affiliate_services.iban_problem(affiliate)
        affiliate.rate = affiliate.commission_rate(programme)
    return render(
        request,
        "affiliates/programme/affiliate_list.html",
        {"page_obj": page, "programme": programme},
    )


def _suggested_code(form_data, organisation):
    partner_id = (form_data.get("partner") or "").strip()
    name = (form_data.get("new_partner_name") or "").strip()
    if partner_id.isdigit():
        partner = Partner.objects.filter(organisation=organisation, pk=partner_id).first()
        name = partner.name if partner else name
    return affiliate_services.code_suggest(name) if name else ""


@organisation_view
@require_http_methods(["GET", "POST"])
def affiliate_create(request):
    organisation = request.organisation
    if request.method == "GET":
        if request.htmx and request.GET.get("suggest"):
            # The name was chosen or typed: suggest a free link code for it.
            return render(
                request,
                "affiliates/programme/affiliate_form.html#code_suggestion",
                {"suggestion": _suggested_code(request.GET, organisation)},
            )
        initial = {}
        if request.GET.get("partner", "").isdigit():
            initial["partner"] = request.GET["partner"]
            initial["code"] = _suggested_code(request.GET, organisation)
        form = AffiliateForm(organisation=organisation, creating=True, initial=initial)
        return render(request, "affiliates/programme/affiliate_form.html", {"form": form, "creating": True})
    require_write(request.membership)
    form = AffiliateForm(request.POST, organisation=organisation, creating=True)
    if form.is_valid():
        data = form.cleaned_data
        partner = data["partner"]
        code = data["code"] or affiliate_services.code_suggest(
            partner.name if partner else data["new_partner_name"]
        )
        try:
            affiliate = affiliate_services.affiliate_create(
                organisation=organisation,
                actor=request.user,
                partner=partner,
                new_partner_name=data["new_partner_name"],
                new_partner_category=data["new_partner_category"] or affiliate_services.BLOGGER_CATEGORY,
                code=code,
                coupon_code=data["coupon_code"],
                email=data["email"],
                customer_reference=data["customer_reference"],
                account_holder=data["account_holder"],
                iban=data["iban"],
                commission_percent=data["commission_percent"],
            )
        except affiliate_services.AffiliateError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(
                request,
                _("%(name)s is an affiliate now, with the link %(link)s.")
                % {"name": affiliate.partner.name, "link": affiliate_link(request, affiliate.code)},
            )
            return redirect("affiliates:affiliate_update", organisation.slug, affiliate.pk)
    return render(
        request, "affiliates/programme/affiliate_form.html", {"form": form, "creating": True}, status=422
    )


@organisation_view
@require_http_methods(["GET", "POST"])
def affiliate_update(request, affiliate_id):
    affiliate = _affiliate(request, affiliate_id)
    status = 200
    if request.method == "POST":
        require_write(request.membership)
        form = AffiliateForm(
            request.POST, instance=affiliate, organisation=request.organisation, creating=False
        )
        if form.is_valid():
            try:
                affiliate_services.affiliate_update(
                    affiliate=affiliate,
                    actor=request.user,
                    **{name: form.cleaned_data[name] for name in form.Meta.fields},
                )
            except affiliate_services.AffiliateError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(request, _("The affiliate is saved."))
                return redirect("affiliates:affiliate_update", request.organisation.slug, affiliate.pk)
        status = 422
        affiliate.refresh_from_db()
    else:
        form = AffiliateForm(instance=affiliate, organisation=request.organisation, creating=False)
    programme = programme_for(request.organisation)
    links = list(affiliate.portal_links.select_related("created_by").order_by("-created_at")[:20])
    fresh = request.session.pop(PORTAL_SESSION_KEY, None)
    if fresh and fresh.get("affiliate") != affiliate.pk:
        fresh = None
    link = affiliate_link(request, affiliate.code)
    return render(
        request,
        "affiliates/programme/affiliate_form.html",
        {
            "form": form,
            "creating": False,
            "affiliate": affiliate,
            "link": link,
            "example_link": example_link(link),
            "iban_display": affiliate_services.iban_formatted(affiliate.iban),
            "payout_problem": affiliate_services.iban_problem(affiliate),
            "portal_links": links,
            "fresh_portal_link": fresh,
            "programme": programme,
            "balances": selectors.ledger_balances(
                request.organisation, programme=programme, partner=affiliate.partner
            ),
        },
        status=status,
    )


@organisation_view
@require_POST
def portal_link_create(request, affiliate_id):
    affiliate = _affiliate(request, affiliate_id)
    link, raw = affiliate_services.portal_link_create(affiliate=affiliate, actor=request.user)
    request.session[PORTAL_SESSION_KEY] = {
        "affiliate": affiliate.pk,
        "url": portal_url(request, raw),
        "expires": link.expires_at.date().isoformat(),
    }
    return redirect(
        reverse("affiliates:affiliate_update", args=[request.organisation.slug, affiliate.pk]) + "#portal"
    )


@organisation_view
@require_http_methods(["GET", "POST"])
def portal_link_revoke(request, affiliate_id, portal_link_id):
    """GET asks for confirmation; POST withdraws the link."""
    affiliate = _affiliate(request, affiliate_id)
    link = get_object_or_404(PortalLink, pk=portal_link_id, affiliate=affiliate)
    if request.method == "GET":
        return render(
            request,
            "affiliates/ledger/portal_link_revoke.html",
            {"affiliate": affiliate, "portal_link": link},
        )
    require_write(request.membership)
    _link, revoked = affiliate_services.portal_link_revoke(link=link, actor=request.user)
    if revoked:
        messages.success(request, _("The portal link is withdrawn: it no longer opens the portal."))
    else:
        messages.info(request, _("This portal link was withdrawn already."))
    return redirect(
        reverse("affiliates:affiliate_update", args=[request.organisation.slug, affiliate.pk]) + "#portal"
    )


urlpatterns = [
    path("affiliates/", affiliate_list, name="affiliate_list"),
    path("affiliates/new/", affiliate_create, name="affiliate_create"),
    path("affiliates/<int:affiliate_id>/", affiliate_update, name="affiliate_update"),
    path("affiliates/<int:affiliate_id>/portal-links/", portal_link_create, name="portal_link_create"),
    path(
        "affiliates/<int:affiliate_id>/portal-links/<int:portal_link_id>/revoke/",
        portal_link_revoke,
        name="portal_link_revoke",
    ),
]
