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

import hashlib
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from partnerhub import selectors
from partnerhub.models import Document, DocumentStatus, PartnerCategory, PartnerStatus
from partnerhub.pdf import render_pdf
from partnerhub.selectors import DEFAULT_PARTNER_SORT

logger = logging.getLogger(__name__)

RENDERERS = {}


class UnknownDocumentKind(LookupError):
    pass


def register(kind):
    """Register `func(document) -> (filename, template_name, context)` as the renderer of `kind`."""

    def decorate(func):
        RENDERERS[kind] = func
        return func

    return decorate


def _enqueue(document):
    from partnerhub.tasks import render_document  # the task module imports this one

    document_id = document.pk
    transaction.on_commit(lambda: render_document.delay(document_id))


@transaction.atomic
def document_request(*, organisation, kind, title, params, requested_by, language=None):
    """Create a pending Document and render it in the background once the transaction commits.

    The task is queued only after commit, so a worker never looks for a row that is not there yet, and a
    rolled-back request queues nothing. The requester's language is kept so the PDF speaks it too.
    """
    if kind not in RENDERERS:
        raise UnknownDocumentKind(kind)
    document = Document.objects.create(
        organisation=organisation,
        kind=kind,
        title=title[:200],
        params={**params, "language": language or translation.get_language() or settings.LANGUAGE_CODE},
        requested_by=requested_by,
    )
    _enqueue(document)
    return document


def document_render(*, document_id):
    """Render the document and store the file; safe to run twice or concurrently.

    The row is locked for the whole render, so a second run (a redelivered task) waits and then finds the
    document READY and does nothing. A failure is recorded on the row (FAILED and a short message) instead
    of being raised: the page says what happened and offers a retry.
    """
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(pk=document_id).first()
        if document is None or document.status == DocumentStatus.READY:
            return document
        document.status = DocumentStatus.RENDERING
        document.attempts += 1
        document.error = ""
        document.save(update_fields=["status", "attempts", "error"])
        language = document.params.get("language") or settings.LANGUAGE_CODE
        with translation.override(language):
            try:
                with transaction.atomic():  # a savepoint: a failed query must not break the outer block
                    filename, pdf = _render(document)
            except Exception as exc:
                logger.exception("Rendering document %s (%s) failed", document.pk, document.kind)
                document.status = DocumentStatus.FAILED
                document.error = _("The PDF could not be made. Please try again. (%(error)s)") % {
                    "error": type(exc).__name__
                }
                document.finished_at = timezone.now()
                document.save(update_fields=["status", "error", "finished_at"])
                return document
        if document.file:
            document.file.delete(save=False)  # an earlier attempt's file
        document.filename = filename
        document.sha256 = hashlib.sha256(pdf).hexdigest()
        document.file.save(filename, ContentFile(pdf), save=False)
        document.status = DocumentStatus.READY
        document.finished_at = timezone.now()
        document.save(update_fields=["file", "filename", "sha256", "status", "finished_at"])
        return document


def _render(document):
    renderer = RENDERERS.get(document.kind)
    if renderer is None:
        raise UnknownDocumentKind(document.kind)
    filename, template_name, context = renderer(document)
    return filename, render_pdf(template_name, context)


@transaction.atomic
def document_retry(*, document):
    """Put a FAILED document back in the queue; any other status is left alone (returns False)."""
    updated = Document.objects.filter(pk=document.pk, status=DocumentStatus.FAILED).update(
        status=DocumentStatus.PENDING, error="", finished_at=None
    )
    if not updated:
        return False
    document.refresh_from_db()
    _enqueue(document)
    return True


# Renderers of the core app.


@register("partner_list")
def partner_list_pdf(document):
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


def _filters_in_words(filters):
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
