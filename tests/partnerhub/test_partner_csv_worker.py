"""A large partner file imported by a real Celery worker through Redis, followed on its page until done.

Needs a Redis that answers at REDIS_URL (default redis://127.0.0.1:6379/15); skipped otherwise (CI has
one). The worker runs in a thread of the test process against the test database, so the test commits
(`transaction=True`): the worker's own connection must see the job row.
"""

import time

import pytest
from django.db import OperationalError

from partnerhub.models import AuditEntry, CsvImportJob, CsvImportStatus, Partner
from tests.partnerhub.test_partner_csv import confirm, upload
from tests.partnerhub.test_partner_csv_jobs import partners_file

pytestmark = pytest.mark.redis


@pytest.mark.django_db(transaction=True)
def test_a_worker_imports_a_large_file_while_the_page_polls(
    redis_worker, manager_client, manager, org, settings
):
    settings.CSV_IMPORT_BACKGROUND_ROWS = 50
    response = upload(manager_client, org, partners_file(600))
    confirmed = confirm(manager_client, org, response)
    assert confirmed.status_code == 302 and "?job=" in confirmed["Location"]

    statuses = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            polled = manager_client.get(confirmed["Location"], headers={"HX-Request": "true"})
        except OperationalError:
            # SQLite's shared in-memory test database locks the table while the worker writes.
            time.sleep(0.2)
            continue
        statuses.append(polled.content.decode().split('data-status="', 1)[1].split('"', 1)[0])
        if polled.has_header("HX-Refresh"):
            break
        time.sleep(0.5)
    job = CsvImportJob.objects.get(organisation=org)
    assert job.status == CsvImportStatus.DONE, f"{job.status} {job.error} after 90 s ({statuses})"
    assert (job.imported_rows, job.attempts, job.requested_by) == (600, 1, manager)
    assert statuses[-1] == "done"
    assert Partner.objects.filter(organisation=org).count() == 600
    assert AuditEntry.objects.filter(organisation=org, object_type="partnerhub.partner").count() == 600
