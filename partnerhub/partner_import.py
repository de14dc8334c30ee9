"""Importing partners from a CSV file: read, preview with an error per row, then import all or nothing.

The file is what people get out of a spreadsheet: UTF-8 with or without a byte order mark, or Windows-1252
from an older Excel; separated by commas, or by semicolons as Dutch Excel writes it. Column names and the
category and status values may be in English or Dutch. Every row is checked with `PartnerForm`, the same
rules as adding a partner by hand, plus one rule only a file can break: a name may appear only once.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, cast

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import FileExtensionValidator
from django.db import IntegrityError, transaction
from django.db.models import F, Model, Q, QuerySet
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnerhub.audit import field_changes
from partnerhub.exports import FORMULA_PREFIXES
from partnerhub.forms import PartnerForm
from partnerhub.models import (
    AuditAction,
    AuditEntry,
    CsvImportJob,
    CsvImportStatus,
    Organisation,
    Partner,
    PartnerCategory,
    PartnerStatus,
    User,
)
from partnerhub.models.partner import kvk_number_validator
from partnerhub.names import tidy_name
from partnerhub.services import PARTNER_FIELDS

if TYPE_CHECKING:
    from django.core.exceptions import ValidationError
    from django.db.models import Field
    from django_stubs_ext import StrOrPromise

    # A row's error as a form gives it: django-stubs types an ErrorList's items so (they are str at run time).
    RowError = ValidationError | StrOrPromise

logger = logging.getLogger(__name__)

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 5000
# A background job writes how many rows it has checked after every this many rows.
PROGRESS_EVERY = 250

IMPORT_FIELDS = ["name", "category", "status", "kvk_number", "website", "influence", "importance", "notes"]

# Column names people write, after normalising (lower case, no accents, only letters and digits).
# The fields' verbose names in every language are added on top, so an exported file always reads back.
COLUMN_ALIASES = {
    "name": {"name", "naam", "partner", "partnername", "partnernaam"},
    "category": {"category", "categorie"},
    "status": {"status"},
    "kvk_number": {"kvknumber", "kvk", "kvknummer", "kvknr"},
    "website": {"website", "url"},
    "influence": {"influence", "invloed"},
    "importance": {"importance", "belang"},
    "notes": {"notes", "notities"},
}

# The Dutch labels, spelled out so an import does not depend on the compiled translations.
DUTCH_CATEGORY_LABELS = {
    "aannemer": PartnerCategory.CONTRACTOR,
    "architect": PartnerCategory.ARCHITECT,
    "makelaar": PartnerCategory.ESTATE_AGENT,
    "investeerder": PartnerCategory.INVESTOR,
    "leverancier": PartnerCategory.SUPPLIER,
    "verzekeraar": PartnerCategory.INSURER,
    "fonds": PartnerCategory.FUND,
    "specialist": PartnerCategory.SPECIALIST,
    "wederverkoper": PartnerCategory.RESELLER,
    "overheid": PartnerCategory.GOVERNMENT,
    "kennisinstelling": PartnerCategory.KNOWLEDGE_INSTITUTION,
    "overig": PartnerCategory.OTHER,
}
DUTCH_STATUS_LABELS = {
    "prospect": PartnerStatus.PROSPECT,
    "actief": PartnerStatus.ACTIVE,
    "beeindigd": PartnerStatus.ENDED,
}


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message tells the user what to do."""


@dataclass
class ImportRow:
    line: int
    values: dict[str, str]
    errors: list[RowError] = field(default_factory=list)
    cleaned: dict[str, Any] | None = None

    @property
    def is_valid(self) -> bool:
        return not self.errors


@dataclass
class ImportPreview:
    rows: list[ImportRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # the fields found in the header, in IMPORT_FIELDS order

    @property
    def valid_count(self) -> int:
        return sum(1 for row in self.rows if row.is_valid)

    @property
    def invalid_count(self) -> int:
        return len(self.rows) - self.valid_count

    @property
    def is_importable(self) -> bool:
        return bool(self.rows) and not self.file_errors and not self.invalid_count

    def rows_to_show(self, limit: int = 200) -> list[ImportRow]:
        """Every row with an error, and the first `limit` rows, in file order."""
        return [row for index, row in enumerate(self.rows) if index < limit or row.errors]


class PartnerImportRejected(Exception):
    """At import time a row no longer passes the checks; nothing was saved."""

    def __init__(self, preview: ImportPreview | None) -> None:
        super().__init__("The import was rejected; nothing was saved.")
        self.preview = preview


class PartnerImportForm(forms.Form):
    """The upload. Cleaning reads the file and leaves its text in cleaned_data["text"]."""

    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        validators=[FileExtensionValidator(["csv", "txt"])],
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files.")
                % {"size": f"{upload.size / 1024 / 1024:.1f}", "limit": MAX_IMPORT_BYTES // 1024 // 1024}
            )
        try:
            self.cleaned_data["text"] = decode_upload(upload.read())
        except ImportFileError as error:
            raise forms.ValidationError(str(error)) from error
        return upload


def decode_upload(raw: bytes) -> str:
    """The file's text: UTF-8 (with or without byte order mark), else Windows-1252. Binary files fail."""
    if len(raw) > MAX_IMPORT_BYTES:
        raise ImportFileError(_("The file is larger than 2 MB. Split it into smaller files."))
    if not raw.strip():
        raise ImportFileError(_("The file is empty."))
    not_text = _(
        "This is not a CSV text file. In your spreadsheet choose “Save as” → “CSV (comma or semicolon "
        "separated)” or “CSV UTF-8”, and upload that file."
    )
    if b"\x00" in raw:
        raise ImportFileError(not_text)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError as error:
            raise ImportFileError(not_text) from error
    control = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\t\r\n")
    if control > len(text[:65536]) // 100:
        raise ImportFileError(not_text)
    return text


def parse_partner_csv(*, organisation: Organisation, text: str) -> ImportPreview:
    """Read the CSV text and check every row. Never saves; the preview says what an import would do."""
    preview = read_partner_csv(text)
    if not preview.file_errors:
        preview.rows = validate_rows(
            organisation=organisation, raw_rows=[(row.line, row.values) for row in preview.rows]
        )
    return preview


def read_partner_csv(text: str) -> ImportPreview:
    """The file's rows as ImportRows (not yet checked), or the file-level errors that stop reading."""
    return read_csv_rows(
        text,
        fields=IMPORT_FIELDS,
        map_header=_map_header,
        no_rows=_("The file has column names but no partners."),
    )


def read_csv_rows(
    text: str,
    *,
    fields: Sequence[str],
    map_header: Callable[[list[str]], tuple[dict[int, str], list[str]]],
    no_rows: str,
) -> ImportPreview:
    """Read a CSV file into an ImportPreview: its columns (by `map_header(header) -> (columns, errors)`,
    columns mapping a cell index to one of `fields`) and one ImportRow per non-empty line, numbered as in
    the file. Shared by every import (partners, projects): one delimiter sniffing, one row limit, one way
    to neutralise spreadsheet formulas. `no_rows` is the error for a file with a header only."""
    preview = ImportPreview()
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
        if header is None:
            preview.file_errors.append(_("The file is empty."))
            return preview
        columns, header_errors = map_header(header)
        if header_errors:
            preview.file_errors.extend(header_errors)
            return preview
        preview.columns = [name for name in fields if name in columns.values()]
        line = reader.line_num
        for cells in reader:
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(preview.rows) == MAX_IMPORT_ROWS:
                preview.file_errors.append(
                    _("The file has more than %(limit)s rows. Split it into smaller files.")
                    % {"limit": MAX_IMPORT_ROWS}
                )
                return preview
            values = {name: "" for name in fields}
            for index, name in columns.items():
                if index < len(cells):
                    values[name] = _unescape_formula(cells[index].strip())
            preview.rows.append(ImportRow(line=start, values=values))
    except csv.Error as error:
        preview.file_errors.append(
            _("Line %(line)s cannot be read (%(error)s). Check the quotes in that line.")
            % {"line": reader.line_num, "error": error}
        )
        return preview
    if not preview.rows:
        preview.file_errors.append(no_rows)
    return preview


class _PartnerRowForm(PartnerForm):
    """PartnerForm for one row of a file: the same field rules, without a query per row and at a speed
    that checks thousands of rows in seconds. Whether a name is already taken is checked for all rows at
    once (`validate_rows`). The model's own validation is left out: it repeats the fields' rules (and the
    check constraints, a query each), except the KvK number's 8 digits, which this form's field checks."""

    class Meta(PartnerForm.Meta):
        fields = IMPORT_FIELDS

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def _post_clean(self) -> None:
        pass


class SharedFields(dict[str, forms.Field]):
    """A row form's `base_fields` that every row's form shares instead of deep-copying them: cleaning a
    value does not change a field, and copying the fields anew for each of thousands of rows was half the
    time of checking a file. Only for forms that do not change their fields per instance."""

    def __deepcopy__(self, memo: dict[int, object]) -> SharedFields:
        return SharedFields(self)


_PartnerRowForm.base_fields = SharedFields(_PartnerRowForm.base_fields)
_PartnerRowForm.base_fields["kvk_number"].validators.append(kvk_number_validator)


def _name_key(name: str) -> str:
    return tidy_name(name).casefold()


def _taken_names(organisation: Organisation) -> set[str]:
    """The organisation's partner names as compared with a file's (spaces and case ignored), one query."""
    return {
        _name_key(name)
        for name in Partner.objects.filter(organisation=organisation).values_list("name", flat=True)
    }


def validate_rows(
    *,
    organisation: Organisation,
    raw_rows: Iterable[tuple[int, Mapping[str, str]]],
    progress: Callable[[int], object] | None = None,
) -> list[ImportRow]:
    """Check (line, values) pairs with PartnerForm's rules; a name used twice in the file, or already used
    by a partner, is an error too. A fixed number of queries whatever the number of rows; `progress(n)` is
    called after every PROGRESS_EVERY rows with the number checked so far."""
    categories = _choice_lookup(PartnerCategory.choices, DUTCH_CATEGORY_LABELS)
    statuses = _choice_lookup(PartnerStatus.choices, DUTCH_STATUS_LABELS)
    taken = _taken_names(organisation)
    first_line_of_name: dict[str, int] = {}
    rows: list[ImportRow] = []
    for count, (line, values) in enumerate(raw_rows, start=1):
        row = ImportRow(line=line, values=dict(values))
        data = {name: values.get(name, "") for name in IMPORT_FIELDS}
        for name, lookup, default, choices in (
            ("category", categories, PartnerCategory.OTHER, PartnerCategory),
            ("status", statuses, PartnerStatus.PROSPECT, PartnerStatus),
        ):
            written = data[name]
            data[name] = lookup.get(_normalise_value(written), "") if written else default
            if not data[name]:
                row.errors.append(
                    _("%(field)s: “%(value)s” is unknown; use one of %(choices)s.")
                    % {
                        # an import field is one of the partner's own fields, never a relation
                        "field": capfirst(
                            cast("Field[Any, Any]", Partner._meta.get_field(name)).verbose_name
                        ),
                        "value": written,
                        "choices": ", ".join(str(label) for label in choices.labels),
                    }
                )
                data[name] = default  # so the form does not report the same problem again
        form = _PartnerRowForm(data, organisation=organisation)
        key = _name_key(data["name"])
        if form.is_valid() and key in taken:
            form.add_error(
                "name",
                _("There already is a partner called “%(name)s”.") % {"name": form.cleaned_data["name"]},
            )
        if form.is_valid():
            row.cleaned = form.cleaned_data
        for name in sorted(
            form.errors, key=lambda name: IMPORT_FIELDS.index(name) if name in IMPORT_FIELDS else 99
        ):
            messages: Sequence[RowError] = form.errors[name]
            if name in ("influence", "importance"):
                messages = [_("Choose a score from 1 to 5.")]  # clearer than "not one of the choices"
            label = capfirst(form.fields[name].label) if name in form.fields else ""
            row.errors.extend(f"{label}: {message}" if label else message for message in messages)
        if key:
            if key in first_line_of_name:
                row.errors.append(
                    _("The name “%(name)s” is also on line %(line)s; each partner can be in the file once.")
                    % {"name": data["name"], "line": first_line_of_name[key]}
                )
            else:
                first_line_of_name[key] = line
        if row.errors:
            row.cleaned = None
        rows.append(row)
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    return rows


def partners_import(
    *,
    organisation: Organisation,
    actor: User | None,
    rows: Sequence[ImportRow],
    progress: Callable[[int], object] | None = None,
) -> list[Partner]:
    """Create a partner for every row, all or nothing.

    The rows are checked again (a colleague may have added a partner with the same name since the
    preview); if any row fails, PartnerImportRejected carries the new preview and nothing is saved.
    """
    checked = validate_rows(
        organisation=organisation, raw_rows=[(row.line, row.values) for row in rows], progress=progress
    )
    return partners_save(organisation=organisation, actor=actor, rows=checked)


def partners_save(*, organisation: Organisation, actor: User | None, rows: list[ImportRow]) -> list[Partner]:
    """Insert checked rows in one transaction, each partner with its audit entry, in a fixed number of
    queries. The names are checked against the database once more inside the transaction (the unique
    constraint catches what slips between that check and the insert); any failure saves nothing and
    raises PartnerImportRejected with the rows as they are now."""
    raw_rows = [(row.line, row.values) for row in rows]
    if not ImportPreview(rows=rows).is_importable:
        raise PartnerImportRejected(ImportPreview(rows=rows))
    try:
        with transaction.atomic():
            taken = _taken_names(organisation)
            # every row's cleaned values are set: the rows are importable (checked above)
            cleaned = [cast(dict[str, Any], row.cleaned) for row in rows]
            if any(_name_key(values["name"]) in taken for values in cleaned):
                raise PartnerImportRejected(None)
            partners = Partner.objects.bulk_create(
                Partner(organisation=organisation, **values) for values in cleaned
            )
            blank = Partner(organisation=organisation)
            audit_bulk(
                organisation=organisation,
                actor=actor,
                entries=[
                    (partner, partner, field_changes(blank, partner, PARTNER_FIELDS)) for partner in partners
                ],
            )
            return partners
    except (IntegrityError, PartnerImportRejected) as error:
        preview = ImportPreview(rows=validate_rows(organisation=organisation, raw_rows=raw_rows))
        raise PartnerImportRejected(preview) from error


def audit_bulk(
    *,
    organisation: Organisation,
    actor: User | None,
    entries: Iterable[tuple[Model, Partner | int | None, Mapping[str, Any] | None]],
) -> None:
    """One CREATE audit entry per (object, partner, changes), written in one query: what
    partnerhub.audit.audit_record writes for each object created one at a time."""
    member = actor if actor is not None and actor.is_authenticated else None
    AuditEntry.objects.bulk_create(
        AuditEntry(
            organisation=organisation,
            actor=member,
            action=AuditAction.CREATE,
            object_type=obj._meta.label_lower,
            object_id=obj.pk,
            object_repr=str(obj)[:200],
            partner_id=partner if isinstance(partner, int) or partner is None else partner.pk,
            changes=changes or {},
        )
        for obj, partner, changes in entries
    )


def template_csv() -> tuple[list[str], list[list[str | int]]]:
    """(header, rows) of the example file offered for download: the column names and one partner."""
    header = ["name", "category", "status", "kvk_number", "website", "influence", "importance", "notes"]
    example: list[str | int] = [
        "Bouwbedrijf De Vries",
        str(PartnerCategory.CONTRACTOR.label),
        str(PartnerStatus.ACTIVE.label),
        "12345678",
        "https://www.example.nl",
        4,
        5,
        _("Delete this example row and add your partners."),
    ]
    return header, [example]


def _unescape_formula(text: str) -> str:
    """Take off the apostrophe exports.safe_cell puts before a formula character, so exports read back."""
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def _sniff_delimiter(text: str) -> str:
    """Comma or semicolon, whichever the header line uses more (Dutch Excel writes semicolons)."""
    for line in text.splitlines():
        if line.strip():
            return ";" if line.count(";") > line.count(",") else ","
    return ","


def _strip_accents(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def _normalise_column(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", _strip_accents(text).casefold())


def _normalise_value(text: str) -> str:
    return " ".join(re.sub(r"[_\-]+", " ", _strip_accents(text).casefold()).split())


def _column_aliases() -> dict[str, str]:
    aliases = {name: set(names) for name, names in COLUMN_ALIASES.items()}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for name in IMPORT_FIELDS:
                # an import field is one of the partner's own fields, never a relation
                model_field = cast("Field[Any, Any]", Partner._meta.get_field(name))
                aliases[name].add(_normalise_column(str(model_field.verbose_name)))
    return {alias: name for name, names in aliases.items() for alias in names}


def _map_header(header: Sequence[str]) -> tuple[dict[int, str], list[str]]:
    """{column index: field name} for the columns we know, and the file-level errors in the header."""
    aliases = _column_aliases()
    columns: dict[int, str] = {}
    errors: list[str] = []
    for index, title in enumerate(header):
        name = aliases.get(_normalise_column(title))
        if name is None:
            continue  # other columns (contacts, key persons, …) are ignored
        if name in columns.values():
            errors.append(_("The column “%(column)s” appears twice in the first line.") % {"column": title})
            continue
        columns[index] = name
    if "name" not in columns.values():
        errors.insert(
            0,
            _(
                "The file has no “name” (or “naam”) column. The first line must hold the column names, "
                "for example: name;category;status;kvk_number. Download the example file to start from."
            ),
        )
    return columns, errors


def _choice_lookup(
    choices: Sequence[tuple[str, StrOrPromise]], dutch_labels: Mapping[str, str]
) -> dict[str, str]:
    """{normalised value or label: stored value} for the stored values and the English and Dutch labels."""
    lookup = {_normalise_value(label): value for label, value in dutch_labels.items()}
    for code in ["en", *(code for code, _name in settings.LANGUAGES)]:
        with translation.override(code):
            for value, label in choices:
                lookup[_normalise_value(str(label))] = value
    for value, _label in choices:
        lookup[_normalise_value(value)] = value
    return lookup


# Background imports: a confirmed file becomes a CsvImportJob; a large one is imported by a Celery task
# while the page follows its progress, a small one during the request. Both run `csv_import_run`.


class RowChecker(Protocol):
    """Check (line, values) pairs; every row comes back checked (as `validate_rows`)."""

    def __call__(
        self,
        *,
        organisation: Organisation,
        raw_rows: Iterable[tuple[int, Mapping[str, str]]],
        progress: Callable[[int], object] | None = ...,
    ) -> list[ImportRow]: ...


class RowSaver(Protocol):
    """Save checked rows in one transaction and return the saved objects (as `partners_save`)."""

    def __call__(
        self, *, organisation: Organisation, actor: User | None, rows: list[ImportRow]
    ) -> Sequence[Model]: ...


class _Rejected(Protocol):
    """What an importer's `rejected` exception carries when it escapes `save`."""

    preview: ImportPreview


@dataclass(frozen=True)
class Importer:
    """What a job needs of an import: read the file, check its rows, save them."""

    read: Callable[[str], ImportPreview]  # rows not yet checked
    check: RowChecker  # every row checked
    save: RowSaver  # the saved objects, one transaction; raises `rejected`
    rejected: type[Exception]  # the exception that carries a new preview when a row no longer passes


IMPORTERS: dict[str, Importer] = {}

# Why a job failed, stored as a code and shown in the reader's language by the page.
FAILED_UNREACHABLE = "unreachable"  # the task could not be queued (the broker is away)
FAILED_REJECTED = "rejected"  # a row no longer passed the checks
FAILED_ERROR = "error"  # anything else went wrong; nothing was saved
FAILED_UNKNOWN = "unknown"  # no importer of this kind in this process
MAX_STORED_ROW_ERRORS = 500


def register_importer(
    kind: str,
    *,
    read: Callable[[str], ImportPreview],
    check: RowChecker,
    save: RowSaver,
    rejected: type[Exception],
) -> None:
    """Make an import runnable as a job. `kind` is the import's name (CsvImport.name of its page)."""
    IMPORTERS[kind] = Importer(read=read, check=check, save=save, rejected=rejected)


def background_rows() -> int:
    """A confirmed file with more rows is imported by a background job the page follows; fewer rows are
    imported during the request."""
    return settings.CSV_IMPORT_BACKGROUND_ROWS


def csv_import_start(
    *,
    organisation: Organisation,
    kind: str,
    requested_by: User | None,
    token: str,
    filename: str,
    text: str,
    total_rows: int,
) -> tuple[CsvImportJob, bool]:
    """The job of a confirmed preview: (job, True) when new, (the existing job, False) when this preview was
    confirmed before. The preview's token is unique, so a double click or two tabs cannot start two
    imports of one file."""
    try:
        with transaction.atomic():
            job = CsvImportJob.objects.create(
                organisation=organisation,
                kind=kind,
                token=token,
                filename=filename[:255],
                content=text,
                total_rows=total_rows,
                requested_by=requested_by,
                language=translation.get_language() or settings.LANGUAGE_CODE,
            )
    except IntegrityError:
        existing = CsvImportJob.objects.filter(organisation=organisation, kind=kind, token=token).first()
        if existing is None:
            raise
        return existing, False
    return job, True


def csv_import_queue(*, job: CsvImportJob) -> None:
    """Run the job in the background once the current transaction commits (a worker must find the row).
    When the task cannot be queued the job fails at once with a message and a retry, never a 500."""
    job_id = job.pk
    CsvImportJob.objects.filter(pk=job_id).update(queued_at=timezone.now())
    transaction.on_commit(lambda: _send(job_id))


def _send(job_id: int) -> None:
    from partnerhub.tasks import import_csv  # the task module imports this one

    try:
        import_csv.delay(job_id)
    except Exception:
        logger.exception("Queueing CSV import job %s failed", job_id)
        CsvImportJob.objects.filter(pk=job_id, status=CsvImportStatus.PENDING).update(
            status=CsvImportStatus.FAILED, error=FAILED_UNREACHABLE, finished_at=timezone.now()
        )


def csv_import_retry(*, job: CsvImportJob) -> bool:
    """Queue a FAILED or stalled job again (False for any other: a job at work or done is left alone).
    A stalled run that comes back to life finds its claim gone and saves nothing (see csv_import_run)."""
    updated = (
        CsvImportJob.objects.filter(pk=job.pk)
        .filter(Q(status=CsvImportStatus.FAILED) | CsvImportJob.stalled())
        .update(status=CsvImportStatus.PENDING, error="", row_errors=[], checked_rows=0, finished_at=None)
    )
    if updated:
        csv_import_queue(job=job)
    return bool(updated)


def csv_import_run(*, job_id: int, show_progress: bool = True) -> ImportPreview | None:
    """Import a waiting job's file, all rows or none; safe to run twice or concurrently.

    The job is claimed first with one conditional UPDATE (waiting → importing), so a second run (a
    double click, a redelivered task) finds nothing to do; a job left importing for longer than the task's
    hard time limit was cut off and may be claimed again; a run whose claim was taken over (a retry)
    rolls its insert back. The rows are checked outside any transaction,
    writing progress as it goes, so the page can show it; then everything is saved in one transaction
    together with the job's DONE. Returns the preview when rows no longer pass, else None. A job run
    during the request (`show_progress=False`, nobody polls it) writes no progress.
    """
    claimed = (
        CsvImportJob.objects.filter(pk=job_id)
        .filter(Q(status=CsvImportStatus.PENDING) | CsvImportJob.stalled())
        .update(
            status=CsvImportStatus.RUNNING,
            started_at=timezone.now(),
            attempts=F("attempts") + 1,
            checked_rows=0,
            error="",
            row_errors=[],
        )
    )
    if not claimed:
        return None
    job = CsvImportJob.objects.select_related("organisation", "requested_by").get(pk=job_id)
    importer = IMPORTERS.get(job.kind)
    if importer is None:
        _fail(job, FAILED_UNKNOWN)
        return None
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            return _import(job, importer, show_progress=show_progress)
        except Exception:
            logger.exception("CSV import job %s (%s) failed", job.pk, job.kind)
            _fail(job, FAILED_ERROR)
            return None


def _import(job: CsvImportJob, importer: Importer, *, show_progress: bool) -> ImportPreview | None:
    preview = importer.read(job.content)
    if preview.file_errors:
        _fail(job, FAILED_REJECTED, [ImportRow(line=0, values={}, errors=list(preview.file_errors))])
        return preview

    def progress(checked: int) -> None:
        _claimed(job).update(checked_rows=checked)

    rows = importer.check(
        organisation=job.organisation,
        raw_rows=[(row.line, row.values) for row in preview.rows],
        progress=progress if show_progress else None,
    )
    progress(len(rows))
    try:
        with transaction.atomic():
            saved = importer.save(organisation=job.organisation, actor=job.requested_by, rows=rows)
            finished = _claimed(job).update(
                status=CsvImportStatus.DONE,
                imported_rows=len(saved),
                content="",
                finished_at=timezone.now(),
            )
            if not finished:
                raise ClaimLost(job.pk)
    except ClaimLost:
        logger.warning("CSV import job %s was taken over by another run; this one saved nothing", job.pk)
        return None
    except importer.rejected as error:
        # the exception an importer registered as `rejected` carries the new preview
        rejected = cast(_Rejected, error)
        _fail(job, FAILED_REJECTED, [row for row in rejected.preview.rows if row.errors])
        return rejected.preview
    return None


class ClaimLost(Exception):
    """The job was claimed again (a retry of a run that seemed stalled) while this run was at work."""


def _claimed(job: CsvImportJob) -> QuerySet[CsvImportJob]:
    """The job's row while this run's claim holds (no retry has claimed it since)."""
    return CsvImportJob.objects.filter(pk=job.pk, status=CsvImportStatus.RUNNING, attempts=job.attempts)


def _fail(job: CsvImportJob, error: str, rows: Iterable[ImportRow] = ()) -> None:
    _claimed(job).update(
        status=CsvImportStatus.FAILED,
        error=error,
        row_errors=[
            {"line": row.line, "values": row.values, "errors": [str(message) for message in row.errors]}
            for row in list(rows)[:MAX_STORED_ROW_ERRORS]
        ],
        finished_at=timezone.now(),
    )


register_importer(
    "partner_import",
    read=read_partner_csv,
    check=validate_rows,
    save=partners_save,
    rejected=PartnerImportRejected,
)
