"""Benchmark: the A3 PDF of a value matrix with typical content. Prints figures, never asserts on time.

Run with `make bench` (or `pytest tests/bench/bench_matrix_pdf.py -m bench -s`). For 10, 50 and 100 rows
with about 300 characters of Dutch text in every cell (four short items), it prints the median of three
renders: seconds (wall clock, and the CPU time of the render, steadier on a busy machine), pages and the peak
memory (RSS) of the process that rendered. Each render runs in a fresh Python process (the renderer's context
is made here, from the test database, and handed over pickled), so the peak memory is that render's own and
not the test run's. Set BENCH_MATRIX_PDF_DIR to keep the PDFs.
"""

import json
import os
import pickle
import statistics
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from matrix.documents import value_matrix_pdf
from matrix.models import CELL_FIELDS, CELL_MAX_LENGTH, MatrixRow, ValueMatrix
from partnerhub.models import Document, Partner

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

ROWS = (10, 50, 100)
RUNS = 3

# Items as a workshop writes them; four of them make a cell of about 300 characters.
ITEMS = [
    "Kennis van de regionale bouwmarkt en de vergunningsprocedures bij gemeenten",
    "Complementaire producten: isolatiemateriaal, kozijnen en zonnepanelen",
    "Toegang tot vaste klanten via de showroom en de nieuwsbrief (4.000 lezers)",
    "Gezamenlijke inkoop levert ongeveer 6% korting op materialen op",
    "Naamsbekendheid in de regio Utrecht en Gelderland, vooral bij VvE's",
    "Doorverwijzingen van architecten naar onze renovatieteams na een ontwerp",
    "Een vaste contactpersoon die binnen twee werkdagen een offerte kan maken",
    "Meer omzet per project door aanvullende diensten zoals onderhoudscontracten",
]

# Runs in the fresh process: Django set up, then the same render_pdf the document task calls.
CHILD = """
import io, json, pickle, resource, sys, time
import django
django.setup()
from partnerhub.pdf import render_pdf
from pypdf import PdfReader
template, context = pickle.load(sys.stdin.buffer)
start, cpu_start = time.perf_counter(), time.process_time()
pdf = render_pdf(template, context)
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
pages = len(PdfReader(io.BytesIO(pdf)).pages)
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
keep = sys.argv[1] if len(sys.argv) > 1 else ""
if keep:
    open(keep, "wb").write(pdf)
print(json.dumps({"seconds": seconds, "cpu": cpu, "pages": pages, "peak_mb": peak_mb, "kb": len(pdf) / 1024}))
"""


def typical_cell(offset):
    """Four items, about 300 characters, different per cell so no two cells are the same text."""
    return "\n".join(ITEMS[(offset + i) % len(ITEMS)] for i in range(4))


def full_cell(offset):
    """Items up to the cap (CELL_MAX_LENGTH): the most a cell can hold now."""
    items = [ITEMS[(offset + i) % len(ITEMS)] for i in range(len(ITEMS))]
    text = items[0]
    for item in items[1:]:
        if len(text) + 1 + len(item) > CELL_MAX_LENGTH:
            break
        text += "\n" + item
    return text


def matrix_with(org, rows, cell=typical_cell):
    matrix = ValueMatrix.objects.create(organisation=org, name=f"Matrix met {rows} partners")
    partners = Partner.objects.bulk_create(
        Partner(organisation=org, name=f"Partner {rows}-{n:03d}", category="supplier") for n in range(rows)
    )
    MatrixRow.objects.bulk_create(
        MatrixRow(
            matrix=matrix,
            partner=partner,
            position=n,
            **{field: cell(n + i) for i, field in enumerate(CELL_FIELDS)},
        )
        for n, partner in enumerate(partners, start=1)
    )
    return matrix


def render_in_fresh_process(template, context, keep=""):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "partnerhub.settings"),
    }
    done = subprocess.run(
        [sys.executable, "-c", CHILD, keep],
        input=pickle.dumps((template, context)),
        capture_output=True,
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        timeout=600,
    )
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


def test_a3_pdf_of_typical_content(org):
    assert len(typical_cell(0)) in range(270, 330)
    print(f"\nvalue matrix A3 PDF, ~{len(typical_cell(0))} characters a cell, median of {RUNS} runs")
    print_renders(org, ROWS, typical_cell)


def test_a3_pdf_of_full_cells(org):
    print(f"\nvalue matrix A3 PDF, every cell full (~{len(full_cell(0))} characters), median of {RUNS} runs")
    print_renders(org, (100,), full_cell, name="full")


def print_renders(org, sizes, cell, name="matrix"):
    keep = os.environ.get("BENCH_MATRIX_PDF_DIR")
    print("rows  render (s)  CPU (s)  pages  peak RSS (MB)  size (kB)")
    for rows in sizes:
        matrix = matrix_with(org, rows, cell)
        document = Document(
            organisation=org, kind="value_matrix", title=matrix.name, params={"matrix_id": matrix.pk}
        )
        _filename, template, context = value_matrix_pdf(document)
        runs = [
            render_in_fresh_process(
                template, context, str(Path(keep, f"{name}-{rows}.pdf")) if keep and run == 0 else ""
            )
            for run in range(RUNS)
        ]
        seconds = statistics.median(run["seconds"] for run in runs)
        cpu = statistics.median(run["cpu"] for run in runs)
        peak = statistics.median(run["peak_mb"] for run in runs)
        pages, size = runs[0]["pages"], runs[0]["kb"]
        print(f"{rows:4d}  {seconds:10.2f}  {cpu:7.2f}  {pages:5d}  {peak:13.0f}  {size:9.0f}")
