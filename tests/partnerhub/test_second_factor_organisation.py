"""An organisation that requires a second factor: only an owner sets it, and then approving or rejecting
commissions, making and paying a payout batch and changing the paying IBAN ask a member whose session is not
confirmed with a code for one (or to turn the second factor on) first, and come back afterwards."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from affiliates.ledger import payouts
from affiliates.models import CommissionStatus, PayoutBatch, PayoutStatus
from affiliates.programme.rules import programme_for
from partnerhub import second_factor
from partnerhub.models import AuditEntry, Organisation
from tests.affiliates import factories_ledger as f
from tests.conftest import login
from tests.partnerhub.second_factor_helpers import (
    CODE_STEP,
    SECURITY,
    app_code,
    clear_throttle,
    session_verified,
    turned_on,
    url,
)

MONTH = datetime.date(2026, 1, 1)


@pytest.fixture(autouse=True)
def _no_throttle_left(db):
    clear_throttle()


@pytest.fixture
def required(org, owner):
    turned_on(owner)
    second_factor.organisation_requirement_set(organisation=org, required=True, actor=owner)
    org.refresh_from_db()
    return org


def next_of(response):
    return parse_qs(urlsplit(response.url).query)["next"][0]


def make_batch(client, org):
    """Make the previous month's batch through the page: confirm the preview when the page shows one."""
    response = client.post(url(org, "affiliates:payout_batch_create"))
    if response.status_code == 200 and "shown" in response.context:
        response = client.post(
            url(org, "affiliates:payout_batch_create"), {"confirm": "yes", "shown": response.context["shown"]}
        )
    return response


def settings_as_shown(client, org, **changes):
    """The programme's rules form as the page fills it in, with `changes` typed over it."""
    form = client.get(url(org, "affiliates:programme_settings")).context["form"]
    data = {"part": "settings"}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else value
    return {**data, **changes}


# The owner's setting ---------------------------------------------------------------------------------------


def test_an_owner_requires_a_second_factor_and_it_is_audited(client, org, owner):
    turned_on(owner)
    login(client, owner)
    page = client.get(url(org, "organisation_security"))
    assert page.status_code == 200 and 'name="second_factor_required"' in page.text
    response = client.post(url(org, "organisation_security"), {"second_factor_required": "on"})
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.second_factor_required
    entry = AuditEntry.objects.get(organisation=org, object_type="partnerhub.organisation")
    assert "second_factor_required" in entry.changes
    client.post(url(org, "organisation_security"), {})
    org.refresh_from_db()
    assert not org.second_factor_required


def test_an_owner_without_a_second_factor_cannot_require_one(client, org, owner):
    login(client, owner)
    response = client.post(url(org, "organisation_security"), {"second_factor_required": "on"})
    assert response.status_code == 422
    assert "Turn on your own second factor first" in response.text or "Zet eerst" in response.text
    org.refresh_from_db()
    assert not org.second_factor_required


def test_the_page_shows_who_has_turned_it_on(client, org, owner, manager, viewer):
    turned_on(manager)
    login(client, owner)
    rows = {
        m.user.email: m.has_second_factor
        for m in client.get(url(org, "organisation_security")).context["memberships"]
    }
    assert rows == {owner.email: False, manager.email: True, viewer.email: False}


@pytest.mark.parametrize("member", ["manager", "viewer"])
def test_only_an_owner_changes_the_requirement(client, org, member, request):
    user = request.getfixturevalue(member)
    turned_on(user)
    login(client, user)
    assert client.get(url(org, "organisation_security")).status_code == 403
    assert client.post(url(org, "organisation_security"), {"second_factor_required": "on"}).status_code == 403
    org.refresh_from_db()
    assert not org.second_factor_required


def test_a_member_of_another_organisation_cannot_touch_this_ones_devices(client, required, owner, stranger):
    owner_device = TOTPDevice.objects.get(user=owner)
    login(client, stranger)
    assert client.get(url(required, "organisation_security")).status_code == 404
    assert client.post(url(required, "organisation_security"), {}).status_code == 404
    assert Organisation.objects.get(pk=required.pk).second_factor_required
    # The security page acts on the logged-in user's own devices: the owner's code and device id do nothing.
    response = client.post(
        SECURITY, {"action": "disable", "disable-code": app_code(owner_device), "device": owner_device.pk}
    )
    assert response.status_code in (302, 422)
    client.post(
        SECURITY, {"action": "codes", "codes-code": app_code(owner_device), "device": owner_device.pk}
    )
    assert TOTPDevice.objects.filter(pk=owner_device.pk, confirmed=True).exists()
    assert second_factor.recovery_codes_left(owner) == 10


# The money acts --------------------------------------------------------------------------------------------


def test_the_requirement_blocks_a_payout_batch_until_the_code_is_typed(client, required, manager):
    device, _codes = turned_on(manager)
    f.line(f.affiliate(required).partner, "55.00")
    login(client, manager)  # a session logged in without a code
    payout_list = url(required, "affiliates:payout_list")
    asked = client.post(
        url(required, "affiliates:payout_batch_create"), HTTP_REFERER=f"http://testserver{payout_list}"
    )
    assert asked.status_code == 302 and asked.url.startswith(CODE_STEP)
    assert not PayoutBatch.objects.exists()

    back = client.post(CODE_STEP, {"code": app_code(device), "next": next_of(asked)})
    assert back.status_code == 302 and back.url == f"http://testserver{payout_list}"
    assert session_verified(client)
    made = make_batch(client, required)
    assert made.status_code == 302
    assert PayoutBatch.objects.filter(organisation=required).count() == 1


def test_a_member_without_a_second_factor_is_sent_to_turn_it_on_and_back(client, required, manager):
    f.line(f.affiliate(required).partner, "50.00")
    batch = payouts.payout_batch_create(organisation=required, month=MONTH).batch
    paid_url = url(required, "affiliates:payout_batch_paid", batch.pk)
    login(client, manager)
    asked = client.get(paid_url)
    assert asked.status_code == 302 and asked.url.startswith(SECURITY) and next_of(asked) == paid_url
    assert client.post(paid_url).status_code == 302
    assert batch.payouts.get().status == PayoutStatus.OPEN

    client.post(SECURITY, {"action": "start", "next": paid_url})
    device = TOTPDevice.objects.get(user=manager)
    done = client.post(SECURITY, {"action": "confirm", "code": app_code(device), "next": paid_url})
    assert done.status_code == 200 and f'href="{paid_url}"' in done.text  # continue, after the recovery codes
    assert client.get(paid_url).status_code == 200
    assert client.post(paid_url).status_code == 302
    assert batch.payouts.get().status == PayoutStatus.PAID


def test_the_requirement_guards_approving_and_rejecting_commissions(client, required, manager):
    device, _codes = turned_on(manager)
    line = f.line(f.affiliate(required).partner, "10.00", status=CommissionStatus.PENDING)
    other = f.line(f.affiliate(required).partner, "12.00", status=CommissionStatus.PENDING)
    login(client, manager)
    approve = {"action": "approve", "ids": [line.pk], "confirm": "yes"}
    asked = client.post(url(required, "affiliates:commission_bulk"), approve)
    assert asked.status_code == 302 and asked.url.startswith(CODE_STEP)
    reject_url = url(required, "affiliates:commission_reject", other.pk)
    assert client.post(reject_url, {"reason": "Dubbel"}).url.startswith(CODE_STEP)
    line.refresh_from_db()
    other.refresh_from_db()
    assert (line.status, other.status) == (CommissionStatus.PENDING, CommissionStatus.PENDING)

    client.post(CODE_STEP, {"code": app_code(device), "next": next_of(asked)})
    client.post(url(required, "affiliates:commission_bulk"), approve)
    client.post(reject_url, {"reason": "Dubbel"})
    line.refresh_from_db()
    other.refresh_from_db()
    assert (line.status, other.status) == (CommissionStatus.APPROVED, CommissionStatus.REJECTED)


def test_the_requirement_guards_changing_the_paying_iban_only(client, required, manager):
    device, _codes = turned_on(manager)
    f.paying_account(required, iban="NL91ABNA0417164300")
    settings_url = url(required, "affiliates:programme_settings")
    login(client, manager)
    shown = settings_as_shown(client, required)
    same_account = client.post(
        settings_url, {**shown, "debtor_iban": "NL91 ABNA 0417 1643 00", "hold_days": "20"}
    )
    assert same_account.status_code == 302 and same_account.url == settings_url
    assert programme_for(required).hold_days == 20

    other_account = {**shown, "debtor_iban": "NL20INGB0001234567"}
    asked = client.post(settings_url, other_account, HTTP_REFERER=settings_url)
    assert asked.status_code == 302 and asked.url.startswith(CODE_STEP) and next_of(asked) == settings_url
    assert programme_for(required).debtor_iban == "NL91ABNA0417164300"

    client.post(CODE_STEP, {"code": app_code(device), "next": settings_url})
    client.post(settings_url, other_account)
    assert programme_for(required).debtor_iban == "NL20INGB0001234567"


def test_without_the_requirement_no_code_is_asked(client, org, manager):
    turned_on(manager)
    f.line(f.affiliate(org).partner, "55.00")
    login(client, manager)
    assert make_batch(client, org).status_code == 302
    assert PayoutBatch.objects.filter(organisation=org).count() == 1


def test_a_viewer_is_refused_without_being_asked_for_a_code(client, required, viewer):
    f.line(f.affiliate(required).partner, "55.00")
    login(client, viewer)
    assert client.post(url(required, "affiliates:payout_batch_create")).status_code == 403


def test_a_session_confirmed_at_login_is_not_asked_again(required, manager):
    device, _codes = turned_on(manager)
    f.line(f.affiliate(required).partner, "55.00")
    browser = Client()
    browser.post("/accounts/login/", {"username": manager.email, "password": "correct-horse-battery-staple"})
    browser.post(CODE_STEP, {"code": app_code(device)})
    assert make_batch(browser, required).status_code == 302
    assert PayoutBatch.objects.filter(organisation=required).count() == 1
