"""Named read queries for partners and the dashboard. Every one starts from an organisation."""

from typing import TypedDict

from django.db.models import Count, F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils.functional import Promise

from partnerhub.models import AuditEntry, Organisation, Partner, PartnerCategory, PartnerStatus

PARTNER_SORTS: dict[str, tuple[str | OrderBy, ...]] = {
    "name": ("name",),
    "-name": ("-name",),
    "category": ("category", "name"),
    "-category": ("-category", "name"),
    "status": ("status", "name"),
    "-status": ("-status", "name"),
    "radar": (F("influence").desc(nulls_last=True), F("importance").desc(nulls_last=True), "name"),
    "-radar": (F("influence").asc(nulls_last=True), F("importance").asc(nulls_last=True), "name"),
    "updated": ("-updated_at", "name"),
    "-updated": ("updated_at", "name"),
}
DEFAULT_PARTNER_SORT = "name"
# The status filter's value for every partner, ended (archived) ones included. Without a status the
# list shows the current partners: an ended partner is archived, out of sight until asked for.
ALL_STATUSES = "all"


def partner_search(
    *,
    organisation: Organisation,
    query: str = "",
    category: str = "",
    status: str = "",
    sort: str = DEFAULT_PARTNER_SORT,
) -> QuerySet[Partner]:
    """The organisation's partners filtered by a free-text query, category and status, in one query.

    The query matches the partner's name, KvK number and notes, and the names of its contact persons.
    Without a status, ended partners are left out; `status=ALL_STATUSES` includes them.
    Contact counts are annotated so the list never asks per row.
    """
    partners = Partner.objects.filter(organisation=organisation)
    query = query.strip()
    if query:
        matching_contacts = Q(contacts__name__icontains=query) | Q(contacts__email__icontains=query)
        partners = partners.filter(
            Q(name__icontains=query)
            | Q(kvk_number__icontains=query)
            | Q(notes__icontains=query)
            | Q(pk__in=Partner.objects.filter(matching_contacts, organisation=organisation).values("pk"))
        )
    if category in PartnerCategory.values:
        partners = partners.filter(category=category)
    if status in PartnerStatus.values:
        partners = partners.filter(status=status)
    elif status != ALL_STATUSES:
        partners = partners.exclude(status=PartnerStatus.ENDED)
    ordering = PARTNER_SORTS.get(sort, PARTNER_SORTS[DEFAULT_PARTNER_SORT])
    return partners.annotate(
        contact_count=Count("contacts", distinct=True),
        key_person_count=Count("contacts", filter=Q(contacts__is_key_person=True), distinct=True),
    ).order_by(*ordering)


class PartnerCounts(TypedDict):
    status: list[tuple[str, str | Promise, int]]  # (value, label, count) for every status
    category: list[tuple[str, str | Promise, int]]
    total: int


def partner_counts(*, organisation: Organisation) -> PartnerCounts:
    """{"status": [(value, label, count)], "category": [...]} with every choice, zeros included."""
    partners = Partner.objects.filter(organisation=organisation)
    by_status = dict(partners.order_by().values_list("status").annotate(n=Count("id")))
    by_category = dict(partners.order_by().values_list("category").annotate(n=Count("id")))
    return {
        "status": [(value, label, by_status.get(value, 0)) for value, label in PartnerStatus.choices],
        "category": [(value, label, by_category.get(value, 0)) for value, label in PartnerCategory.choices],
        "total": sum(by_status.values()),
    }


def recent_changes(*, organisation: Organisation, limit: int = 10) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(organisation=organisation).select_related("actor", "partner")[:limit]


def partner_audit(*, partner: Partner, limit: int = 50) -> QuerySet[AuditEntry]:
    return partner.audit_entries.select_related("actor")[:limit]
