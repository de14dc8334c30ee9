"""A database that does not answer or refuses: every page answers quickly with the 503 page (Retry-After,
translated, no traceback), whether the view, the login or the session middleware meets the database; the
500 page renders without a request and without the database.

The project runs on gunicorn in another process, its DATABASE_URL pointing at a real socket that accepts
connections and never answers, or at a closed port (tests/database_faults.py). Runs on SQLite and Postgres
alike: the server never reaches a working database.
"""

import json
import re

import pytest
from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error

from tests.database_faults import FaultyDatabase, serving

SESSION = "sessionid=" + "a" * 32
ENGLISH = "django_language=en"


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


@pytest.fixture(params=["blackhole", "refuse"])
def fault(request, database, server):
    """Each test twice: a database that accepts connections and never answers, and one that refuses."""
    database.switch(request.param)
    return request.param


def assert_unavailable_page(response, language="en"):
    assert response.status == 503, response.text[:2000]
    assert response.getheader("Retry-After") == "30"
    assert response.getheader("Content-Type").startswith("text/html")
    assert f'<html lang="{language}"' in response.text
    assert "Traceback" not in response.text
    if language == "en":
        assert "Temporarily unavailable" in response.text
        assert "Please try again in a moment." in response.text


def test_readiness_says_the_database_is_unavailable_while_liveness_holds(server, fault):
    ready = server.get("/readyz")
    assert ready.status == 503, ready.text[:2000]
    assert json.loads(ready.body)["checks"]["database"] == "unavailable"
    alive = server.get("/healthz")
    assert (alive.status, alive.body) == (200, b"ok\n")


def test_member_page_answers_the_503_page(server, fault):
    response = server.get("/o/tinnitracks/", headers={"Cookie": f"{SESSION}; {ENGLISH}"})

    assert_unavailable_page(response)


def test_the_503_page_is_in_dutch_by_default(server, fault):
    response = server.get("/o/tinnitracks/partners/", headers={"Cookie": SESSION})

    assert_unavailable_page(response, language="nl")
    assert response.getheader("Content-Language") == "nl"


def test_partner_contact_survey_answers_the_503_page(server, fault):
    response = server.get("/s/" + "b" * 43 + "/", headers={"Cookie": ENGLISH})

    assert_unavailable_page(response)


def test_login_answers_the_503_page(server, fault):
    form = server.get("/accounts/login/", headers={"Cookie": ENGLISH})
    assert form.status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    cookie = re.search(r"csrftoken=([^;]+)", form.getheader("Set-Cookie")).group(1)

    response = server.post_form(
        "/accounts/login/",
        {"csrfmiddlewaretoken": token, "username": "owner@example.nl", "password": "geheim-wachtwoord"},
        headers={"Cookie": f"csrftoken={cookie}; {ENGLISH}", "Referer": f"http://127.0.0.1:{server.port}/"},
    )

    assert_unavailable_page(response)


def test_session_stored_on_the_way_out_ends_at_the_503_page(server, fault):
    """The view reads nothing; the session middleware meets the database when it stores the session."""
    response = server.get("/session-write/", headers={"Cookie": ENGLISH})

    assert_unavailable_page(response)
    assert "stored" not in response.text


def test_the_unavailable_database_is_logged(server, fault):
    server.get("/o/tinnitracks/", headers={"Cookie": SESSION})

    assert "Database unavailable for GET /o/tinnitracks/" in server.log()


def test_the_500_page_renders_without_request_context_or_database():
    """No `db` fixture: any query would fail the test."""
    with translation.override("en"):
        response = server_error(RequestFactory().get("/o/tinnitracks/"))

    html = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="en"' in html
    assert "Something went wrong" in html
    assert "Please try again in a moment." in html
    assert "/static/css/app.css" in html
