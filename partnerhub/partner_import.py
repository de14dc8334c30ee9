"""Importing partners from a CSV file: read, preview with an error per row, then import all or nothing.

The file is what people get out of a spreadsheet: UTF-8 with or without a byte order mark, or Windows-1252
from an older Excel; separated by commas, or by semicolons as Dutch Excel writes it. Column names and the
category and status values may be in English or Dutch. Every row is checked with `PartnerForm`, the same
rules as adding a partner by hand, plus one rule only a file can break: a name may appear only once.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnerhub import services
from partnerhub.exports import FORMULA_PREFIXES
from partnerhub.forms import PartnerForm
from partnerhub.models import Partner, PartnerCategory, PartnerStatus

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 5000

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
    values: dict
    errors: list = field(default_factory=list)
    cleaned: dict | None = None

    @property
    def is_valid(self):
        return not self.errors


@dataclass
class ImportPreview:
    rows: list = field(default_factory=list)
    file_errors: list = field(default_factory=list)
    columns: list = field(default_factory=list)  # the fields found in the header, in IMPORT_FIELDS order

    @property
    def valid_count(self):
        return sum(1 for row in self.rows if row.is_valid)

    @property
    def invalid_count(self):
        return len(self.rows) - self.valid_count

    @property
    def is_importable(self):
        return bool(self.rows) and not self.file_errors and not self.invalid_count

    def rows_to_show(self, limit=200):
        """Every row with an error, and the first `limit` rows, in file order."""
        return [row for index, row in enumerate(self.rows) if index < limit or row.errors]


class PartnerImportRejected(Exception):
    """At import time a row no longer passes the checks; nothing was saved."""

    def __init__(self, preview):
        super().__init__("The import was rejected; nothing was saved.")
        self.preview = preview


class PartnerImportForm(forms.Form):
    """The upload. Cleaning reads the file and leaves its text in cleaned_data["text"]."""

    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        validators=[FileExtensionValidator(["csv", "txt"])],
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
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


def decode_upload(raw):
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


def parse_partner_csv(*, organisation, text):
    """Read the CSV text and check every row. Never saves; the preview says what an import would do."""
    preview = read_partner_csv(text)
    if not preview.file_errors:
        preview.rows = validate_rows(
            organisation=organisation, raw_rows=[(row.line, row.values) for row in preview.rows]
        )
    return preview


def read_partner_csv(text):
    """The file's rows as ImportRows (not yet checked), or the file-level errors that stop reading."""
    return read_csv_rows(
        text,
        fields=IMPORT_FIELDS,
        map_header=_map_header,
        no_rows=_("The file has column names but no partners."),
    )


def read_csv_rows(text, *, fields, map_header, no_rows):
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


def validate_rows(*, organisation, raw_rows):
    """Check (line, values) pairs with PartnerForm; a name used twice in the file is an error too."""
    categories = _choice_lookup(PartnerCategory.choices, DUTCH_CATEGORY_LABELS)
    statuses = _choice_lookup(PartnerStatus.choices, DUTCH_STATUS_LABELS)
    first_line_of_name = {}
    rows = []
    for line, values in raw_rows:
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
                        "field": capfirst(Partner._meta.get_field(name).verbose_name),
                        "value": written,
                        "choices": ", ".join(str(label) for label in choices.labels),
                    }
                )
                data[name] = default  # so the form does not report the same problem again
        form = PartnerForm(data, organisation=organisation)
        if form.is_valid():
            row.cleaned = form.cleaned_data
        for name in sorted(
            form.errors, key=lambda name: IMPORT_FIELDS.index(name) if name in IMPORT_FIELDS else 99
        ):
            messages = form.errors[name]
            if name in ("influence", "importance"):
                messages = [_("Choose a score from 1 to 5.")]  # clearer than "not one of the choices"
            label = capfirst(form.fields[name].label) if name in form.fields else ""
            row.errors.extend(f"{label}: {message}" if label else message for message in messages)
        key = " ".join(data["name"].split()).casefold()
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
    return rows


def partners_import(*, organisation, actor, rows):
    """Create a partner for every row, all or nothing, in one transaction.

    The rows are checked again at import time (a colleague may have added a partner with the same name
    since the preview); if any row fails, PartnerImportRejected carries the new preview and nothing is
    saved. Each partner is created by services.partner_create, so each gets its audit entry.
    """
    raw_rows = [(row.line, row.values) for row in rows]
    try:
        with transaction.atomic():
            preview = ImportPreview(rows=validate_rows(organisation=organisation, raw_rows=raw_rows))
            if not preview.is_importable:
                raise PartnerImportRejected(preview)
            return [
                services.partner_create(organisation=organisation, actor=actor, **row.cleaned)
                for row in preview.rows
            ]
    except (IntegrityError, ValidationError) as error:
        # Someone saved the same name between our check and our insert: show the rows as they are now.
        preview = ImportPreview(rows=validate_rows(organisation=organisation, raw_rows=raw_rows))
        raise PartnerImportRejected(preview) from error


def template_csv():
    """(header, rows) of the example file offered for download: the column names and one partner."""
    header = ["name", "category", "status", "kvk_number", "website", "influence", "importance", "notes"]
    example = [
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


def _unescape_formula(text):
    """Take off the apostrophe exports.safe_cell puts before a formula character, so exports read back."""
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def _sniff_delimiter(text):
    """Comma or semicolon, whichever the header line uses more (Dutch Excel writes semicolons)."""
    for line in text.splitlines():
        if line.strip():
            return ";" if line.count(";") > line.count(",") else ","
    return ","


def _strip_accents(text):
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def _normalise_column(text):
    return re.sub(r"[^0-9a-z]", "", _strip_accents(text).casefold())


def _normalise_value(text):
    return " ".join(re.sub(r"[_\-]+", " ", _strip_accents(text).casefold()).split())


def _column_aliases():
    aliases = {name: set(names) for name, names in COLUMN_ALIASES.items()}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for name in IMPORT_FIELDS:
                aliases[name].add(_normalise_column(str(Partner._meta.get_field(name).verbose_name)))
    return {alias: name for name, names in aliases.items() for alias in names}


def _map_header(header):
    """{column index: field name} for the columns we know, and the file-level errors in the header."""
    aliases = _column_aliases()
    columns, errors = {}, []
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


def _choice_lookup(choices, dutch_labels):
    """{normalised value or label: stored value} for the stored values and the English and Dutch labels."""
    lookup = {_normalise_value(label): value for label, value in dutch_labels.items()}
    for code in ["en", *(code for code, _name in settings.LANGUAGES)]:
        with translation.override(code):
            for value, label in choices:
                lookup[_normalise_value(str(label))] = value
    for value, _label in choices:
        lookup[_normalise_value(value)] = value
    return lookup
