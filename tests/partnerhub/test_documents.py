"""PDF documents: request through the view, render with (eager) Celery, poll the status, download, retry."""

import hashlib
import io
from datetime import timedelta
from pathlib import Path

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from weasyprint import HTML

import partnerhub.tasks
from partnerhub import documents
from partnerhub.documents import document_render, document_request
from partnerhub.models import Document, DocumentStatus
from partnerhub.pdf import DEFAULT_BASE_URL, render_pdf
from partnerhub.pdf_writer import StaticFileFetcher
from tests.conftest import login
from tests.factories import ContactFactory, PartnerFactory, document_retried_while_rendering

POLLING = 'hx-trigger="every 1s"'


@pytest.fixture
def partners(org, other_org):
    delta = PartnerFactory(organisation=org, name="Delta Bouw", category="contractor", kvk_number="12345678")
    ContactFactory(partner=delta, is_key_person=True)
    ContactFactory(partner=delta)
    PartnerFactory(organisation=org, name="Atelier Noord", category="architect", status="prospect")
    PartnerFactory(organisation=other_org, name="Geheim Partner", category="contractor")
    return delta


def request_pdf(client, org, django_capture_on_commit_callbacks, **filters):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("partner_list_pdf", args=[org.slug]), filters)


def pdf_text(response):
    data = b"".join(response.streaming_content)
    assert data.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def status_url(document):
    return reverse("document_status", args=[document.organisation.slug, document.pk])


def download_url(document):
    return reverse("document_download", args=[document.organisation.slug, document.pk])


def retry_url(document):
    return reverse("document_retry", args=[document.organisation.slug, document.pk])


def test_it_renders_the_partner_list(
    manager_client, org, partners, eager_celery, django_capture_on_commit_callbacks
):
    response = request_pdf(manager_client, org, django_capture_on_commit_callbacks)

    document = Document.objects.get()
    assert response.status_code == 302
    assert response.url == status_url(document)
    assert document.status == DocumentStatus.READY
    assert document.attempts == 1
    assert len(document.sha256) == 64
    assert document.filename.endswith(".pdf")
    download = manager_client.get(download_url(document))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert f'attachment; filename="{document.filename}"' == download["Content-Disposition"]
    text = pdf_text(download)
    assert "Delta Bouw" in text
    assert "Atelier Noord" in text
    assert "12345678" in text
    assert "Tinnitracks" in text
    assert "Geheim Partner" not in text  # another organisation's partner
    assert "1 / 1" in text  # page number in the footer


def test_it_applies_the_filters(
    manager_client, org, partners, eager_celery, django_capture_on_commit_callbacks
):
    request_pdf(manager_client, org, django_capture_on_commit_callbacks, category="architect", sort="-name")

    document = Document.objects.get()
    assert document.params["category"] == "architect"
    text = pdf_text(manager_client.get(download_url(document)))
    assert "Atelier Noord" in text
    assert "Delta Bouw" not in text


def test_it_tolerates_bad_filters(
    manager_client, org, partners, eager_celery, django_capture_on_commit_callbacks
):
    request_pdf(
        manager_client, org, django_capture_on_commit_callbacks, category="nonsense", sort="drop table"
    )

    text = pdf_text(manager_client.get(download_url(Document.objects.get())))
    assert "Delta Bouw" in text
    assert "Atelier Noord" in text


def test_a_viewer_may_request_a_pdf(
    viewer_client, org, partners, eager_celery, django_capture_on_commit_callbacks
):
    response = request_pdf(viewer_client, org, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert Document.objects.get().status == DocumentStatus.READY


def test_requesting_rejects_get(manager_client, org):
    assert manager_client.get(reverse("partner_list_pdf", args=[org.slug])).status_code == 405
    assert not Document.objects.exists()


def test_the_status_page_polls_while_pending(manager_client, org):
    document = Document.objects.create(organisation=org, kind="partner_list", title="Partner list")

    page = manager_client.get(status_url(document)).content.decode()
    assert POLLING in page
    assert f'hx-get="{status_url(document)}"' in page
    assert 'hx-swap="outerHTML"' in page
    assert "<progress" in page
    assert "<html" in page

    fragment = manager_client.get(status_url(document), HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<section id="document-status"')
    assert POLLING in fragment
    assert "<html" not in fragment


def test_the_status_page_offers_the_download_when_ready(
    manager_client, org, partners, eager_celery, django_capture_on_commit_callbacks
):
    request_pdf(manager_client, org, django_capture_on_commit_callbacks)
    document = Document.objects.get()

    page = manager_client.get(status_url(document)).content.decode()
    assert POLLING not in page
    assert "<progress" not in page
    assert download_url(document) in page
    assert "KB" in page  # the file size
    fragment = manager_client.get(status_url(document), HTTP_HX_REQUEST="true").content.decode()
    assert POLLING not in fragment
    assert download_url(document) in fragment


def test_a_failing_renderer_is_recorded_and_can_be_retried(
    manager_client, org, partners, eager_celery, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(document):
        raise RuntimeError("secret internal detail")

    monkeypatch.setitem(documents.RENDERERS, "partner_list", broken)
    request_pdf(manager_client, org, django_capture_on_commit_callbacks)

    document = Document.objects.get()
    assert document.status == DocumentStatus.FAILED
    assert "RuntimeError" in document.error
    assert "secret internal detail" not in document.error
    assert document.finished_at is not None
    page = manager_client.get(status_url(document)).content.decode()
    assert POLLING not in page
    assert "RuntimeError" in page
    assert retry_url(document) in page
    assert manager_client.get(download_url(document)).status_code == 404

    monkeypatch.undo()  # the renderer is fixed
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(retry_url(document))

    assert response.status_code == 302
    assert response.url == status_url(document)
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY
    assert document.error == ""
    assert document.attempts == 2
    assert "Delta Bouw" in pdf_text(manager_client.get(download_url(document)))


def test_only_a_failed_document_can_be_retried(manager_client, org):
    document = Document.objects.create(organisation=org, kind="partner_list", title="Partner list")

    assert manager_client.post(retry_url(document)).status_code == 404
    assert manager_client.get(retry_url(document)).status_code == 405


def test_an_unknown_kind_fails_on_the_row(org):
    document = Document.objects.create(organisation=org, kind="no_such_kind", title="?")

    document_render(document_id=document.pk)

    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED
    assert "UnknownDocumentKind" in document.error


def test_download_needs_a_ready_document(manager_client, org):
    document = Document.objects.create(organisation=org, kind="partner_list", title="Partner list")

    assert manager_client.get(download_url(document)).status_code == 404


def test_rendering_twice_is_idempotent(org, manager, partners):
    document = Document.objects.create(
        organisation=org, kind="partner_list", title="Partner list", requested_by=manager
    )

    document_render(document_id=document.pk)
    document.refresh_from_db()
    first_sha, first_file = document.sha256, document.file.name
    document_render(document_id=document.pk)
    document.refresh_from_db()

    assert document.status == DocumentStatus.READY
    assert document.attempts == 1
    assert document.sha256 == first_sha
    assert document.file.name == first_file


def test_rendering_a_deleted_document_does_nothing(org):
    assert document_render(document_id=987654) is None


class Rollback(Exception):
    pass


def test_it_enqueues_only_after_commit(
    org, manager, partners, eager_celery, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Rollback),
        transaction.atomic(),
    ):
        document_request(
            organisation=org, kind="partner_list", title="Partners", params={}, requested_by=manager
        )
        raise Rollback
    assert callbacks == []
    assert not Document.objects.exists()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document = document_request(
            organisation=org, kind="partner_list", title="Partners", params={}, requested_by=manager
        )
    document.refresh_from_db()
    assert document.status == DocumentStatus.PENDING  # not before the commit
    assert document.queued_at is not None
    assert document.started_at is None
    for callback in callbacks:
        callback()
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY
    assert document.queued_at <= document.started_at <= document.finished_at


def stalled_document(org, settings, *, status, attempts=0):
    """A document that has waited (or rendered) longer than settings.BACKGROUND_JOB_STALLED_AFTER."""
    long_ago = timezone.now() - timedelta(seconds=settings.BACKGROUND_JOB_STALLED_AFTER + 60)
    return Document.objects.create(
        organisation=org,
        kind="partner_list",
        title="Partner list",
        params={"language": "nl"},
        status=status,
        attempts=attempts,
        queued_at=long_ago,
        started_at=long_ago if status == DocumentStatus.RENDERING else None,
    )


@pytest.mark.parametrize("status", [DocumentStatus.PENDING, DocumentStatus.RENDERING])
def test_a_document_waiting_too_long_shows_as_stalled_with_a_retry(manager_client, org, settings, status):
    stalled = stalled_document(org, settings, status=status, attempts=1)
    fresh = Document.objects.create(
        organisation=org, kind="partner_list", title="Partner list", status=status, queued_at=timezone.now()
    )

    page = manager_client.get(status_url(stalled)).content.decode()
    assert 'data-status="stalled"' in page
    assert retry_url(stalled) in page
    assert stalled.is_stalled

    page = manager_client.get(status_url(fresh)).content.decode()
    assert 'data-status="stalled"' not in page
    assert retry_url(fresh) not in page
    assert POLLING in page
    assert manager_client.post(retry_url(fresh)).status_code == 404  # a render on time is not retried


def test_the_status_page_shows_a_render_in_progress(manager_client, org):
    document = Document.objects.create(
        organisation=org,
        kind="partner_list",
        title="Partner list",
        status=DocumentStatus.RENDERING,
        attempts=2,
        queued_at=timezone.now(),
        started_at=timezone.now(),
    )

    fragment = manager_client.get(status_url(document), HTTP_HX_REQUEST="true").content.decode()

    assert 'data-status="rendering"' in fragment
    assert POLLING in fragment
    assert "<progress" in fragment
    assert "Attempt 2." in fragment or "Poging 2." in fragment
    assert retry_url(document) not in fragment


def files_under(path):
    return sorted(p for p in Path(path).rglob("*") if p.is_file())


def test_retrying_a_stalled_render_makes_one_file_and_a_late_message_changes_nothing(
    manager_client, org, partners, settings, eager_celery, django_capture_on_commit_callbacks
):
    document = stalled_document(org, settings, status=DocumentStatus.RENDERING, attempts=1)

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(retry_url(document))

    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY
    assert document.attempts == 2
    assert not document.is_stalled
    stored = files_under(settings.MEDIA_ROOT)
    assert stored == [Path(document.file.path)]
    sha256, file_name = document.sha256, document.file.name

    # The message of the stalled attempt is delivered again later: the document is READY, nothing happens.
    partnerhub.tasks.render_document(document.pk)

    document.refresh_from_db()
    assert (document.status, document.attempts) == (DocumentStatus.READY, 2)
    assert (document.sha256, document.file.name) == (sha256, file_name)
    assert files_under(settings.MEDIA_ROOT) == stored
    assert manager_client.post(retry_url(document)).status_code == 404  # READY: nothing to retry


@pytest.mark.django_db(transaction=True)
def test_a_render_that_lost_its_claim_drops_its_file(org, manager, partners, settings, eager_celery):
    """A render that was thought stalled and retried meanwhile finishes late: only the retry's file stays."""
    settings.BACKGROUND_JOB_STALLED_AFTER = 0  # every render in progress counts as stalled at once
    document, seen = document_retried_while_rendering(org, manager)
    assert seen == [1, 2]
    assert document.status == DocumentStatus.READY
    assert document.attempts == 2
    stored = files_under(settings.MEDIA_ROOT)
    assert stored == [Path(document.file.path)]
    assert hashlib.sha256(stored[0].read_bytes()).hexdigest() == document.sha256


def test_the_soft_time_limit_is_recorded_on_the_row(org, partners, settings):
    settings.CELERY_TASK_SOFT_TIME_LIMIT = 1
    document = Document.objects.create(
        organisation=org, kind="soft_limited", title="Partners", queued_at=timezone.now()
    )

    def over_time(document):
        # What the worker's pool does to a task past its soft limit: the signal raises this in the task.
        raise SoftTimeLimitExceeded()

    documents.RENDERERS["soft_limited"] = over_time
    try:
        document_render(document_id=document.pk)
    finally:
        del documents.RENDERERS["soft_limited"]

    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED
    assert document.error.startswith(("Het maken van de pdf duurde langer", "Making the PDF took longer"))
    assert document.can_retry


@pytest.mark.parametrize("name", ["document_status", "document_download"])
def test_another_organisations_member_gets_404(client, stranger, org, name):
    document = Document.objects.create(
        organisation=org, kind="partner_list", title="Partners", status=DocumentStatus.READY
    )
    login(client, stranger)

    assert client.get(reverse(name, args=[org.slug, document.pk])).status_code == 404
    assert client.get(reverse(name, args=["andere-bv", document.pk])).status_code == 404


def test_another_organisations_member_cannot_retry(client, stranger, org):
    document = Document.objects.create(
        organisation=org, kind="partner_list", title="Partners", status=DocumentStatus.FAILED
    )
    login(client, stranger)

    assert client.post(retry_url(document)).status_code == 404
    assert client.post(reverse("document_retry", args=["andere-bv", document.pk])).status_code == 404
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED


def test_the_pdf_speaks_the_requesters_language(
    manager_client, org, partners, eager_celery, django_capture_on_commit_callbacks, settings
):
    manager_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    request_pdf(manager_client, org, django_capture_on_commit_callbacks)

    document = Document.objects.get()
    assert document.params["language"] == "en"
    text = pdf_text(manager_client.get(download_url(document)))
    assert "Contractor" in text
    assert "Aannemer" not in text


def test_the_pdf_fetcher_serves_static_files_only():
    fetcher = StaticFileFetcher(base_url=DEFAULT_BASE_URL)

    css = fetcher.fetch("https://partnerhub.invalid/static/css/print/base.css")
    assert b"@page" in css.read()
    assert css.content_type == "text/css"
    for url in (
        "http://example.com/static/css/print/base.css",
        "https://partnerhub.invalid/media/documents/secret.pdf",
        "https://partnerhub.invalid/static/../partnerhub/settings.py",
        "https://partnerhub.invalid/static/css/print/missing.css",
        "file:///etc/passwd",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_render_pdf_ignores_remote_resources(tmp_path, settings):
    template_dir = tmp_path / "templates"
    template_dir.mkdir()
    (template_dir / "remote.html").write_text(
        '<link rel="stylesheet" href="http://127.0.0.1:9/evil.css"><img src="file:///etc/passwd">'
        "<p>{{ word }}</p>"
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [template_dir]}]

    pdf = render_pdf("remote.html", {"word": "Hallo"})

    assert "Hallo" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_the_cycle_collector_is_paused_for_a_render_and_back_afterwards():
    """A render runs without Python's cycle collector (partnerhub.pdf.collector_paused): the fetcher, called
    in the middle of the render, sees it off; afterwards it is on again, also when the block fails."""
    import gc

    from partnerhub.pdf import collector_paused

    seen = []

    class Watching(StaticFileFetcher):
        def fetch(self, url, headers=None):
            seen.append(gc.isenabled())
            return super().fetch(url, headers)

    html = '<link rel="stylesheet" href="/static/css/print/base.css"><p>Bouw &amp; Zonen</p>'
    with collector_paused():
        pdf = HTML(
            string=html, base_url=DEFAULT_BASE_URL, url_fetcher=Watching(base_url=DEFAULT_BASE_URL)
        ).write_pdf()
    assert pdf.startswith(b"%PDF")
    assert seen == [False]
    assert gc.isenabled()

    with pytest.raises(ZeroDivisionError), collector_paused():
        1 / 0  # noqa: B018 (a render that fails)
    assert gc.isenabled()
