"""Login throttling: django-axes' lock on one account from one address, and a pause for an address that tries
many accounts.

Rules enforced here (settings in the axes section of settings.py):

- An account is locked for one address after AXES_FAILURE_LIMIT failed logins from it (axes, on the pair
  username + address). The address is the visitor's behind the trusted proxies (`partnerhub.client_ip`), so
  a stranger who locks an account locks it for their own address only, not for everyone behind the proxy.
- An address that failed to log in to LOGIN_ADDRESS_USERNAME_LIMIT different accounts within the cool-off
  (AXES_COOLOFF_TIME) is paused itself: every login from it, to any account and with any password, gets the
  lockout page until those failures are older than the cool-off. Few failures on many accounts (password
  spraying) never reach the per-account limit; this stops them.

Both count axes' own records of failed logins (`AccessAttempt`), which a successful login of the account from
that address clears (AXES_RESET_ON_SUCCESS).
"""

import datetime
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone


class AxesRequest(HttpRequest):
    """A login request as axes has annotated it (for the type checker: axes sets these attributes)."""

    axes_ip_address: str
    axes_attempt_time: datetime.datetime
    axes_locked_out: bool
    axes_credentials: dict[str, Any] | None
    login_address_paused: bool


def address_is_paused(ip_address: str | None, *, now: datetime.datetime | None = None) -> bool:
    """Whether `ip_address` failed to log in to LOGIN_ADDRESS_USERNAME_LIMIT or more different accounts
    within the cool-off."""
    if not ip_address:
        return False
    since = (now or timezone.now()) - get_cool_off()
    accounts = (
        AccessAttempt.objects.filter(ip_address=ip_address, attempt_time__gte=since)
        .values("username")
        .distinct()
        .count()
    )
    return accounts >= settings.LOGIN_ADDRESS_USERNAME_LIMIT


class LoginThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler, and the pause of an address that tried too many accounts."""

    def is_locked(self, request: AxesRequest, credentials: dict[str, Any] | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        if address_is_paused(request.axes_ip_address, now=request.axes_attempt_time):
            request.login_address_paused = True  # the lockout page says why
            return True
        return False

    def user_login_failed(
        self, sender: object, credentials: dict[str, Any], request: AxesRequest | None = None, **kwargs: Any
    ) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        # This failure may be the one that reaches the limit: the answer is the lockout page already.
        if address_is_paused(request.axes_ip_address, now=request.axes_attempt_time):
            request.login_address_paused = True
            request.axes_locked_out = True
            request.axes_credentials = credentials
