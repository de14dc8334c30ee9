"""The affiliate portal, reached with a portal link and no account (read-only):

    GET /p/<token>/                        the affiliate's own links, coupon, clicks and conversions per week,
                                           commission balance, payouts, tier and rate, and the materials
    GET /p/<token>/assets/<asset_id>/      one material of the organisation for affiliates, as a download

An unknown link is 404; a withdrawn or expired link is 410 with a page that says so; neither writes
anything. The page shows only the link's own affiliate. It is not indexed, sends no referrer, and is not
cached (the figures are private and change).
"""

import os

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from affiliates.ledger import selectors
from affiliates.models import (
    Asset,
    AssetAudience,
    Payout,
    PortalLink,
)
from affiliates.programme.charts import Geometry, chart_svg
from affiliates.programme.rules import cents, programme_for
from affiliates.tracking.clicks import example_link

PORTAL_AUDIENCES = (AssetAudience.AFFILIATES, AssetAudience.BOTH)
PRIVATE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}


def _private(response):
    for name, value in PRIVATE_HEADERS.items():
        response[name] = value
    return response


def _closed(request, reason):
    response = render(
        request,
        "affiliates/ledger/portal/closed.html",
        {"reason": reason, "organisation": None},
        status=404 if reason == "unknown" else 410,
    )
    return _private(response)


def _open(request, token):
    """(link, None) for a usable link, else (None, the refusal response)."""
    link, reason = PortalLink.objects.select_related(
        "affiliate__partner__tier_standing__tier", "affiliate__organisation"
    ).lookup(token)
    if reason:
        return None, _closed(request, reason)
    return link, None


def balance_of(affiliate, programme):
    """The affiliate's ledger per state (the one selector every page uses) and its way to the minimum."""
    balances = selectors.ledger_balances(
        affiliate.organisation, programme=programme, partner=affiliate.partner
    )
    payable = max(balances.payable, 0)
    minimum = cents(programme.minimum_payout)
    percent = min(int(100 * payable / minimum), 100) if minimum else 100
    return {
        "states": balances,
        "payable": balances.payable,
        "minimum": minimum,
        "progress": min(payable, minimum) if minimum else payable,
        "percent": percent,
        "to_go": max(minimum - balances.payable, 0),
    }


def _tier_of(partner):
    try:
        standing = partner.tier_standing
    except partner.__class__.tier_standing.RelatedObjectDoesNotExist:
        return None
    return standing.tier


@require_GET
def portal(request, token):
    link, refused = _open(request, token)
    if refused:
        return refused
    affiliate = link.affiliate
    organisation = affiliate.organisation
    programme = programme_for(organisation)
    weeks = selectors.weekly_figures(affiliate)
    labels = [date_format(row["week"], "j M") for row in weeks]
    # Two charts, each on its own scale: conversions are a few where clicks are hundreds.
    geometry = Geometry(width=360, height=170)
    charts = [
        chart_svg(
            [(label, list(zip(labels, [row[key] for row in weeks], strict=True)))],
            title=title,
            geometry=geometry,
        )
        for key, label, title in (
            ("clicks", _("Clicks"), _("Clicks per week, the last 12 weeks")),
            ("conversions", _("Conversions"), _("Conversions per week, the last 12 weeks")),
        )
    ]
    affiliate_url = request.build_absolute_uri(reverse("affiliate_redirect", args=[affiliate.code]))
    assets = list(
        Asset.objects.filter(organisation=organisation, audience__in=PORTAL_AUDIENCES).order_by(
            "kind", "title"
        )
    )
    # Seen now; one UPDATE, not a save of the whole row.
    PortalLink.objects.filter(pk=link.pk).update(last_seen_at=timezone.now())
    response = render(
        request,
        "affiliates/ledger/portal/portal.html",
        {
            "organisation": None,  # a public page: no member's navigation
            "sender": organisation,
            "token": token,
            "affiliate": affiliate,
            "partner": affiliate.partner,
            "link": affiliate_url,
            "example_link": example_link(affiliate_url),
            "weeks": weeks,
            "totals": {
                "clicks": sum(row["clicks"] for row in weeks),
                "conversions": sum(row["conversions"] for row in weeks),
            },
            "charts": charts,
            "balance": balance_of(affiliate, programme),
            "payouts": list(
                Payout.objects.filter(partner_id=affiliate.partner_id)
                .select_related("batch")
                .order_by("-batch__month")[:24]
            ),
            "tier": _tier_of(affiliate.partner),
            "rate": affiliate.commission_rate(programme),
            "programme": programme,
            "assets": assets,
        },
    )
    return _private(response)


@require_GET
def portal_asset(request, token, asset_id):
    link, refused = _open(request, token)
    if refused:
        return refused
    asset = Asset.objects.filter(
        pk=asset_id, organisation_id=link.affiliate.organisation_id, audience__in=PORTAL_AUDIENCES
    ).first()
    if asset is None:
        raise Http404("No such material.")
    if asset.file:
        try:
            handle = asset.file.open("rb")
        except FileNotFoundError:
            raise Http404("The file is missing.") from None
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=os.path.basename(asset.file.name),
            content_type=asset.content_type or None,
        )
    elif asset.text:
        response = HttpResponse(asset.text, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, f"{asset.pk}-{asset.kind}.txt")
    else:
        raise Http404("The material has no content.")
    response["X-Content-Type-Options"] = "nosniff"
    return _private(response)


urlpatterns = [
    path("<str:token>/", portal, name="portal"),
    path("<str:token>/assets/<int:asset_id>/", portal_asset, name="portal_asset"),
]
