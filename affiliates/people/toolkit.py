"""The partner toolkit and affiliate materials (seed 004, 2.2 and 4.2): files and texts to hand out.

An upload is checked for size (`AFFILIATES_ASSET_MAX_BYTES`, 10 MB unless set) and for type: the file's
first bytes must be one of the types its kind allows, and its extension must fit that type (a PNG renamed
to .pdf is refused). Images are opened with Pillow, which also gives a banner its width and height. SVG is
refused everywhere (it can carry script); a logo pack is a ZIP or a PNG/JPEG. Files are kept in the media
storage (MEDIA_ROOT, or a private bucket with MEDIA_STORAGE=s3) and only ever served to members (or through
the affiliate portal) as a download streamed by the app.

E-mail templates and text links are text, not files.
"""

import io
import os
import zipfile
from typing import TypedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.text import get_valid_filename, slugify
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from affiliates.models import Asset, AssetKind
from partnerhub.audit import AuditAction, audit_record
from partnerhub.models import Organisation, User

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

PDF, PNG, JPEG, GIF, ZIP = "pdf", "png", "jpeg", "gif", "zip"

# type: (content type, allowed extensions, magic prefixes)
TYPES: dict[str, tuple[str, tuple[str, ...], tuple[bytes, ...]]] = {
    PDF: ("application/pdf", (".pdf",), (b"%PDF-",)),
    PNG: ("image/png", (".png",), (b"\x89PNG\r\n\x1a\n",)),
    JPEG: ("image/jpeg", (".jpg", ".jpeg"), (b"\xff\xd8\xff",)),
    GIF: ("image/gif", (".gif",), (b"GIF87a", b"GIF89a")),
    ZIP: ("application/zip", (".zip",), (b"PK\x03\x04",)),
}
IMAGES = (PNG, JPEG, GIF)

TEXT_KINDS = (AssetKind.EMAIL_TEMPLATE, AssetKind.TEXT_LINK)

ALLOWED: dict[str, tuple[str, ...]] = {
    AssetKind.BROCHURE: (PDF,),
    AssetKind.LOGO_PACK: (ZIP, PNG, JPEG),
    AssetKind.CASE_STUDY: (PDF, PNG, JPEG),
    AssetKind.PRICE_LIST: (PDF,),
    AssetKind.BANNER: (PNG, JPEG, GIF),
    AssetKind.COMPARISON: (PDF, PNG, JPEG),
}

LABELS = {PDF: "PDF", PNG: "PNG", JPEG: "JPEG", GIF: "GIF", ZIP: "ZIP"}

# What a ZIP may unpack to, read from its table of contents (see check_zip_contents).
ZIP_MAX_RATIO = 20
ZIP_MAX_UNPACKED_BYTES = 200 * 1024 * 1024
ZIP_ALWAYS_ALLOWED_BYTES = 1024 * 1024  # a small ZIP of text files may compress better than 20 to 1
ZIP_MAX_ENTRIES = 1000
NESTED_ARCHIVES = (".zip", ".7z", ".rar", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".cab", ".jar")


class UploadInfo(TypedDict):
    """What `inspect_upload` found in a file."""

    type: str
    content_type: str
    size: int
    width: int | None
    height: int | None
    extension: str


def max_bytes() -> int:
    return getattr(settings, "AFFILIATES_ASSET_MAX_BYTES", DEFAULT_MAX_BYTES)


def allowed_label(kind: str) -> str:
    """'PDF', 'ZIP, PNG or JPEG' … for the form's help text and the errors."""
    labels = [LABELS[t] for t in ALLOWED.get(kind, ())]
    if len(labels) <= 1:
        return "".join(labels)
    return _("%(first)s or %(last)s") % {"first": ", ".join(labels[:-1]), "last": labels[-1]}


def _sniff(head: bytes) -> str | None:
    for name, (_type, _exts, magics) in TYPES.items():
        if any(head.startswith(magic) for magic in magics):
            return name
    return None


def inspect_upload(upload: UploadedFile, kind: str) -> UploadInfo:
    """Check an uploaded file for `kind`; returns {type, content_type, size, width, height, extension}.
    Raises ValidationError with a message for the user."""
    limit = max_bytes()
    size = upload.size or 0  # an upload knows its size; a file that does not is taken as empty
    if size > limit:
        raise ValidationError(
            _("The file is %(size)s MB; at most %(limit)s MB is allowed.")
            % {"size": _mb(size), "limit": _mb(limit)}
        )
    if size == 0:
        raise ValidationError(_("The file is empty."))
    allowed = ALLOWED.get(kind, ())
    extension = os.path.splitext(upload.name or "")[1].lower()
    if extension == ".svg":
        raise ValidationError(
            _(
                "SVG files are not accepted (they can contain scripts). "
                "Upload a PNG or put the logos in a ZIP."
            )
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    found = _sniff(head)
    if found is None or found not in allowed:
        raise ValidationError(
            _("This file is not a %(types)s file, which is what a %(kind)s must be.")
            % {"types": allowed_label(kind), "kind": AssetKind(kind).label.lower()}
        )
    if extension not in TYPES[found][1]:
        raise ValidationError(
            _("The file is a %(type)s file but its name ends in “%(extension)s”. Rename it to %(expected)s.")
            % {"type": LABELS[found], "extension": extension or "…", "expected": TYPES[found][1][0]}
        )
    info: UploadInfo = {
        "type": found,
        "content_type": TYPES[found][0],
        "size": size,
        "width": None,
        "height": None,
        "extension": TYPES[found][1][0],
    }
    data = upload.read()
    upload.seek(0)
    if found in IMAGES:
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                info["width"], info["height"] = image.size
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            raise ValidationError(_("The image cannot be read; it may be damaged.")) from None
    elif found == ZIP:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                check_zip_contents(archive.infolist(), size)
                # Reads every entry once, but no further than the sizes just checked: zipfile stops an
                # entry at its declared size, and a lie about it fails the CRC as a damaged file.
                if archive.testzip() is not None:
                    raise zipfile.BadZipFile
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
            raise ValidationError(_("The ZIP file cannot be opened; it may be damaged.")) from None
    elif found == PDF and b"%%EOF" not in data[-2048:]:
        raise ValidationError(_("The PDF is incomplete; it may be damaged."))
    return info


def check_zip_contents(entries: list[zipfile.ZipInfo], size: int) -> None:
    """Refuse a ZIP by its table of contents alone, before anything is unpacked: one that unpacks to more
    than ZIP_MAX_RATIO times its own size (or 1 MB when that is more) or ZIP_MAX_UNPACKED_BYTES (a "zip
    bomb": a logo pack is images, which hardly compress), holds more than ZIP_MAX_ENTRIES files, holds
    another archive (whose own contents this check cannot see), or names a path outside the folder it is
    unpacked in."""
    if len(entries) > ZIP_MAX_ENTRIES:
        raise ValidationError(
            _("The ZIP file holds %(count)s files; at most %(limit)s are allowed.")
            % {"count": len(entries), "limit": ZIP_MAX_ENTRIES}
        )
    unpacked = sum(entry.file_size for entry in entries)
    limit = min(max(ZIP_MAX_RATIO * size, ZIP_ALWAYS_ALLOWED_BYTES), ZIP_MAX_UNPACKED_BYTES)
    if unpacked > limit:
        raise ValidationError(
            _("The ZIP file unpacks to %(size)s MB; for a ZIP of this size at most %(limit)s MB is allowed.")
            % {"size": _mb(unpacked), "limit": _mb(limit)}
        )
    for entry in entries:
        path = entry.filename.replace("\\", "/")
        if path.startswith("/") or path[1:2] == ":" or ".." in path.split("/"):
            raise ValidationError(
                _(
                    "The ZIP file contains “%(name)s”, which points outside the ZIP. "
                    "Make the ZIP again from the folder with the files."
                )
                % {"name": entry.filename}
            )
        if path.lower().endswith(NESTED_ARCHIVES):
            raise ValidationError(
                _("The ZIP file contains another archive (“%(name)s”). Put the files themselves in the ZIP.")
                % {"name": entry.filename}
            )


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def asset_create(
    *,
    organisation: Organisation,
    actor: User | None,
    kind: str,
    audience: str,
    title: str | None,
    upload: UploadedFile | None = None,
    text: str | None = "",
) -> Asset:
    """A toolkit item: a checked file for file kinds, a text for e-mail templates and text links. Nothing
    is stored when a check fails."""
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the item a title.")})
    asset = Asset(organisation=organisation, kind=kind, audience=audience, title=title, created_by=actor)
    if kind in TEXT_KINDS:
        if not (text or "").strip():
            raise ValidationError({"text": _("Write the text of the e-mail template or text link.")})
        if upload is not None:
            raise ValidationError(
                {"file": _("An e-mail template or text link is text: leave the file empty.")}
            )
        asset.text = (text or "").strip()
    else:
        if upload is None:
            raise ValidationError({"file": _("Choose a file to upload.")})
        try:
            info = inspect_upload(upload, kind)
        except ValidationError as error:
            raise ValidationError({"file": error.messages}) from None
        asset.content_type = info["content_type"]
        asset.size = info["size"]
        asset.width, asset.height = info["width"], info["height"]
        asset.text = (text or "").strip()
    asset.full_clean(exclude=["file"])
    if upload is not None:
        name = get_valid_filename(slugify(title) or "bestand") + info["extension"]
        asset.file.save(name, upload, save=False)
    try:
        with transaction.atomic():
            asset.save()
            audit_record(
                organisation=organisation,
                actor=actor,
                action=AuditAction.CREATE,
                obj=asset,
                changes={"title": ["", asset.title], "kind": ["", asset.kind]},
            )
    except Exception:
        if asset.file:
            asset.file.delete(save=False)
        raise
    return asset


def asset_delete(*, asset: Asset, actor: User | None) -> None:
    """Remove the item and, once the removal is committed, its file."""
    name = asset.file.name if asset.file else ""
    storage = asset.file.storage
    with transaction.atomic():
        audit_record(
            organisation=asset.organisation,
            actor=actor,
            action=AuditAction.DELETE,
            obj=asset,
            changes={"title": [asset.title, ""]},
        )
        asset.delete()
        if name:
            transaction.on_commit(lambda: storage.delete(name))
