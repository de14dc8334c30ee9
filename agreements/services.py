"""Operations on agreements. Views call these; none of them touches a request."""

import copy
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, cast

from django.db import transaction
from django.db.models import Max
from django.forms import BaseModelFormSet
from django.utils import formats
from django.utils.translation import gettext as _

from agreements.legal_forms import LEGAL_FORMS_BY_CODE
from agreements.models import Agreement, Goal, Party, Risk, Section
from agreements.sections import BY_KEY
from agreements.signing import versions
from checker import services as checker_services
from checker.models import Collaboration
from partnerhub.audit import AuditAction, audit_record, field_changes
from partnerhub.models import Contact, Organisation, Partner, User

HUNDRED = Decimal("100")

# Per party id: {"cost_share": ..., "revenue_share": ...}, None where not filled in.
Shares = Mapping[int, Mapping[str, Decimal | None]]


class SplitError(ValueError):
    """The split was refused; `errors` maps "cost_share"/"revenue_share" to the reason."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def _check_partners(organisation: Organisation, partners: Iterable[Partner]) -> None:
    if any(partner.organisation_id != organisation.pk for partner in partners):
        raise ValueError("A partner of another organisation cannot take part in this agreement.")


def _first_contact(partner: Partner) -> Contact | None:
    """The contact person to put on the agreement: a key person first (the model's ordering)."""
    return partner.contacts.first()


@transaction.atomic
def agreement_create(
    *,
    organisation: Organisation,
    actor: User | None,
    title: str,
    partners: Iterable[Partner],
    collaboration: Collaboration | None = None,
    **fields: Any,
) -> Agreement:
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
def agreement_update(*, agreement: Agreement, actor: User | None, **fields: Any) -> Agreement:
    """Change the record; a new title renames the collaboration with it (they are one thing to the user)."""
    for name, value in fields.items():
        setattr(agreement, name, value)
    agreement.full_clean(exclude=["collaboration", "organisation"])
    agreement.save()
    if agreement.collaboration.name != agreement.title:
        agreement.collaboration.name = agreement.title
        agreement.collaboration.save(update_fields=["name"])
    audit_record(organisation=agreement.organisation, actor=actor, action=AuditAction.UPDATE, obj=agreement)
    versions.agreement_changed(agreement, actor=actor)
    return agreement


def percentage_text(value: Decimal) -> str:
    """100.00 → "100", 99.99 → "99,99" in Dutch: as people write percentages."""
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    return formats.number_format(value, use_l10n=True)


def split_problems(shares: Shares) -> dict[str, str]:
    """Why a split cannot be saved, per kind ("cost_share", "revenue_share"); {} when it can.

    `shares` holds, per party, the two percentages (Decimal, or None when not filled in). Each kind must be
    filled in for every party and add up to exactly 100: 99.99 and 100.01 are both refused.
    """
    labels = {
        "cost_share": _("The shares of the costs"),
        "revenue_share": _("The shares of the revenue or profit"),
    }
    problems: dict[str, str] = {}
    for kind, label in labels.items():
        values = [party_shares[kind] for party_shares in shares.values()]
        filled = [value for value in values if value is not None]
        if len(filled) < len(values):
            problems[kind] = _("%(label)s must be filled in for every party.") % {"label": label}
            continue
        total = sum(filled, Decimal("0"))
        if total != HUNDRED:
            problems[kind] = _("%(label)s add up to %(total)s %%; they must add up to exactly 100 %%.") % {
                "label": label,
                "total": percentage_text(total),
            }
    return problems


@transaction.atomic
def split_save(*, agreement: Agreement, actor: User | None, shares: Shares) -> None:
    """Store every party's cost and revenue share at once, or nothing (SplitError) when a split is not 100."""
    parties = {party.pk: party for party in agreement.parties.select_for_update().order_by()}
    if set(shares) != set(parties):
        raise SplitError({"cost_share": _("Give a share for every party of the agreement.")})
    problems = split_problems(shares)
    if problems:
        raise SplitError(problems)
    before = {party.pk: copy.copy(party) for party in parties.values()}
    partners = Partner.objects.in_bulk([party.partner_id for party in parties.values() if party.partner_id])
    for party_id, party_shares in shares.items():
        party = parties[party_id]
        party.cost_share, party.revenue_share = party_shares["cost_share"], party_shares["revenue_share"]
    Party.objects.bulk_update(parties.values(), ["cost_share", "revenue_share"])
    for party in parties.values():
        changes = field_changes(before[party.pk], party, ["cost_share", "revenue_share"])
        if changes:
            audit_record(
                organisation=agreement.organisation,
                actor=actor,
                action=AuditAction.UPDATE,
                obj=party,
                partner=partners.get(party.partner_id),
                changes=changes,
            )
    versions.agreement_changed(agreement, actor=actor)


@transaction.atomic
def section_save(
    *,
    agreement: Agreement,
    key: str,
    actor: User | None,
    complete: bool,
    content: Mapping[str, str] | None = None,
) -> Section:
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
    versions.agreement_changed(agreement, actor=actor)
    return section


def sections_of(agreement: Agreement) -> dict[str, Section]:
    """{key: Section} of the agreement (a section never saved is missing)."""
    return {section.key: section for section in agreement.sections.all()}


@transaction.atomic
def party_texts_save(
    *,
    agreement: Agreement,
    key: str,
    actor: User | None,
    texts: Mapping[int, Mapping[str, str]],
    complete: bool,
) -> Section:
    """Save one per-party section (contributions, obligations) for every party at once."""
    parties = {party.pk: party for party in agreement.parties.select_for_update().order_by()}
    names: set[str] = set()
    for party_id, values in texts.items():
        for name, value in values.items():
            setattr(parties[party_id], name, value)
            names.add(name)
    Party.objects.bulk_update(parties.values(), sorted(names))
    return section_save(agreement=agreement, key=key, actor=actor, complete=complete)


@transaction.atomic
def formset_save(
    *,
    agreement: Agreement,
    key: str,
    actor: User | None,
    formset: "BaseModelFormSet[Goal, Any] | BaseModelFormSet[Risk, Any]",
    complete: bool,
) -> Section:
    """Save the goals or risks of a formset (new, changed and deleted rows) and the section's state."""
    # The stub allows a formset without a model; those of goal_formset() and risk_formset() have theirs.
    model = cast("type[Goal] | type[Risk]", formset.model)
    rows = model.objects.filter(agreement=agreement)
    position = rows.aggregate(last=Max("position"))["last"] or 0
    for obj in formset.save(commit=False):
        if obj.pk is None:  # a new row goes after the others
            obj.agreement, position = agreement, position + 1
            obj.position = position
        obj.save()
    for obj in formset.deleted_objects:
        obj.delete()
    return section_save(agreement=agreement, key=key, actor=actor, complete=complete)


@transaction.atomic
def roles_save(
    *,
    agreement: Agreement,
    actor: User | None,
    lead: Party | None,
    content: Mapping[str, str],
    complete: bool,
) -> Section:
    """Save the roles section and who leads: one party (or nobody yet)."""
    if lead is not None and lead.agreement_id != agreement.pk:
        raise ValueError("The lead must be a party of this agreement.")
    parties = agreement.parties.select_for_update().order_by()
    others = parties if lead is None else parties.exclude(pk=lead.pk)
    others.filter(is_lead=True).update(is_lead=False)
    if lead is not None:
        parties.filter(pk=lead.pk).update(is_lead=True)
    return section_save(agreement=agreement, key="roles", actor=actor, content=content, complete=complete)


class PartyError(ValueError):
    """A party could not be added or removed; the message says why, for the user."""


@transaction.atomic
def party_add(
    *, agreement: Agreement, actor: User | None, partner: Partner, contact: Contact | None = None
) -> Party:
    """Add a partner to the agreement (and to its collaboration, so the checker asks it too)."""
    _check_partners(agreement.organisation, [partner])
    if contact is not None and contact.partner_id != partner.pk:
        raise ValueError("The contact person must belong to the partner.")
    if agreement.parties.filter(partner=partner).exists():
        raise PartyError(_("%(name)s already takes part in this agreement.") % {"name": partner.name})
    position = agreement.parties.aggregate(last=Max("position"))["last"] or 0
    party = Party.objects.create(
        agreement=agreement,
        partner=partner,
        contact=contact or _first_contact(partner),
        position=position + 1,
    )
    agreement.collaboration.partners.add(partner)
    _split_reset(agreement)
    audit_record(
        organisation=agreement.organisation,
        actor=actor,
        action=AuditAction.CREATE,
        obj=party,
        partner=partner,
    )
    versions.agreement_changed(agreement, actor=actor)
    return party


def _split_reset(agreement: Agreement) -> None:
    """A split agreed among other parties no longer holds: it is open again until it is agreed anew."""
    Section.objects.filter(agreement=agreement, key="split").update(complete=False)


@transaction.atomic
def party_remove(*, agreement: Agreement, actor: User | None, party: Party) -> None:
    """Take a partner out of the agreement. The organisation itself and a party that signed stay."""
    party = agreement.parties.select_for_update().order_by().get(pk=party.pk)
    if party.is_own_organisation:
        raise PartyError(_("Your own organisation is always a party to its agreements."))
    if party.signatures.exists():
        raise PartyError(
            _("%(name)s has signed a version of this agreement, so it stays on record as a party.")
            % {"name": party.name}
        )
    if agreement.parties.count() <= 2:
        raise PartyError(_("An agreement needs at least one partner besides your own organisation."))
    audit_record(
        organisation=agreement.organisation,
        actor=actor,
        action=AuditAction.DELETE,
        obj=party,
        partner=party.partner,
    )
    # A partner's party: the organisation's own (the one without a partner) was refused above.
    agreement.collaboration.partners.remove(cast(Partner, party.partner))
    party.delete()
    _split_reset(agreement)
    versions.agreement_changed(agreement, actor=actor)


@transaction.atomic
def party_contact_save(*, party: Party, actor: User | None, contact: Contact | None) -> Party:
    """Choose the partner's contact person for this agreement (the one who answers and signs)."""
    if contact is not None and contact.partner_id != party.partner_id:
        raise ValueError("The contact person must belong to the party's partner.")
    party.contact = contact
    party.save(update_fields=["contact"])
    versions.agreement_changed(party.agreement, actor=actor)
    return party


@transaction.atomic
def legal_form_answers_save(
    *, agreement: Agreement, actor: User | None, answers: dict[str, Any]
) -> Agreement:
    """Keep the advisor's answers (the questionnaire's cleaned data), so the advice can be shown again."""
    agreement.legal_form_answers = answers
    agreement.save(update_fields=["legal_form_answers", "updated_at"])
    return agreement


@transaction.atomic
def legal_form_choose(*, agreement: Agreement, actor: User | None, code: str) -> Agreement:
    """Record the chosen legal form on the collaboration ("" to undo the choice)."""
    if code and code not in LEGAL_FORMS_BY_CODE:
        raise ValueError(f"Unknown legal form {code!r}.")
    old, agreement.legal_form = agreement.legal_form, code
    agreement.save(update_fields=["legal_form", "updated_at"])
    audit_record(
        organisation=agreement.organisation,
        actor=actor,
        action=AuditAction.UPDATE,
        obj=agreement,
        changes={"legal_form": [old, code]},
    )
    versions.agreement_changed(agreement, actor=actor)
    return agreement
