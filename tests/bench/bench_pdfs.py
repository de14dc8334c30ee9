"""Benchmark: the render time and peak memory of every PDF kind, in one table. Never asserted on time.

Run with `make bench` (or `pytest tests/bench/bench_pdfs.py -m bench -s`); Postgres or SQLite, whichever
DATABASE_URL names. Every kind the document pipeline renders (`partnerhub.documents.RENDERERS`; the test
fails when one is left out here) gets realistic content built by the test factories and the services: the
A3 matrix at 10, 50 and 100 rows and its blank template, the partner list of 200 partners, a checker round
with 200 respondents, the demo agreement's letter of intent, agreement and signed agreement, and a quarterly
review with a year of projects.

A render is what the document task does: the kind's renderer and its template (here, from the test database)
and then WeasyPrint, which runs in a fresh process per document (tests/bench/pdf_render_process.py) so that
its peak memory is its own. Each half is timed three times after one warm-up render, and the medians added.
Peak memory is the growth of that process's peak resident set during the first render of the document in
a fresh process with WeasyPrint loaded, as a worker process makes it (most of WeasyPrint's memory is
allocated in C, which tracemalloc does not see); it includes the fonts and hyphenation patterns the document
loads (about 20 MiB). The table adds the growth during a later render in the same process (noisy below
about 40 MiB: the allocator keeps and returns memory as it likes), the Python heap's peak and the process's.

Ceilings: a render must end within CELERY_TASK_SOFT_TIME_LIMIT, else the worker stops it and the document
fails; its memory should stay under CELERY_WORKER_MAX_MEMORY_PER_CHILD less the process's resident set
before it (idle), else every such document makes the worker replace its process afterwards.
"""

import datetime
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from affiliates.models import NpsScore, Project
from affiliates.programme.rules import programme_for
from affiliates.tiers.reviews import REVIEW_DOCUMENT, previous_quarter_start, review_draft, review_update
from affiliates.tiers.standings import tier_evaluate
from agreements import demo as agreement_demo
from agreements.models import VersionKind
from agreements.signing import selectors as signing_selectors
from agreements.signing import sign_requests, signatures
from agreements.signing.versions import SIGNED_DOCUMENT, VERSION_DOCUMENT
from checker import services as checker_services
from partnerhub.documents import RENDERERS
from partnerhub.models import Document, PartnerCategory, PartnerStatus
from tests.bench.bench_checker import round_with
from tests.bench.bench_matrix_pdf import matrix_with, typical_cell
from tests.bench.report import figure
from tests.factories import ContactFactory, PartnerFactory

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

RUNS = 3
MATRIX_ROWS = (10, 50, 100)
PARTNERS = 200
RESPONDENTS = 200
LANGUAGE = "nl"


@dataclass
class Measured:
    label: str
    kind: str
    pages: int
    size: int
    html_ms: float
    pdf_ms: float
    peak_mib: float
    first_peak_mib: float
    python_peak_mib: float
    process_peak_mib: float
    idle_mib: float
    warm_mib: float

    @property
    def ms(self):
        return self.html_ms + self.pdf_ms


def document(org, kind, **params):
    return Document(
        organisation=org, kind=kind, title=f"Benchmark {kind}", params={**params, "language": LANGUAGE}
    )


def matrix_documents(org):
    found = []
    for rows in MATRIX_ROWS:
        matrix = matrix_with(org, rows, typical_cell)
        found.append((f"matrix A3, {rows} rows", document(org, "value_matrix", matrix_id=matrix.pk)))
        if rows == MATRIX_ROWS[0]:
            blank = document(org, "value_matrix_blank", matrix_id=matrix.pk)
    return [*found, (f"blank matrix A3, {MATRIX_ROWS[0]} partners", blank)]


def partner_list_document(org):
    categories = list(PartnerCategory.values)
    for n in range(PARTNERS):
        partner = PartnerFactory(
            organisation=org,
            name=f"Bouw- en Installatiebedrijf {n:03d}",
            category=categories[n % len(categories)],
            status=PartnerStatus.ACTIVE if n % 4 else PartnerStatus.PROSPECT,
            kvk_number=f"{10000000 + n}",
            influence=1 + n % 5,
            importance=1 + (n * 3) % 5,
        )
        ContactFactory.create_batch(2, partner=partner)
    return f"partner list, {PARTNERS} partners", document(org, "partner_list", sort="name")


def checker_document(org, owner):
    round_ = round_with(org, owner, RESPONDENTS)
    return f"checker results, {RESPONDENTS} respondents", document(org, "checker_report", round_id=round_.pk)


def agreement_documents(org, owner):
    """The demo agreement (four parties, every section written, the ten questions answered); its letter of
    intent signed by all, its agreement signed by the last party here too, so it has its signed PDF."""
    partners = []
    for name in ("Sennheiser", "Zorgverzekeringen", "KNO arts (specialist)"):
        partner = PartnerFactory(organisation=org, name=name, category=PartnerCategory.SPECIALIST)
        ContactFactory(partner=partner)
        partners.append(partner)
    checker_services.standard_statements_restore()
    collaboration = checker_services.collaboration_create(
        organisation=org, actor=owner, name=agreement_demo.TITLE, partners=partners
    )
    agreement, _created = agreement_demo.load(org, owner, collaboration)
    intent = signing_selectors.current_version(agreement, VersionKind.INTENT)
    version = signing_selectors.current_version(agreement, VersionKind.AGREEMENT)
    party = agreement.parties.get(partner__name=agreement_demo.OUTSTANDING)
    signer = agreement_demo.SIGNERS[agreement_demo.OUTSTANDING]
    _request, token = sign_requests.sign_request_create(
        version=version, party=party, signer_name=signer, actor=owner
    )
    signatures.sign(token=token, name=signer, confirmed=True, confirmed_hash=version.sha256, ip="192.0.2.11")
    return [
        ("letter of intent", document(org, VERSION_DOCUMENT, version_id=intent.pk)),
        ("agreement", document(org, VERSION_DOCUMENT, version_id=version.pk)),
        ("signed agreement", document(org, SIGNED_DOCUMENT, version_id=version.pk)),
    ]


def review_document(org):
    """A partner with fifteen months of projects and NPS scores, its tier evaluated, every text written."""
    programme_for(org)
    partner = PartnerFactory(organisation=org, name="Bouwbedrijf De Vries", status=PartnerStatus.ACTIVE)
    quarter = previous_quarter_start(timezone.localdate())
    first_day = quarter.replace(year=quarter.year - 1)
    Project.objects.bulk_create(
        Project(
            organisation=org,
            partner=partner,
            customer_reference=f"K-{n:04d}",
            value=Decimal(800 + (n * 137) % 2400),
            date=first_day + datetime.timedelta(days=(n * 3) % 455),
            delivered_on_time=n % 7 != 0,
            paid_on_time=n % 9 != 0,
        )
        for n in range(150)
    )
    NpsScore.objects.bulk_create(
        NpsScore(
            organisation=org, partner=partner, score=(6 + n) % 11, date=quarter + datetime.timedelta(days=n)
        )
        for n in range(40)
    )
    tier_evaluate(partner)
    review, _created = review_draft(partner, quarter)
    paragraph = (
        "Het aantal projecten groeide vooral in de renovatie van rijtjeshuizen; de gemiddelde "
        "orderwaarde bleef gelijk. Twee projecten liepen vertraging op door de levering van kozijnen. "
    )
    review_update(
        review,
        values={
            "volume_analysis": paragraph * 3,
            "quality_feedback": paragraph * 2,
            "pricing_review": paragraph,
            "tier_evaluation": paragraph * 2,
            "growth_plans": "Samen naar de Bouwbeurs in oktober. " + paragraph * 2,
        },
        actor=None,
    )
    return "quarterly review", document(org, REVIEW_DOCUMENT, review_id=review.pk)


def html_of(doc):
    """What the document task does before WeasyPrint: the renderer (its queries) and the template."""
    with translation.override(LANGUAGE):
        _filename, template_name, context = RENDERERS[doc.kind](doc)
        return render_to_string(template_name, context)


def pdf_in_fresh_process(html):
    done = subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-m", "tests.bench.pdf_render_process"],
        input=json.dumps({"html": html, "runs": RUNS}).encode(),
        capture_output=True,
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "partnerhub.settings"),
        },
        check=True,
        timeout=1800,
    )
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


def measure(label, doc):
    html = html_of(doc)  # warm-up
    html_seconds = []
    for _ in range(RUNS):
        start = time.perf_counter()
        html = html_of(doc)
        html_seconds.append(time.perf_counter() - start)
    child = pdf_in_fresh_process(html)
    return Measured(
        label=label,
        kind=doc.kind,
        pages=child["pages"],
        size=child["bytes"],
        html_ms=statistics.median(html_seconds) * 1000,
        pdf_ms=statistics.median(child["seconds"]) * 1000,
        peak_mib=child["peak_mib"] - child["warm_mib"],
        first_peak_mib=child["first_peak_mib"] - child["idle_mib"],
        python_peak_mib=child["python_peak_mib"],
        process_peak_mib=max(child["first_peak_mib"], child["peak_mib"]),
        idle_mib=child["idle_mib"],
        warm_mib=child["warm_mib"],
    )


def test_render_time_and_peak_memory_of_every_pdf_kind(org, owner):
    documents = [
        *matrix_documents(org),
        partner_list_document(org),
        checker_document(org, owner),
        *agreement_documents(org, owner),
        review_document(org),
    ]
    for _label, doc in documents:
        doc.organisation = org
    assert set(RENDERERS) <= {doc.kind for _label, doc in documents}, "a PDF kind is not benchmarked"

    time_ceiling = settings.CELERY_TASK_SOFT_TIME_LIMIT * 1000
    worker_cap_mib = settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD / 1024
    results = []
    for label, doc in documents:
        measured = measure(label, doc)
        results.append(measured)
        figure("pdf", f"{label} render", measured.ms, "ms", at_most=time_ceiling)
        memory_ceiling = (worker_cap_mib - measured.idle_mib) // 10 * 10
        figure("pdf", f"{label} peak memory", measured.first_peak_mib, "MiB", at_most=memory_ceiling)

    print(f"\nevery PDF kind: median of {RUNS} renders after one warm-up; WeasyPrint in a fresh process each")
    print(
        f"{'document':<34} {'kind':<19} {'pages':>5} {'bytes':>9} {'HTML ms':>8} {'PDF ms':>8} {'ms':>8}"
        f" {'MiB':>6} {'first':>6} {'Py MiB':>7} {'RSS MiB':>8}"
    )
    for m in results:
        print(
            f"{m.label:<34} {m.kind:<19} {m.pages:>5} {m.size:>9,} {m.html_ms:>8.0f} {m.pdf_ms:>8.0f}"
            f" {m.ms:>8.0f} {m.peak_mib:>6.1f} {m.first_peak_mib:>6.1f} {m.python_peak_mib:>7.1f}"
            f" {m.process_peak_mib:>8.0f}"
        )
    print(
        "MiB: growth of the peak RSS during a render, in a process that has made the document once; first: "
        f"during the first render in a fresh process (idle at {results[0].idle_mib:.0f} MiB); Py MiB: the "
        "Python heap's peak (tracemalloc); RSS MiB: the process's peak"
    )
