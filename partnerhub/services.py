"""Operations that change partners and contacts. Each runs in one transaction and writes the audit log.

Views call these with cleaned form data; a service never sees `request`.
"""

import copy

from django.db import transaction

from partnerhub.audit import AuditAction, audit_changes, audit_record, field_changes
from partnerhub.models import Contact, Partner

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


@transaction.atomic
def partner_create(*, organisation, actor, **fields):
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
def partner_update(*, partner, actor, **fields):
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
def partner_delete(*, partner, actor):
    """Delete a partner with its contacts. The audit trail stays, by name, on the organisation's log."""
    audit_record(organisation=partner.organisation, actor=actor, action=AuditAction.DELETE, obj=partner)
    partner.delete()


@transaction.atomic
def contact_create(*, partner, actor, **fields):
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
def contact_update(*, contact, actor, **fields):
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
def contact_delete(*, contact, actor):
    partner = contact.partner
    audit_record(
        organisation=partner.organisation,
        actor=actor,
        action=AuditAction.DELETE,
        obj=contact,
        partner=partner,
    )
    contact.delete()
