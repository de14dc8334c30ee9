"""/healthz says the process answers, touching nothing; /readyz says whether the database, the broker and the
media storage answer, with 503 when one does not. Both are public and reveal nothing but "ok"/"unavailable"
per check, and both answer a plain-HTTP probe for any host (before the host check and the HTTPS redirect).
The database outage itself is tested against a server whose database does not answer, in
test_database_faults.py."""

import json

import pytest

from tests.faults import REDIS_URL, closed_broker_url, free_port, redis_answers

pytestmark = pytest.mark.django_db

CHECKS = {"database", "broker", "storage"}


def readiness(client):
    response = client.get("/readyz")
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"].startswith("max-age=0")
    body = json.loads(response.content)
    assert set(body) == {"status", "checks"}
    assert set(body["checks"]) == CHECKS
    assert set(body["checks"].values()) <= {"ok", "unavailable"}
    return response.status_code, body


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_probes_get_their_answer_over_plain_http_from_any_host(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["partnerhub.example"]
    assert client.get("/healthz", HTTP_HOST="10.0.0.7:8000").status_code == 200
    assert client.get("/readyz", HTTP_HOST="10.0.0.7:8000").status_code == 200
    # Every other page still redirects to HTTPS, and refuses an unknown host.
    assert client.get("/accounts/login/", HTTP_HOST="partnerhub.example").status_code == 301
    assert client.get("/accounts/login/", HTTP_HOST="10.0.0.7:8000").status_code == 400


def test_readyz_is_ready_with_tasks_in_process(client):
    status, body = readiness(client)
    assert status == 200
    assert body == {"status": "ok", "checks": {"database": "ok", "broker": "ok", "storage": "ok"}}


def test_readyz_reports_a_broker_that_refuses(client, broker):
    broker(closed_broker_url())
    status, body = readiness(client)
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["checks"] == {"database": "ok", "broker": "unavailable", "storage": "ok"}
    assert b"127.0.0.1" not in client.get("/readyz").content  # the broker's address is not revealed


@pytest.mark.redis
def test_readyz_reaches_a_real_redis_broker(client, broker):
    if not redis_answers(REDIS_URL):
        pytest.skip(f"no Redis answers PING at {REDIS_URL}")
    broker(REDIS_URL)
    status, body = readiness(client)
    assert (status, body["checks"]["broker"]) == (200, "ok")


def test_readyz_reports_object_storage_that_does_not_answer(client, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "partnerhub-media",
                "endpoint_url": f"http://127.0.0.1:{free_port()}",
                "access_key": "test",
                "secret_key": "test",
                "region_name": "eu-west-1",
            },
        },
    }
    settings.AWS_MAX_ATTEMPTS = 1
    status, body = readiness(client)
    assert status == 503
    assert body["checks"] == {"database": "ok", "broker": "ok", "storage": "unavailable"}


def test_healthz_and_readyz_take_no_other_method(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405
