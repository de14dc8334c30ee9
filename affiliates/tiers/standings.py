"""Partnership tiers (seed 004, 1.1): a partner's tier follows from the projects it brought in 12 months.

The window. A partner's count on day `today` is the number of its projects dated in the 12 calendar months
up to and including today: `today - 12 months < date <= today`, where "12 months" is calendar arithmetic
(same day of the month a year earlier; a day that month lacks becomes its last day, so 29 February 2028
looks back to 28 February 2027). On 15 April 2026 a project of 16 April 2025 counts; one of 15 April 2025
(exactly 12 months) or 14 April 2025 (12 months and a day) does not. Refunded orders and orders without a
partner count for nobody. A project dated after today (there should be none) does not count yet.

The tier is the highest tier whose threshold the count reaches (`programme.tier_for_count`). A partner's
current tier lives on its `TierStanding`; every change is a `TierChange` row (the history) and an audit
entry. A manager may set the tier by hand with a reason (an override): the evaluation keeps it, and only
updates the count, until the override is ended. `tiers_evaluate_organisation` evaluates all partners in a
few queries and mails the organisation's owners and managers one message with the promotions and
demotions; the task `affiliates.tiers.tasks.evaluate_tiers` runs it every quarter.
"""

import datetime
from calendar import monthrange
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from affiliates.models import ProgrammeSettings, Project, Tier, TierChange, TierChangeKind, TierStanding
from affiliates.programme.rules import programme_for, tier_for_count
from partnerhub.audit import AuditAction, audit_record
from partnerhub.models import Membership, Organisation, Partner, PartnerStatus, Role, User

WINDOW_MONTHS = 12


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` moved by whole calendar months (negative: back); the 31st becomes the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, monthrange(year, month)[1]))


def window(today: datetime.date, months: int = WINDOW_MONTHS) -> tuple[datetime.date, datetime.date]:
    """(after, until): the window is `after < date <= until`, `months` calendar months up to today."""
    return add_months(today, -months), today


def counted_projects(organisation: Organisation, *, today: datetime.date) -> QuerySet[Project]:
    """The projects that count for tiers on `today`: in the window, with a partner, not refunded."""
    after, until = window(today)
    return Project.objects.filter(
        organisation=organisation,
        partner__isnull=False,
        refunded_at__isnull=True,
        date__gt=after,
        date__lte=until,
    )


def project_counts(
    organisation: Organisation, *, today: datetime.date, partner_ids: Iterable[int] | None = None
) -> dict[int, int]:
    """{partner id: projects in the window} in one aggregate query (partners without projects absent)."""
    projects = counted_projects(organisation, today=today)
    if partner_ids is not None:
        projects = projects.filter(partner_id__in=partner_ids)
    rows = projects.values("partner_id").annotate(count=Count("pk")).order_by()
    return {row["partner_id"]: row["count"] for row in rows}


def next_tier(
    tiers: Iterable[Tier], count: int, *, current: Tier | None = None
) -> tuple[Tier, int] | tuple[None, None]:
    """(the next tier to reach, projects still needed) or (None, None) at the top.

    The next tier is the lowest one above both what `count` reaches and the partner's `current` tier (a
    partner set to Gold by hand with 3 projects is 97 projects from Platinum, not 7 from Bronze).
    """
    floor = current.min_projects if current is not None else 0
    for tier in tiers:
        if tier.min_projects > count and tier.min_projects > floor:
            return tier, tier.min_projects - count
    return None, None


def _rank(tier: Tier | None) -> int:
    return tier.min_projects if tier is not None else 0


@dataclass
class Outcome:
    """What an evaluation did to one partner's standing."""

    partner: Partner
    standing: TierStanding
    change: TierChange | None = None

    @property
    def is_promotion(self) -> bool:
        return self.change is not None and _rank(self.change.tier) > _rank(self.change.previous_tier)

    @property
    def is_demotion(self) -> bool:
        return self.change is not None and _rank(self.change.tier) < _rank(self.change.previous_tier)


def _name(tier: Tier | None) -> str:
    return tier.name if tier else ""


def _tier_change(
    partner: Partner,
    previous: Tier | None,
    tier: Tier | None,
    count: int,
    *,
    kind: str,
    actor: User | None,
    reason: str = "",
) -> TierChange:
    """The history row of a partner moving from `previous` to `tier` (either may be None), unsaved; the tiers'
    names are kept on it, so the history reads the same after a tier is renamed or removed."""
    return TierChange(
        organisation_id=partner.organisation_id,
        partner=partner,
        previous_tier=previous,
        tier=tier,
        previous_name=_name(previous),
        tier_name=_name(tier),
        project_count=count,
        kind=kind,
        reason=reason,
        actor=actor,
    )


def _evaluate(
    *,
    partner: Partner,
    standing: TierStanding,
    count: int,
    tiers: Sequence[Tier],
    now: datetime.datetime,
    actor: User | None = None,
) -> Outcome:
    """Apply `count` to the (unsaved or locked) standing; returns the Outcome with an unsaved change."""
    standing.project_count = count
    standing.evaluated_at = now
    outcome = Outcome(partner=partner, standing=standing)
    if standing.is_override:
        return outcome  # a tier set by hand stays until the override is ended
    previous = standing.tier
    tier = tier_for_count(tiers, count)
    if (previous.pk if previous else None) != (tier.pk if tier else None):
        standing.tier = tier
        outcome.change = _tier_change(
            partner, previous, tier, count, kind=TierChangeKind.EVALUATION, actor=actor
        )
    return outcome


def _audit_change(change: TierChange, *, standing: TierStanding, actor: User | None) -> None:
    audit_record(
        organisation=change.partner.organisation,
        actor=actor,
        actor_name="" if actor else "PartnerHub",
        action=AuditAction.UPDATE,
        obj=standing,
        partner=change.partner,
        changes={"tier": [change.previous_name, change.tier_name]},
    )


def _locked_standing(partner: Partner) -> TierStanding:
    """The partner's standing, locked for this transaction; created (no tier) if it has none."""
    standing = (
        TierStanding.objects.select_for_update(of=("self",))
        .select_related("tier")
        .filter(partner=partner)
        .first()
    )
    if standing is None:
        standing, _created = TierStanding.objects.get_or_create(
            partner=partner, defaults={"organisation_id": partner.organisation_id}
        )
        standing = (
            TierStanding.objects.select_for_update(of=("self",)).select_related("tier").get(pk=standing.pk)
        )
    return standing


def tier_evaluate(
    partner: Partner, *, today: datetime.date | None = None, actor: User | None = None
) -> Outcome:
    """Re-evaluate one partner now: count its projects in the window and set the tier it reaches.

    Creates the standing if missing; writes a TierChange (kind evaluation) and an audit entry only when the
    tier changes. An override is kept (the count is still updated). Returns the Outcome.
    """
    today = today or timezone.localdate()
    tiers = list(Tier.objects.filter(organisation_id=partner.organisation_id).order_by("min_projects"))
    with transaction.atomic():
        standing = _locked_standing(partner)
        count = project_counts(partner.organisation, today=today, partner_ids=[partner.pk]).get(partner.pk, 0)
        outcome = _evaluate(
            partner=partner, standing=standing, count=count, tiers=tiers, now=timezone.now(), actor=actor
        )
        standing.save()
        if outcome.change is not None:
            outcome.change.save()
            _audit_change(outcome.change, standing=standing, actor=actor)
    return outcome


def tiers_evaluate_organisation(
    organisation: Organisation,
    *,
    today: datetime.date | None = None,
    actor: User | None = None,
    notify: bool = True,
) -> list[Outcome]:
    """Evaluate every active partner that has projects or a standing, in a fixed number of queries.

    One aggregate query counts all partners' projects; standings are created and updated in bulk; changes
    are written in bulk. When any partner moved up or down and `notify` is set, the organisation's owners
    and managers get one e-mail (a Celery task queued after commit). Returns the list of Outcomes that
    changed a tier.
    """
    today = today or timezone.localdate()
    programme_for(organisation)
    tiers = list(Tier.objects.filter(organisation=organisation).order_by("min_projects"))
    now = timezone.now()
    with transaction.atomic():
        # Evaluations of one organisation take turns (a click and the quarterly task, or two clicks): the
        # second one finds the first one's standings and changes, so it neither adds nor mails them again.
        ProgrammeSettings.objects.select_for_update().filter(organisation=organisation).order_by().first()
        partners = list(
            Partner.objects.filter(organisation=organisation, status=PartnerStatus.ACTIVE)
            .filter(
                Q(Exists(Project.objects.filter(partner=OuterRef("pk"))))
                | Q(Exists(TierStanding.objects.filter(partner=OuterRef("pk"))))
            )
            .select_related("organisation")
            .order_by("pk")
        )
        standings = {
            standing.partner_id: standing
            for standing in TierStanding.objects.select_for_update(of=("self",))
            .select_related("tier")
            .filter(organisation=organisation, partner__in=[p.pk for p in partners])
        }
        counts = project_counts(organisation, today=today)
        new: list[TierStanding] = []
        existing: list[TierStanding] = []
        changed: list[Outcome] = []
        changes: list[TierChange] = []  # the changes of `changed`, in its order
        for partner in partners:
            standing = standings.get(partner.pk)
            if standing is None:
                standing = TierStanding(organisation=organisation, partner=partner)
                new.append(standing)
            else:
                existing.append(standing)
            partner.tier_standing = standing
            outcome = _evaluate(
                partner=partner,
                standing=standing,
                count=counts.get(partner.pk, 0),
                tiers=tiers,
                now=now,
                actor=actor,
            )
            if outcome.change is not None:
                changed.append(outcome)
                changes.append(outcome.change)
        TierStanding.objects.bulk_create(new)
        TierStanding.objects.bulk_update(existing, ["tier", "project_count", "evaluated_at"], batch_size=500)
        TierChange.objects.bulk_create(changes)
        for outcome, change in zip(changed, changes, strict=True):
            _audit_change(change, standing=outcome.standing, actor=actor)
        moved = [
            change
            for outcome, change in zip(changed, changes, strict=True)
            if outcome.is_promotion or outcome.is_demotion
        ]
        if notify and moved:
            from affiliates.tiers.tasks import send_tier_changes_mail  # tasks imports this module

            organisation_id = organisation.pk
            change_ids = [change.pk for change in moved]
            transaction.on_commit(lambda: send_tier_changes_mail.delay(organisation_id, change_ids))
    return changed


def organisations_to_evaluate() -> QuerySet[Organisation]:
    """Organisations that run the programme: they have programme settings or projects."""

    return Organisation.objects.filter(
        Q(programme_settings__isnull=False) | Q(Exists(Project.objects.filter(organisation=OuterRef("pk"))))
    ).order_by("pk")


def tier_override(
    partner: Partner,
    *,
    tier: Tier | None,
    reason: str | None,
    actor: User | None,
    today: datetime.date | None = None,
) -> TierStanding:
    """Set the partner's tier by hand (`tier` None: no tier), with a reason. The evaluation keeps it.

    A reason is required (ValidationError otherwise); the tier must be one of the partner's organisation.
    The same override sent twice (a double submit) changes nothing the second time.
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Say why you set this tier by hand.")})
    if tier is not None and tier.organisation_id != partner.organisation_id:
        raise ValidationError({"tier": _("Choose one of your own tiers.")})
    today = today or timezone.localdate()
    with transaction.atomic():
        standing = _locked_standing(partner)
        previous = standing.tier
        same_tier = (previous.pk if previous else None) == (tier.pk if tier else None)
        if standing.is_override and same_tier and standing.override_reason == reason[:300]:
            return standing
        count = project_counts(partner.organisation, today=today, partner_ids=[partner.pk]).get(partner.pk, 0)
        was_override = standing.is_override
        standing.tier = tier
        standing.project_count = count
        standing.is_override = True
        standing.override_reason = reason[:300]
        standing.save()
        _tier_change(
            partner, previous, tier, count, kind=TierChangeKind.OVERRIDE, actor=actor, reason=reason[:300]
        ).save()
        audit_record(
            organisation=partner.organisation,
            actor=actor,
            action=AuditAction.UPDATE,
            obj=standing,
            partner=partner,
            changes={
                "tier": [_name(previous), _name(tier)],
                "is_override": [str(was_override), "True"],
                "override_reason": ["", reason[:300]],
            },
        )
    return standing


def tier_override_end(
    partner: Partner, *, actor: User | None, today: datetime.date | None = None
) -> TierStanding | None:
    """End a manual tier: the partner gets the tier its count reaches again (a TierChange of kind
    override_ended). Without an override this does nothing and returns None."""
    today = today or timezone.localdate()
    tiers = list(Tier.objects.filter(organisation_id=partner.organisation_id).order_by("min_projects"))
    with transaction.atomic():
        standing = _locked_standing(partner)
        if not standing.is_override:
            return None
        count = project_counts(partner.organisation, today=today, partner_ids=[partner.pk]).get(partner.pk, 0)
        previous = standing.tier
        tier = tier_for_count(tiers, count)
        reason = standing.override_reason
        standing.tier = tier
        standing.project_count = count
        standing.evaluated_at = timezone.now()
        standing.is_override = False
        standing.override_reason = ""
        standing.save()
        _tier_change(partner, previous, tier, count, kind=TierChangeKind.OVERRIDE_ENDED, actor=actor).save()
        audit_record(
            organisation=partner.organisation,
            actor=actor,
            action=AuditAction.UPDATE,
            obj=standing,
            partner=partner,
            changes={
                "tier": [_name(previous), _name(tier)],
                "is_override": ["True", "False"],
                "override_reason": [reason, ""],
            },
        )
    return standing


def tier_changes_mail(
    *, organisation_id: int, change_ids: Iterable[int], now: datetime.datetime | None = None
) -> int:
    """Mail the organisation's owners and managers one message with the promotions and demotions.

    The changes are locked and marked mailed in the transaction that sends, so a task that runs twice (or
    two tasks for the same changes) mails once; if sending fails nothing is marked and the task tries
    again. Returns the number of recipients (0 when there is nobody to tell or nothing left to tell).
    """

    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return 0
    with transaction.atomic():
        changes = list(
            TierChange.objects.select_for_update(of=("self",))
            .filter(organisation=organisation, pk__in=change_ids, mailed_at__isnull=True)
            .select_related("partner", "tier", "previous_tier")
            .order_by("partner__name", "pk")
        )
        promotions = [c for c in changes if _rank(c.tier) > _rank(c.previous_tier)]
        demotions = [c for c in changes if _rank(c.tier) < _rank(c.previous_tier)]
        recipients = sorted(
            set(
                Membership.objects.filter(organisation=organisation, role__in=[Role.OWNER, Role.MANAGER])
                .exclude(user__email="")
                .values_list("user__email", flat=True)
            )
        )
        if not recipients or not (promotions or demotions):
            return 0
        TierChange.objects.filter(pk__in=[change.pk for change in changes]).update(
            mailed_at=now or timezone.now()
        )
        context = {
            "organisation": organisation,
            "promotions": promotions,
            "demotions": demotions,
            "url": settings.SITE_URL.rstrip("/")
            + reverse("affiliates:tier_overview", args=[organisation.slug]),
        }
        with translation.override(settings.LANGUAGE_CODE):
            subject = " ".join(
                render_to_string("affiliates/tiers/email/changes_subject.txt", context).split()
            )
            body = render_to_string("affiliates/tiers/email/changes_body.txt", context)
        send_mail(subject, body, None, recipients)
    return len(recipients)
