"""Benchmark: importing the advertised maximum of 5,000 partners, and 5,000 projects, end to end.

Run with `make bench` (or `pytest tests/bench/bench_import.py -m bench -s`). Each import goes through the
pages as a manager does it: upload (the preview checks every row), then confirm. A confirmation of this many
rows starts a background import job; with no broker the task runs in-process once the job row is committed,
so the confirm figures include the whole import. Prints seconds and queries of both steps; asserts only
that every row arrived, never a time.
"""

import datetime
import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from affiliates.models import Project
from partnerhub.models import AuditEntry, Partner, PartnerCategory
from tests.factories import PartnerFactory

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "5000"))
CATEGORIES = PartnerCategory.values


def partners_csv(rows):
    lines = ["naam;categorie;status;kvk-nummer;website;invloed;belang;notities"]
    for n in range(rows):
        lines.append(
            f"Partner {n:05d} BV;{CATEGORIES[n % len(CATEGORIES)]};actief;{10000000 + n};"
            f"https://partner{n}.example.nl;{n % 5 + 1};{(n + 2) % 5 + 1};Leverancier sinds {2000 + n % 25}"
        )
    return "\n".join(lines) + "\n"


def projects_csv(partner_names, rows):
    start = datetime.date(2025, 1, 1)
    lines = ["partner;klantreferentie;waarde;datum;op tijd geleverd;op tijd betaald"]
    for n in range(rows):
        date = start + datetime.timedelta(days=n % 300)
        value = f"{1000 + n % 997},{n % 100:02d}"
        lines.append(f"{partner_names[n % len(partner_names)]};K-{n:05d};{value};{date:%d-%m-%Y};ja;onbekend")
    return "\n".join(lines) + "\n"


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed(step):
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        response = step()
        seconds = time.perf_counter() - started
    return response, seconds, counter.count


def run_import(client, url, content, capture_on_commit):
    file = SimpleUploadedFile("import.csv", content.encode(), content_type="text/csv")
    response, preview_seconds, preview_queries = timed(
        lambda: client.post(url, {"action": "preview", "file": file})
    )
    preview = response.context["preview"]
    assert preview.is_importable, [row.errors for row in preview.rows if row.errors][:3]

    def confirm():
        with capture_on_commit(execute=True):
            return client.post(url, {"action": "confirm", "upload_id": response.context["upload_id"]})

    confirmed, confirm_seconds, confirm_queries = timed(confirm)
    assert confirmed.status_code == 302, confirmed.content[:2000]
    return preview_seconds, preview_queries, confirm_seconds, confirm_queries


def report(what, preview_seconds, preview_queries, confirm_seconds, confirm_queries):
    print(
        f"\n[bench] {ROWS} {what} on {connection.vendor}: preview {preview_seconds:.1f} s, "
        f"{preview_queries} queries; confirm {confirm_seconds:.1f} s, {confirm_queries} queries; "
        f"total {preview_seconds + confirm_seconds:.1f} s"
    )


def test_import_5000_partners(manager_client, org, eager_celery, django_capture_on_commit_callbacks):
    url = reverse("partner_import", args=[org.slug])
    figures = run_import(manager_client, url, partners_csv(ROWS), django_capture_on_commit_callbacks)
    report("partners", *figures)
    assert Partner.objects.filter(organisation=org).count() == ROWS
    assert AuditEntry.objects.filter(organisation=org, object_type="partnerhub.partner").count() == ROWS


def test_import_5000_projects(manager_client, org, eager_celery, django_capture_on_commit_callbacks):
    names = [PartnerFactory(organisation=org, name=f"Aannemer {n:03d}").name for n in range(200)]
    url = reverse("affiliates:project_import", args=[org.slug])
    figures = run_import(manager_client, url, projects_csv(names, ROWS), django_capture_on_commit_callbacks)
    report("projects", *figures)
    assert Project.objects.filter(organisation=org).count() == ROWS
    assert AuditEntry.objects.filter(organisation=org, object_type="affiliates.project").count() == ROWS
