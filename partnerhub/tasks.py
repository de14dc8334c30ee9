"""Celery tasks of the core app: thin wrappers that take ids and call a service."""

from celery import shared_task

from partnerhub import housekeeping
from partnerhub.documents import document_render
from partnerhub.partner_import import csv_import_run


# acks_late + reject_on_worker_lost: a worker that dies mid-render leaves the message in the broker, which
# hands it out again after the visibility timeout (longer than the hard time limit). The next run is safe:
# document_render claims the row with a conditional update and stores a file only while the claim is its own,
# so a document is never rendered into two files and a READY one is left alone.
@shared_task(acks_late=True, reject_on_worker_lost=True)
def render_document(document_id: int) -> None:
    document_render(document_id=document_id)


# A CSV import job claims itself with a conditional UPDATE before it imports, so a redelivered or doubled
# task does nothing twice; the job records its own failure (FAILED, with a retry on the page).
@shared_task(acks_late=True, reject_on_worker_lost=True)
def import_csv(job_id: int) -> None:
    csv_import_run(job_id=job_id)


# Housekeeping (partnerhub/housekeeping.py), daily from the scheduler; each is safe to run twice.
@shared_task
def purge_expired_tokens() -> dict[str, int]:
    return housekeeping.purge_expired_tokens()


@shared_task
def purge_import_uploads() -> dict[str, int]:
    return housekeeping.purge_import_uploads()


@shared_task
def retry_failed_documents() -> dict[str, int]:
    return housekeeping.retry_failed_documents()
