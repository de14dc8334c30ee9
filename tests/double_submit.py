"""Two clicks at once: run calls in real threads, each with its own database connection, released together.

The tests that use this need committed data (`@pytest.mark.django_db(transaction=True)`). With the locmem
e-mail backend every thread appends to the same `django.core.mail.outbox`, so counting it counts every mail.
"""

import threading

import pytest
from django.db import connection, connections
from django.test import Client

WAIT = 120  # seconds: generous, for a slow machine; nothing here measures time


def needs_row_locks():
    """Skip on SQLite: its in-memory test database (shared cache) refuses a second writer at once ("database
    table is locked") instead of making it wait, so requests at once prove nothing there. CI runs Postgres."""
    if connection.vendor != "postgresql":
        pytest.skip("needs Postgres row locks")


def at_once(*calls):
    """Run every call in a thread of its own, all released at the same moment by a barrier; returns their
    results in order and raises the first error a thread met."""
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def run(index, call):
        try:
            barrier.wait(WAIT)
            results[index] = call()
        except BaseException as error:  # noqa: BLE001 - raised below, in the test's own thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert not any(thread.is_alive() for thread in threads), "a request did not finish"
    if errors:
        raise errors[0]
    return results


def logged_in(user, *, language="en"):
    """A test client of its own for `user` (log in before the threads start: it writes the session)."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.cookies["django_language"] = language
    return client


def post(client, path, data=None):
    """A call for `at_once` that posts with `client`."""
    return lambda: client.post(path, data or {})


@pytest.fixture
def unreachable_mail_queue(eager_celery, unreachable_broker):
    """The task queue's broker is a closed port (tasks are not run in-process): every `delay` fails. (After
    `eager_celery`, which a module may use for all its tests, and undone before it.)"""
