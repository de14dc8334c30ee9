"""The one PDF helper: a Django template rendered by WeasyPrint, offline.

Templates link their print CSS and images with `{% static %}`. WeasyPrint fetches those through
`StaticFileFetcher`, which reads them from our static files (the finders in development, the collected
files in production) and refuses every other URL, so rendering never touches the network and a template
cannot read arbitrary files from disk. Fonts come from the system (fontconfig): the print CSS names
"DejaVu Sans", which Debian's fonts-dejavu-core installs.
"""

import gc
import mimetypes
import posixpath
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative URLs in a template ("/static/…", links to pages) resolve against this made-up origin unless the
# caller passes the site's real address (which makes links inside the PDF clickable).
DEFAULT_BASE_URL = "https://partnerhub.invalid/"


class PdfAssetRefused(ValueError):
    """A template asked for something that is not one of our static files."""


def render_pdf(template_name: str, context: dict[str, Any], *, base_url: str | None = None) -> bytes:
    """Render `template_name` with `context` to PDF bytes."""
    base_url = base_url or DEFAULT_BASE_URL
    html = render_to_string(template_name, context)
    fetcher = StaticFileFetcher(base_url=base_url)
    with collector_paused():
        return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off for the render. Laying out a long document makes hundreds of thousands of
    short-lived objects, and each of them counts towards the next collection, which then walks the objects of
    the whole process again: for the 100-row A3 matrix that was about a sixth of the render (7.1 s against
    5.9 s, tests/bench/bench_matrix_pdf.py). The document's objects are freed by reference counting when the
    render ends; the few cycles among them wait for the next collection after it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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


def _css_string(text: str) -> str:
    """`text` as a quoted CSS string, safe inside a <style> element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ").replace("\n", " ")
    return f'"{escaped}"'


def page_counter_css() -> SafeString:
    """The footer's "page x of y" as a CSS `content` value, in the document's language."""
    text = _("Page %(number)s of %(total)s") % {"number": "\x00page\x00", "total": "\x00pages\x00"}
    parts = []
    for index, piece in enumerate(re.split("\x00(page|pages)\x00", text)):
        if index % 2:
            parts.append(f"counter({piece})")
        elif piece:
            parts.append(_css_string(piece))
    return mark_safe(" ".join(parts))  # noqa: S308 - every literal is escaped by _css_string
