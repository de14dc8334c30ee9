"""PDFs when the queue or the worker fails: a closed broker port, a worker killed mid-render, the soft limit.

The worker tests start a real worker process (`celery -A partnerhub worker --pool=prefork`) against Redis at
REDIS_URL and against the test database, so they need a database another process can open: Postgres (they
skip on SQLite's in-memory test database) and `transaction=True`, so the worker sees committed rows. The
worker imports this module (`--include`), which registers the slow renderer below in its registry too.
"""

import hashlib
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from partnerhub import documents
from partnerhub.models import Document, DocumentStatus
from partnerhub.tasks import render_document
from tests.factories import PartnerFactory
from tests.faults import REDIS_URL, closed_broker_url, redis_answers

ROOT = Path(__file__).resolve().parents[2]
# The queue keys of kombu's Redis transport: the queue itself and the messages a worker took but did not ack.
QUEUE_KEYS = ("celery", "unacked", "unacked_index", "unacked_mutex")


@documents.register("slow_partner_list")
def slow_partner_list_pdf(document):
    """The partner list, made slowly on its first attempt (`params["first_attempt_seconds"]`)."""
    if document.attempts == 1:
        time.sleep(float(document.params.get("first_attempt_seconds", 0)))
    return documents.partner_list_pdf(document)


def wait_for(document, condition, *, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        document.refresh_from_db()
        if condition(document):
            return document
        time.sleep(0.2)
    raise AssertionError(f"{what}: after {seconds} s the document is {document.status} {document.error}")


def files_under(path):
    return sorted(p for p in Path(path).rglob("*") if p.is_file())


# --- the queue is away ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_closed_broker_port_fails_the_document_with_a_retry(broker, org, manager_client):
    broker(closed_broker_url())
    PartnerFactory(organisation=org, name="Delta Bouw")

    response = manager_client.post(reverse("partner_list_pdf", args=[org.slug]), follow=True)

    assert response.status_code == 200
    document = Document.objects.get()
    assert document.status == DocumentStatus.FAILED
    assert document.queued_at is not None
    assert document.finished_at is not None
    assert document.error.startswith(("De wachtrij is niet bereikbaar", "The queue cannot be reached"))
    page = response.content.decode()
    assert document.error in page
    retry = reverse("document_retry", args=[org.slug, document.pk])
    assert retry in page
    assert 'hx-trigger="every' not in page  # nothing to wait for

    # Retrying while the queue is still away: the same clear failure, on the same row.
    response = manager_client.post(retry, follow=True)

    assert response.status_code == 200
    document.refresh_from_db()
    assert Document.objects.count() == 1
    assert document.status == DocumentStatus.FAILED
    assert document.error in response.content.decode()
    assert retry in response.content.decode()


# --- a real worker process ------------------------------------------------------------------------------


def _database_url():
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    user = quote(db["USER"] or "postgres", safe="")
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def _purge_queue():
    client = redis.Redis.from_url(REDIS_URL)
    client.delete(*QUEUE_KEYS)


class Workers:
    """Starts real worker processes, each in its own process group so the pool's child dies with it."""

    def __init__(self, *, log_dir, media_root, limits):
        self.log_dir = log_dir
        self.env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": REDIS_URL,
            "REDIS_URL": REDIS_URL,
            "MEDIA_ROOT": str(media_root),
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "partnerhub.settings",
            **{name: str(value) for name, value in limits.items()},
        }
        self.processes = []

    def start(self):
        name = f"faults-{uuid.uuid4().hex[:8]}@%h"
        log = open(self.log_dir / f"worker-{len(self.processes) + 1}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "partnerhub",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--include=tests.partnerhub.test_worker_faults",
                f"--hostname={name}",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append((process, log))
        return process

    def kill(self, process):
        """kill -9 the worker's main process and its pool child at once."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def stop_all(self):
        for process, log in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)  # warm shutdown: the running task finishes and acks
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=30)
            log.close()

    def logs(self):
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-4000:]}"
            for path in sorted(self.log_dir.glob("worker-*.log"))
        )


@pytest.fixture
def worker_processes(transactional_db, broker, settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs Postgres: a worker process must share the test database")
    if not redis_answers(REDIS_URL):
        pytest.skip(f"no Redis answers PING at {REDIS_URL} (set REDIS_URL to run the worker tests)")
    broker(REDIS_URL)
    _purge_queue()  # messages left by an earlier, interrupted run
    log_dir = tmp_path / "logs"
    log_dir.mkdir()

    def make(**limits):
        # The web process puts the task's time limits in the message and the worker obeys those, so both
        # read the same settings (as they do in production): here the worker's short limits.
        settings.CELERY_TASK_SOFT_TIME_LIMIT = limits["CELERY_TASK_SOFT_TIME_LIMIT"]
        settings.CELERY_TASK_TIME_LIMIT = limits["CELERY_TASK_TIME_LIMIT"]
        workers = Workers(log_dir=log_dir, media_root=settings.MEDIA_ROOT, limits=limits)
        made.append(workers)
        return workers

    made = []
    yield make
    for workers in made:
        workers.stop_all()
    _purge_queue()


def request_slow_pdf(org, manager, *, first_attempt_seconds):
    return documents.document_request(
        organisation=org,
        kind="slow_partner_list",
        title="Partner list",
        params={"first_attempt_seconds": first_attempt_seconds},
        requested_by=manager,
    )


# The limits of the worker tests keep production's order (soft < hard < visibility timeout) at a smaller
# scale, so a message of a killed worker comes back within seconds instead of minutes.
KILL_LIMITS = {
    "CELERY_TASK_SOFT_TIME_LIMIT": 8,
    "CELERY_TASK_TIME_LIMIT": 10,
    "CELERY_VISIBILITY_TIMEOUT": 12,
}


@pytest.mark.redis
def test_a_worker_killed_mid_render_leaves_a_document_that_completes_once(
    worker_processes, org, manager, settings
):
    PartnerFactory(organisation=org, name="Delta Bouw")
    workers = worker_processes(**KILL_LIMITS)
    first = workers.start()
    document = request_slow_pdf(org, manager, first_attempt_seconds=120)

    # The claim is committed before the render starts: another connection sees it while the render runs,
    # and the row is not locked (the render holds no transaction).
    try:
        wait_for(document, lambda d: d.status == DocumentStatus.RENDERING, seconds=60, what="claimed")
    except AssertionError:
        raise AssertionError(workers.logs()) from None
    rendering_seen = time.monotonic()
    assert document.attempts == 1
    assert document.started_at is not None
    assert document.started_at >= document.queued_at
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM partnerhub_document WHERE id = %s FOR UPDATE NOWAIT", [document.pk])
        assert cursor.fetchone() == (document.pk,)

    time.sleep(1)  # well inside the 120 s render
    workers.kill(first)
    document.refresh_from_db()
    assert document.status == DocumentStatus.RENDERING
    assert files_under(settings.MEDIA_ROOT) == []

    # The broker hands the message out again once the visibility timeout has passed; a worker that starts
    # after that takes it at once.
    time.sleep(max(0.0, rendering_seen + KILL_LIMITS["CELERY_VISIBILITY_TIMEOUT"] + 2 - time.monotonic()))
    workers.start()
    try:
        wait_for(document, lambda d: d.is_finished, seconds=90, what="completed after the kill")
    except AssertionError:
        raise AssertionError(workers.logs()) from None

    assert document.status == DocumentStatus.READY, document.error
    assert document.attempts == 2
    stored = files_under(settings.MEDIA_ROOT)
    assert len(stored) == 1
    data = stored[0].read_bytes()
    assert data.startswith(b"%PDF-")
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert Path(document.file.path) == stored[0]


@pytest.mark.redis
def test_the_soft_time_limit_fails_the_document_with_a_message(worker_processes, org, manager, settings):
    workers = worker_processes(
        CELERY_TASK_SOFT_TIME_LIMIT=2, CELERY_TASK_TIME_LIMIT=20, CELERY_VISIBILITY_TIMEOUT=30
    )
    workers.start()
    document = request_slow_pdf(org, manager, first_attempt_seconds=60)

    try:
        wait_for(document, lambda d: d.is_finished, seconds=90, what="stopped by the soft limit")
    except AssertionError:
        raise AssertionError(workers.logs()) from None

    assert document.status == DocumentStatus.FAILED, workers.logs()
    assert "2" in document.error
    assert document.error.startswith(("Het maken van de pdf duurde langer", "Making the PDF took longer"))
    assert document.finished_at is not None
    assert files_under(settings.MEDIA_ROOT) == []
    assert document.can_retry


def wait_for_empty_queue(seconds):
    """Until no message waits in Redis and none is taken but unacknowledged (the worker finished them)."""
    client = redis.Redis.from_url(REDIS_URL)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if client.llen("celery") == 0 and client.hlen("unacked") == 0:
            return
        time.sleep(0.2)
    raise AssertionError(f"messages still in Redis after {seconds} s")


@pytest.mark.redis
def test_retrying_a_stalled_document_renders_it_once(worker_processes, org, manager_client, settings):
    PartnerFactory(organisation=org, name="Delta Bouw")
    long_ago = timezone.now() - timedelta(seconds=settings.BACKGROUND_JOB_STALLED_AFTER + 60)
    # What a worker that died mid-render leaves behind: a render begun long ago that never ended.
    document = Document.objects.create(
        organisation=org,
        kind="partner_list",
        title="Partner list",
        params={"language": "nl"},
        status=DocumentStatus.RENDERING,
        attempts=1,
        queued_at=long_ago,
        started_at=long_ago,
    )
    workers = worker_processes(**KILL_LIMITS)
    workers.start()
    status_url = reverse("document_status", args=[org.slug, document.pk])
    retry_url = reverse("document_retry", args=[org.slug, document.pk])
    page = manager_client.get(status_url).content.decode()
    assert 'data-status="stalled"' in page
    assert retry_url in page

    response = manager_client.post(retry_url)

    assert response.status_code == 302
    try:
        wait_for(document, lambda d: d.is_finished, seconds=90, what="rendered after the retry")
    except AssertionError:
        raise AssertionError(workers.logs()) from None
    assert document.status == DocumentStatus.READY, document.error
    assert document.attempts == 2
    stored = files_under(settings.MEDIA_ROOT)
    assert stored == [Path(document.file.path)]

    # The stalled attempt's message comes back after all (Redis redelivers it): it finds READY, does nothing.
    render_document.delay(document.pk)
    wait_for_empty_queue(60)

    document.refresh_from_db()
    assert (document.status, document.attempts) == (DocumentStatus.READY, 2)
    assert files_under(settings.MEDIA_ROOT) == stored
    assert hashlib.sha256(stored[0].read_bytes()).hexdigest() == document.sha256
