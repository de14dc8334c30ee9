"""Building blocks for the second-factor tests: real TOTP codes computed from a device's key."""

from django.core.cache import caches
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from partnerhub import second_factor
from tests.factories import PASSWORD

LOGIN = "/accounts/login/"
CODE_STEP = "/accounts/login/code/"
SECURITY = "/accounts/security/"


def app_code(device, *, steps_ahead=0):
    """The code the user's authenticator app shows now (or `steps_ahead` periods of 30 s later: a device
    accepts each time step once, and the next one within its tolerance)."""
    device.refresh_from_db()
    return (
        f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead):06d}"
    )


def turned_on(user):
    """A user with a confirmed authenticator app and ten recovery codes; returns (device, codes)."""
    device = TOTPDevice.objects.create(user=user, name=second_factor.TOTP_DEVICE_NAME, confirmed=True)
    return device, second_factor.recovery_codes_renew(user=user)


def password_step(client, user, **extra):
    return client.post(LOGIN, {"username": user.email, "password": PASSWORD, **extra})


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def session_verified(client):
    return bool(client.session.get("otp_device_id"))


def clear_throttle():
    """Rate-limit counters live in a shared cache (Redis in some runs): start every test at zero."""
    caches["ratelimit"].clear()


def url(org, name, *args):
    return reverse(name, args=[org.slug, *args])
