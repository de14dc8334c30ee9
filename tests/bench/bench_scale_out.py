"""Benchmark: requests per second of one web process and of two, side by side in one run.

Run with `make bench` (or `pytest tests/bench/bench_scale_out.py -m bench -s`), on Postgres with Redis
(DATABASE_URL, REDIS_URL). Two web processes are started as the image runs them (gunicorn with
gunicorn.conf.py, WEB_CONCURRENCY=2 sync workers each, DEBUG off, collected static files) against the test
database and Redis, as in tests/partnerhub/test_scale_out.py. Then, in rounds that alternate, client
threads send as many requests as they can for a few seconds to one process, and then spread over both:
`/r/<code>` (each request from a new address, so every one is an insert: the worst case) and a member's page
(the dashboard, with a session). Prints the median of the rounds per second and the ratio two : one. Never
asserted on time: the client threads run on the same machine and take their share of its cores.
"""

import itertools
import statistics
import subprocess
import sys
import threading
import time

import pytest
from django.db import connection

from tests.database_faults import postgres_url
from tests.faults import REDIS_URL, redis_answers
from tests.scale_out import ROOT, UA, Installation, address, service_env, shop_create

pytestmark = [pytest.mark.bench]

ROUNDS = 5
SECONDS_PER_ROUND = 5
# Clients per web process: twice its gunicorn workers, so that a worker never waits for the next request.
CLIENTS_PER_PROCESS = 4
# Workers are not replaced during the measurement (0: never), see below.
MAX_REQUESTS = 0
# Behind the TLS proxy (production settings redirect plain HTTP).
PROXY = {"User-Agent": UA, "X-Forwarded-Proto": "https"}


def collected_static_files(tmp_path):
    """DEBUG off serves the collected static files and their manifest, as the image builds them."""
    if (ROOT / "staticfiles" / "staticfiles.json").exists():
        return
    print("\ncollecting static files (once; the image does this at build time) …")
    env = service_env(
        database_url="sqlite://:memory:",
        redis_url="",
        media_root=tmp_path,
        link_cache_dir=tmp_path,
        production=True,
    )
    subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity=0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def per_second(webs, send, seconds):
    """Requests answered per second by `webs`, CLIENTS_PER_PROCESS client threads for each."""
    deadline = time.monotonic() + seconds
    counts = []
    failures = []

    def client(web):
        done = 0
        while time.monotonic() < deadline:
            response = send(web)
            if response.status not in (200, 302):
                failures.append((web.port, response.status, response.text[:300]))
                return
            done += 1
        counts.append(done)

    threads = [
        threading.Thread(target=client, args=(web,)) for web in webs for _ in range(CLIENTS_PER_PROCESS)
    ]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    assert not failures, failures[:3]
    return sum(counts) / elapsed


@pytest.mark.django_db(transaction=True)
def test_one_and_two_web_processes(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs Postgres: the web processes open the test database")
    if not redis_answers(REDIS_URL):
        pytest.skip(f"no Redis answers PING at {REDIS_URL}")
    collected_static_files(tmp_path)
    shop = shop_create()
    visitors = itertools.count(1)

    def redirect(web):
        headers = {**PROXY, "X-Forwarded-For": address(next(visitors))}
        return web.get(f"/r/{shop.link_code}?to=/acties/&utm_source=bench", headers=headers)

    def dashboard(web):
        return web.get(f"/o/{shop.slug}/", headers={**PROXY, "Cookie": shop.cookie()})

    database_url = postgres_url(connection.settings_dict)
    # Gunicorn replaces a worker after GUNICORN_MAX_REQUESTS (1000) requests; at these rates that is every few
    # seconds, and a new worker's start (importing the app) costs more CPU than seconds of requests: measured
    # apart (the replacements printed), the rounds would be about who was restarting when.
    with Installation(
        database_url=database_url,
        redis_url=REDIS_URL,
        tmp_path=tmp_path,
        workers=0,
        production=True,
        env={"GUNICORN_MAX_REQUESTS": str(MAX_REQUESTS)},
    ) as site:
        one, both = site.web[:1], site.web
        print(
            f"\nscale-out on {connection.vendor}, {len(site.web)} web processes of 2 gunicorn sync workers, "
            f"{CLIENTS_PER_PROCESS} client threads per process, {ROUNDS} rounds of {SECONDS_PER_ROUND} s "
            f"alternating, GUNICORN_MAX_REQUESTS={MAX_REQUESTS}, medians:"
        )
        for label, send in (("/r/<code>", redirect), (f"page /o/{shop.slug}/", dashboard)):
            per_second(both, send, 2)  # warm up every worker
            rates = {1: [], 2: []}
            for _round in range(ROUNDS):
                rates[1].append(per_second(one, send, SECONDS_PER_ROUND))
                rates[2].append(per_second(both, send, SECONDS_PER_ROUND))
            single, double = statistics.median(rates[1]), statistics.median(rates[2])
            print(
                f"{label:>22}: one process {single:6.0f} req/s · two processes {double:6.0f} req/s · "
                f"ratio {double / single:.2f}  (rounds: one {[round(r) for r in rates[1]]}, "
                f"two {[round(r) for r in rates[2]]})"
            )
        replaced = sum(web.workers_replaced() for web in site.web)
        print(f"gunicorn workers replaced during the run (GUNICORN_MAX_REQUESTS): {replaced}")
