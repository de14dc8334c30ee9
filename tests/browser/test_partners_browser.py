"""A partnership manager in a real browser: log in, add a partner, find it again by typing in the search box.

Also proves the Content Security Policy holds: the page runs htmx and our script without a single CSP
violation in the console.
"""

import re

import pytest
from playwright.sync_api import expect

from partnerhub.models import Partner, Role
from tests.browser.conftest import log_in_as
from tests.factories import MembershipFactory, OrganisationFactory, PartnerFactory

pytestmark = [
    pytest.mark.browser,
    # pytest-playwright defines its fallback `base_url` session fixture as a method; pytest 9 warns.
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]

EMAIL = "lotte@hoorzorg.example"


@pytest.fixture
def org(transactional_db):
    org = OrganisationFactory(name="Hoorzorg", slug="hoorzorg")
    MembershipFactory(organisation=org, role=Role.MANAGER, user__email=EMAIL)
    PartnerFactory(organisation=org, name="Sennheiser", category="supplier")
    PartnerFactory(organisation=org, name="Zorgverzekeringen", category="insurer")
    return org


def log_in(page, live_server):
    log_in_as(page, live_server, EMAIL, landing=r"/o/hoorzorg/$")


def result_rows(page):
    return page.locator("#partner-results tbody tr")


def search(page, text):
    """Type into the search box and wait for htmx to swap in the answer."""
    with page.expect_response(
        lambda response: "/partners/" in response.url and response.request.headers.get("hx-request") == "true"
    ) as answer:
        page.fill("#id_q", text)
    assert answer.value.ok
    assert "<html" not in answer.value.text()  # a fragment, not the whole page


def test_add_a_partner_and_find_it_by_typing(page, live_server, org, browser_errors):
    log_in(page, live_server)
    page.click("nav a[href$='/o/hoorzorg/partners/']")
    expect(result_rows(page)).to_have_count(2)

    page.click("a[href$='/partners/new/']")
    page.fill("#id_name", "Hoorcentrum Oost")
    page.select_option("#id_category", "reseller")
    page.select_option("#id_status", "active")
    page.select_option("#id_influence", "3")
    page.select_option("#id_importance", "4")
    page.fill("#id_notes", "Verkoopt onze app in twaalf winkels.")
    page.click("form:has(#id_name) button[type=submit]")

    expect(page.locator("h1")).to_contain_text("Hoorcentrum Oost")
    partner = Partner.objects.get(organisation=org, name="Hoorcentrum Oost")
    assert (partner.category, partner.influence, partner.importance) == ("reseller", 3, 4)

    page.click("nav a[href$='/o/hoorzorg/partners/']")
    expect(result_rows(page)).to_have_count(3)
    search(page, "hoorc")
    expect(result_rows(page)).to_have_count(1)
    expect(result_rows(page).first).to_contain_text("Hoorcentrum Oost")
    expect(page).to_have_url(re.compile(r"[?&]q=hoorc"))

    csp_errors = [text for text in browser_errors if "Content Security Policy" in text]
    assert csp_errors == []
    assert not [text for text in browser_errors if text.startswith("uncaught")]


def test_a_search_without_matches_says_so(page, live_server, org, browser_errors):
    log_in(page, live_server)
    page.goto(f"{live_server.url}/o/hoorzorg/partners/")
    search(page, "bestaat-niet")
    expect(result_rows(page)).to_have_count(0)
    expect(page.locator("#partner-results .empty-state a[href$='/partners/']")).to_be_visible()
    assert not [text for text in browser_errors if "Content Security Policy" in text]


def test_the_partner_list_fits_a_phone(page, live_server, org, browser_errors):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server)
    page.goto(f"{live_server.url}/o/hoorzorg/partners/")
    expect(result_rows(page)).to_have_count(2)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the page is {width}px wide on a 390px phone: it scrolls sideways"
    assert not [text for text in browser_errors if "Content Security Policy" in text]
