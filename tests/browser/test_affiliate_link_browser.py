"""An affiliate link followed in a browser: /r/<code> → the shop's landing page with ph_click, the tracking
snippet keeps the click id in a first-party cookie only after consent, and the click shows on the
affiliate's portal.

The shop is really another site; here it is a page of a test urlconf on the live server, with the snippet's
script tag and a consent button (`data-ph-consent`, no inline script: the page runs under our CSP)."""

import datetime
import re

import pytest
from django.http import HttpResponse
from django.templatetags.static import static
from django.urls import include, path
from django.utils import timezone
from playwright.sync_api import expect

from affiliates.models import Click, PortalLink
from tests.affiliates.factories_tracking import affiliate_for, programme_with_landings
from tests.factories import OrganisationFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]


def shop_page(request):
    return HttpResponse(
        f"""<!doctype html><html lang="nl"><head><title>Voorbeeldshop</title><link rel="icon" href="data:,">
<script src="{static("affiliates/ph-click-1.0.0.js")}" data-days="90"></script></head>
<body><h1>Voorbeeldshop</h1>
<div class="cookie-banner"><p>Mogen we marketingcookies plaatsen?</p>
<button type="button" data-ph-consent id="consent">Akkoord</button></div></body></html>"""
    )


urlpatterns = [
    path("shop/", shop_page, name="shop"),
    path("", include("config.urls")),
]


@pytest.fixture
def shop(transactional_db, live_server, settings):
    settings.ROOT_URLCONF = __name__
    org = OrganisationFactory(name="Tinnitracks", slug="tinnitracks")
    programme_with_landings(org, home=f"{live_server.url}/shop/", landings=f"{live_server.url}/shop/")
    affiliate = affiliate_for(org, code="blogger-anna")
    link = PortalLink(affiliate=affiliate, expires_at=timezone.now() + datetime.timedelta(days=30))
    token = link.issue_token()
    link.save()
    return {"affiliate": affiliate, "portal": f"{live_server.url}/p/{token}/"}


def click_cookie(context):
    return next((cookie for cookie in context.cookies() if cookie["name"] == "ph_click"), None)


def test_follow_the_link_consent_and_see_the_click_on_the_portal(page, live_server, shop, browser_errors):
    page.goto(f"{live_server.url}/r/blogger-anna?utm_source=blog&utm_campaign=voorjaar")
    expect(page).to_have_url(
        re.compile(r"/shop/\?utm_source=blog&utm_campaign=voorjaar&ph_click=[0-9a-f]{32}$")
    )
    click_id = page.url.rsplit("ph_click=", 1)[1]
    click = Click.objects.get(affiliate=shop["affiliate"])
    assert (click.click_id, click.utm_source, click.utm_campaign) == (click_id, "blog", "voorjaar")

    # No consent yet: nothing is stored.
    assert click_cookie(page.context) is None
    assert page.evaluate("window.PartnerHub.clickId()") is None

    page.get_by_role("button", name="Akkoord").click()
    cookie = click_cookie(page.context)
    assert cookie is not None and cookie["value"] == click_id
    assert cookie["sameSite"] == "Lax" and cookie["path"] == "/"
    days_left = (cookie["expires"] - timezone.now().timestamp()) / 86400
    assert 89 < days_left <= 90
    assert page.evaluate("window.PartnerHub.clickId()") == click_id

    # A later page of the shop, without ph_click in the address: the checkout still finds the click id.
    page.goto(f"{live_server.url}/shop/")
    assert page.evaluate("window.PartnerHub.clickId()") == click_id
    assert browser_errors == []

    page.goto(shop["portal"])
    clicks = page.locator("details table tbody tr td:nth-child(2)").all_text_contents()
    assert sum(int(value) for value in clicks) == 1


def test_the_api_docs_render_offline_under_our_csp(page, live_server, browser_errors):
    """The Swagger page of /api/v1/docs loads only from our own origin (any other request is refused
    here) and runs under the Content Security Policy."""
    outside = []

    def refuse_outside(route):
        outside.append(route.request.url)
        route.abort()

    page.route(re.compile(r"^(?!" + re.escape(live_server.url) + ").*"), refuse_outside)
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.get_by_text("/api/v1/conversions/{idempotency_key}/refund")).to_be_visible()
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("PartnerHub API")
    assert outside == []
    assert browser_errors == []
