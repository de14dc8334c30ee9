"""Named read queries for partners and the dashboard. Every one starts from an organisation."""

from typing import TypedDict

from django.db.models import Count, F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils.functional import Promise

from partnerhub import search
from partnerhub.models import AuditEntry, Contact, Organisation, Partner, PartnerCategory, PartnerStatus

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

    The query matches the partner's name, KvK number and notes, and the names and e-mail addresses of its
    contact persons, ignoring case and accents (see `partners_matching`). Without a status, ended partners
    are left out; `status=ALL_STATUSES` includes them. Contact counts are annotated so the list never asks
    per row.
    """
    partners = partners_matching(
        Partner.objects.filter(organisation=organisation), organisation=organisation, query=query
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


def partners_matching(
    partners: QuerySet[Partner], *, organisation: Organisation, query: str
) -> QuerySet[Partner]:
    """Those of `partners` (the organisation's) that match a search query, case and accents ignored.

    A query of MIN_CONTAINS_LENGTH characters or more is looked for anywhere in the partner's name, KvK
    number and notes and in its contact persons' names and e-mail addresses: the ids of the partners that
    match and of the contacts' partners that match, as one UNION, each side read through its trigram index
    on PostgreSQL, so the time follows the matches, not the organisation's size. A shorter query matches
    the start of the partner's name only (`search.is_limited`). An empty query leaves `partners` as is.
    """
    terms = search.normalise(query)
    if not terms:
        return partners
    if search.is_limited(terms):
        return partners.filter(search_text__startswith=terms)
    by_partner = Partner.objects.filter(organisation=organisation, search_text__contains=terms)
    by_contact = Contact.objects.filter(partner__organisation=organisation, search_text__contains=terms)
    matched = by_partner.order_by().values("pk").union(by_contact.order_by().values("partner_id"))
    return partners.filter(pk__in=matched)


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
