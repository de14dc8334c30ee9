"""Projects (orders) partners bring: entered by hand, imported from CSV, or reported through the API.

The CSV import follows the partner import (`partnerhub.partner_import`) step by step and reuses its reading
of the file: UTF-8 with or without byte order mark or Windows-1252, commas or semicolons, column names in
English or Dutch, a preview with every row checked and its line number, and all rows or none. Every row is
checked with `ProjectForm`, the rules of entering a project by hand. Rules only a file can break: the
partner is matched by name (exactly, else ignoring case and spaces); the same project (partner, customer
reference, date and value) may appear once in the file and must not already be in PartnerHub. Amounts may
be written the Dutch way ("1.234,50") or with a decimal point ("1234.50"); delivered and paid on time are
yes/no/unknown in either language (empty is unknown).
"""

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Self

from django.db import IntegrityError, transaction
from django.db.models import Exists, Field, OuterRef, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from affiliates.models import Commission, Project, ProjectSource
from affiliates.programme.rules import programme_for
from affiliates.tiers.forms import ProjectForm
from partnerhub.audit import AuditAction, audit_changes, audit_record
from partnerhub.models import Organisation, Partner, User
from partnerhub.partner_import import (
    PROGRESS_EVERY,
    ImportPreview,
    ImportRow,
    SharedFields,
    _normalise_column,
    _normalise_value,
    audit_bulk,
    read_csv_rows,
    register_importer,
)

# What makes two projects the same: (partner id, customer reference folded, date, value).
ProjectKey = tuple[int, str, datetime.date, Decimal]
IMPORT_FIELDS = ["partner", "customer_reference", "value", "date", "delivered_on_time", "paid_on_time"]
FORM_FIELDS = [name for name in IMPORT_FIELDS if name != "partner"]

COLUMN_ALIASES = {
    "partner": {"partner", "partnername", "partnernaam", "naam", "name"},
    "customer_reference": {
        "customerreference",
        "customer",
        "reference",
        "klantreferentie",
        "klant",
        "referentie",
        "klantnummer",
        "ordernummer",
        "order",
    },
    "value": {"value", "valueeur", "amount", "ordervalue", "waarde", "waardeeur", "bedrag", "orderwaarde"},
    "date": {"date", "datum", "projectdate", "projectdatum", "orderdate", "orderdatum"},
    "delivered_on_time": {
        "deliveredontime",
        "ontimedelivery",
        "ontime",
        "optijdgeleverd",
        "tijdiggeleverd",
        "optijd",
        "levering",
    },
    "paid_on_time": {"paidontime", "paymentontime", "optijdbetaald", "tijdigbetaald", "betaling", "betaald"},
}

YES_NO = {
    "yes": "true",
    "y": "true",
    "ja": "true",
    "j": "true",
    "true": "true",
    "waar": "true",
    "1": "true",
    "no": "false",
    "n": "false",
    "nee": "false",
    "false": "false",
    "onwaar": "false",
    "0": "false",
    "": "unknown",
    "unknown": "unknown",
    "onbekend": "unknown",
    "?": "unknown",
    "-": "unknown",
}


class ProjectProtected(Exception):
    """The project carries a commission: deleting it would leave the ledger without its order."""


class ProjectImportRejected(Exception):
    """At import time a row no longer passes the checks; nothing was saved."""

    def __init__(self, preview: ImportPreview | None) -> None:
        super().__init__("The import was rejected; nothing was saved.")
        self.preview = preview


def projects_with_flags(organisation: Organisation) -> QuerySet[Project]:
    """The organisation's projects with their partner and whether a commission was earned on them."""
    return (
        Project.objects.filter(organisation=organisation)
        .select_related("partner")
        .annotate(has_commission=Exists(Commission.objects.filter(project=OuterRef("pk"))))
    )


def project_create(
    *,
    organisation: Organisation,
    actor: User | None,
    partner: Partner | None,
    source: str = ProjectSource.MANUAL,
    **values: Any,
) -> Project:
    """Record a project a partner brought (the form has checked it) with an audit entry."""
    programme_for(organisation)  # the programme's tiers exist from the first project on
    project = Project.objects.create(
        organisation=organisation, partner=partner, source=source, created_by=actor, **values
    )
    audit_record(
        organisation=organisation,
        actor=actor,
        action=AuditAction.CREATE,
        obj=project,
        partner=partner,
        changes={
            "customer_reference": ["", project.customer_reference],
            "value": ["", str(project.value)],
            "date": ["", project.date.isoformat()],
        },
    )
    return project


def project_update(*, project: Project, actor: User | None, values: Mapping[str, Any]) -> Project:
    """Change a project. With a commission, only delivery and payment can change (the form disables the
    rest; the ledger corrects amounts, never this row)."""
    before = Project.objects.get(pk=project.pk)
    if Commission.objects.filter(project=project).exists():
        values = {key: value for key, value in values.items() if key in ("delivered_on_time", "paid_on_time")}
    for name, value in values.items():
        setattr(project, name, value)
    project.save()
    audit_changes(
        organisation=project.organisation,
        actor=actor,
        before=before,
        after=project,
        fields=list(values),
        partner=project.partner,
    )
    return project


def project_delete(*, project: Project, actor: User | None) -> None:
    """Delete a project; ProjectProtected when a commission was earned on it."""
    with transaction.atomic():
        if Commission.objects.filter(project=project).exists():
            raise ProjectProtected(project)
        audit_record(
            organisation=project.organisation,
            actor=actor,
            action=AuditAction.DELETE,
            obj=project,
            partner=project.partner,
            changes={
                "customer_reference": [project.customer_reference, ""],
                "value": [str(project.value), ""],
            },
        )
        project.delete()


# CSV import


@dataclass
class _Partners:
    """The organisation's partners by name: exact, and normalised (case and spaces) when unambiguous."""

    exact: dict[str, int]
    loose: dict[str, list[int]]

    @classmethod
    def of(cls, organisation: Organisation) -> Self:
        exact: dict[str, int] = {}
        loose: dict[str, list[int]] = {}
        for pk, name in organisation.partners.values_list("pk", "name"):
            exact[name] = pk
            loose.setdefault(_loose(name), []).append(pk)
        return cls(exact=exact, loose=loose)

    def find(self, name: str) -> int | None:
        if name in self.exact:
            return self.exact[name]
        matches = self.loose.get(_loose(name), [])
        return matches[0] if len(matches) == 1 else None


def _loose(name: str) -> str:
    return " ".join(name.split()).casefold()


def read_project_csv(text: str) -> ImportPreview:
    """The file's rows as ImportRows (not yet checked), or the file-level errors that stop reading."""
    return read_csv_rows(
        text,
        fields=IMPORT_FIELDS,
        map_header=_map_header,
        no_rows=_("The file has column names but no projects."),
    )


def _map_header(header: Sequence[str]) -> tuple[dict[int, str], list[str]]:
    aliases = {alias: name for name, names in COLUMN_ALIASES.items() for alias in names}
    columns: dict[int, str] = {}
    errors: list[str] = []
    for index, title in enumerate(header):
        name = aliases.get(_normalise_column(title))
        if name is None:
            continue
        if name in columns.values():
            errors.append(_("The column “%(column)s” appears twice in the first line.") % {"column": title})
            continue
        columns[index] = name
    missing = [
        name for name in ("partner", "customer_reference", "value", "date") if name not in columns.values()
    ]
    if missing:
        errors.insert(
            0,
            _(
                "The file lacks the column(s) %(columns)s. The first line must hold the column names, for "
                "example: partner;customer_reference;value;date;delivered_on_time;paid_on_time. Download the "
                "example file to start from."
            )
            % {"columns": ", ".join(missing)},
        )
    return columns, errors


def parse_project_csv(*, organisation: Organisation, text: str) -> ImportPreview:
    """Read the CSV text and check every row. Never saves; the preview says what an import would do."""
    preview = read_project_csv(text)
    if not preview.file_errors:
        preview.rows = validate_project_rows(
            organisation=organisation, raw_rows=[(row.line, row.values) for row in preview.rows]
        )
    return preview


class _ProjectRowForm(ProjectForm):
    """ProjectForm for one row of a file, without a query per row and at a speed that checks thousands of
    rows in seconds: duplicates are checked for all rows at once, and the model's own validation is left
    out, as it repeats the fields' rules (an amount in cents, not negative, at most 12 digits) and its
    check constraint would cost a query a row."""

    def _post_clean(self) -> None:
        pass


_ProjectRowForm.base_fields = SharedFields(_ProjectRowForm.base_fields)


def validate_project_rows(
    *,
    organisation: Organisation,
    raw_rows: Iterable[tuple[int, Mapping[str, str]]],
    progress: Callable[[int], object] | None = None,
) -> list[ImportRow]:
    """Check (line, values) pairs: the partner by name, the rest with ProjectForm, duplicates in the file
    and in PartnerHub. A fixed number of queries whatever the number of rows; `progress(n)` is called after
    every PROGRESS_EVERY rows with the number checked so far."""
    partners = _Partners.of(organisation)
    fields = {name: Project._meta.get_field(name) for name in IMPORT_FIELDS}
    labels = {
        name: capfirst(str(field.verbose_name)) for name, field in fields.items() if isinstance(field, Field)
    }
    labels["partner"] = capfirst(_("partner"))
    rows: list[ImportRow] = []
    first_line_of_key: dict[ProjectKey, int] = {}
    for count, (line, values) in enumerate(raw_rows, start=1):
        row = ImportRow(line=line, values=dict(values))
        partner_name = values.get("partner", "").strip()
        partner_id = partners.find(partner_name) if partner_name else None
        if not partner_name:
            row.errors.append(_("%(field)s: fill in the partner's name.") % {"field": labels["partner"]})
        elif partner_id is None:
            row.errors.append(
                _(
                    "%(field)s: there is no partner called “%(name)s”. "
                    "Add the partner first or check the name."
                )
                % {"field": labels["partner"], "name": partner_name}
            )
        data: dict[str, str | None] = {name: values.get(name, "") for name in FORM_FIELDS}
        for name in ("delivered_on_time", "paid_on_time"):
            written = values.get(name, "")  # what data[name] holds until this line
            data[name] = YES_NO.get(_normalise_value(written))
            if data[name] is None:
                row.errors.append(
                    _("%(field)s: “%(value)s” is not yes, no or unknown (ja, nee, onbekend).")
                    % {"field": labels[name], "value": written}
                )
                data[name] = "unknown"
        form = _ProjectRowForm(data, organisation=organisation, for_import=True)
        for name in FORM_FIELDS:
            for message in form.errors.get(name, []):
                row.errors.append(f"{labels[name]}: {message}")
        for message in form.non_field_errors():
            row.errors.append(message)
        if form.is_valid() and partner_id is not None:
            cleaned = dict(form.cleaned_data)
            key = (partner_id, cleaned["customer_reference"].casefold(), cleaned["date"], cleaned["value"])
            if key in first_line_of_key:
                row.errors.append(
                    _("The same project (partner, customer, date and value) is also on line %(line)s.")
                    % {"line": first_line_of_key[key]}
                )
            else:
                first_line_of_key[key] = line
                row.cleaned = {"partner_id": partner_id, **cleaned, "key": key}
        if row.errors:
            row.cleaned = None
        rows.append(row)
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    _mark_existing(organisation, rows)
    return rows


def _mark_existing(organisation: Organisation, rows: list[ImportRow]) -> None:
    """An error on every row whose project is already in PartnerHub (one query)."""
    candidates = [row for row in rows if row.cleaned]
    existing = _existing_keys(organisation, candidates)
    for row in candidates:
        if row.cleaned is not None and row.cleaned["key"] in existing:
            row.errors.append(
                _(
                    "This project (partner, customer, date and value) is already in PartnerHub; "
                    "remove the line."
                )
            )
            row.cleaned = None


def _existing_keys(organisation: Organisation, rows: Sequence[ImportRow]) -> set[ProjectKey]:
    """The keys (partner, customer reference, date, value) of the rows' projects already saved (one query)."""
    if not rows:
        return set()
    cleaned = [row.cleaned for row in rows if row.cleaned is not None]  # the rows passed their checks
    return {
        (partner_id, reference.casefold(), date, value)
        for partner_id, reference, date, value in Project.objects.filter(
            organisation=organisation,
            partner_id__in={values["partner_id"] for values in cleaned},
            date__in={values["date"] for values in cleaned},
        ).values_list("partner_id", "customer_reference", "date", "value")
    }


def projects_import(
    *,
    organisation: Organisation,
    actor: User | None,
    rows: Sequence[ImportRow],
    progress: Callable[[int], object] | None = None,
) -> list[Project]:
    """Create a project for every row, all or nothing.

    The rows are checked again (a colleague may have entered one of them since the preview); if any
    fails, ProjectImportRejected carries the new preview and nothing is saved.
    """
    checked = validate_project_rows(
        organisation=organisation, raw_rows=[(row.line, row.values) for row in rows], progress=progress
    )
    return projects_save(organisation=organisation, actor=actor, rows=checked)


def projects_save(*, organisation: Organisation, actor: User | None, rows: list[ImportRow]) -> list[Project]:
    """Insert checked rows in one transaction, one audit entry per project as when entered by hand, in a
    fixed number of queries. Duplicates are checked against the database once more inside the
    transaction; any failure saves nothing and raises ProjectImportRejected with the rows as they are now."""
    raw_rows = [(row.line, row.values) for row in rows]
    if not ImportPreview(rows=rows).is_importable:
        raise ProjectImportRejected(ImportPreview(rows=rows))
    cleaned = [row.cleaned for row in rows if row.cleaned is not None]  # every row: the preview is importable
    try:
        with transaction.atomic():
            existing = _existing_keys(organisation, rows)
            if any(values["key"] in existing for values in cleaned):
                raise ProjectImportRejected(None)
            programme_for(organisation)
            projects = Project.objects.bulk_create(
                Project(
                    organisation=organisation,
                    partner_id=values["partner_id"],
                    customer_reference=values["customer_reference"],
                    value=values["value"],
                    date=values["date"],
                    delivered_on_time=values["delivered_on_time"],
                    paid_on_time=values["paid_on_time"],
                    source=ProjectSource.CSV,
                    created_by=actor,
                )
                for values in cleaned
            )
            audit_bulk(
                organisation=organisation,
                actor=actor,
                entries=[
                    (
                        project,
                        project.partner_id,
                        {
                            "customer_reference": ["", project.customer_reference],
                            "value": ["", str(project.value)],
                            "date": ["", project.date.isoformat()],
                            "source": ["", ProjectSource.CSV],
                        },
                    )
                    for project in projects
                ],
            )
            return projects
    except (IntegrityError, ProjectImportRejected) as error:
        preview = ImportPreview(rows=validate_project_rows(organisation=organisation, raw_rows=raw_rows))
        raise ProjectImportRejected(preview) from error


def template_csv() -> tuple[list[str], list[list[str]]]:
    """(header, rows) of the example file: the column names and one project."""
    header = list(IMPORT_FIELDS)
    return header, [["Bouwbedrijf De Vries", "K-2026-001", "1.234,50", "15-01-2026", _("yes"), _("unknown")]]


register_importer(
    "project_import",
    read=read_project_csv,
    check=validate_project_rows,
    save=projects_save,
    rejected=ProjectImportRejected,
)
