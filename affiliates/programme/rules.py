"""The programme's rules of one organisation, created with seed 004's defaults the first time they are needed.

Every part of the app reads the rules through `programme_for(organisation)`; nothing else creates settings,
tiers or the onboarding template.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from affiliates.models import OnboardingStep, ProgrammeSettings, Tier
from partnerhub.audit import (
    AuditAction,
    audit_changes,
    audit_record,
    formset_changed_forms,
    formset_deletions_save,
)
from partnerhub.models import Organisation, User

if TYPE_CHECKING:  # the forms import this module
    from affiliates.programme.forms import BaseTierFormSet, ProgrammeSettingsForm

CENT = Decimal("0.01")

# Seed 004, section 1.1: the partnership tiers of contractors.
DEFAULT_TIERS = [
    ("Bronze", 10, Decimal("5"), _("Logo on our website")),
    ("Silver", 25, Decimal("10"), _("Priority and co-marketing")),
    ("Gold", 50, Decimal("15"), _("Dedicated contact and events")),
    ("Platinum", 100, Decimal("20"), _("Custom SLA and exclusivity")),
]

# Seed 004, section 2.1: the four-week onboarding flow (phase, task, due in week).
DEFAULT_ONBOARDING = [
    (_("Week 1: getting to know each other"), _("Intro call (30 min)"), 1),
    (_("Week 1: getting to know each other"), _("Portfolio review"), 1),
    (_("Week 1: getting to know each other"), _("Align expectations"), 1),
    (_("Week 2: setup"), _("Create the partner account"), 2),
    (_("Week 2: setup"), _("Exchange contact persons"), 2),
    (_("Week 2: setup"), _("First test project"), 2),
    (_("Weeks 3-4: evaluation"), _("Feedback on the first project"), 4),
    (_("Weeks 3-4: evaluation"), _("Process optimisation"), 4),
    (_("Weeks 3-4: evaluation"), _("Formalise the partnership"), 4),
]


def cents(value: Decimal | int | str) -> Decimal:
    """A Decimal rounded to the cent (half up, as on an invoice)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def programme_for(organisation: Organisation) -> ProgrammeSettings:
    """The organisation's `ProgrammeSettings`, created with the defaults (tiers and onboarding too) if new."""
    existing = ProgrammeSettings.objects.filter(organisation=organisation).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            programme = ProgrammeSettings.objects.create(organisation=organisation)
            if not Tier.objects.filter(organisation=organisation).exists():
                Tier.objects.bulk_create(
                    Tier(
                        organisation=organisation,
                        name=name,
                        min_projects=threshold,
                        discount_percent=discount,
                        benefits=str(benefits),
                    )
                    for name, threshold, discount, benefits in DEFAULT_TIERS
                )
            if not OnboardingStep.objects.filter(organisation=organisation).exists():
                OnboardingStep.objects.bulk_create(
                    OnboardingStep(
                        organisation=organisation,
                        phase=str(phase),
                        title=str(title),
                        due_week=week,
                        position=i,
                    )
                    for i, (phase, title, week) in enumerate(DEFAULT_ONBOARDING)
                )
            return programme
    except IntegrityError:  # created by a concurrent request in the meantime
        return ProgrammeSettings.objects.get(organisation=organisation)


def tiers_of(organisation: Organisation) -> list[Tier]:
    """The organisation's tiers, lowest threshold first (defaults created if the programme is new)."""
    programme_for(organisation)
    return list(Tier.objects.filter(organisation=organisation).order_by("min_projects"))


def tier_for_count(tiers: Iterable[Tier], count: int) -> Tier | None:
    """The highest tier whose threshold `count` reaches, or None. `tiers` lowest threshold first."""
    reached = None
    for tier in tiers:
        if count >= tier.min_projects:
            reached = tier
    return reached


def settings_save(
    *, programme: ProgrammeSettings, form: ProgrammeSettingsForm, actor: User
) -> ProgrammeSettings:
    """Save the programme rules from a valid `ProgrammeSettingsForm`, with an audit record of what changed."""

    before = ProgrammeSettings.objects.get(pk=programme.pk)
    programme = form.save()
    programme.refresh_from_db()
    audit_changes(
        organisation=programme.organisation,
        actor=actor,
        before=before,
        after=programme,
        fields=form.changed_data,
    )
    return programme


def tiers_save(*, organisation: Organisation, formset: BaseTierFormSet, actor: User) -> None:
    """Save a valid tier formset. Thresholds are unique per organisation, so changed tiers first move to
    a free temporary threshold: swapping or shifting thresholds never trips the constraint halfway."""

    with transaction.atomic():
        formset_deletions_save(formset, organisation=organisation, actor=actor, label="name")
        changed = formset_changed_forms(formset)
        for form in changed:
            if form.instance.pk:
                Tier.objects.filter(pk=form.instance.pk).update(min_projects=1_000_000 + form.instance.pk)
        for form in changed:
            is_new = form.instance.pk is None
            before = {name: str(form.initial.get(name, "")) for name in form.changed_data}
            tier = form.save(commit=False)
            tier.organisation = organisation
            tier.save()
            audit_record(
                organisation=organisation,
                actor=actor,
                action=AuditAction.CREATE if is_new else AuditAction.UPDATE,
                obj=tier,
                changes={name: [before[name], str(form.cleaned_data[name])] for name in form.changed_data},
            )
