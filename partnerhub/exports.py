"""CSV export: the one helper every app uses to send a table as a spreadsheet-friendly CSV download.

    return csv_response("partners.csv", [_("Name"), _("Status")], ((p.name, p.status) for p in partners))

The file is UTF-8 with a byte order mark (so Excel shows "ë" and "€" instead of mojibake), comma separated
with standard quoting, and streamed row by row so a large export never sits in memory. Every cell passes
through `safe_cell`, which defuses spreadsheet formula injection.
"""

import csv
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils.functional import Promise
from django.utils.http import content_disposition_header

BOM = "\ufeff"
# A cell starting with one of these is run as a formula by Excel, LibreOffice and Google Sheets (OWASP
# "CSV injection"): =HYPERLINK(...) in a partner's notes must stay text in the colleague's spreadsheet.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str | int | float | Decimal:
    """The value as a CSV cell: text that a spreadsheet would run as a formula gets a leading apostrophe.

    Numbers stay numbers (a negative amount is not a formula); None becomes an empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float, Decimal)):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write() hands the line back, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def csv_rows(header: Iterable[str | Promise], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """The CSV text, line by line, starting with the byte order mark and the header."""
    writer = csv.writer(_Echo(), delimiter=",", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    yield BOM + writer.writerow([safe_cell(str(title)) for title in header])
    for row in rows:
        yield writer.writerow([safe_cell(value) for value in row])


def csv_response(
    filename: str, header: Iterable[str | Promise], rows: Iterable[Sequence[object]]
) -> StreamingHttpResponse:
    """A streaming attachment download of `header` and `rows` (any iterable of sequences)."""
    # Evaluate lazy translations now, while the request's language is active; rows stream later.
    titles = [str(title) for title in header]
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in csv_rows(titles, rows)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
