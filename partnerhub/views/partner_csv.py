"""The partner list as CSV, and importing partners from a CSV file (upload → preview → confirm)."""

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from partnerhub import selectors
from partnerhub.csv_import import CsvImport, csv_import_page
from partnerhub.exports import csv_response
from partnerhub.forms import PartnerFilterForm
from partnerhub.models import Partner, PartnerCategory, PartnerStatus
from partnerhub.partner_import import (
    PartnerImportRejected,
    parse_partner_csv,
    partners_import,
    read_partner_csv,
    template_csv,
)
from partnerhub.tenancy import organisation_view, require_write

EXPORT_FIELDS = ["name", "category", "status", "kvk_number", "website", "influence", "importance"]


@organisation_view
@require_safe
def partner_export(request):
    """The list as the user filtered it, one query, streamed. Viewers may export: it is reading."""
    filters = PartnerFilterForm(request.GET).filters()
    partners = selectors.partner_search(organisation=request.organisation, **filters)
    categories = {value: str(label) for value, label in PartnerCategory.choices}
    statuses = {value: str(label) for value, label in PartnerStatus.choices}
    header = [capfirst(Partner._meta.get_field(name).verbose_name) for name in EXPORT_FIELDS]
    header += [_("Contacts"), _("Key persons"), capfirst(Partner._meta.get_field("notes").verbose_name)]
    rows = (
        [
            name,
            categories.get(category, category),
            statuses.get(status, status),
            kvk_number,
            website,
            influence,
            importance,
            contact_count,
            key_person_count,
            notes,
        ]
        for (
            name,
            category,
            status,
            kvk_number,
            website,
            influence,
            importance,
            contact_count,
            key_person_count,
            notes,
        ) in partners.values_list(*EXPORT_FIELDS, "contact_count", "key_person_count", "notes").iterator(
            chunk_size=2000
        )
    )
    filename = f"partners-{request.organisation.slug}-{timezone.localdate():%Y-%m-%d}.csv"
    return csv_response(filename, header, rows)


PARTNER_IMPORT = CsvImport(
    name="partner_import",
    template="partnerhub/partner_import.html",
    example=template_csv,
    example_filename=lambda: _("partners-import-example.csv"),
    read=read_partner_csv,
    parse=parse_partner_csv,
    save=partners_import,
    rejected=PartnerImportRejected,
    done_message=lambda count: (
        ngettext("%(count)s partner imported.", "%(count)s partners imported.", count) % {"count": count}
    ),
    done_url="partner_list",
    context={"categories": PartnerCategory.labels, "statuses": PartnerStatus.labels},
)


@organisation_view
@require_http_methods(["GET", "POST"])
def partner_import(request):
    """Upload a CSV, see every row checked, then import all rows or none. Owners and managers only."""
    require_write(request.membership)
    return csv_import_page(request, PARTNER_IMPORT)
