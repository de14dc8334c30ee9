"""Turning the second factor on from a phone, by keyboard: the QR code fits the screen, the key shown in
groups of four is the key the app needs (the code computed from what the page shows turns it on), the recovery
codes appear once, and the next login asks for a code. Without a single CSP violation in the console."""

import base64
import re

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from partnerhub.models import Role
from tests.browser.conftest import log_in_as
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]

EMAIL = "sanne@hoorzorg.example"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def org(transactional_db):
    org = OrganisationFactory(name="Hoorzorg", slug="hoorzorg")
    MembershipFactory(organisation=org, role=Role.OWNER, user__email=EMAIL)
    return org


def key_from_page(page):
    groups = page.locator(".secret-key code").all_inner_texts()
    assert groups and all(len(group) == 4 for group in groups[:-1])
    secret = "".join(groups)
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def test_turn_on_by_keyboard_on_a_phone_then_log_in_with_a_code(page, live_server, org, browser_errors):
    page.set_viewport_size(PHONE)
    log_in_as(page, live_server, EMAIL, landing=r"/o/hoorzorg/$")
    page.goto(f"{live_server.url}/accounts/security/")

    start = page.get_by_role(
        "button", name=re.compile("Tweestapsverificatie aanzetten|Turn the second factor on")
    )
    start.focus()
    page.keyboard.press("Enter")

    qr = page.get_by_role("img", name=re.compile("QR"))
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] <= PHONE["width"]
    key = key_from_page(page)

    code_field = page.locator("input[name=code]")
    code_field.focus()
    page.keyboard.type(f"{totp(key):06d}")
    page.keyboard.press("Enter")

    codes = page.locator(".recovery-codes code")
    expect(codes).to_have_count(10)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # Log out and let that navigation end before opening the login page (else one aborts the other).
    with page.expect_navigation():
        page.locator("form[action$='/accounts/logout/'] button").evaluate("button => button.form.submit()")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/accounts/login/code/$"))
    page.keyboard.type(f"{totp(key, drift=1):06d}")  # the field has the focus; the next period's code
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/o/hoorzorg/$"))
    assert browser_errors == []
