"""Operations that change partners and contacts. Each runs in one transaction and writes the audit log.

Views call these with cleaned form data; a service never sees `request`.
"""

import copy
from functools import reduce
from operator import or_
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from partnerhub.audit import AuditAction, audit_changes, audit_record, field_changes
from partnerhub.erasure import PERSONAL_DATA_ERASERS
from partnerhub.models import AuditEntry, Contact, Organisation, Partner, PartnerStatus, User

PARTNER_FIELDS = [
    "name",
    "category",
    "status",
    "kvk_number",
    "website",
    "influence",
    "importance",
    "relationship_owner",
    "notes",
]
CONTACT_FIELDS = ["name", "job_title", "email", "phone", "is_key_person", "notes"]
# What identifies a person. The key-person flag stays: without a name it says nothing about anyone, and
# the partner keeps the shape of its relationship (how many people, who mattered).
CONTACT_PERSONAL_FIELDS = ["name", "job_title", "email", "phone", "notes"]
PARTNER_PERSONAL_FIELDS = ["notes"]
# Shown in the audit log instead of an erased value, in any language.
ERASED = "•••"


@transaction.atomic
def partner_create(*, organisation: Organisation, actor: User | None, **fields: Any) -> Partner:
    partner = Partner(organisation=organisation, **fields)
    partner.full_clean()
    partner.save()
    audit_record(
        organisation=organisation,
        actor=actor,
        action=AuditAction.CREATE,
        obj=partner,
        partner=partner,
        changes=field_changes(Partner(organisation=organisation), partner, PARTNER_FIELDS),
    )
    return partner


@transaction.atomic
def partner_update(*, partner: Partner, actor: User | None, **fields: Any) -> Partner:
    """Change a partner; the audit entry records exactly the fields whose value changed."""
    before = copy.copy(Partner.objects.select_for_update().get(pk=partner.pk))
    for name, value in fields.items():
        setattr(partner, name, value)
    partner.full_clean()
    partner.save()
    audit_changes(
        organisation=partner.organisation,
        actor=actor,
        before=before,
        after=partner,
        fields=PARTNER_FIELDS,
        partner=partner,
    )
    return partner


@transaction.atomic
def partner_delete(*, partner: Partner, actor: User | None) -> None:
    """Delete a partner with its contacts. The audit trail stays, by name, on the organisation's log."""
    audit_record(organisation=partner.organisation, actor=actor, action=AuditAction.DELETE, obj=partner)
    partner.delete()


@transaction.atomic
def partner_archive(*, partner: Partner, actor: User | None) -> Partner:
    """End the partnership instead of deleting the partner: status "ended", hidden from the partner list
    by default, while agreements, commissions and payouts keep pointing to it."""
    if partner.status == PartnerStatus.ENDED:
        return partner
    return partner_update(partner=partner, actor=actor, status=PartnerStatus.ENDED)


@transaction.atomic
def partner_erase_personal_data(*, partner: Partner, actor: User | None) -> int:
    """Erase the personal data of a partner's contact persons (GDPR) without deleting any record.

    Each contact person keeps its place (and key-person flag) under a neutral name; job title, e-mail,
    phone and notes are emptied, in the contacts and in what the audit log recorded of them (of contact
    persons deleted earlier too, and wherever an entry about the partner repeats an erased value). The
    partner's notes go as well, and the copies other apps keep (see partnerhub.erasure): the partner's
    entry in the log counts them. Signed agreements are contract evidence and are not touched. Erasing
    twice changes nothing the second time. Returns the number of contact persons.
    """
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    contacts = list(partner.contacts.order_by("pk"))
    erased_values: set[str] = set()
    erased_names: list[str] = []
    erased_fields: dict[Contact, list[str]] = {}
    for number, contact in enumerate(contacts, start=1):
        placeholder = _("Erased contact person %(number)d") % {"number": number}
        erased = [name for name in CONTACT_PERSONAL_FIELDS if getattr(contact, name)]
        if contact.name == placeholder:
            erased.remove("name")
        erased_values.update(getattr(contact, name) for name in erased)
        if "name" in erased:
            erased_names.append(contact.name)
        contact.name = placeholder
        for name in CONTACT_PERSONAL_FIELDS[1:]:
            setattr(contact, name, "")
        if erased:
            contact.save(update_fields=CONTACT_PERSONAL_FIELDS)
            erased_fields[contact] = erased
    erased_partner = [name for name in PARTNER_PERSONAL_FIELDS if getattr(partner, name)]
    erased_values.update(getattr(partner, name) for name in erased_partner)
    for name in erased_partner:
        setattr(partner, name, "")
    if erased_partner:
        partner.save(update_fields=[*erased_partner, "updated_at"])
    copies = sum(
        eraser(partner=partner, values=erased_values, actor=actor) for eraser in PERSONAL_DATA_ERASERS
    )

    _audit_forget(
        partner=partner,
        names={contact.pk: contact.name for contact in contacts},
        values=erased_values,
        erased_names=erased_names,
    )
    for contact, erased in erased_fields.items():
        audit_record(
            organisation=partner.organisation,
            actor=actor,
            action=AuditAction.UPDATE,
            obj=contact,
            partner=partner,
            changes={name: [ERASED, getattr(contact, name)] for name in erased},
        )
    changes: dict[str, object] = {name: [ERASED, ""] for name in erased_partner}
    if copies:
        changes["erased_copies"] = copies
    if changes:
        audit_record(
            organisation=partner.organisation,
            actor=actor,
            action=AuditAction.UPDATE,
            obj=partner,
            partner=partner,
            changes=changes,
        )
    return len(contacts)


def _audit_forget(
    *, partner: Partner, names: dict[int | None, str], values: set[str], erased_names: list[str]
) -> None:
    """Mask erased values in what the audit log recorded earlier: every personal field of the partner's
    contact persons and the partner (whatever value it had then), any value of an entry about the partner
    that repeats an erased one, and an erased name in an entry's title (a survey invitation made out to
    a contact person, say)."""
    contact_type, partner_type = Contact._meta.label_lower, Partner._meta.label_lower
    neutral = set(names.values())  # what an earlier erasure wrote stays, so a second one changes nothing

    def masked(value: object, personal: bool) -> object:
        if isinstance(value, list):
            return [masked(item, personal) for item in value]
        if isinstance(value, str) and value and ((personal and value not in neutral) or value in values):
            return ERASED
        return value

    about = Q(partner=partner) | Q(object_type=partner_type, object_id=partner.pk)
    if erased_names:
        titled = reduce(or_, (Q(object_repr__contains=name) for name in erased_names))
        about |= Q(titled, organisation=partner.organisation_id)
    for entry in AuditEntry.objects.select_for_update().filter(about):
        fields = {contact_type: CONTACT_PERSONAL_FIELDS, partner_type: PARTNER_PERSONAL_FIELDS}.get(
            entry.object_type, []
        )
        changes = {name: masked(change, name in fields) for name, change in entry.changes.items()}
        if entry.object_type == contact_type:
            object_repr = names.get(entry.object_id, ERASED)
        else:
            object_repr = entry.object_repr
            for name in erased_names:
                object_repr = object_repr.replace(name, ERASED)
        # Who answered through a link may be recorded by an erased address (a customer's NPS answer).
        actor_name = ERASED if entry.actor_name and entry.actor_name in values else entry.actor_name
        if (changes, object_repr, actor_name) != (entry.changes, entry.object_repr, entry.actor_name):
            entry.changes, entry.object_repr, entry.actor_name = changes, object_repr, actor_name
            entry.save(update_fields=["changes", "object_repr", "actor_name"])


def audit_forget_values(*, entries: QuerySet[AuditEntry], values: set[str]) -> None:
    """Mask each of `values` wherever the given audit entries recorded it (in a change, or as who acted):
    for an app's eraser whose records the log does not tie to the partner."""

    def masked(value: object) -> object:
        if isinstance(value, dict):
            return {name: masked(item) for name, item in value.items()}
        if isinstance(value, list):
            return [masked(item) for item in value]
        return ERASED if isinstance(value, str) and value and value in values else value

    for entry in entries.select_for_update():
        changes = masked(entry.changes)
        actor_name = ERASED if entry.actor_name and entry.actor_name in values else entry.actor_name
        if (changes, actor_name) != (entry.changes, entry.actor_name):
            entry.changes, entry.actor_name = changes, actor_name
            entry.save(update_fields=["changes", "actor_name"])


@transaction.atomic
def contact_create(*, partner: Partner, actor: User | None, **fields: Any) -> Contact:
    contact = Contact(partner=partner, **fields)
    contact.full_clean()
    contact.save()
    audit_record(
        organisation=partner.organisation,
        actor=actor,
        action=AuditAction.CREATE,
        obj=contact,
        partner=partner,
        changes=field_changes(Contact(partner=partner), contact, CONTACT_FIELDS),
    )
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, actor: User | None, **fields: Any) -> Contact:
    before = copy.copy(Contact.objects.get(pk=contact.pk))
    for name, value in fields.items():
        setattr(contact, name, value)
    contact.full_clean()
    contact.save()
    audit_changes(
        organisation=contact.partner.organisation,
        actor=actor,
        before=before,
        after=contact,
        fields=CONTACT_FIELDS,
        partner=contact.partner,
    )
    return contact


@transaction.atomic
def contact_delete(*, contact: Contact, actor: User | None) -> None:
    partner = contact.partner
    audit_record(
        organisation=partner.organisation,
        actor=actor,
        action=AuditAction.DELETE,
        obj=contact,
        partner=partner,
    )
    contact.delete()
