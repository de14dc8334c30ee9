"""Documents: PDFs made in the background. A registry of renderers and the services around the row.

A renderer turns a Document row into `(filename, template_name, context)`; it reads only the row (its
organisation and params), so a failed document can be rendered again later. Apps register their own kinds
with `@register("kind")` in a module that is imported at start-up (for example the app's tasks.py, which
Celery and Django both import):

    @register("value_matrix")
    def value_matrix_pdf(document):
        matrix = ValueMatrix.objects.get(organisation=document.organisation, pk=document.params["matrix_id"])
        return f"matrix-{matrix.pk}.pdf", "matrix/pdf/matrix.html", {"matrix": matrix}
"""

import datetime
import hashlib
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.http import FileResponse, Http404
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from partnerhub import selectors
from partnerhub.models import Document, DocumentStatus, Organisation, PartnerCategory, PartnerStatus, User
from partnerhub.pdf import render_pdf
from partnerhub.selectors import DEFAULT_PARTNER_SORT

logger = logging.getLogger(__name__)

# A renderer: document -> (filename, template_name, context).
Renderer = Callable[[Document], tuple[str, str, dict[str, Any]]]
_R = TypeVar("_R", bound=Renderer)

RENDERERS: dict[str, Renderer] = {}


class UnknownDocumentKind(LookupError):
    pass


def register(kind: str) -> Callable[[_R], _R]:
    """Register `func(document) -> (filename, template_name, context)` as the renderer of `kind`."""

    def decorate(func: _R) -> _R:
        RENDERERS[kind] = func
        return func

    return decorate


def _enqueue(document: Document) -> None:
    """Queue the render once the surrounding transaction commits; record on the row when that fails.

    The message is published after commit, so a worker never looks for a row that is not there yet. When the
    broker cannot be reached (after the short publish retry of CELERY_TASK_PUBLISH_RETRY_POLICY), the request
    still answers: the Document turns FAILED with a message that says the queue is away, and can be retried.
    """
    from partnerhub.tasks import render_document  # the task module imports this one

    document_id = document.pk

    def publish() -> None:
        try:
            # The time limits travel in the message and the worker obeys them: send the ones configured.
            render_document.apply_async(
                (document_id,),
                soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
                time_limit=settings.CELERY_TASK_TIME_LIMIT,
            )
        except Exception:  # kombu's OperationalError, a socket error, a refused connection: the queue is away
            logger.exception("Queueing document %s failed", document_id)
            _record_queue_failure(document)

    transaction.on_commit(publish)


def _record_queue_failure(document: Document) -> None:
    with translation.override(_language(document)):
        error = _(
            "The queue cannot be reached, so the PDF could not be made. Please try again in a few minutes."
        )
    finished_at = timezone.now()
    # Only the wait that this message was for: a render that somehow began meanwhile is left alone.
    Document.objects.filter(pk=document.pk, status=DocumentStatus.PENDING).update(
        status=DocumentStatus.FAILED, error=error, finished_at=finished_at
    )
    document.status, document.error, document.finished_at = DocumentStatus.FAILED, error, finished_at


def _language(document: Document) -> str:
    return document.params.get("language") or settings.LANGUAGE_CODE


@transaction.atomic
def document_request(
    *,
    organisation: Organisation,
    kind: str,
    title: str,
    params: dict[str, Any],
    requested_by: User | None,
    language: str | None = None,
) -> Document:
    """Create a pending Document and render it in the background once the transaction commits.

    A rolled-back request queues nothing; a queue that cannot be reached leaves the Document FAILED with a
    retry, never waiting forever. The requester's language is kept so the PDF speaks it too.
    """
    if kind not in RENDERERS:
        raise UnknownDocumentKind(kind)
    document = Document.objects.create(
        organisation=organisation,
        kind=kind,
        title=title[:200],
        params={**params, "language": language or translation.get_language() or settings.LANGUAGE_CODE},
        requested_by=requested_by,
        queued_at=timezone.now(),
    )
    _enqueue(document)
    return document


def _claimable(now: datetime.datetime) -> Q:
    """Waiting, or rendering for longer than the hard time limit: that attempt cannot still be alive."""
    hard_limit = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    return Q(status=DocumentStatus.PENDING) | Q(
        status=DocumentStatus.RENDERING, started_at__lt=now - hard_limit
    )


def document_render(*, document_id: int) -> Document | None:
    """Render the document and store its file exactly once; safe to run twice or concurrently.

    No transaction or row lock is held while rendering. Instead each run first *claims* the row with one
    conditional UPDATE (pending, or rendering for longer than the hard time limit → rendering, attempts + 1),
    which commits at once so the page shows true progress; and at the end it stores the file with a second
    conditional UPDATE that succeeds only while the row is still this claim's (same attempt, still rendering).
    A run that lost its claim (a redelivered message, a retry meanwhile) deletes the file it made. A READY
    document is never claimed, so a message delivered again later does nothing. A failure, the soft time limit
    included, is recorded on the row (FAILED and a short message) instead of being raised.
    """
    started_at = timezone.now()
    claimed = (
        Document.objects.filter(pk=document_id)
        .filter(_claimable(started_at))
        .update(
            status=DocumentStatus.RENDERING,
            attempts=F("attempts") + 1,
            started_at=started_at,
            error="",
            finished_at=None,
        )
    )
    document = Document.objects.filter(pk=document_id).select_related("organisation").first()
    if not claimed or document is None or document.started_at != started_at:
        return document  # gone, finished, failed or being rendered by another run
    attempt = document.attempts
    previous_file = document.file.name
    with translation.override(_language(document)):
        try:
            filename, pdf = _render(document)
            stored = _store(document, attempt=attempt, filename=filename, pdf=pdf)
        except SoftTimeLimitExceeded:
            logger.warning("Rendering document %s (%s) hit the soft time limit", document.pk, document.kind)
            _record_render_failure(
                document,
                attempt=attempt,
                error=_(
                    "Making the PDF took longer than %(seconds)s seconds and was stopped. Please try again; "
                    "if it happens again, make the document smaller."
                )
                % {"seconds": settings.CELERY_TASK_SOFT_TIME_LIMIT},
            )
        except Exception as exc:
            logger.exception("Rendering document %s (%s) failed", document.pk, document.kind)
            _record_render_failure(
                document,
                attempt=attempt,
                error=_("The PDF could not be made. Please try again. (%(error)s)")
                % {"error": type(exc).__name__},
            )
        else:
            if stored and previous_file and previous_file != document.file.name:
                document.file.storage.delete(previous_file)  # an earlier attempt's file
    document.refresh_from_db()
    return document


def _render(document: Document) -> tuple[str, bytes]:
    renderer = RENDERERS.get(document.kind)
    if renderer is None:
        raise UnknownDocumentKind(document.kind)
    filename, template_name, context = renderer(document)
    return filename, render_pdf(template_name, context)


def _store(document: Document, *, attempt: int, filename: str, pdf: bytes) -> bool:
    """Save the file, then point the row at it if the row is still this attempt's; else delete the file."""
    field = document.file.field
    name = field.storage.save(
        field.generate_filename(document, filename), ContentFile(pdf), max_length=field.max_length
    )
    stored = Document.objects.filter(
        pk=document.pk, status=DocumentStatus.RENDERING, attempts=attempt
    ).update(
        file=name,
        filename=filename,
        sha256=hashlib.sha256(pdf).hexdigest(),
        status=DocumentStatus.READY,
        finished_at=timezone.now(),
    )
    if not stored:
        logger.info(
            "Document %s was claimed again during attempt %s; its file is dropped", document.pk, attempt
        )
        field.storage.delete(name)
        return False
    document.file.name = name
    return True


def _record_render_failure(document: Document, *, attempt: int, error: str) -> None:
    Document.objects.filter(pk=document.pk, status=DocumentStatus.RENDERING, attempts=attempt).update(
        status=DocumentStatus.FAILED, error=error, finished_at=timezone.now()
    )


@transaction.atomic
def document_retry(*, document: Document) -> bool:
    """Queue a FAILED or stalled document again; any other status is left alone (returns False).

    A stalled render may still be alive somewhere (a worker that was only slow, a message delivered again
    later): it loses its claim, because the row is pending again and is claimed anew with the next attempt,
    so it can never store a second file.
    """
    now = timezone.now()
    updated = (
        Document.objects.filter(pk=document.pk)
        .filter(Q(status=DocumentStatus.FAILED) | Document.stalled())
        .update(status=DocumentStatus.PENDING, error="", queued_at=now, finished_at=None)
    )
    if not updated:
        return False
    document.refresh_from_db()
    _enqueue(document)
    return True


# Renderers of the core app.


@register("partner_list")
def partner_list_pdf(document: Document) -> tuple[str, str, dict[str, Any]]:
    """The organisation's partners, filtered and sorted as on the partner list, on A4 portrait."""
    organisation = document.organisation
    params = document.params
    filters = {
        "query": str(params.get("query") or ""),
        "category": str(params.get("category") or ""),
        "status": str(params.get("status") or ""),
        "sort": str(params.get("sort") or DEFAULT_PARTNER_SORT),
    }
    partners = list(selectors.partner_search(organisation=organisation, **filters))
    today = timezone.localdate()
    filename = f"{slugify(_('partners'))}-{organisation.slug}-{today:%Y-%m-%d}.pdf"
    context = {
        "document": document,
        "organisation": organisation,
        "title": document.title,
        "today": today,
        "filters_in_words": _filters_in_words(filters),
        "partners": partners,
    }
    return filename, "partnerhub/pdf/partner_list.html", context


def _filters_in_words(filters: dict[str, str]) -> list[str]:
    words = []
    if filters["query"].strip():
        words.append(_("search “%(query)s”") % {"query": filters["query"].strip()})
    if filters["category"] in PartnerCategory.values:
        words.append(_("category %(category)s") % {"category": PartnerCategory(filters["category"]).label})
    if filters["status"] in PartnerStatus.values:
        words.append(_("status %(status)s") % {"status": PartnerStatus(filters["status"]).label})
    sort_labels = {
        "name": (_("sorted by name"), _("sorted by name, Z to A")),
        "category": (_("sorted by category"), _("sorted by category, descending")),
        "status": (_("sorted by status"), _("sorted by status, descending")),
        "radar": (
            _("sorted by influence and importance, highest first"),
            _("sorted by influence and importance, lowest first"),
        ),
        "updated": (_("sorted by last change, newest first"), _("sorted by last change, oldest first")),
    }
    sort = filters["sort"]
    labels = sort_labels.get(sort.removeprefix("-"))
    if labels and sort != DEFAULT_PARTNER_SORT:
        words.append(labels[1] if sort.startswith("-") else labels[0])
    return words


def file_response(document: Document | None) -> FileResponse:
    """The finished PDF of `document` as a download; 404 while it is not ready or when its file is gone.
    The caller has checked who may read it (a member, or the holder of a signing link)."""
    if document is None or document.status != DocumentStatus.READY or not document.file:
        raise Http404("This document is not ready.")
    try:
        handle = document.file.open("rb")
    except OSError as exc:
        raise Http404("The file of this document is missing.") from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=document.filename or "document.pdf",
        content_type="application/pdf",
    )
