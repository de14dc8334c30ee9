"""The visitor's address behind trusted proxies: one answer for axes, rate limits, clicks and signatures."""

import pytest
from django.conf import settings as django_settings

from partnerhub.client_ip import client_ip
from tests.partnerhub.test_settings import run_settings


def request(rf, forwarded=None):
    meta = {"REMOTE_ADDR": "10.0.0.1"}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return rf.get("/", **meta)


def test_without_trusted_proxies_the_header_is_ignored(rf):
    assert client_ip(request(rf, "198.51.100.7")) == "10.0.0.1"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "visitor"),
    [
        (1, "198.51.100.7", "198.51.100.7"),
        # What a visitor wrote in the header themselves stays left of what the proxy appended.
        (1, "1.2.3.4, 198.51.100.7", "198.51.100.7"),
        (2, "1.2.3.4, 198.51.100.7, 192.0.2.10", "198.51.100.7"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_address_the_outermost_trusted_proxy_saw(rf, settings, proxies, forwarded, visitor):
    settings.TRUSTED_PROXIES = proxies
    assert client_ip(request(rf, forwarded)) == visitor


@pytest.mark.parametrize("forwarded", [None, "", "198.51.100.7", "not-an-address, 198.51.100.7"])
def test_a_header_that_did_not_come_through_every_proxy_is_not_believed(rf, settings, forwarded):
    settings.TRUSTED_PROXIES = 2
    assert client_ip(request(rf, forwarded)) == "10.0.0.1"


def test_every_part_that_tells_visitors_apart_reads_the_same_function():
    assert django_settings.AXES_CLIENT_IP_CALLABLE == "partnerhub.client_ip.client_ip"
    assert django_settings.RATELIMIT_IP_META_KEY == "partnerhub.client_ip.client_ip"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "0"),
        ({"TRUSTED_PROXIES": "1"}, "1"),
        ({"AFFILIATE_TRUSTED_PROXIES": "2"}, "2"),  # the old name still works
        ({"TRUSTED_PROXIES": "1", "AFFILIATE_TRUSTED_PROXIES": "2"}, "1"),
    ],
)
def test_trusted_proxies_come_from_the_environment(env, expected):
    result = run_settings(env, "print(settings.TRUSTED_PROXIES)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected
