"""The second factor of one's own account: the code step of logging in (app codes, recovery codes, wrong codes
throttled) and the security page that turns it on, makes new recovery codes and turns it off."""

import base64
import re

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from partnerhub import second_factor
from partnerhub.views.security import PENDING_KEY
from tests.conftest import login
from tests.partnerhub.second_factor_helpers import (
    CODE_STEP,
    SECURITY,
    app_code,
    clear_throttle,
    logged_in_user_id,
    password_step,
    session_verified,
    turned_on,
)


@pytest.fixture(autouse=True)
def _no_throttle_left(db):
    clear_throttle()


# Logging in ------------------------------------------------------------------------------------------------


def test_login_without_a_second_factor_needs_only_the_password(client, owner):
    response = password_step(client, owner)
    assert response.status_code == 302 and response.url == "/"
    assert logged_in_user_id(client) == str(owner.pk)


def test_login_asks_for_the_code_when_a_device_is_confirmed(client, owner):
    device, _codes = turned_on(owner)
    response = password_step(client, owner, next="/organisations/")
    assert response.status_code == 302 and response.url == CODE_STEP
    assert logged_in_user_id(client) is None  # the password alone logs nobody in

    page = client.get(CODE_STEP)
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.text

    done = client.post(CODE_STEP, {"code": app_code(device)})
    assert done.status_code == 302 and done.url == "/organisations/"
    assert logged_in_user_id(client) == str(owner.pk)
    assert session_verified(client)
    assert PENDING_KEY not in client.session


def test_a_device_being_set_up_does_not_ask_for_a_code_yet(client, owner):
    second_factor.totp_setup_start(user=owner)
    password_step(client, owner)
    assert logged_in_user_id(client) == str(owner.pk)


def test_a_wrong_code_does_not_log_in(client, owner):
    device, _codes = turned_on(owner)
    password_step(client, owner)
    wrong = f"{(int(app_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(CODE_STEP, {"code": wrong})
    assert response.status_code == 422
    assert "That code is not right" in response.text or "Die code klopt niet" in response.text
    assert logged_in_user_id(client) is None


def test_right_after_a_wrong_code_the_device_asks_to_wait(client, owner):
    device, _codes = turned_on(owner)
    password_step(client, owner)
    client.post(CODE_STEP, {"code": "000000" if app_code(device) != "000000" else "111111"})
    response = client.post(CODE_STEP, {"code": app_code(device)})
    assert response.status_code == 429
    assert logged_in_user_id(client) is None


def test_the_code_step_keeps_a_safe_next_only(client, owner):
    device, _codes = turned_on(owner)
    password_step(client, owner, next="https://elders.example/")
    response = client.post(CODE_STEP, {"code": app_code(device)})
    assert response.status_code == 302 and response.url == "/"


def test_a_recovery_code_works_once(client, owner):
    _device, codes = turned_on(owner)
    assert len(codes) == 10 and len(set(codes)) == 10
    password_step(client, owner)
    response = client.post(CODE_STEP, {"code": f"  {codes[3].upper()} "})  # as typed: capitals, spaces
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(owner.pk) and session_verified(client)
    assert StaticToken.objects.filter(device__user=owner).count() == 9

    again = Client()
    password_step(again, owner)
    refused = again.post(CODE_STEP, {"code": codes[3]})
    assert refused.status_code in (422, 429)
    assert logged_in_user_id(again) is None


def test_too_many_wrong_codes_end_the_login(client, owner, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the per-login limit alone, without the device's pauses
    device, _codes = turned_on(owner)
    password_step(client, owner)
    wrong = f"{(int(app_code(device)) + 1) % 1_000_000:06d}"
    for _attempt in range(second_factor.wrong_codes_per_login() - 1):
        assert client.post(CODE_STEP, {"code": wrong}).status_code == 422
    last = client.post(CODE_STEP, {"code": wrong})
    assert last.status_code == 302 and last.url == "/accounts/login/"
    # The right code no longer helps: the password must be typed again.
    after = client.post(CODE_STEP, {"code": app_code(device)})
    assert after.status_code == 302 and after.url == "/accounts/login/"
    assert logged_in_user_id(client) is None


def test_wrong_codes_are_counted_per_user_across_sessions(owner, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.RATELIMITS = {**getattr(settings, "RATELIMITS", {}), "second_factor_code": "3/15m"}
    device, _codes = turned_on(owner)
    wrong = f"{(int(app_code(device)) + 1) % 1_000_000:06d}"
    for _session in range(3):
        attacker = Client()
        password_step(attacker, owner)
        assert attacker.post(CODE_STEP, {"code": wrong}).status_code == 422
    fresh = Client()
    password_step(fresh, owner)
    response = fresh.post(CODE_STEP, {"code": app_code(device)})
    assert response.status_code == 429
    assert "quarter of an hour" in response.text or "kwartier" in response.text
    assert logged_in_user_id(fresh) is None


def test_the_code_step_without_the_password_goes_to_login(client, db):
    response = client.post(CODE_STEP, {"code": "123456"})
    assert response.status_code == 302 and response.url == "/accounts/login/"


def test_a_password_waits_ten_minutes_for_its_code(client, owner):
    device, _codes = turned_on(owner)
    password_step(client, owner)
    session = client.session
    session[PENDING_KEY] = {**session[PENDING_KEY], "since": session[PENDING_KEY]["since"] - 601}
    session.save()
    response = client.post(CODE_STEP, {"code": app_code(device)})
    assert response.status_code == 302 and response.url == "/accounts/login/"
    assert logged_in_user_id(client) is None


# The security page -----------------------------------------------------------------------------------------


def test_security_page_needs_a_login(client, db):
    response = client.get(SECURITY)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_turning_on_shows_the_qr_code_and_the_key_in_groups(client, owner):
    login(client, owner)
    client.post(SECURITY, {"action": "start"})
    device = TOTPDevice.objects.get(user=owner)
    assert not device.confirmed
    page = client.get(SECURITY)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    groups = re.findall(r"<code>([A-Z2-7]{1,4})</code>", page.text)
    assert "".join(groups) == secret and all(len(group) == 4 for group in groups[:-1])
    svg = re.search(r"<svg [^>]*>", page.text).group(0)
    assert 'role="img"' in svg and "aria-label=" in svg
    assert f"secret={secret}" in second_factor.provisioning_uri(device)
    assert 'inputmode="numeric"' in page.text


def test_confirming_with_a_wrong_code_keeps_it_off(client, owner):
    login(client, owner)
    client.post(SECURITY, {"action": "start"})
    device = TOTPDevice.objects.get(user=owner)
    wrong = f"{(int(app_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(SECURITY, {"action": "confirm", "code": wrong})
    assert response.status_code == 422
    device.refresh_from_db()
    assert not device.confirmed and not StaticToken.objects.exists()


def test_confirming_turns_it_on_and_shows_ten_recovery_codes_once(client, owner):
    login(client, owner)
    client.post(SECURITY, {"action": "start"})
    device = TOTPDevice.objects.get(user=owner)
    response = client.post(SECURITY, {"action": "confirm", "code": app_code(device)})
    assert response.status_code == 200
    codes = response.context["recovery_codes"]
    assert len(codes) == 10 and all(code in response.text for code in codes)
    device.refresh_from_db()
    assert device.confirmed and session_verified(client)
    assert StaticToken.objects.filter(device__user=owner).count() == 10
    later = client.get(SECURITY)
    assert not any(code in later.text for code in codes)
    assert not any(code.replace("-", "") in str(dict(client.session.items())) for code in codes)


def test_new_recovery_codes_need_a_code_and_replace_the_old_ones(client, owner, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device, old_codes = turned_on(owner)
    login(client, owner)
    refused = client.post(SECURITY, {"action": "codes", "codes-code": "999999"})
    assert refused.status_code == 422
    assert StaticToken.objects.filter(device__user=owner).count() == 10
    response = client.post(SECURITY, {"action": "codes", "codes-code": app_code(device)})
    new_codes = response.context["recovery_codes"]
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    other = Client()
    password_step(other, owner)
    assert other.post(CODE_STEP, {"code": old_codes[0]}).status_code == 422
    assert logged_in_user_id(other) is None


def test_turning_off_needs_a_code(client, owner, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device, _codes = turned_on(owner)
    login(client, owner)
    wrong = f"{(int(app_code(device)) + 1) % 1_000_000:06d}"
    assert client.post(SECURITY, {"action": "disable", "disable-code": wrong}).status_code == 422
    assert TOTPDevice.objects.filter(user=owner, confirmed=True).exists()
    response = client.post(SECURITY, {"action": "disable", "disable-code": app_code(device)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=owner).exists() and not StaticToken.objects.exists()
    fresh = Client()
    password_step(fresh, owner)
    assert logged_in_user_id(fresh) == str(owner.pk)
