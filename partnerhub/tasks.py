"""Celery tasks of the core app: thin wrappers that take ids and call a service."""

from celery import shared_task

from partnerhub.documents import document_render


# acks_late + reject_on_worker_lost: a worker that dies mid-render leaves the message in the queue, and the
# next run is safe because document_render locks the row and skips a document that is already READY.
@shared_task(acks_late=True, reject_on_worker_lost=True)
def render_document(document_id):
    document_render(document_id=document_id)
