"""Scale-out: two web processes and two workers against one Postgres and one Redis lose nothing and do nothing
twice. Mixed traffic goes round-robin through both web processes from several threads at once: pages, clicks
on an affiliate link (each from its own address, a few repeated within the de-duplication window, one half
on each process), API orders (each key once, and a few keys sent to both processes at the same moment) and
PDF requests, which the two workers render. Needs Postgres (the processes open the test database) and Redis.
"""

import hashlib
import json
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection

from affiliates.models import Click, Commission, Project
from affiliates.tracking.clicks import DEDUP_SECONDS, source_hash
from partnerhub.models import Document, DocumentStatus
from tests.database_faults import postgres_url
from tests.faults import REDIS_URL, redis_answers
from tests.scale_out import (
    UA,
    Installation,
    address,
    click,
    click_id_of,
    csrf_token,
    order,
    page,
    pdf_request,
    shop_create,
)

PDFS = 8
PAGES = 24
CLICKS = 60
REPEATED_CLICKS = 6
ORDERS = 20
ORDERS_SENT_TWICE_AT_ONCE = 3
THREADS = 6
RENDERED_WITHIN = 90


@pytest.fixture
def installation(transactional_db, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs Postgres: the web processes and workers open the test database")
    if not redis_answers(REDIS_URL):
        pytest.skip(f"no Redis answers PING at {REDIS_URL} (set REDIS_URL to run the scale-out test)")

    def start():
        return Installation(
            database_url=postgres_url(connection.settings_dict), redis_url=REDIS_URL, tmp_path=tmp_path
        )

    return start


def one_bucket_left(seconds=4):
    """Wait, if needed, until at least `seconds` of the current de-duplication bucket are left, so that two
    clicks sent now fall in one bucket."""
    left = DEDUP_SECONDS - time.time() % DEDUP_SECONDS
    if left < seconds:
        time.sleep(left + 0.05)


def bucket(moment):
    return int(moment) // DEDUP_SECONDS


@pytest.mark.redis
def test_two_web_processes_and_two_workers_lose_nothing_and_do_nothing_twice(installation):
    shop = shop_create()
    answers = []  # (kind, port, status, detail)
    record_lock = threading.Lock()

    def record(kind, web, response, detail=None):
        with record_lock:
            answers.append((kind, web.port, response.status, detail))
        return response

    with installation() as site:
        web = site.web
        csrf = csrf_token(web[0], shop)  # from one process, used on both

        def pdf(n):
            response = record("pdf", web[n % 2], pdf_request(web[n % 2], shop, csrf))
            assert f"/o/{shop.slug}/documents/" in (response.getheader("Location") or ""), response.status

        def view(n):
            target = f"/o/{shop.slug}/" if n % 4 < 2 else f"/o/{shop.slug}/partners/"
            response = record("page", web[n % 2], page(web[n % 2], shop, target))
            # The member's page itself (a lost session would be a 302 to the login page).
            assert response.status == 200, response.status
            assert shop.name in response.text

        def visit(n):
            response = click(web[n % 2], shop, address(n))
            record("click", web[n % 2], response, (address(n), click_id_of(response)))

        def repeated_visit(n):
            # The same visitor twice, once on each process, within one bucket: one click.
            visitor = address(50_000 + n)
            one_bucket_left()
            before = time.time()
            first = click(web[n % 2], shop, visitor)
            second = click(web[(n + 1) % 2], shop, visitor)
            after = time.time()
            same_bucket = bucket(before) == bucket(after)
            record("click", web[n % 2], first, (visitor, click_id_of(first)))
            record("click", web[(n + 1) % 2], second, (visitor, click_id_of(second)))
            with record_lock:
                repeats.append((visitor, click_id_of(first), click_id_of(second), same_bucket))

        def single_order(n):
            response = order(web[n % 2], shop, f"scale-order-{n}", customer=f"K-{n:04d}")
            record("order", web[n % 2], response, json.loads(response.body))

        def order_sent_twice_at_once(n):
            # One key at the same moment on both processes: one order, and both get the same answer.
            key, start = f"scale-twice-{n}", threading.Barrier(2)
            replies = [None, None]

            def send(i):
                start.wait(timeout=30)
                replies[i] = order(web[i], shop, key, customer=f"K-twice-{n}")

            threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            for i, reply in enumerate(replies):
                record("order", web[i], reply, json.loads(reply.body))
            with record_lock:
                twice.append((key, replies))

        repeats, twice = [], []
        jobs = [(pdf, n) for n in range(PDFS)]  # first, at once: the queue fills and both workers take some
        mixed = (
            [(view, n) for n in range(PAGES)]
            + [(visit, n) for n in range(CLICKS)]
            + [(repeated_visit, n) for n in range(REPEATED_CLICKS)]
            + [(single_order, n) for n in range(ORDERS)]
            + [(order_sent_twice_at_once, n) for n in range(ORDERS_SENT_TWICE_AT_ONCE)]
        )
        # Interleaved (a fixed order, so that a failure can be repeated): every kind is in flight at once.
        mixed.sort(key=lambda job: hashlib.sha256(f"{job[0].__name__}{job[1]}".encode()).hexdigest())
        jobs += mixed
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            for future in [pool.submit(job, n) for job, n in jobs]:
                future.result()

        deadline = time.monotonic() + RENDERED_WITHIN
        while Document.objects.exclude(status__in=[DocumentStatus.READY, DocumentStatus.FAILED]).exists():
            assert time.monotonic() < deadline, f"PDFs not made within {RENDERED_WITHIN} s\n{site.logs()}"
            time.sleep(0.3)
        tasks_done = site.tasks_done()
        logs = site.logs()

    # Every answer was a success or a redirect, from both processes, for every kind of request.
    assert [a for a in answers if not 200 <= a[2] < 400] == [], logs
    per_port = Counter((kind, port) for kind, port, _status, _detail in answers)
    for kind in ("page", "click", "order", "pdf"):
        assert {port for k, port in per_port if k == kind} == {w.port for w in web}, per_port

    # Clicks: each visitor counted once per bucket, however many processes it reached; every answer's click
    # id is a row, and every row was answered.
    click_answers = [detail for kind, _port, _status, detail in answers if kind == "click"]
    assert all(click_id for _visitor, click_id in click_answers)
    answered_ids = {click_id for _visitor, click_id in click_answers}
    assert set(Click.objects.values_list("click_id", flat=True)) == answered_ids
    assert len(answered_ids) == CLICKS + sum(1 if same else len({a, b}) for _v, a, b, same in repeats)
    assert sum(same for *_rest, same in repeats) >= REPEATED_CLICKS - 1, "the repeats kept to one bucket"
    for visitor, first, second, same in repeats:
        if same:
            assert first == second
            assert Click.objects.filter(source_hash=source_hash(visitor, UA)).count() == 1

    # Orders: one per key, each with its one commission; a key sent twice at once gave one answer twice.
    order_answers = [detail for kind, _port, _status, detail in answers if kind == "order"]
    assert Project.objects.count() == ORDERS + ORDERS_SENT_TWICE_AT_ONCE
    assert Commission.objects.count() == ORDERS + ORDERS_SENT_TWICE_AT_ONCE
    assert all(answer["commission"] is not None for answer in order_answers), order_answers[:3]
    for key, (a, b) in twice:
        assert (a.status, a.body) == (b.status, b.body)
        assert Project.objects.filter(idempotency_key=key).count() == 1

    # PDFs: each made once, by one of the workers, into exactly one file; both workers made some.
    documents = list(Document.objects.all())
    assert len(documents) == PDFS
    for document in documents:
        assert (document.status, document.attempts) == (DocumentStatus.READY, 1), document.error
        path = Path(document.file.path)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == document.sha256
    files = sorted(p for p in (Path(document.file.storage.location) / "documents").rglob("*") if p.is_file())
    assert len(files) == PDFS, files
    renders = {name: done.get("partnerhub.tasks.render_document", 0) for name, done in tasks_done.items()}
    assert sum(renders.values()) == PDFS, renders
    assert all(renders.values()), f"both workers rendered: {renders}"
