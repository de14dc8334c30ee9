"""The letter of intent and the agreement as A4 portrait PDFs, through the document pipeline.

Both renderers read only the Document row (its organisation and `params["version_id"]`) and print the
version's snapshot, never the live agreement, so a PDF made again later says exactly the same. The signed
PDF adds every signature: who, when, from which IP address, and the hash they signed. Registered when the
app is ready (see agreements/apps.py).
"""

import re
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _

from agreements.models import AgreementVersion, Signature, VersionKind
from agreements.signing.presentation import present
from agreements.signing.versions import SIGNED_DOCUMENT, VERSION_DOCUMENT
from partnerhub.documents import register
from partnerhub.models import Document
from partnerhub.pdf import page_counter_css

TEMPLATES: dict[str, str] = {
    VersionKind.INTENT: "agreements/pdf/intent.html",
    VersionKind.AGREEMENT: "agreements/pdf/agreement.html",
}


def _css_string(text: str) -> str:
    """`text` as a quoted CSS string, safe inside a <style> element."""
    escaped = re.sub(r"[\\\"<>\n]", lambda match: f"\\{ord(match[0]):x} ", text)
    return f'"{escaped}"'


def footer_css(version: AgreementVersion) -> SafeString:
    """The footer's "Agreement · version 3 · SHA-256 …" as a CSS `content` value."""
    text = _("%(document)s · version %(number)s · SHA-256 %(hash)s") % {
        "document": version.get_kind_display(),
        "number": version.number,
        "hash": version.sha256,
    }
    return mark_safe(_css_string(text))  # noqa: S308 - escaped by _css_string


def _version(document: Document) -> AgreementVersion:
    return AgreementVersion.objects.select_related("agreement__organisation").get(
        agreement__organisation=document.organisation, pk=document.params["version_id"]
    )


def _context(document: Document, version: AgreementVersion, *, signed: bool) -> dict[str, Any]:
    snapshot = present(version.snapshot)
    signatures: dict[int, Signature] = {}
    if signed:
        signatures = {signature.party_id: signature for signature in version.signatures.all()}
    for party in snapshot["parties"]:
        party["signature"] = signatures.get(party["id"])
    return {
        "document": document,
        "version": version,
        "snapshot": snapshot,
        "organisation": version.agreement.organisation,
        "title": document.title,
        "signed": signed,
        "signatures": sorted(signatures.values(), key=lambda signature: (signature.signed_at, signature.pk)),
        "page_counter": page_counter_css(),
        "footer": footer_css(version),
    }


def _filename(version: AgreementVersion, *, signed: bool) -> str:
    parts = [slugify(version.get_kind_display()), slugify(version.snapshot["title"]) or "agreement"]
    parts.append(f"v{version.number}")
    if signed:
        parts.append(slugify(_("signed")))
    return "-".join(parts) + ".pdf"


@register(VERSION_DOCUMENT)
def agreement_version_pdf(document: Document) -> tuple[str, str, dict[str, Any]]:
    """The version as its signers read it, with an empty signature block per party."""
    version = _version(document)
    return (
        _filename(version, signed=False),
        TEMPLATES[version.kind],
        _context(document, version, signed=False),
    )


@register(SIGNED_DOCUMENT)
def agreement_signed_pdf(document: Document) -> tuple[str, str, dict[str, Any]]:
    """The version with every party's signature: the typed name, the moment, the IP address, the hash."""
    version = _version(document)
    return _filename(version, signed=True), TEMPLATES[version.kind], _context(document, version, signed=True)
