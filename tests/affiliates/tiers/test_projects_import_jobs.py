"""Importing many projects: a fixed number of queries whatever the rows, and a large file imported by a
background job the page follows, all rows or none."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from affiliates.models import Project, ProjectSource
from affiliates.programme.rules import programme_for
from partnerhub.models import AuditEntry, CsvImportJob, CsvImportStatus
from tests.affiliates.tiers.test_projects import confirm, upload
from tests.factories import PartnerFactory


def projects_file(partners, rows, prefix="K"):
    start = datetime.date(2025, 1, 1)
    lines = ["partner;klantreferentie;waarde;datum;op tijd geleverd;op tijd betaald"]
    for n in range(rows):
        date = start + datetime.timedelta(days=n % 200)
        lines.append(
            f"{partners[n % len(partners)]};{prefix}-{n:05d};{100 + n},50;{date:%d-%m-%Y};ja;onbekend"
        )
    return "\n".join(lines) + "\n"


def test_preview_and_import_cost_the_same_queries_for_10_and_1000_rows(manager_client, org, settings):
    settings.CSV_IMPORT_BACKGROUND_ROWS = 5000  # both files are imported during the request
    programme_for(org)  # the first project of an organisation sets up its programme, once
    partners = [PartnerFactory(organisation=org, name=f"Aannemer {n}").name for n in range(30)]
    counts = {}
    for rows in (10, 1000):
        with CaptureQueriesContext(connection) as previewed:
            response = upload(manager_client, org, projects_file(partners, rows, prefix=f"K{rows}"))
        assert response.context["preview"].valid_count == rows
        with CaptureQueriesContext(connection) as imported:
            assert confirm(manager_client, org, response).status_code == 302
        counts[rows] = (len(previewed), len(imported))
    assert counts[10] == counts[1000]
    assert Project.objects.filter(organisation=org, source=ProjectSource.CSV).count() == 1010
    assert AuditEntry.objects.filter(organisation=org, object_type="affiliates.project").count() == 1010


def test_a_large_file_is_imported_by_a_job_the_page_follows(
    manager_client, manager, org, settings, eager_celery, django_capture_on_commit_callbacks
):
    settings.CSV_IMPORT_BACKGROUND_ROWS = 5
    partners = [PartnerFactory(organisation=org, name=f"Aannemer {n}").name for n in range(3)]
    response = upload(manager_client, org, projects_file(partners, 12))
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = confirm(manager_client, org, response)
    assert confirmed.status_code == 302 and "?job=" in confirmed["Location"]
    job = CsvImportJob.objects.get(organisation=org)
    assert (job.kind, job.status, job.imported_rows) == ("project_import", CsvImportStatus.DONE, 12)
    assert Project.objects.filter(organisation=org).count() == 12
    entries = AuditEntry.objects.filter(organisation=org, actor=manager, object_type="affiliates.project")
    assert entries.count() == 12 and entries.filter(partner__name="Aannemer 0").count() == 4
    page = manager_client.get(confirmed["Location"]).content.decode()
    assert "12 projecten geïmporteerd" in page
    assert reverse("affiliates:project_list", args=[org.slug]) in page


def test_a_project_entered_since_the_preview_fails_the_job_and_saves_nothing(
    manager_client, org, settings, eager_celery, django_capture_on_commit_callbacks
):
    settings.CSV_IMPORT_BACKGROUND_ROWS = 5
    partner = PartnerFactory(organisation=org, name="Aannemer 0")
    response = upload(manager_client, org, projects_file([partner.name], 8))
    Project.objects.create(
        organisation=org,
        partner=partner,
        customer_reference="K-00003",
        value="103.50",
        date=datetime.date(2025, 1, 4),
    )
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = confirm(manager_client, org, response)
    job = CsvImportJob.objects.get(organisation=org)
    assert (job.status, job.error) == (CsvImportStatus.FAILED, "rejected")
    assert [row["line"] for row in job.row_errors] == [5]
    assert Project.objects.filter(organisation=org).count() == 1
    page = manager_client.get(confirmed["Location"]).content.decode()
    assert "K-00003" in page and "al in PartnerHub" in page
