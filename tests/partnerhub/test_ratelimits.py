"""Rate limits (partnerhub.ratelimits): password reset, sign-up, member invitations, the public token pages
and failed API keys answer 429 past their rate, counted per visitor's address in the shared cache (Redis
when REDIS_URL is set, the database otherwise); the affiliate redirect is never limited."""

import pytest
from django.core import mail
from django.core.cache import caches
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from affiliates.models import Click, Project
from partnerhub.models import MemberInvitation, User
from tests.affiliates.factories_tracking import affiliate_for, api_key_for, programme_with_landings
from tests.faults import REDIS_URL, closed_broker_url, redis_answers

PROXY = "10.0.0.1"
SIGNUP = {
    "full_name": "Anna de Vries",
    "email": "anna@bakkerij.nl",
    "password1": "zuurdesem-brood-2024",
    "password2": "zuurdesem-brood-2024",
    "organisation_name": "Bakkerij de Vries",
}


@pytest.fixture(params=["database", "redis"])
def ratelimit_cache(request, settings, db):
    """Count in the database cache, then in a real Redis (skipped where none answers)."""
    if request.param == "redis":
        if not redis_answers(REDIS_URL):
            pytest.skip(f"no Redis answers PING at {REDIS_URL}")
        settings.CACHES = {
            **settings.CACHES,
            "ratelimit": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
        }
    else:
        settings.CACHES = {
            **settings.CACHES,
            "ratelimit": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": "partnerhub_ratelimit",
            },
        }
        call_command("createcachetable", verbosity=0)  # the migration made none where REDIS_URL is set
    yield request.param
    caches["ratelimit"].clear()


def rates(settings, **changes):
    settings.RATELIMITS = {**settings.RATELIMITS, **changes}


def visitor(address):
    """The headers of a visitor behind the TLS proxy (TRUSTED_PROXIES = 1)."""
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": address}


def assert_too_many(response):
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    with translation.override("nl"):
        assert gettext("Too many requests") in response.content.decode()


# Password reset


def test_password_reset_mails_one_address_at_most_three_times(client, owner, ratelimit_cache):
    answers = [client.post("/accounts/password/reset/", {"email": "Owner@example.nl"}) for _ in range(10)]
    assert [answer.status_code for answer in answers] == [302] * 3 + [429] * 7
    assert_too_many(answers[-1])
    assert len(mail.outbox) == 3


def test_password_reset_is_limited_per_visitor(client, owner, settings, ratelimit_cache):
    settings.TRUSTED_PROXIES = 1
    rates(settings, password_reset="3/h")
    for number in range(3):
        client.post(
            "/accounts/password/reset/", {"email": f"iemand{number}@example.nl"}, **visitor("203.0.113.5")
        )
    assert_too_many(
        client.post("/accounts/password/reset/", {"email": owner.email}, **visitor("203.0.113.5"))
    )
    assert mail.outbox == []
    # Another visitor behind the same proxy is not held up.
    response = client.post("/accounts/password/reset/", {"email": owner.email}, **visitor("198.51.100.7"))
    assert response.status_code == 302
    assert len(mail.outbox) == 1


def test_opening_the_reset_form_is_not_counted(client, owner, settings):
    rates(settings, password_reset="2/h")
    for _attempt in range(5):
        assert client.get("/accounts/password/reset/").status_code == 200
    assert client.post("/accounts/password/reset/", {"email": owner.email}).status_code == 302


# Sign-up and invitations


def test_signup_is_limited_per_visitor(client, db, settings, ratelimit_cache):
    rates(settings, signup="3/h")
    for number in range(3):
        client.post(
            "/accounts/signup/", {**SIGNUP, "email": f"anna{number}@bakkerij.nl"}, REMOTE_ADDR="203.0.113.5"
        )
    response = client.post("/accounts/signup/", SIGNUP, REMOTE_ADDR="203.0.113.5")
    assert_too_many(response)
    assert not User.objects.filter(email="anna@bakkerij.nl").exists()
    assert client.post("/accounts/signup/", SIGNUP, REMOTE_ADDR="198.51.100.7").status_code == 302


def test_member_invitations_are_limited_per_organisation(
    owner_client, org, settings, django_capture_on_commit_callbacks
):
    rates(settings, member_invite="2/h")
    url = reverse("member_invite", args=[org.slug])
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(3):
            response = owner_client.post(url, {"email": f"collega{number}@example.nl", "role": "viewer"})
    assert_too_many(response)
    assert MemberInvitation.objects.filter(organisation=org).count() == 2
    assert len(mail.outbox) == 2


# The public token pages, and the redirect that stays free


@pytest.mark.parametrize("prefix", ["/s/", "/q/", "/sign/", "/p/", "/nps/"])
def test_public_token_pages_are_limited_per_visitor(client, db, settings, prefix):
    rates(settings, public_token="5/m")
    answers = [client.get(f"{prefix}geen-bestaande-sleutel/", REMOTE_ADDR="203.0.113.5") for _ in range(6)]
    assert [answer.status_code == 429 for answer in answers] == [False] * 5 + [True]
    assert_too_many(answers[-1])
    assert client.get(f"{prefix}geen-bestaande-sleutel/", REMOTE_ADDR="198.51.100.7").status_code != 429


def test_the_public_pages_share_one_count(client, db, settings):
    rates(settings, public_token="4/m")
    for prefix in ["/s/", "/q/", "/sign/", "/p/"]:
        client.get(f"{prefix}x/")
    assert client.post("/nps/x/").status_code == 429


def test_the_affiliate_redirect_is_never_limited(client, org, settings):
    rates(settings, public_token="1/m")
    programme_with_landings(org)
    affiliate_for(org, code="blogger-anna")
    url = reverse("affiliate_redirect", args=["blogger-anna"])
    user_agent = "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0"
    for number in range(5):
        assert (
            client.get(url, HTTP_USER_AGENT=user_agent, REMOTE_ADDR=f"203.0.113.{number + 1}").status_code
            == 302
        )
        assert client.get(url, HTTP_USER_AGENT=user_agent).status_code == 302
    assert Click.objects.count() == 6


# Failed API keys


def api_post(client, raw, address="203.0.113.5"):
    headers = {"HTTP_IDEMPOTENCY_KEY": "order-1", "REMOTE_ADDR": address}
    if raw:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    body = {"customer_reference": "K-1", "value": "10.00", "date": "2026-01-05"}
    return client.post("/api/v1/conversions", body, content_type="application/json", **headers)


def test_failed_api_keys_are_answered_429_in_the_api_shape(client, org, settings, ratelimit_cache):
    rates(settings, api_key_failure="3/m")
    programme_with_landings(org)
    _key, raw = api_key_for(org)
    answers = [api_post(client, "phk_geraden" if n % 2 else None) for n in range(4)]
    assert [answer.status_code for answer in answers] == [401, 401, 401, 429]
    assert answers[-1].json() == {
        "error": "too_many_requests",
        "detail": "Too many requests without a valid API key from this address; try again later.",
    }
    assert int(answers[-1]["Retry-After"]) >= 1
    assert api_post(client, "phk_nog-een-gok").status_code == 429
    assert not Project.objects.exists()

    # A valid key is never held up: not from this address, not from another.
    assert api_post(client, raw).status_code == 201
    assert api_post(client, raw, address="198.51.100.7").status_code == 201  # the stored answer


def test_valid_api_keys_are_not_counted(client, org, settings):
    rates(settings, api_key_failure="2/m")
    programme_with_landings(org)
    _key, raw = api_key_for(org)
    for _attempt in range(5):
        assert api_post(client, raw).status_code in (200, 201)
    assert api_post(client, None).status_code == 401


# When the cache is away


def test_a_redis_that_does_not_answer_lets_requests_through(client, owner, settings, caplog):
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": closed_broker_url(),
        },
    }
    response = client.post("/accounts/password/reset/", {"email": owner.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "Rate limit password_reset not counted" in caplog.text
