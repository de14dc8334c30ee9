"""Documents (PDFs): request one, watch it being made (htmx polling), download it, retry a failed one."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from partnerhub import documents
from partnerhub.forms import PartnerFilterForm
from partnerhub.middleware import storage_unavailable
from partnerhub.models import Document, DocumentStatus
from partnerhub.tenancy import organisation_view


def _document(request, document_id):
    return get_object_or_404(Document.objects.filter(organisation=request.organisation), pk=document_id)


# A viewer may print what they can read: the request creates a Document, it changes no partner data.
@organisation_view(viewer_may_post=True)
@require_POST
def partner_list_pdf(request):
    filters = PartnerFilterForm(request.POST).filters()
    document = documents.document_request(
        organisation=request.organisation,
        kind="partner_list",
        title=_("Partner list"),
        params=filters,
        requested_by=request.user,
    )
    return redirect("document_status", request.organisation.slug, document.pk)


@organisation_view
@require_GET
def document_status(request, document_id):
    document = _document(request, document_id)
    size = None
    if document.status == DocumentStatus.READY and document.file:
        try:
            size = document.file.size
        except Exception as error:
            # A file gone, or object storage away: the page still shows the status, without the size.
            if not (isinstance(error, OSError) or storage_unavailable(error)):
                raise
            size = None
    # htmx polls for the status block only; a history restore (back button) needs the whole page.
    polling = request.htmx and not request.htmx.history_restore_request
    template = "partnerhub/document_status.html#status" if polling else "partnerhub/document_status.html"
    return render(request, template, {"document": document, "file_size": size})


@organisation_view
@require_GET
def document_download(request, document_id):
    return documents.file_response(_document(request, document_id))


@organisation_view(viewer_may_post=True)
@require_POST
def document_retry(request, document_id):
    """Queue a failed or stalled document again. When the queue is still away the status page says so."""
    document = _document(request, document_id)
    if not document.can_retry:
        raise Http404("Only a failed or stalled document can be retried.")
    if documents.document_retry(document=document) and document.status != DocumentStatus.FAILED:
        messages.info(request, _("The document is being made again."))
    return redirect("document_status", request.organisation.slug, document.pk)
