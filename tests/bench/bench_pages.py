"""Benchmark: every organisation page that a GET shows, at 20 and at 200 rows of everything it lists.

Run with `make bench` (or `pytest tests/bench/bench_pages.py -m bench -s`). One organisation gets one object
of every kind (the isolation walk's map, so every URL parameter has a value), then 20 and then 200 partners
with contacts, matrix rows, affiliates with an order and a ledger line each, referrals, NPS scores and
agreements. Every organisation route is requested as its owner at both sizes; the table prints the queries
at 20 and at 200 rows (they should be equal: a page that asks per row grows), and the median server time of
five requests at 200 rows against the target of 100 ms. Each page's time is reported as a figure of the
"pages" target (`tests/bench/report.py`), with the number of pages over 100 ms and of pages whose query count
grows with rows. Nothing here is asserted on time.
"""

import logging
import statistics
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.template.base import PartialTemplate, Template
from django.test import Client
from django.test.utils import _TestState

from agreements import services as agreement_services
from matrix.models import CELL_FIELDS, MatrixRow
from partnerhub.models import Partner, Role
from tests.affiliates import factories_ledger as ledger
from tests.affiliates.factories_tiers import NpsScoreFactory
from tests.bench.report import figure
from tests.conftest import login
from tests.factories import ContactFactory, MembershipFactory, PartnerFactory
from tests.isolation import UnknownParameter, _values, organisation_routes
from tests.partnerhub.test_isolation import objects_of

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

TARGET_MS = 100
SMALL, LARGE = 20, 200
# Pages a GET changes something on or streams a file of: measured elsewhere (PDFs, exports) or not a page.
SKIPPED = {"logout"}


@pytest.fixture
def server_templates(monkeypatch):
    """Render templates as the server does, without the test client's instrumentation (a signal and a copy
    of the context at every template and include), which triples the time of an include-heavy page."""
    saved = _TestState.saved_data
    monkeypatch.setattr(Template, "_render", saved.template_render)
    monkeypatch.setattr(PartialTemplate, "_render", saved.partial_template_render)


def grow(organisation, objects, total):
    """Bring every list of the organisation to `total` rows (partners, matrix rows, affiliates, ...)."""
    have = Partner.objects.filter(organisation=organisation, name__startswith="Bench ").count()
    matrix_id = objects["matrix_id"]
    position = MatrixRow.objects.filter(matrix_id=matrix_id).count()
    for n in range(have, total):
        partner = PartnerFactory(organisation=organisation, name=f"Bench {n:04d}")
        ContactFactory(partner=partner, is_key_person=True)
        ContactFactory(partner=partner)
        position += 1
        MatrixRow.objects.create(
            matrix_id=matrix_id, partner=partner, position=position, **dict.fromkeys(CELL_FIELDS, "Kennis")
        )
        affiliate = ledger.affiliate(organisation, name=f"Bench blogger {n:04d}")
        project = ledger.order(affiliate.partner, Decimal("120.00"))
        ledger.line(affiliate.partner, "12.00", project=project)
        NpsScoreFactory(organisation=organisation, partner=partner)
        partner.referrals.create(organisation=organisation, lead_name=f"Lead {n}")
        agreement_services.agreement_create(
            organisation=organisation,
            actor=None,
            title=f"Overeenkomst {n}",
            partners=[partner],
            kind="structural",
        )


def measure(client, url, repeat=5):
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    client.get(url)  # warm: templates, caches
    with connection.execute_wrapper(count):
        response = client.get(url)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return response.status_code, len(queries), statistics.median(times)


def test_every_page_at_200_rows(org, server_templates):
    owner = MembershipFactory(organisation=org, role=Role.OWNER).user
    client = Client()
    login(client, owner)
    objects = objects_of(org)
    routes = []
    for route in organisation_routes():
        if route.name in SKIPPED:
            continue
        try:
            routes.append((route, route.build(_values(objects, route))))
        except UnknownParameter:
            continue

    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 405s of POST-only routes
    grow(org, objects, SMALL)
    small = {route.name: measure(client, url, repeat=1) for route, url in routes}
    # POST-only routes (405) and downloads answer something else than a page; they are listed, not timed.
    others = [(route.name, small[route.name][0]) for route, _url in routes if small[route.name][0] != 200]
    routes = [(route, url) for route, url in routes if small[route.name][0] == 200]
    grow(org, objects, LARGE)
    rows = []
    for route, url in routes:
        status, queries, ms = measure(client, url)
        rows.append((route.name, status, small[route.name][1], queries, ms))

    pages = [row for row in rows if row[1] == 200]
    total = len(rows) + len(others)
    print(f"\n{len(pages)} of {total} GET routes answered 200. Target: ≤ {TARGET_MS} ms at {LARGE} rows,")
    print(f"and as many queries at {LARGE} rows as at {SMALL}.\n")
    print(f"{'page':40} {'q@20':>5} {'q@200':>6} {'ms@200':>7}  verdict")
    slow = growing = 0
    for name, _status, q_small, q_large, ms in sorted(pages, key=lambda row: -row[4]):
        verdict = []
        if ms > TARGET_MS:
            verdict.append("slow")
            slow += 1
        if q_large > q_small:
            verdict.append("grows")
            growing += 1
        print(f"{name:40} {q_small:5d} {q_large:6d} {ms:7.1f}  {' '.join(verdict) or 'ok'}")
    others = [row for row in rows if row[1] != 200]
    if others:
        print(
            "\nnot 200 (redirects after a form, file downloads):", ", ".join(f"{r[0]}={r[1]}" for r in others)
        )
    print(f"\n{slow} pages over {TARGET_MS} ms, {growing} pages whose queries grow with rows")
    for name, _status, _q_small, _q_large, ms in sorted(pages):
        figure("pages", f"{name} at {LARGE} rows", ms, "ms", at_most=TARGET_MS)
    figure("pages", f"pages over {TARGET_MS} ms", slow, "pages", at_most=0)
    figure("pages", "pages whose query count grows with rows", growing, "pages", at_most=0)
    assert pages, "no page answered"
