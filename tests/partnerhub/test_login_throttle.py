"""Login throttling behind a proxy: an account is locked per visitor's address, and an address that tries
many accounts is paused (partnerhub.login_throttle)."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

PROXY = "10.0.0.1"
STRANGER = "203.0.113.5"
OWNER_ADDRESS = "198.51.100.7"


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def from_address(visitor, *, proxy):
    """The request headers of a visitor: through the TLS proxy (its address appended to X-Forwarded-For and
    the proxy's address as the connection's), or straight to the app."""
    if proxy:
        return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": visitor}
    return {"REMOTE_ADDR": visitor}


@pytest.fixture(params=[False, True], ids=["direct", "behind-proxy"])
def proxy(request, settings):
    settings.TRUSTED_PROXIES = 1 if request.param else 0
    return request.param


def log_in(client, email, password, visitor, proxy):
    return client.post(
        "/accounts/login/", {"username": email, "password": password}, **from_address(visitor, proxy=proxy)
    )


def test_a_stranger_locks_an_account_only_for_their_own_address(client, owner, password, proxy, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, owner.email, "wrong-password", STRANGER, proxy)
    assert log_in(client, owner.email, password, STRANGER, proxy).status_code == 429
    assert logged_in_user_id(client) is None

    response = log_in(client, owner.email, password, OWNER_ADDRESS, proxy)
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(owner.pk)


def test_a_forwarded_header_without_trusted_proxies_cannot_dodge_a_lock(client, owner, password, settings):
    settings.TRUSTED_PROXIES = 0
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/accounts/login/",
            {"username": owner.email, "password": "wrong-password"},
            REMOTE_ADDR=STRANGER,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt + 1}",
        )
    response = client.post(
        "/accounts/login/",
        {"username": owner.email, "password": password},
        REMOTE_ADDR=STRANGER,
        HTTP_X_FORWARDED_FOR="192.0.2.99",
    )
    assert response.status_code == 429
    assert logged_in_user_id(client) is None


def spray(client, proxy, accounts):
    """One wrong password for each of `accounts` different addresses, all from the stranger's address."""
    for number in range(accounts):
        response = log_in(client, f"medewerker{number}@example.nl", "Welkom2024!", STRANGER, proxy)
        assert response.status_code in (200, 429)


def test_an_address_that_tries_many_accounts_is_paused(client, owner, password, proxy, settings):
    settings.LOGIN_ADDRESS_USERNAME_LIMIT = 10
    spray(client, proxy, 10)
    # Even the right password of an account it never tried: the address is paused, and the page says why.
    response = log_in(client, owner.email, password, STRANGER, proxy)
    assert response.status_code == 429
    assert "te veel verschillende e-mailadressen" in response.text  # "too many different e-mail addresses"
    assert logged_in_user_id(client) is None

    # Another visitor (behind the same proxy, or not) logs in as ever.
    assert log_in(client, owner.email, password, OWNER_ADDRESS, proxy).status_code == 302
    assert logged_in_user_id(client) == str(owner.pk)


def test_the_attempt_that_reaches_the_limit_is_refused_already(client, db, settings):
    settings.LOGIN_ADDRESS_USERNAME_LIMIT = 3
    spray(client, False, 2)
    response = log_in(client, "derde@example.nl", "Welkom2024!", STRANGER, False)
    assert response.status_code == 429
    assert "te veel verschillende e-mailadressen" in response.text  # "too many different e-mail addresses"


def test_fewer_accounts_than_the_limit_are_not_paused(client, owner, password, settings):
    settings.LOGIN_ADDRESS_USERNAME_LIMIT = 10
    spray(client, False, 9)
    assert log_in(client, owner.email, password, STRANGER, False).status_code == 302


def test_one_account_tried_often_does_not_pause_the_address(client, owner, password, settings):
    """Many failures on one account lock that account (axes), not every account from the address."""
    settings.LOGIN_ADDRESS_USERNAME_LIMIT = 3
    for _attempt in range(settings.AXES_FAILURE_LIMIT + 2):
        log_in(client, "vergeten@example.nl", "wrong-password", STRANGER, False)
    assert log_in(client, owner.email, password, STRANGER, False).status_code == 302


def test_the_pause_ends_after_the_cool_off(client, owner, password, settings):
    settings.LOGIN_ADDRESS_USERNAME_LIMIT = 10
    spray(client, False, 10)
    assert log_in(client, owner.email, password, STRANGER, False).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert log_in(client, owner.email, password, STRANGER, False).status_code == 302
