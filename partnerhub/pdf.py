"""The one PDF helper: a Django template rendered by WeasyPrint, offline.

Templates link their print CSS and images with `{% static %}`; WeasyPrint fetches them through
`partnerhub.pdf_writer.StaticFileFetcher`, which reads our static files only and refuses every other URL.
Fonts come from the system (fontconfig): the print CSS names "DejaVu Sans", which Debian's fonts-dejavu-core
installs. WeasyPrint itself is imported by `partnerhub.pdf_writer`, which `render_pdf` imports when it
renders: a process that never makes a PDF never pays for loading it.
"""

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# Relative URLs in a template ("/static/…", links to pages) resolve against this made-up origin unless the
# caller passes the site's real address (which makes links inside the PDF clickable).
DEFAULT_BASE_URL = "https://partnerhub.invalid/"


class PdfAssetRefused(ValueError):
    """A template asked for something that is not one of our static files."""


def render_pdf(template_name: str, context: dict[str, Any], *, base_url: str | None = None) -> bytes:
    """Render `template_name` with `context` to PDF bytes."""
    # Imported here, not at the top: WeasyPrint loads with the first PDF, not with every process.
    from partnerhub.pdf_writer import write_pdf

    base_url = base_url or DEFAULT_BASE_URL
    return write_pdf(render_to_string(template_name, context), base_url=base_url)


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
