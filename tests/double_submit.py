"""Two clicks at once: run calls in real threads, each with its own database connection, released together.

The tests that use this need committed data (`@pytest.mark.django_db(transaction=True)`). With the locmem
e-mail backend every thread appends to the same `django.core.mail.outbox`, so counting it counts every mail.
"""

import socket
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


def _closed_port():
    """A local port where nothing listens (bound for a moment to pick it, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def unreachable_mail_queue(settings, eager_celery):
    """The task queue's broker is a closed port (tasks are not run in-process): every `delay` fails. (After
    `eager_celery`, which a module may use for all its tests, and undone before it.)"""
    from partnerhub.celery import app as celery_app

    keys = ("broker_url", "task_always_eager")
    previous = {key: celery_app.conf[key] for key in keys}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.update(broker_url=f"redis://127.0.0.1:{_closed_port()}/0", task_always_eager=False)
    celery_app._pool = None  # the app keeps its pools for the broker it first used
    celery_app.amqp._producer_pool = None
    yield
    celery_app.conf.update(previous)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
