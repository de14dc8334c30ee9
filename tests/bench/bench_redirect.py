"""Benchmark: the affiliate link `/r/<code>` against a bare Django view that returns a 302, side by side.

Run with `make bench` (or `pytest tests/bench/bench_redirect.py -m bench -s`), on Postgres (DATABASE_URL);
needs `wrk` (Debian package `wrk`) as the load generator, a C program that leaves the cores to the server.

Both views are served by one gunicorn started as the image starts it (gunicorn.conf.py, WEB_CONCURRENCY=2
sync workers, production settings, the whole middleware stack, access log on) with this module's URLs (the
project's, plus the bare view right before /r/, so both are resolved alike). wrk sends every request from a
new visitor address (X-Forwarded-For, one trusted proxy), so every request to /r/ is a click to store, the
worst case. Rounds alternate bare and /r/, at 4 and at 16 connections; the medians of the rounds give the
ratios of throughput (target ≥ 0.75) and of the 95th percentile latency (target ≤ 2).

Then the clicks are checked against what was sent: after the load every answered request is a stored click
(a request still in flight when wrk stopped may be stored too), and a second run with a known set of
visitors, each following the link twice within the de-duplication window, must store exactly the click ids
the redirects handed out, once each. Never asserted on time.
"""

import json
import os
import shutil
import statistics
import subprocess
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import django
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.http import HttpResponseRedirect
from django.urls import path

from tests.bench.report import figure

pytestmark = [pytest.mark.bench]

ROOT = Path(__file__).resolve().parents[2]
UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"
ROUNDS = 3
SECONDS_PER_ROUND = 4
CONNECTIONS = (4, 16)
# wrk's script: a new visitor address per request (distinct per thread and per run), and its figures as JSON.
WRK_SCRIPT = r"""
-- `tid` is a global of each thread's own state, set by setup() (a local here would shadow it).
local target, offset, counter, threads = "/", 0, 0, 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
function init(args)
  target = args[1]
  offset = tonumber(args[2])
end
function request()
  counter = counter + 1
  local n = offset + tid * 1048576 + counter
  local ip = string.format("%d.%d.%d.%d", 10 + math.floor(n / 16777216) % 100, math.floor(n / 65536) % 256,
                           math.floor(n / 256) % 256, n % 256)
  return wrk.format("GET", target, {["X-Forwarded-For"] = ip, ["X-Forwarded-Proto"] = "https",
                                     ["User-Agent"] = "%UA%"})
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %d, "seconds": %f, "p50_ms": %f, "p95_ms": %f, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    e.connect + e.read + e.write + e.status + e.timeout))
end
""".replace("%UA%", UA)


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


def application():
    """The WSGI application of this benchmark for gunicorn (`tests.bench.bench_redirect:application()`): the
    project with this module's URLs (the bare view next to /r/)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerhub.settings")
    django.setup()
    from django.conf import settings

    settings.ROOT_URLCONF = __name__
    return WSGIHandler()


def setup_links():
    from tests.affiliates.factories_tracking import affiliate_for, programme_with_landings
    from tests.factories import OrganisationFactory

    org = OrganisationFactory(name="Bench BV", slug="bench-bv")
    programme_with_landings(org)
    return affiliate_for(org, code="blogger-bench"), affiliate_for(org, code="blogger-exact")


def wrk(port, target, *, connections, seconds, offset, script):
    result = subprocess.run(  # noqa: S603 (the load generator)
        [
            "wrk",
            "--threads",
            "2",
            "--connections",
            str(connections),
            "--duration",
            f"{seconds}s",
            "--timeout",
            "5s",
            "--script",
            str(script),
            f"http://127.0.0.1:{port}",
            "--",
            target,
            str(offset),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))
    figures = json.loads(line.removeprefix("RESULT "))
    figures["per_second"] = figures["requests"] / figures["seconds"]
    return figures


def stored(affiliate):
    from affiliates.models import Click

    return Click.objects.filter(affiliate=affiliate)


def settled(affiliate, *, at_least, within=5.0):
    """The stored clicks of `affiliate` once at least `at_least` are there (clicks may be written up to a
    second after their redirect), or after `within` seconds."""
    deadline = time.monotonic() + within
    while stored(affiliate).count() < at_least and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.5)  # and anything still on its way
    return stored(affiliate)


@pytest.mark.django_db(transaction=True)
def test_redirect_against_a_bare_view_on_gunicorn(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("gunicorn runs in other processes: needs the Postgres test database")
    if shutil.which("wrk") is None:
        pytest.skip("the load generator wrk is not installed (Debian package wrk)")
    # Imported here: this module is also gunicorn's entry point, loaded before Django is set up.
    from tests.bench.bench_scale_out import collected_static_files
    from tests.database_faults import postgres_url
    from tests.faults import REDIS_URL
    from tests.scale_out import WebProcess, service_env

    collected_static_files(tmp_path)
    bench, exact = setup_links()
    env = service_env(
        database_url=postgres_url(connection.settings_dict),
        redis_url=REDIS_URL,
        media_root=tmp_path,
        link_cache_dir=tmp_path / "link-cache",
        production=True,
    )
    # As the image runs it, with this module's application; workers are not replaced during the runs.
    web = WebProcess(env={**env, "GUNICORN_MAX_REQUESTS": "0"}, log_path=tmp_path / "web.log")
    web.command[-1] = "tests.bench.bench_redirect:application()"
    web.start()
    script = tmp_path / "visitors.lua"
    script.write_text(WRK_SCRIPT)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if web.get("/bare/", headers={"X-Forwarded-Proto": "https"}).status == 302:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, web.log()[-3000:]
            time.sleep(0.2)

        targets = {"bare": "/bare/", "link": f"/r/{bench.code}?to=/acties/&utm_source=bench"}
        offset = 0
        answered = 0  # requests to /r/ that wrk saw answered
        in_flight = 0  # at most one per connection when a run stops
        for label in targets:  # warm up: both workers, their connections and caches
            offset += 1 << 22
            run = wrk(web.port, targets[label], connections=4, seconds=1, offset=offset, script=script)
            answered += run["requests"] if label == "link" else 0
            in_flight += 4 if label == "link" else 0
        results = {}
        for connections in CONNECTIONS:
            rounds = {"bare": [], "link": []}
            for _ in range(ROUNDS):
                for label, target in targets.items():
                    offset += 1 << 22
                    run = wrk(
                        web.port,
                        target,
                        connections=connections,
                        seconds=SECONDS_PER_ROUND,
                        offset=offset,
                        script=script,
                    )
                    assert run["errors"] == 0, (label, run, web.log()[-3000:])
                    rounds[label].append(run)
                    if label == "link":
                        answered += run["requests"]
                        in_flight += connections
            results[connections] = rounds
        print(
            "\n/r/<code> against a bare 302 view: gunicorn, 2 sync workers, Postgres; "
            f"median of {ROUNDS} rounds"
        )
        for connections, rounds in results.items():
            bare_rate = statistics.median(r["per_second"] for r in rounds["bare"])
            link_rate = statistics.median(r["per_second"] for r in rounds["link"])
            bare_p95 = statistics.median(r["p95_ms"] for r in rounds["bare"])
            link_p95 = statistics.median(r["p95_ms"] for r in rounds["link"])
            print(
                f"  {connections:>2} connections: bare {bare_rate:6.0f} req/s p95 {bare_p95:5.1f} ms · "
                f"/r/ {link_rate:6.0f} req/s p95 {link_p95:5.1f} ms"
            )
            figure(
                "redirect",
                f"/r/ throughput : bare view, {connections} connections",
                link_rate / bare_rate,
                "×",
                at_least=0.75,
            )
            figure(
                "redirect",
                f"/r/ p95 latency : bare view, {connections} connections",
                link_p95 / bare_p95,
                "×",
                at_most=2,
            )

        # Every answered click is stored (plus, at most, those in flight when a run stopped): nothing lost.
        count = settled(bench, at_least=answered).count()
        print(f"  clicks: {answered} answered, {count} stored (up to {in_flight} may have been in flight)")
        assert answered <= count <= answered + in_flight

        # A known set of visitors, each twice within the de-duplication window: exactly the click ids handed
        # out are stored, once each.
        visitors = [f"192.0.{n // 256}.{n % 256}" for n in range(600)]

        def follow(visitor):
            ids = []
            for _ in range(2):
                response = web.get(
                    f"/r/{exact.code}?to=/acties/",
                    headers={"X-Forwarded-For": visitor, "X-Forwarded-Proto": "https", "User-Agent": UA},
                )
                assert response.status == 302
                query = urllib.parse.urlsplit(response.headers["Location"]).query
                ids.append(urllib.parse.parse_qs(query)["ph_click"][0])
            return ids

        with ThreadPoolExecutor(8) as pool:
            handed_out = list(pool.map(follow, visitors))
        unique = {click_id for ids in handed_out for click_id in ids}
        same_twice = sum(first == second for first, second in handed_out)
        rows = list(settled(exact, at_least=len(unique)).values_list("click_id", flat=True))
        print(
            f"  de-duplication: {2 * len(visitors)} requests from {len(visitors)} visitors, "
            f"{len(unique)} click ids handed out ({same_twice} visitors got the same id twice), "
            f"{len(rows)} stored"
        )
        # Twice within one 10-second bucket is one click; a pair that straddles a bucket's end is two.
        assert same_twice >= len(visitors) * 0.9
        assert sorted(rows) == sorted(unique)
    finally:
        web.stop()
