"""The API answers every error as JSON in its documented shape ({error, detail}), never as Django's HTML page:
503 with Retry-After while the database does not answer or refuses, 500 for a fault on our side, 404 for an
unknown endpoint, 405 for a method an endpoint does not take.

The project runs on gunicorn in another process (tests/database_faults.py): pointed at a socket that never
answers or at a closed port (SQLite and Postgres alike), and, for the 500, at a Postgres database without the
project's tables (an installation whose migrations did not run), which needs Postgres.
"""

import json
import secrets

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from tests.database_faults import FaultyDatabase, postgres_url, serving

ORDER = {"customer_reference": "K-1001", "value": "250.00", "date": timezone.localdate().isoformat()}


def api_call(server, method, target, body=None):
    headers = {
        "Authorization": f"Bearer phk_{secrets.token_urlsafe(32)}",
        "Content-Type": "application/json",
        "Idempotency-Key": "order-1001",
    }
    return server.request(method, target, body=json.dumps(body) if body else None, headers=headers)


def assert_json_error(response, status, error):
    assert response.status == status, response.text[:2000]
    assert response.getheader("Content-Type").startswith("application/json")
    body = json.loads(response.text)
    assert set(body) == {"error", "detail"}
    assert body["error"] == error
    assert "idempotency key" in body["detail"]


@pytest.fixture(scope="module")
def database():
    database = FaultyDatabase(mode="blackhole")
    yield database
    database.close()


@pytest.fixture(scope="module")
def server(database, tmp_path_factory):
    url = f"postgres://postgres@127.0.0.1:{database.port}/partnerhub"
    with serving(database_url=url, log_path=tmp_path_factory.mktemp("server") / "gunicorn.log") as server:
        yield server


@pytest.mark.parametrize("fault", ["blackhole", "refuse"])
def test_order_report_answers_503_json_while_the_database_is_away(database, server, fault):
    database.switch(fault)

    response = api_call(server, "POST", "/api/v1/conversions", ORDER)

    assert_json_error(response, 503, "service_unavailable")
    assert response.getheader("Retry-After") == "30"


@pytest.mark.parametrize("fault", ["blackhole", "refuse"])
def test_order_lookup_and_refund_answer_503_json_while_the_database_is_away(database, server, fault):
    database.switch(fault)

    lookup = api_call(server, "GET", "/api/v1/conversions/order-1001")
    refund = api_call(server, "POST", "/api/v1/conversions/order-1001/refund", {"reason": "retour"})

    assert_json_error(lookup, 503, "service_unavailable")
    assert_json_error(refund, 503, "service_unavailable")


@pytest.fixture
def database_without_tables():
    """A Postgres database the project was never migrated into."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a Postgres server to create an empty database on")
    settings = connection.settings_dict
    name = f"{settings['NAME']}_empty"[:63]
    admin = {
        "host": settings["HOST"] or "127.0.0.1",
        "port": settings["PORT"] or 5432,
        "user": settings["USER"] or "postgres",
        "password": settings["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**admin) as admin_connection:
        admin_connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin_connection.execute(f'CREATE DATABASE "{name}"')
    yield postgres_url(settings, name=name)
    with psycopg.connect(**admin) as admin_connection:
        admin_connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_fault_on_our_side_answers_500_json_and_is_logged(database_without_tables, tmp_path):
    with serving(database_url=database_without_tables, log_path=tmp_path / "gunicorn.log") as server:
        response = api_call(server, "POST", "/api/v1/conversions", ORDER)
        log = server.log()

    assert_json_error(response, 500, "server_error")
    assert "API: error on POST /api/v1/conversions" in log
    assert 'relation "affiliates_apikey" does not exist' in log


def test_an_unknown_endpoint_answers_404_json(client):
    response = client.get("/api/v1/conversion/order-1001")

    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "detail": "No such endpoint; see /api/v1/docs."}
    # and the documentation still answers
    assert client.get("/api/v1/docs").status_code == 200
    assert list(client.get("/api/v1/openapi.json").json()["paths"]) == [
        "/api/v1/conversions",
        "/api/v1/conversions/{idempotency_key}",
        "/api/v1/conversions/{idempotency_key}/refund",
    ]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("put", "/api/v1/conversions", "POST"),
        ("delete", "/api/v1/conversions/order-1001", "GET"),
        ("get", "/api/v1/conversions/order-1001/refund", "POST"),
    ],
)
def test_a_method_the_endpoint_does_not_take_answers_405_json(client, method, path, allowed):
    response = getattr(client, method)(path)

    assert response.status_code == 405
    assert response["Allow"] == allowed
    assert response.json() == {"error": "method_not_allowed", "detail": f"This endpoint takes {allowed}."}
