"""Importing many partners: a fixed number of queries whatever the rows, a background job with progress for a
large file (all rows or none), a confirmation sent twice importing once, and a queue that is away failing
the job with a retry instead of a 500."""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partnerhub.celery import app as celery_app
from partnerhub.models import AuditEntry, CsvImportJob, CsvImportStatus, Partner
from partnerhub.partner_import import (
    PROGRESS_EVERY,
    csv_import_run,
    csv_import_start,
    read_partner_csv,
    register_importer,
    validate_rows,
)
from tests.conftest import login
from tests.factories import PartnerFactory
from tests.partnerhub.test_partner_csv import confirm, upload


def partners_file(rows, prefix="Partner"):
    lines = ["naam;categorie;status;kvk-nummer;website;invloed;belang;notities"]
    lines += [
        f"{prefix} {n:04d};leverancier;actief;{10000000 + n};https://p{n}.example.nl;{n % 5 + 1};3;Nr {n}"
        for n in range(rows)
    ]
    return "\n".join(lines) + "\n"


def job_of(response):
    assert response.status_code == 302, response.content[:500]
    assert "?job=" in response["Location"]
    return CsvImportJob.objects.get(pk=int(response["Location"].rsplit("=", 1)[1]))


# A fixed number of queries


def test_preview_and_import_cost_the_same_queries_for_10_and_1000_rows(manager_client, org, settings):
    settings.CSV_IMPORT_BACKGROUND_ROWS = 5000  # both files are imported during the request
    PartnerFactory(organisation=org, name="Bestaand BV")
    counts = {}
    for rows in (10, 1000):
        with CaptureQueriesContext(connection) as previewed:
            response = upload(manager_client, org, partners_file(rows, prefix=f"P{rows}"))
        assert response.context["preview"].valid_count == rows
        with CaptureQueriesContext(connection) as imported:
            assert confirm(manager_client, org, response).status_code == 302
        counts[rows] = (len(previewed), len(imported))
    assert counts[10] == counts[1000]
    assert Partner.objects.filter(organisation=org).count() == 1 + 10 + 1000
    assert AuditEntry.objects.filter(organisation=org, object_type="partnerhub.partner").count() == 1010


def test_a_background_job_adds_only_its_progress_writes_per_row(org, manager, django_assert_num_queries):
    counts = {}
    for rows in (10, 1000):
        text = partners_file(rows, prefix=f"P{rows}")
        job, _created = csv_import_start(
            organisation=org,
            kind="partner_import",
            requested_by=manager,
            token=f"token-{rows}",
            filename="partners.csv",
            text=text,
            total_rows=rows,
        )
        with CaptureQueriesContext(connection) as queries:
            csv_import_run(job_id=job.pk)
        counts[rows] = len(queries)
        job.refresh_from_db()
        assert (job.status, job.imported_rows) == (CsvImportStatus.DONE, rows)
    assert counts[1000] - counts[10] == 1000 // PROGRESS_EVERY


def test_validation_reports_an_existing_name_without_a_query_per_row(org, django_assert_num_queries):
    PartnerFactory(organisation=org, name="Sennheiser")
    raw_rows = [(n + 2, {"name": f"Partner {n}"}) for n in range(300)] + [(400, {"name": " sennheiser "})]
    with django_assert_num_queries(1):
        rows = validate_rows(organisation=org, raw_rows=raw_rows)
    assert "Er is al een partner" in " ".join(rows[-1].errors) and rows[-1].cleaned is None
    assert all(row.is_valid for row in rows[:-1])


# A large file: a background job the page follows


def test_a_large_file_is_imported_by_a_job_the_page_follows(
    manager_client, manager, org, settings, eager_celery, django_capture_on_commit_callbacks
):
    settings.CSV_IMPORT_BACKGROUND_ROWS = 5
    response = upload(manager_client, org, partners_file(12))
    with django_capture_on_commit_callbacks(execute=True):
        job = job_of(confirm(manager_client, org, response))
    job.refresh_from_db()
    assert (job.status, job.total_rows, job.checked_rows, job.imported_rows) == ("done", 12, 12, 12)
    assert job.requested_by == manager and job.content == ""
    assert Partner.objects.filter(organisation=org).count() == 12
    assert AuditEntry.objects.filter(organisation=org, actor=manager, action="create").count() == 12
    page = manager_client.get(f"/o/{org.slug}/partners/import/?job={job.pk}")
    html = page.content.decode()
    assert "12 partners geïmporteerd" in html
    assert 'hx-trigger="every 1s"' not in html


def test_the_job_page_polls_while_the_job_waits_and_stops_when_done(manager_client, manager, org):
    job, _created = csv_import_start(
        organisation=org,
        kind="partner_import",
        requested_by=manager,
        token="waiting",
        filename="partners.csv",
        text=partners_file(8),
        total_rows=8,
    )
    url = f"/o/{org.slug}/partners/import/?job={job.pk}"
    page = manager_client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in page and 'data-status="pending"' in page
    assert '<progress value="0" max="100"' in page
    assert 'name="file"' not in page  # no second upload while one is being imported
    csv_import_run(job_id=job.pk)
    polled = manager_client.get(url, headers={"HX-Request": "true"})
    assert polled["HX-Refresh"] == "true"
    assert "<html" not in polled.content.decode() and "8 partners geïmporteerd" in polled.content.decode()
    assert 'hx-trigger="every 1s"' not in polled.content.decode()


@pytest.mark.django_db(transaction=True)
def test_progress_is_committed_while_the_rows_are_checked(org, manager):
    """Another connection (the page's poll) sees the count of checked rows grow before the import ends."""
    seen = []

    def observed_check(*, organisation, raw_rows, progress):
        def report(checked):
            progress(checked)
            job = CsvImportJob.objects.get(kind="observed_partner_import")
            thread = threading.Thread(target=lambda: seen.append(poll(job.pk)))
            thread.start()
            thread.join()

        return validate_rows(organisation=organisation, raw_rows=raw_rows, progress=report)

    def poll(job_id):
        try:
            return CsvImportJob.objects.values_list("status", "checked_rows").get(pk=job_id)
        finally:
            connections.close_all()

    from partnerhub.partner_import import PartnerImportRejected, partners_save

    register_importer(
        "observed_partner_import",
        read=read_partner_csv,
        check=observed_check,
        save=partners_save,
        rejected=PartnerImportRejected,
    )
    rows = 3 * PROGRESS_EVERY
    job, _created = csv_import_start(
        organisation=org,
        kind="observed_partner_import",
        requested_by=manager,
        token="observed",
        filename="partners.csv",
        text=partners_file(rows),
        total_rows=rows,
    )
    csv_import_run(job_id=job.pk)
    assert seen[:3] == [("running", PROGRESS_EVERY), ("running", 2 * PROGRESS_EVERY), ("running", rows)]
    assert Partner.objects.filter(organisation=org).count() == rows


def test_rows_that_no_longer_pass_fail_the_job_and_show_on_its_page(
    manager_client, org, settings, eager_celery, django_capture_on_commit_callbacks
):
    settings.CSV_IMPORT_BACKGROUND_ROWS = 5
    response = upload(manager_client, org, partners_file(12))
    PartnerFactory(organisation=org, name="Partner 0007")  # a colleague added it since the preview
    with django_capture_on_commit_callbacks(execute=True):
        job = job_of(confirm(manager_client, org, response))
    job.refresh_from_db()
    assert (job.status, job.error) == (CsvImportStatus.FAILED, "rejected")
    assert Partner.objects.filter(organisation=org).count() == 1
    html = manager_client.get(f"/o/{org.slug}/partners/import/?job={job.pk}").content.decode()
    assert 'data-error="rejected"' in html
    assert "Partner 0007" in html and "Er is al een partner met de naam" in html
    assert html.count('class="row-invalid"') == 1
    assert 'name="action" value="retry"' in html


def test_a_job_runs_once_however_often_it_is_started(org, manager):
    job, _created = csv_import_start(
        organisation=org,
        kind="partner_import",
        requested_by=manager,
        token="twice",
        filename="partners.csv",
        text=partners_file(4),
        total_rows=4,
    )
    csv_import_run(job_id=job.pk)
    csv_import_run(job_id=job.pk)  # a redelivered task
    job.refresh_from_db()
    assert (job.status, job.attempts) == (CsvImportStatus.DONE, 1)
    assert Partner.objects.filter(organisation=org).count() == 4


def test_the_job_page_checks_the_organisation(client, stranger, manager, org):
    job, _created = csv_import_start(
        organisation=org,
        kind="partner_import",
        requested_by=manager,
        token="private",
        filename="partners.csv",
        text=partners_file(2),
        total_rows=2,
    )
    login(client, stranger)
    assert client.get(f"/o/andere-bv/partners/import/?job={job.pk}").status_code == 404
    assert client.get("/o/andere-bv/partners/import/?job=nonsense").status_code == 404
    login(client, manager)
    project_import = reverse("affiliates:project_import", args=[org.slug])
    assert client.get(f"{project_import}?job={job.pk}").status_code == 404  # a job of another import
    assert client.get(f"/o/{org.slug}/partners/import/?job={job.pk}").status_code == 200


# Confirming twice


def test_confirming_twice_imports_once(manager_client, org, settings, eager_celery):
    settings.CSV_IMPORT_BACKGROUND_ROWS = 5000
    response = upload(manager_client, org, partners_file(6))
    assert confirm(manager_client, org, response).status_code == 302
    again = confirm(manager_client, org, response)
    job = job_of(again)
    assert job.status == CsvImportStatus.DONE
    assert Partner.objects.filter(organisation=org).count() == 6
    assert CsvImportJob.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_once_import_once(org, manager, settings, eager_celery):
    if connection.vendor != "postgresql":
        pytest.skip("needs Postgres: concurrent transactions")
    settings.CSV_IMPORT_BACKGROUND_ROWS = 5000
    first = login(Client(), manager)
    response = upload(first, org, partners_file(200))
    second = Client()
    second.cookies = first.cookies
    start = threading.Barrier(2)
    answers = []

    def attempt(client):
        try:
            start.wait()
            answers.append(confirm(client, org, response).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(client,)) for client in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [302, 302]
    assert Partner.objects.filter(organisation=org).count() == 200
    assert CsvImportJob.objects.count() == 1
    assert AuditEntry.objects.filter(organisation=org, object_type="partnerhub.partner").count() == 200


# The queue is away


def test_an_unreachable_queue_fails_the_job_with_a_retry(
    manager_client, org, settings, unreachable_broker, django_capture_on_commit_callbacks
):
    settings.CSV_IMPORT_BACKGROUND_ROWS = 5
    response = upload(manager_client, org, partners_file(9))
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = confirm(manager_client, org, response)
    job = job_of(confirmed)
    job.refresh_from_db()
    assert (job.status, job.error) == (CsvImportStatus.FAILED, "unreachable")
    assert not Partner.objects.exists()
    html = manager_client.get(confirmed["Location"]).content.decode()
    assert 'data-error="unreachable"' in html and 'name="action" value="retry"' in html

    celery_app.conf.task_always_eager = True  # the queue is back (here: in-process)
    with django_capture_on_commit_callbacks(execute=True):
        retried = manager_client.post(f"/o/{org.slug}/partners/import/", {"action": "retry", "job": job.pk})
    assert retried["Location"] == confirmed["Location"]
    job.refresh_from_db()
    assert (job.status, job.imported_rows, job.attempts) == (CsvImportStatus.DONE, 9, 1)
    assert Partner.objects.filter(organisation=org).count() == 9


def test_a_stalled_job_shows_as_such_and_is_retried_once(
    manager_client, manager, org, settings, eager_celery, django_capture_on_commit_callbacks
):
    job, _created = csv_import_start(
        organisation=org,
        kind="partner_import",
        requested_by=manager,
        token="lost",
        filename="partners.csv",
        text=partners_file(7),
        total_rows=7,
    )
    # A worker claimed it long ago and died: the row says running, with nothing imported.
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.BACKGROUND_JOB_STALLED_AFTER + 60)
    CsvImportJob.objects.filter(pk=job.pk).update(status="running", started_at=long_ago, attempts=1)
    url = f"/o/{org.slug}/partners/import/?job={job.pk}"
    page = manager_client.get(url).content.decode()
    assert 'data-status="running"' in page and 'name="action" value="retry"' in page
    assert 'hx-trigger="every 1s"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(f"/o/{org.slug}/partners/import/", {"action": "retry", "job": job.pk})
        manager_client.post(f"/o/{org.slug}/partners/import/", {"action": "retry", "job": job.pk})
    job.refresh_from_db()
    assert (job.status, job.attempts, job.imported_rows) == (CsvImportStatus.DONE, 2, 7)
    assert Partner.objects.filter(organisation=org).count() == 7


def test_a_job_at_work_is_not_retried(manager_client, manager, org):
    job, _created = csv_import_start(
        organisation=org,
        kind="partner_import",
        requested_by=manager,
        token="busy",
        filename="partners.csv",
        text=partners_file(3),
        total_rows=3,
    )
    CsvImportJob.objects.filter(pk=job.pk).update(status="running", started_at=timezone.now(), attempts=1)
    manager_client.post(f"/o/{org.slug}/partners/import/", {"action": "retry", "job": job.pk})
    job.refresh_from_db()
    assert (job.status, job.attempts) == (CsvImportStatus.RUNNING, 1)
    assert csv_import_run(job_id=job.pk) is None  # and a redelivered task leaves it to the live run
    assert not Partner.objects.exists()
