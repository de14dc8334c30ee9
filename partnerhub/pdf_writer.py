"""HTML to PDF bytes with WeasyPrint, offline: the one module that imports WeasyPrint.

`partnerhub.pdf.render_pdf` imports this module when it renders, so WeasyPrint (about 1.5 s of imports:
Pango, cairo and HarfBuzz through cffi, fontTools) loads with the first PDF a process makes, not with every
Django process, test run, gunicorn worker and Celery worker that never makes one
(tests/partnerhub/test_pdf_lazy_import.py).

`StaticFileFetcher` serves the `{% static %}` URLs of a template from our static files (the finders in
development, the collected files in production) and refuses every other URL, so rendering never touches the
network and a template cannot read arbitrary files from disk.
"""

import mimetypes
import posixpath
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from partnerhub.pdf import PdfAssetRefused, collector_paused


def write_pdf(html: str, *, base_url: str) -> bytes:
    """`html` laid out and written as PDF; its assets fetched by StaticFileFetcher only."""
    fetcher = StaticFileFetcher(base_url=base_url)
    with collector_paused():
        pdf: bytes = HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()
    return pdf


class StaticFileFetcher(URLFetcher):
    """Serve `STATIC_URL` paths from our static files; refuse everything else (no network, no file://).

    `data:` URLs are allowed: they carry their content inline and need no fetching.
    """

    def __init__(self, *, base_url: str) -> None:
        super().__init__(allowed_protocols=("http", "https", "data"))
        self.static_prefix = urljoin(base_url, settings.STATIC_URL)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = self.static_path(url)
        with open(path, "rb") as asset:
            body = asset.read()
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})

    def static_path(self, url: str) -> str:
        """The file on disk behind a static URL, or PdfAssetRefused."""
        if not url.startswith(self.static_prefix):
            raise PdfAssetRefused(f"Not a static file: {url}")
        name = posixpath.normpath(unquote(urlsplit(url[len(self.static_prefix) :]).path))
        if name.startswith(("/", "..")) or name == ".":
            raise PdfAssetRefused(f"Not a static file: {url}")
        found = finders.find(name)
        if found:
            return found
        # Production: the collected (possibly hashed, "base.1a2b3c.css") file in STATIC_ROOT.
        if settings.STATIC_ROOT and staticfiles_storage.exists(name):
            return staticfiles_storage.path(name)
        raise PdfAssetRefused(f"No such static file: {name}")
