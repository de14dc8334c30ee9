"""The second factor: a code from an authenticator app (TOTP, django-otp) after the password, with ten
single-use recovery codes for when the phone is gone.

Every member can turn it on for their account; an owner can require it for the organisation. When the
organisation requires it, `@second_factor_required` stands before the acts that move money (approving and
rejecting commissions, making and paying a payout batch, changing the paying account): a member whose session
has not been confirmed with a code is sent to enter one (or to turn the second factor on) and then back.

Wrong codes are throttled three ways: each device waits longer after every failure (django-otp), a login
waiting for its code takes only a few wrong ones before the password must be typed again, and a user's wrong
codes are counted across sessions in the shared rate-limit cache.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import TYPE_CHECKING, Any, overload
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp.models import VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_ratelimit.core import get_usage

from partnerhub.audit import audit_changes

if TYPE_CHECKING:
    from partnerhub.models import Organisation, User
    from partnerhub.tenancy import OrganisationRequest, View

ISSUER = "PartnerHub"
TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10
# Readable codes: no 0/O, 1/l/I. Ten characters from 31 symbols is about 50 bits per code.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_LENGTH = 10
THROTTLE_GROUP = "second-factor"


def _wrong_codes_per_user() -> str:
    """At most this many wrong codes per user per period, from any session (settings.RATELIMITS)."""
    return getattr(settings, "RATELIMITS", {}).get("second_factor_code", "10/15m")


def wrong_codes_per_login() -> int:
    """A login waiting for its code is dropped after this many wrong codes: the password must be typed again
    (and django-axes counts those)."""
    return getattr(settings, "SECOND_FACTOR_LOGIN_ATTEMPTS", 5)


# Reading --------------------------------------------------------------------------------------------------


def totp_device(user: User | AnonymousUser, *, confirmed: bool = True) -> TOTPDevice | None:
    """The user's authenticator app (confirmed), or the one being set up (confirmed=False)."""
    if not user.is_authenticated:
        return None
    return TOTPDevice.objects.devices_for_user(user, confirmed=confirmed).order_by("-pk").first()


def has_second_factor(user: User | AnonymousUser) -> bool:
    return totp_device(user) is not None


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def secret_base32(device: TOTPDevice) -> str:
    """The device's key as an app asks for it when it is typed in (base32, no padding)."""
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def secret_groups(device: TOTPDevice) -> list[str]:
    """The key in groups of four characters, easier to type on a phone: ['ABCD', 'EFGH', ...]."""
    secret = secret_base32(device)
    return [secret[i : i + 4] for i in range(0, len(secret), 4)]


def provisioning_uri(device: TOTPDevice) -> str:
    """The otpauth:// address the QR code holds (the key URI format authenticator apps read)."""
    label = quote(f"{ISSUER}:{device.user.get_username()}")
    query = urlencode(
        {
            "secret": secret_base32(device),
            "issuer": ISSUER,
            "algorithm": "SHA1",
            "digits": device.digits,
            "period": device.step,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"


def qr_svg(device: TOTPDevice, *, title: str) -> str:
    """The QR code as inline SVG markup with a title for screen readers (no image file, no script)."""
    qr = segno.make(provisioning_uri(device), error="m")
    svg = qr.svg_inline(scale=5, border=2, title=title, svgclass="qr-code", omitsize=False)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(title)}" ', 1)


def format_recovery_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def _normalised(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


# Changing -------------------------------------------------------------------------------------------------


@transaction.atomic
def totp_setup_start(*, user: User) -> TOTPDevice:
    """A new, not yet active key for the user's authenticator app; an earlier unfinished one is dropped.
    Refused while an app is already active (turn it off first)."""
    if has_second_factor(user):
        raise ValidationError(_("Your second factor is already on."))
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


@transaction.atomic
def totp_setup_confirm(*, user: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """Activate the key being set up once the app shows a code that matches it, and make the recovery codes.
    Returns (device, recovery_codes); the codes are shown once and never again."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        raise ValidationError(_("Start again: there is no key being set up."))
    if not _verify(device, code):
        raise ValidationError(_("That code does not match. Type the six digits your app shows now."))
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return device, recovery_codes_renew(user=user)


@transaction.atomic
def recovery_codes_renew(*, user: User) -> list[str]:
    """Ten new recovery codes; the old ones stop working. Returns the codes as the user types them."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _i in range(RECOVERY_CODE_LENGTH))
        for _n in range(RECOVERY_CODE_COUNT)
    ]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return [format_recovery_code(code) for code in codes]


@transaction.atomic
def second_factor_disable(*, user: User) -> None:
    """Turn the second factor off: the app's key and the recovery codes are deleted."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def organisation_requirement_set(*, organisation: Organisation, required: bool, actor: User) -> Organisation:
    """An owner requires (or stops requiring) a second factor for the organisation's money acts. The owner
    must use one themselves before requiring it, so that the rule never locks out the one who set it."""
    if required and not has_second_factor(actor):
        raise ValidationError(_("Turn on your own second factor first."))
    with transaction.atomic():
        before = type(organisation).objects.select_for_update().get(pk=organisation.pk)
        organisation.second_factor_required = required
        organisation.save(update_fields=["second_factor_required"])
        audit_changes(
            organisation=organisation,
            actor=actor,
            before=before,
            after=organisation,
            fields=["second_factor_required"],
        )
    return organisation


# Checking a code ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeCheck:
    device: TOTPDevice | StaticDevice | None = None  # the device that accepted the code, or None
    wait_until: datetime | None = None  # set when the device refuses to check for a while

    @property
    def ok(self) -> bool:
        return self.device is not None


def _verify(device: TOTPDevice | StaticDevice, code: str) -> bool:
    return device.verify_token(_normalised(code))


def code_check(*, user: User, code: str) -> CodeCheck:
    """Check a code from the app (six digits) or a recovery code (used up when it works)."""
    normalised = _normalised(code)
    is_app_code = normalised.isdigit() and len(normalised) <= 8
    model = TOTPDevice if is_app_code else StaticDevice
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).order_by("-pk").first()
        if device is None:
            return CodeCheck()
        allowed, details = device.verify_is_allowed()
        if not allowed:
            wait_until = (details or {}).get("locked_until")
            if (details or {}).get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS and wait_until:
                return CodeCheck(wait_until=wait_until)
            return CodeCheck()
        if _verify(device, normalised):
            return CodeCheck(device=device)
    return CodeCheck()


def _user_key(user: User) -> Callable[[str, HttpRequest], str]:
    return lambda group, request: f"user:{user.pk}"


def user_throttled(request: HttpRequest, user: User) -> bool:
    """Whether the user has typed too many wrong codes lately, from any session."""
    usage = get_usage(request, group=THROTTLE_GROUP, key=_user_key(user), rate=_wrong_codes_per_user())
    # The counter holds wrong codes only: once it reaches the limit, no further code is checked.
    return bool(usage and (usage["should_limit"] or usage["count"] >= usage["limit"]))


def user_wrong_code(request: HttpRequest, user: User) -> None:
    get_usage(
        request, group=THROTTLE_GROUP, key=_user_key(user), rate=_wrong_codes_per_user(), increment=True
    )


# Sessions -------------------------------------------------------------------------------------------------


def session_verify(request: HttpRequest, device: TOTPDevice | StaticDevice) -> None:
    """Mark this session as confirmed with a second factor (django-otp keeps it in the session)."""
    from django_otp import login as otp_login

    otp_login(request, device)


def safe_next(request: HttpRequest, url: str, default: str) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


def _return_url(request: OrganisationRequest) -> str:
    """Where to come back to after the code: this page for a GET, the page the form was on for a POST."""
    fallback = reverse("dashboard", args=[request.organisation.slug])
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    return safe_next(request, request.headers.get("Referer", ""), fallback)


def second_factor_demand(request: OrganisationRequest) -> HttpResponseRedirect | None:
    """The redirect that asks this member for a code (or to turn the second factor on), or None when the
    organisation does not require one or the session is confirmed already."""
    # django-otp's middleware adds is_verified() to the request's user; the User model has no such method.
    if not request.organisation.second_factor_required or request.user.is_verified():  # type: ignore[attr-defined]
        return None
    if not request.membership.can_write:
        return None  # the view refuses the change anyway; no reason to ask for a code first
    query = urlencode({"next": _return_url(request)})
    name = request.organisation.name
    if has_second_factor(request.user):
        messages.info(
            request, _("%(organisation)s asks for a code from your app for this.") % {"organisation": name}
        )
        return redirect(f"{reverse('second_factor_verify')}?{query}")
    messages.info(
        request,
        _("%(organisation)s asks for a second factor for this. Turn it on to continue.")
        % {"organisation": name},
    )
    return redirect(f"{reverse('account_security')}?{query}")


# Whether this request needs the code.
When = Callable[["OrganisationRequest"], bool]


@overload
def second_factor_required(view: View, *, when: When | None = ...) -> View: ...


@overload
def second_factor_required(view: None = None, *, when: When | None = ...) -> Callable[[View], View]: ...


def second_factor_required(
    view: View | None = None, *, when: When | None = None
) -> View | Callable[[View], View]:
    """Under `@organisation_view`: when the organisation requires a second factor, a member whose session is
    not confirmed with a code is sent to enter one (or to turn it on) and comes back afterwards.

    when: a function of the request that says whether this request needs the code (for example only when
    the paying account changes); without it, every request to the view does.
    """

    def decorate(view_func: View) -> View:
        @wraps(view_func)
        def wrapper(request: OrganisationRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if when is None or when(request):
                demand = second_factor_demand(request)
                if demand is not None:
                    return demand
            return view_func(request, *args, **kwargs)

        return wrapper

    if view is not None:
        return decorate(view)
    return decorate
