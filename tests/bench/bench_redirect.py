"""Benchmark: the affiliate redirect `/r/<code>` against a bare Django redirect view, in the same run.

Run with `make bench` (or `pytest tests/bench/bench_redirect.py -m bench -s`). Both views go through the
whole middleware stack; the bare view only returns `HttpResponseRedirect`, the affiliate redirect also looks
the code up and inserts a click (every request from another address, so every request is an insert, the
worst case). Prints requests per second of each and the ratio (aim: ≥ 0.7): through the test Client
(in-process), over HTTP against a single-threaded server in the test process, and (on Postgres) against one
gunicorn sync worker. Never asserted on time. The gap is the database's round trips (the lookup, the insert,
and Django's connection health check at the start of a request): the bare view makes none.
"""

import http.client
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import django
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.db import connection, connections
from django.http import HttpResponseRedirect
from django.test import Client
from django.urls import path

pytestmark = [pytest.mark.bench]


def clicks():
    from affiliates.models import Click

    return Click.objects.count()


UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


def bare_redirect(request):
    return HttpResponseRedirect("https://www.voorbeeld.nl/")


def __getattr__(name):
    """`urlpatterns`, built on first use: this module is also gunicorn's entry point, imported before Django
    is set up, so it cannot import the project's URLs (and models) at the top."""
    if name == "urlpatterns":
        return _with_bare_view()
    raise AttributeError(name)


def _with_bare_view():
    """The project's URLs with the bare view right before /r/, so both are resolved alike."""
    from config import urls as project_urls

    patterns = list(project_urls.urlpatterns)
    position = next(i for i, p in enumerate(patterns) if str(p.pattern) == "r/")
    patterns.insert(position, path("bare/", bare_redirect, name="bare_redirect"))
    return patterns


def setup_affiliate():
    from tests.affiliates.factories_tracking import affiliate_for, programme_with_landings
    from tests.factories import OrganisationFactory

    org = OrganisationFactory(name="Bench BV", slug="bench-bv")
    programme_with_landings(org)
    return affiliate_for(org, code="blogger-bench")


def per_second(fn, requests):
    start = time.perf_counter()
    for n in range(requests):
        fn(n)
    return requests / (time.perf_counter() - start)


def report(label, bare, redirect):
    ratio = redirect / bare
    print(f"\n{label}: bare view {bare:7.0f} req/s · /r/<code> {redirect:7.0f} req/s · ratio {ratio:.2f}")


def address(n):
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


def rounds(bare, redirect, requests, times=3):
    """Alternate the two, `times` rounds, each request from a new address; the best rate of each."""
    results = []
    for r in range(times):
        offset = (r + 1) * 100_000
        results.append(
            (
                per_second(lambda n, offset=offset: bare(n + offset), requests),
                per_second(lambda n, offset=offset: redirect(n + offset), requests),
            )
        )
    return max(rate for rate, _ in results), max(rate for _, rate in results)


@pytest.mark.django_db
def test_redirect_throughput_in_process(settings):
    settings.ROOT_URLCONF = __name__
    setup_affiliate()
    client = Client()

    def bare(n):
        assert client.get("/bare/", REMOTE_ADDR=address(n), HTTP_USER_AGENT=UA).status_code == 302

    def redirect(n):
        response = client.get(
            "/r/blogger-bench?to=/acties/&utm_source=bench", REMOTE_ADDR=address(n), HTTP_USER_AGENT=UA
        )
        assert response.status_code == 302

    requests = 1500
    per_second(bare, 100), per_second(redirect, 100)  # warm up
    report(f"in-process ({connection.vendor}, test Client), best of 3", *rounds(bare, redirect, requests))
    assert clicks() == 100 + 3 * requests  # every request an insert: the worst case


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def serving():
    """The project's WSGI application on a single-threaded server in a thread of this process: like one
    worker of a real server, it keeps its database connection (CONN_MAX_AGE) from request to request."""
    httpd = WSGIServer(("127.0.0.1", 0), QuietHandler)
    httpd.set_app(WSGIHandler())
    shared = connections["default"] if connection.vendor == "sqlite" else None  # the in-memory test DB

    def run():
        if shared is not None:
            shared.inc_thread_sharing()
            connections["default"] = shared
        try:
            httpd.serve_forever(poll_interval=0.05)
        finally:
            if shared is None:
                connections.close_all()
            else:
                shared.dec_thread_sharing()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        thread.join()
        httpd.server_close()


@pytest.mark.django_db(transaction=True)
def test_redirect_throughput_over_http(settings):
    settings.ROOT_URLCONF = __name__
    settings.TRUSTED_PROXIES = 1
    setup_affiliate()
    with serving() as port:

        def get(target, n):
            # A new connection per request (as a browser following a link from another site) and a new
            # address through X-Forwarded-For (one trusted proxy): every click is an insert.
            conn = http.client.HTTPConnection("127.0.0.1", port)
            conn.request("GET", target, headers={"User-Agent": UA, "X-Forwarded-For": address(n)})
            response = conn.getresponse()
            response.read()
            conn.close()
            assert response.status == 302

        def bare(n):
            get("/bare/", n)

        def redirect(n):
            get("/r/blogger-bench?to=/acties/&utm_source=bench", n)

        requests = 400
        per_second(bare, 50), per_second(redirect, 50)  # warm up
        report(f"over HTTP ({connection.vendor}, one worker), best of 3", *rounds(bare, redirect, requests))
    assert clicks() == 50 + 3 * requests


def application():
    """The WSGI application of this benchmark for gunicorn (`tests.bench.bench_redirect:application()`): the
    project with this module's URLs (the bare view next to /r/)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerhub.settings")
    django.setup()
    from django.conf import settings

    settings.ROOT_URLCONF = __name__
    settings.TRUSTED_PROXIES = 1
    return WSGIHandler()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_redirect_throughput_on_gunicorn():
    """One gunicorn sync worker on the test database, as in production. Postgres only (the SQLite test
    database lives in this process's memory)."""
    if connection.vendor != "postgresql":
        pytest.skip("gunicorn runs in another process: needs the Postgres test database")
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    if gunicorn is None:
        pytest.skip("gunicorn is not installed")
    setup_affiliate()
    db = connection.settings_dict
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/"
        + db["NAME"],
        "DJANGO_SETTINGS_MODULE": "partnerhub.settings",
    }
    server = subprocess.Popen(
        [
            gunicorn,
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "tests.bench.bench_redirect:application()",
        ],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        for _attempt in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)

        def get(target, n):
            conn = http.client.HTTPConnection("127.0.0.1", port)
            conn.request("GET", target, headers={"User-Agent": UA, "X-Forwarded-For": address(n)})
            response = conn.getresponse()
            response.read()
            conn.close()
            assert response.status == 302

        def bare(n):
            get("/bare/", n)

        def redirect(n):
            get("/r/blogger-bench?to=/acties/&utm_source=bench", n)

        requests = 400
        per_second(bare, 50), per_second(redirect, 50)  # warm up
        report(
            "over HTTP (postgresql, one gunicorn sync worker), best of 3", *rounds(bare, redirect, requests)
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert clicks() == 50 + 3 * requests
