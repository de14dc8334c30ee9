"""A partner list PDF made by a real Celery worker through Redis, end to end.

Needs a Redis that answers at REDIS_URL (default redis://127.0.0.1:6379/15); skipped otherwise. The worker
runs in a thread of the test process (celery.contrib.testing), against the test database, so the test uses
`transaction=True`: the worker's own connection must see committed rows.
"""

import io
import time

import pytest
from django.db import OperationalError
from pypdf import PdfReader

from partnerhub.documents import document_request
from partnerhub.models import DocumentStatus
from partnerhub.tasks import render_document
from tests.factories import ContactFactory, PartnerFactory

pytestmark = pytest.mark.redis


def test_the_render_task_survives_a_lost_worker():
    assert render_document.acks_late is True
    assert render_document.reject_on_worker_lost is True


@pytest.mark.django_db(transaction=True)
def test_a_worker_renders_the_partner_list(redis_worker, org, other_org, manager):
    partner = PartnerFactory(organisation=org, name="Delta Bouw", category="contractor")
    ContactFactory(partner=partner, is_key_person=True)
    PartnerFactory(organisation=org, name="Atelier Noord", category="architect")
    PartnerFactory(organisation=other_org, name="Geheim Partner")

    document = document_request(
        organisation=org,
        kind="partner_list",
        title="Partner list",
        params={"query": "", "category": "", "status": "", "sort": "name"},
        requested_by=manager,
    )

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            document.refresh_from_db()
        except OperationalError:
            # SQLite's shared in-memory test database locks the table while the worker renders.
            pass
        else:
            if document.is_finished:
                break
        time.sleep(0.2)
    assert document.status == DocumentStatus.READY, document.error or f"still {document.status} after 30 s"
    assert document.attempts == 1
    assert document.queued_at <= document.started_at <= document.finished_at
    with document.file.open("rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Delta Bouw" in text
    assert "Atelier Noord" in text
    assert "Geheim Partner" not in text
