"""Operations on agreements. Views call these; none of them touches a request."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import formats
from django.utils.translation import gettext as _

from agreements import signing
from agreements.models import Agreement, Party, Section
from agreements.sections import BY_KEY
from checker import services as checker_services
from partnerhub.audit import AuditAction, audit_record

HUNDRED = Decimal("100")


class SplitError(ValueError):
    """The split was refused; `errors` maps "cost_share"/"revenue_share" to the reason."""

    def __init__(self, errors):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def _check_partners(organisation, partners):
    if any(partner.organisation_id != organisation.pk for partner in partners):
        raise ValueError("A partner of another organisation cannot take part in this agreement.")


def _first_contact(partner):
    """The contact person to put on the agreement: a key person first (the model's ordering)."""
    return partner.contacts.first()


@transaction.atomic
def agreement_create(*, organisation, actor, title, partners, collaboration=None, **fields):
    """A new agreement with its parties: the organisation itself and each partner with its contact person.

    Without a `collaboration`, one is made with the agreement's title, so the checker can evaluate it.
    """
    partners = list(partners)
    _check_partners(organisation, partners)
    if collaboration is None:
        collaboration = checker_services.collaboration_create(
            organisation=organisation, actor=actor, name=title, partners=partners
        )
    elif collaboration.organisation_id != organisation.pk:
        raise ValueError("A collaboration of another organisation cannot be used.")
    agreement = Agreement.objects.create(
        organisation=organisation, collaboration=collaboration, title=title, created_by=actor, **fields
    )
    Party.objects.create(agreement=agreement, partner=None, position=0)
    Party.objects.bulk_create(
        Party(agreement=agreement, partner=partner, contact=_first_contact(partner), position=position)
        for position, partner in enumerate(partners, start=1)
    )
    audit_record(organisation=organisation, actor=actor, action=AuditAction.CREATE, obj=agreement)
    return agreement


@transaction.atomic
def agreement_update(*, agreement, actor, **fields):
    """Change the record; a new title renames the collaboration with it (they are one thing to the user)."""
    for name, value in fields.items():
        setattr(agreement, name, value)
    agreement.full_clean(exclude=["collaboration", "organisation"])
    agreement.save()
    if agreement.collaboration.name != agreement.title:
        agreement.collaboration.name = agreement.title
        agreement.collaboration.save(update_fields=["name"])
    audit_record(organisation=agreement.organisation, actor=actor, action=AuditAction.UPDATE, obj=agreement)
    signing.agreement_changed(agreement, actor=actor)
    return agreement


def _percentage(value):
    """100.00 → "100", 99.99 → "99,99" in Dutch: as people write percentages."""
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    return formats.number_format(value, use_l10n=True)


def split_problems(shares):
    """Why a split cannot be saved, per kind ("cost_share", "revenue_share"); {} when it can.

    `shares` holds, per party, the two percentages (Decimal, or None when not filled in). Each kind must be
    filled in for every party and add up to exactly 100: 99.99 and 100.01 are both refused.
    """
    labels = {
        "cost_share": _("The shares of the costs"),
        "revenue_share": _("The shares of the revenue or profit"),
    }
    problems = {}
    for kind, label in labels.items():
        values = [party_shares[kind] for party_shares in shares.values()]
        if any(value is None for value in values):
            problems[kind] = _("%(label)s must be filled in for every party.") % {"label": label}
            continue
        total = sum(values, Decimal("0"))
        if total != HUNDRED:
            problems[kind] = _("%(label)s add up to %(total)s %%; they must add up to exactly 100 %%.") % {
                "label": label,
                "total": _percentage(total),
            }
    return problems


@transaction.atomic
def split_save(*, agreement, actor, shares):
    """Store every party's cost and revenue share at once, or nothing (SplitError) when a split is not 100."""
    parties = {party.pk: party for party in agreement.parties.select_for_update().order_by()}
    if set(shares) != set(parties):
        raise SplitError({"cost_share": _("Give a share for every party of the agreement.")})
    problems = split_problems(shares)
    if problems:
        raise SplitError(problems)
    for party_id, party_shares in shares.items():
        party = parties[party_id]
        party.cost_share, party.revenue_share = party_shares["cost_share"], party_shares["revenue_share"]
    Party.objects.bulk_update(parties.values(), ["cost_share", "revenue_share"])
    audit_record(
        organisation=agreement.organisation,
        actor=actor,
        action=AuditAction.UPDATE,
        obj=agreement,
        changes={
            "split": {
                party.name: [str(party.cost_share), str(party.revenue_share)] for party in parties.values()
            }
        },
    )
    signing.agreement_changed(agreement, actor=actor)


@transaction.atomic
def section_save(*, agreement, key, actor, complete, content=None):
    """Save one section: its texts (for a text section) and whether it is complete."""
    spec = BY_KEY[key]
    section, _created = Section.objects.select_for_update().get_or_create(agreement=agreement, key=key)
    if content is not None:
        allowed = {field.name for field in spec.fields}
        section.content = {name: text.strip() for name, text in content.items() if name in allowed}
    section.complete = complete
    section.updated_by = actor
    section.save()
    Agreement.objects.filter(pk=agreement.pk).update(updated_at=section.updated_at)
    signing.agreement_changed(agreement, actor=actor)
    return section


def sections_of(agreement):
    """{key: Section} of the agreement (a section never saved is missing)."""
    return {section.key: section for section in agreement.sections.all()}


@transaction.atomic
def party_texts_save(*, agreement, key, actor, texts, complete):
    """Save one per-party section (contributions, obligations) for every party at once."""
    parties = {party.pk: party for party in agreement.parties.select_for_update().order_by()}
    names = set()
    for party_id, values in texts.items():
        for name, value in values.items():
            setattr(parties[party_id], name, value)
            names.add(name)
    Party.objects.bulk_update(parties.values(), sorted(names))
    return section_save(agreement=agreement, key=key, actor=actor, complete=complete)


@transaction.atomic
def formset_save(*, agreement, key, actor, formset, complete):
    """Save the goals or risks of a formset (new, changed and deleted rows) and the section's state."""
    rows = formset.model.objects.filter(agreement=agreement)
    position = rows.aggregate(last=Max("position"))["last"] or 0
    for obj in formset.save(commit=False):
        if obj.pk is None:  # a new row goes after the others
            obj.agreement, position = agreement, position + 1
            obj.position = position
        obj.save()
    for obj in formset.deleted_objects:
        obj.delete()
    return section_save(agreement=agreement, key=key, actor=actor, complete=complete)
