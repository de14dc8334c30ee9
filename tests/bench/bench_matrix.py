"""Benchmark: the value matrix's A3 PDF and its page as the matrix grows. Figures, never asserted on time.

Run with `make bench` (or `pytest tests/bench/bench_matrix.py -m bench -s`). Prints, for 5, 15 and 40 rows
with three items per cell: the time to render the A3 PDF (renderer + render_pdf, no Celery) and its pages;
then, for 50 rows, the queries and time of the matrix page (matrix:matrix_detail) once it exists. Set
BENCH_MATRIX_PDF_DIR to keep the PDFs for a look.
"""

import io
import os
import time
from pathlib import Path

import pytest
from django.db import connection
from django.urls import NoReverseMatch, reverse
from pypdf import PdfReader

from matrix.documents import value_matrix_pdf
from matrix.models import CELL_FIELDS, MatrixRow, ValueMatrix
from partnerhub.models import Document, Partner
from partnerhub.pdf import render_pdf

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

ITEMS = ["Kennis van de markt", "Complementaire producten en diensten", "Toegang tot klanten"]


def matrix_with(org, rows):
    matrix = ValueMatrix.objects.create(organisation=org, name=f"Matrix met {rows} partners")
    partners = Partner.objects.bulk_create(
        Partner(organisation=org, name=f"Partner {rows}-{n:02d}", category="supplier") for n in range(rows)
    )
    MatrixRow.objects.bulk_create(
        MatrixRow(
            matrix=matrix, partner=partner, position=n, **{field: "\n".join(ITEMS) for field in CELL_FIELDS}
        )
        for n, partner in enumerate(partners, start=1)
    )
    return matrix


def test_a3_pdf_render_time_and_pages(org):
    keep = os.environ.get("BENCH_MATRIX_PDF_DIR")
    print("\nrows  render (s)  pages  size (kB)")
    for rows in (5, 15, 40):
        matrix = matrix_with(org, rows)
        document = Document(
            organisation=org, kind="value_matrix", title=matrix.name, params={"matrix_id": matrix.pk}
        )
        start = time.perf_counter()
        _filename, template, context = value_matrix_pdf(document)
        pdf = render_pdf(template, context)
        seconds = time.perf_counter() - start
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        print(f"{rows:4d}  {seconds:10.2f}  {pages:5d}  {len(pdf) / 1024:9.0f}")
        if keep:
            Path(keep, f"matrix-{rows}.pdf").write_bytes(pdf)


def test_matrix_page_with_50_rows(manager_client, org):
    matrix = matrix_with(org, 50)
    try:
        url = reverse("matrix:matrix_detail", args=[org.slug, matrix.pk])
    except NoReverseMatch:
        pytest.skip("matrix:matrix_detail (the grid page) does not exist yet: nothing to measure")
    manager_client.get(url)
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = manager_client.get(url)
    start = time.perf_counter()
    for _ in range(5):
        manager_client.get(url)
    seconds = (time.perf_counter() - start) / 5
    print(
        f"\nmatrix page, 50 rows: status {response.status_code}, {len(queries)} queries, "
        f"{seconds * 1000:.0f} ms"
    )
