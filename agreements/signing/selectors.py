"""Named reads of the sign-off for the pages: current versions, signed PDFs, who signed, the overview's card
and the documents page."""

from collections.abc import Iterable
from typing import NotRequired, TypedDict

from django import forms
from django.db.models import Prefetch
from django.utils.functional import Promise

from agreements.models import Agreement, AgreementVersion, Signature, SignRequest, VersionKind
from agreements.signing.snapshots import SavedRows, live_hash, saved_rows
from agreements.signing.versions import SIGNED_DOCUMENT
from partnerhub.models import Document, Organisation


class PartyStatus(TypedDict):
    """One party of a version (from its snapshot): its signature (or None), its open link (or None)."""

    id: int
    name: str
    own: bool
    signature: Signature | None
    open_request: SignRequest | None
    form: NotRequired[forms.Form]  # added by the documents page's view: asking this party to sign


class CardKind(TypedDict):
    """The overview's card, one document kind; the keys after `version` only when there is a version."""

    kind: str
    label: str | Promise
    version: AgreementVersion | None
    parties: NotRequired[list[PartyStatus]]
    signed: NotRequired[list[PartyStatus]]
    outstanding: NotRequired[list[PartyStatus]]
    complete: NotRequired[bool]
    signed_document: NotRequired[Document | None]
    out_of_date: NotRequired[bool]


class Card(TypedDict):
    kinds: list[CardKind]
    any: bool


class DocumentsKind(TypedDict):
    """The documents page, one document kind; the last three keys only when there is a current version."""

    kind: str
    label: str | Promise
    current: AgreementVersion | None
    older: list[AgreementVersion]
    parties: list[PartyStatus]
    complete: NotRequired[bool]
    out_of_date: NotRequired[bool]
    renewable: NotRequired[bool]


def current_version(agreement: Agreement, kind: str) -> AgreementVersion | None:
    return AgreementVersion.objects.filter(agreement=agreement, kind=kind, superseded_at__isnull=True).first()


def signed_documents(organisation: Organisation, versions: list[AgreementVersion]) -> dict[int, Document]:
    """{version id: its latest signed PDF Document} for the given versions (one query)."""
    ids = [version.pk for version in versions]
    if not ids:
        return {}
    found = {}
    rows = Document.objects.filter(
        organisation=organisation, kind=SIGNED_DOCUMENT, params__version_id__in=ids
    ).order_by("created_at", "pk")
    for document in rows:
        found[document.params.get("version_id")] = document
    return found


def party_ids(version: AgreementVersion) -> list[int]:
    return [party["id"] for party in version.snapshot["parties"]]


def is_fully_signed(version: AgreementVersion, signatures: Iterable[Signature] | None = None) -> bool:
    signed = {
        signature.party_id
        for signature in (signatures if signatures is not None else version.signatures.all())
    }
    return set(party_ids(version)) <= signed


def _open_request_prefetch() -> Prefetch:
    return Prefetch(
        "sign_requests",
        queryset=SignRequest.objects.usable().filter(used_at__isnull=True).order_by("-created_at", "-pk"),
        to_attr="open_requests",
    )


def _status(
    version: AgreementVersion, signatures: Iterable[Signature], open_requests: Iterable[SignRequest]
) -> list[PartyStatus]:
    """Per party of the version: its name, its signature (or None), its open request (or None)."""
    signed = {signature.party_id: signature for signature in signatures}
    waiting: dict[int, SignRequest] = {}
    for sign_request in open_requests:
        waiting.setdefault(sign_request.party_id, sign_request)
    return [
        {
            "id": party["id"],
            "name": party["name"],
            "own": party["own"],
            "signature": signed.get(party["id"]),
            "open_request": waiting.get(party["id"]),
        }
        for party in version.snapshot["parties"]
    ]


def card(agreement: Agreement, rows: SavedRows | None = None) -> Card:
    """What the agreement's overview shows about documents and signatures (context for signing/_card.html):
    per kind the current version, its PDF, who signed and who is outstanding. Four queries at most, and
    when a version exists, those of building the live snapshot to tell whether it is out of date."""
    versions = list(
        AgreementVersion.objects.filter(agreement=agreement, superseded_at__isnull=True)
        .select_related("document")
        .prefetch_related("signatures", _open_request_prefetch())
    )
    by_kind = {version.kind: version for version in versions}
    signed_docs = signed_documents(agreement.organisation, versions)
    if versions:  # one load for both documents' live hashes
        rows = rows or saved_rows(agreement)
    kinds: list[CardKind] = []
    for kind, label in VersionKind.choices:
        version = by_kind.get(kind)
        item: CardKind = {"kind": kind, "label": label, "version": version}
        if version is not None:
            parties = _status(version, version.signatures.all(), version.open_requests)
            item |= {
                "parties": parties,
                "signed": [party for party in parties if party["signature"]],
                "outstanding": [party for party in parties if not party["signature"]],
                "complete": all(party["signature"] for party in parties),
                "signed_document": signed_docs.get(version.pk),
                "out_of_date": live_hash(agreement, kind, rows) != version.sha256,
            }
        kinds.append(item)
    return {"kinds": kinds, "any": bool(versions)}


def documents_page(agreement: Agreement) -> list[DocumentsKind]:
    """Everything the documents page shows, per kind: the current version with each party's signature or
    open link, the older versions with their signatures, the signed PDF, and whether the agreement changed
    since the current version."""
    versions = list(
        AgreementVersion.objects.filter(agreement=agreement)
        .select_related("document", "created_by")
        .prefetch_related("signatures", _open_request_prefetch())
        .order_by("kind", "-number")
    )
    signed_docs = signed_documents(agreement.organisation, versions)
    rows = saved_rows(agreement) if versions else None  # one load for both documents' live hashes
    kinds: list[DocumentsKind] = []
    for kind, label in VersionKind.choices:
        mine = [version for version in versions if version.kind == kind]
        current = next((version for version in mine if version.superseded_at is None), None)
        item: DocumentsKind = {"kind": kind, "label": label, "current": current, "older": [], "parties": []}
        for version in mine:
            version.signed_document = signed_docs.get(version.pk)
            if version is not current:
                item["older"].append(version)
        if current is not None:
            item["parties"] = _status(current, current.signatures.all(), current.open_requests)
            item["complete"] = all(party["signature"] for party in item["parties"])
            item["out_of_date"] = live_hash(agreement, kind, rows) != current.sha256
            item["renewable"] = (
                not item["complete"]
                and bool(item["older"])
                and any(not party["signature"] and not party["open_request"] for party in item["parties"])
            )
        kinds.append(item)
    return kinds
