"""The clicks a web process holds for at most a second (affiliates.tracking.buffer).

The buffer's own rules are tested in this process (its `write()` in the test's thread, no writer thread);
what it promises across a process's life is tested on real gunicorn processes against the test database,
through a proxy that can take the database away: held clicks are written within a second, a stopped worker
writes what it holds (or, without a database, logs it for a replay), a worker killed with SIGKILL loses at
most the clicks of its last second, and clicks held while the database is away are written when it is back.
"""

import datetime
import json
import os
import signal
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from affiliates.models import Click
from affiliates.tracking import clicks
from affiliates.tracking.buffer import ClickBuffer
from tests.affiliates.factories_tracking import affiliate_for, programme_with_landings
from tests.database_faults import FaultyDatabase, Server, postgres_url

UA = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"
SHOP = "https://shop.voorbeeld.nl/acties/zomer"


@pytest.fixture
def link(db, org):
    programme_with_landings(org)
    return affiliate_for(org, code="blogger-anna")


def click_from(affiliate, visitor, *, now=None):
    return clicks.click_build(
        affiliate=affiliate, ip=visitor, user_agent=UA, landing=SHOP, utm={"utm_source": "blog"}, now=now
    )


def test_held_clicks_are_written_in_one_go_and_a_repeat_counts_once(link):
    # The start of a de-duplication bucket, so that the repeats a second later fall in the same one.
    bucket = clicks.dedup_bucket(timezone.now())
    now = datetime.datetime.fromtimestamp(bucket * clicks.DEDUP_SECONDS, tz=datetime.UTC)
    buffer = ClickBuffer()
    held = [click_from(link, f"198.51.100.{n}", now=now) for n in range(30)]
    for click in held:
        buffer.hold(click)
    buffer.hold(click_from(link, "198.51.100.1", now=now))  # a repeat within the bucket: the same click id
    assert buffer.pending() == 30
    assert Click.objects.count() == 0

    with CaptureQueriesContext(connection) as queries:
        assert buffer.write() == 30
    inserts = [query["sql"] for query in queries if "INSERT" in query["sql"]]
    assert len(inserts) == 1  # one statement for all of them (executed for each row in one pipeline)
    assert buffer.pending() == 0
    assert set(Click.objects.values_list("click_id", flat=True)) == {click.click_id for click in held}

    # The same visitors again within the bucket, now from the database's side: nothing counted twice.
    for n in range(5):
        buffer.hold(click_from(link, f"198.51.100.{n}", now=now + datetime.timedelta(seconds=1)))
    buffer.write()
    assert Click.objects.count() == 30


def test_a_redirect_hands_its_click_to_the_buffer_and_asks_the_database_nothing(
    client, link, settings, django_assert_num_queries
):
    settings.AFFILIATE_CLICK_WRITE_SECONDS = 3600  # the writer thread waits: what is held stays held here
    clicks.link_for_code("blogger-anna")  # the link known to the process
    before = clicks.clicks_held.pending()
    with django_assert_num_queries(0):
        for n in range(3):
            response = client.get(
                "/r/blogger-anna", {"to": "/acties/zomer"}, HTTP_USER_AGENT=UA, REMOTE_ADDR=f"192.0.2.{n}"
            )
            assert "ph_click=" in response["Location"]
    assert clicks.clicks_held.pending() == before + 3
    held = clicks.clicks_held
    assert held.write() >= 3  # written here, in the test's transaction
    assert Click.objects.filter(affiliate=link).count() == 3


# -- real processes ------------------------------------------------------------------------------------------


@pytest.fixture
def database(db):
    """A proxy in front of the test database (forwarding until a test switches it)."""
    if connection.vendor != "postgresql":
        pytest.skip("the web process reaches the test database through a proxy: needs Postgres")
    settings = connection.settings_dict
    proxy = FaultyDatabase(target=(settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432)))
    yield proxy
    proxy.close()


def web(database, tmp_path, **env):
    server = Server(
        database_url=postgres_url(connection.settings_dict, port=database.port),
        log_path=tmp_path / "gunicorn.log",
        env={"AFFILIATE_LINK_CACHE_DIR": str(tmp_path / "links"), **env},
    )
    return server.start()


def follow(server, visitor):
    """One click from `visitor`; its click id (empty when none was handed out)."""
    response = server.get(
        f"/r/blogger-anna?to={SHOP}", headers={"User-Agent": UA, "X-Forwarded-For": visitor}, timeout=10
    )
    assert response.status == 302
    return parse_qs(urlsplit(response.getheader("Location")).query).get("ph_click", [""])[0]


def stored_ids():
    return set(Click.objects.values_list("click_id", flat=True))


def eventually(condition, within=10.0):
    deadline = time.monotonic() + within
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)
    return condition()


def worker_pid(server):
    """The gunicorn worker (the only child of the master)."""
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children").read_text().split()
    assert len(children) == 1, children
    return int(children[0])


def missed_rows(server):
    marker = "Click not recorded: "
    return [json.loads(line.split(marker, 1)[1]) for line in server.log().splitlines() if marker in line]


PROCESS_ENV = {"TRUSTED_PROXIES": "1", "DATABASE_CONN_MAX_AGE": "60"}


@pytest.mark.django_db(transaction=True)
def test_held_clicks_are_written_within_a_second(link, database, tmp_path):
    server = web(database, tmp_path, **PROCESS_ENV)
    try:
        handed_out = {follow(server, f"198.51.100.{n}") for n in range(20)}
        answered = time.monotonic()
        assert eventually(lambda: stored_ids() == handed_out, within=5)
        assert time.monotonic() - answered < 2.5  # half a second by default, and this test's own polling
    finally:
        server.stop()


@pytest.mark.django_db(transaction=True)
def test_a_stopped_worker_writes_the_clicks_it_holds(link, database, tmp_path):
    # An interval longer than the test: only the worker's way out can write these clicks.
    server = web(database, tmp_path, **PROCESS_ENV, AFFILIATE_CLICK_WRITE_SECONDS="3600")
    try:
        handed_out = {follow(server, f"198.51.100.{n}") for n in range(25)}
        time.sleep(1)
        assert stored_ids() == set()  # held by the worker
    finally:
        server.stop()  # SIGTERM: the worker ends its request and leaves
    assert stored_ids() == handed_out


@pytest.mark.django_db(transaction=True)
def test_a_stopped_worker_without_database_logs_the_clicks_it_holds(link, database, tmp_path):
    held = {"AFFILIATE_CLICK_WRITE_SECONDS": "3600", "AFFILIATE_LINK_MEMORY_SECONDS": "600"}
    server = web(database, tmp_path, **PROCESS_ENV, **held)
    try:
        first = follow(server, "198.51.100.200")  # the link is looked up and known to the worker
        database.switch("refuse")
        handed_out = {first} | {follow(server, f"198.51.100.{n}") for n in range(10)}
    finally:
        server.stop()
    rows = missed_rows(server)
    assert {row["click_id"] for row in rows} == handed_out
    assert all(row["affiliate_id"] == link.pk and row["landing"] == SHOP for row in rows)
    assert stored_ids() == set()


@pytest.mark.django_db(transaction=True)
def test_clicks_held_while_the_database_is_away_are_written_when_it_is_back(link, database, tmp_path):
    known = {"AFFILIATE_LINK_MEMORY_SECONDS": "600", "AFFILIATE_DATABASE_PAUSE_SECONDS": "1"}
    server = web(database, tmp_path, **PROCESS_ENV, **known)
    try:
        first = follow(server, "198.51.100.200")
        assert eventually(lambda: stored_ids() == {first})
        database.switch("refuse")
        during = {follow(server, f"198.51.100.{n}") for n in range(10)}
        assert "" not in during  # the link is known: every visitor gets a click id
        time.sleep(2.5)  # the writer tried, and failed, at least twice
        assert stored_ids() == {first}
        database.switch("forward")
        assert eventually(lambda: stored_ids() == {first} | during, within=10)
        assert missed_rows(server) == []  # held, not given up
    finally:
        server.stop()


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_outright_loses_at_most_its_last_second(link, database, tmp_path):
    server = web(database, tmp_path, **PROCESS_ENV)
    answers = []  # (moment answered, click id)
    stop = threading.Event()

    def visitors():
        n = 0
        while not stop.is_set():
            n += 1
            try:
                click_id = follow(server, f"10.1.{n // 256 % 256}.{n % 256}")
            except (OSError, AssertionError):
                continue  # while the master starts a new worker
            answers.append((time.monotonic(), click_id))

    try:
        follow(server, "198.51.100.200")
        sender = threading.Thread(target=visitors)
        sender.start()
        time.sleep(3)
        killed_at = time.monotonic()
        os.kill(worker_pid(server), signal.SIGKILL)
        time.sleep(0.5)
        stop.set()
        sender.join()
        before_kill = [(at, click_id) for at, click_id in answers if at < killed_at]
        older = {click_id for at, click_id in before_kill if killed_at - at > 1.0}
        settled = eventually(lambda: older <= stored_ids())
    finally:
        server.stop()
    stored = stored_ids()
    lost = [(at, click_id) for at, click_id in before_kill if click_id not in stored]
    print(f"\n{len(before_kill)} clicks answered before the kill, {len(lost)} lost")
    assert len(before_kill) > 50
    # Whatever was answered more than a second before the kill is stored (held for at most the interval of
    # half a second, plus the write's own time); only the last second's clicks may be lost.
    assert all(killed_at - at <= 1.0 for at, _ in lost), sorted(killed_at - at for at, _ in lost)[-5:]
    assert settled


def test_a_held_click_has_every_column_of_a_click():
    from affiliates.models import Click as ClickModel
    from affiliates.tracking.buffer import HeldClick

    columns = {field.attname for field in ClickModel._meta.concrete_fields if not field.primary_key}
    assert set(HeldClick._fields) == columns


def test_the_click_hashes_are_djangos_salted_hmac(settings):
    from django.utils.crypto import salted_hmac

    for secret in ("een-geheim", "een-ander-geheim"):  # a new secret key derives a new key
        settings.SECRET_KEY = secret * 4
        expected = salted_hmac("affiliates.click.source", "192.0.2.1\nMozilla/5.0", algorithm="sha256")
        assert clicks.source_hash("192.0.2.1", "Mozilla/5.0") == expected.hexdigest()
        expected_id = salted_hmac("affiliates.click.id", "7:abc:42", algorithm="sha256").hexdigest()[:32]
        assert clicks.click_id_for(7, "abc", 42) == expected_id
