"""Onboarding (seed 004, 2.1): the organisation's template of steps and a new partner's tasks.

The template is the organisation's `OnboardingStep` rows (phase, task, due week), created with seed 004's
four-week flow by `programme.programme_for`. Starting a partner's onboarding copies every step into an
`OnboardingTask` with an owner and a due date: the fifth day of its week,

    due = start + (due_week − 1) × 7 + 4 days

(started on a Monday, week 1's tasks are due that Friday, week 4's on the Friday three weeks later).

A partner's onboarding is "open" while one of its tasks is not done; it cannot be started again while open.
Creating a partner does not start it: the partner page offers "Start onboarding" (a partner added as a
prospect is not yet a partner to onboard).
"""

import datetime
from collections.abc import Sequence
from typing import Any, TypedDict

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Min, Q, QuerySet
from django.forms import BaseModelFormSet
from django.utils import timezone
from django.utils.translation import gettext as _

from affiliates.models import OnboardingStep, OnboardingTask
from affiliates.programme.rules import programme_for
from partnerhub.audit import AuditAction, audit_record, formset_changed_forms, formset_deletions_save
from partnerhub.models import Membership, Organisation, Partner, User


class OnboardingRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Progress(TypedDict):
    """A partner's onboarding at a glance (`progress`)."""

    total: int
    done: int
    percent: int
    overdue: int
    next: list[OnboardingTask]  # the open tasks, by due date
    is_open: bool


def due_date(start: datetime.date, due_week: int) -> datetime.date:
    """The due date of a step of week `due_week` for an onboarding that starts on `start`."""
    return start + datetime.timedelta(days=(due_week - 1) * 7 + 4)


def template_steps(organisation: Organisation) -> QuerySet[OnboardingStep]:
    """The organisation's onboarding template (the seed's defaults when the programme is new)."""
    programme_for(organisation)
    return OnboardingStep.objects.filter(organisation=organisation)


def members(organisation: Organisation) -> QuerySet[User]:
    """The users who can own a task: the organisation's members, by name."""

    return (
        get_user_model()
        .objects.filter(memberships__organisation=organisation)
        .order_by("full_name", "email")
        .distinct()
    )


def _check_owner(organisation: Organisation, owner: User | None) -> None:
    if owner is not None and not Membership.objects.filter(organisation=organisation, user=owner).exists():
        raise ValidationError(_("The owner must be a member of your organisation."))


def is_open(partner: Partner) -> bool:
    return OnboardingTask.objects.filter(partner=partner, done_at__isnull=True).exists()


@transaction.atomic
def template_save(
    *,
    organisation: Organisation,
    formset: "BaseModelFormSet[OnboardingStep, Any]",
    actor: User | None,
) -> None:
    """Save a valid formset of the template: removed steps go, changed and new steps are stored, and the
    steps get their position from the order the form gives them (then by week, as the model orders)."""
    formset_deletions_save(formset, organisation=organisation, actor=actor, label="title")
    kept = [form for form in formset.ordered_forms if form not in formset.deleted_forms]
    kept += [form for form in formset_changed_forms(formset) if form not in kept]
    for position, form in enumerate(kept):
        is_new = form.instance.pk is None
        changed = [name for name in form.changed_data if name not in ("ORDER", "DELETE")]
        before = {name: str(form.initial.get(name, "")) for name in changed}
        step = form.save(commit=False)
        step.organisation = organisation
        step.position = position
        step.save()
        if is_new or changed:
            audit_record(
                organisation=organisation,
                actor=actor,
                action=AuditAction.CREATE if is_new else AuditAction.UPDATE,
                obj=step,
                changes={name: [before[name], str(form.cleaned_data[name])] for name in changed},
            )
    if not OnboardingStep.objects.filter(organisation=organisation).exists():
        raise ValidationError(_("Keep at least one step in the onboarding."))


def onboarding_start(
    *, partner: Partner, start: datetime.date, owner: User | None, actor: User | None
) -> list[OnboardingTask]:
    """Copy the template into the partner's tasks, due from `start` (see `due_date`), all owned by `owner`
    (a member, or None). Refused while the partner has an open onboarding. Returns the new tasks."""
    organisation = partner.organisation
    _check_owner(organisation, owner)
    steps = list(template_steps(organisation))
    if not steps:
        raise OnboardingRefused(_("The onboarding template has no steps."))
    with transaction.atomic():
        # Locking the partner serialises two starts (a double click): the second sees the first's tasks.
        Partner.objects.select_for_update().order_by().filter(pk=partner.pk).first()
        if is_open(partner):
            raise OnboardingRefused(
                _("The onboarding of %(partner)s is already under way.") % {"partner": partner.name}
            )
        tasks = OnboardingTask.objects.bulk_create(
            OnboardingTask(
                organisation=organisation,
                partner=partner,
                phase=step.phase,
                title=step.title,
                due_date=due_date(start, step.due_week),
                owner=owner,
                position=index,
            )
            for index, step in enumerate(steps)
        )
        audit_record(
            organisation=organisation,
            actor=actor,
            action=AuditAction.CREATE,
            obj=tasks[0],
            partner=partner,
            changes={"due_date": ["", start.isoformat()], "owner": ["", str(owner or "")]},
        )
    return tasks


def task_toggle(
    *, task: OnboardingTask, actor: User | None, now: datetime.datetime | None = None
) -> OnboardingTask:
    """Mark a task done, or open again when it was done. Returns the task."""
    with transaction.atomic():
        task = OnboardingTask.objects.select_for_update().order_by().select_related("partner").get(pk=task.pk)
        before = task.done_at
        task.done_at = None if task.done_at else (now or timezone.now())
        task.save(update_fields=["done_at"])
        audit_record(
            organisation=task.partner.organisation,
            actor=actor,
            action=AuditAction.UPDATE,
            obj=task,
            partner=task.partner,
            changes={"done_at": [_when(before), _when(task.done_at)]},
        )
    return task


def task_update(
    *, task: OnboardingTask, actor: User | None, owner: User | None, due_date: datetime.date
) -> OnboardingTask:
    """Change a task's owner (a member, or None) and due date."""
    with transaction.atomic():
        task = OnboardingTask.objects.select_for_update().order_by().select_related("partner").get(pk=task.pk)
        _check_owner(task.partner.organisation, owner)
        changes: dict[str, list[str]] = {}
        if task.owner_id != (owner.pk if owner else None):
            changes["owner"] = [str(task.owner or ""), str(owner or "")]
        if task.due_date != due_date:
            changes["due_date"] = [task.due_date.isoformat(), due_date.isoformat()]
        task.owner = owner
        task.due_date = due_date
        task.save(update_fields=["owner", "due_date"])
        if changes:
            audit_record(
                organisation=task.partner.organisation,
                actor=actor,
                action=AuditAction.UPDATE,
                obj=task,
                partner=task.partner,
                changes=changes,
            )
    return task


def _when(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def partners_in_onboarding(
    organisation: Organisation, today: datetime.date | None = None
) -> QuerySet[Partner]:
    """Partners with onboarding tasks, annotated with `total`, `done`, `overdue`, `next_due` and `started`
    (one query); open onboardings first, the most overdue on top."""
    today = today or timezone.localdate()
    return (
        Partner.objects.filter(organisation=organisation, onboarding_tasks__isnull=False)
        .annotate(
            total=Count("onboarding_tasks"),
            done=Count("onboarding_tasks", filter=Q(onboarding_tasks__done_at__isnull=False)),
            overdue=Count(
                "onboarding_tasks",
                filter=Q(onboarding_tasks__done_at__isnull=True, onboarding_tasks__due_date__lt=today),
            ),
            next_due=Min("onboarding_tasks__due_date", filter=Q(onboarding_tasks__done_at__isnull=True)),
            last_due=Max("onboarding_tasks__due_date"),
        )
        .order_by("-overdue", "next_due", "name")
    )


def overdue_tasks(organisation: Organisation, today: datetime.date | None = None) -> QuerySet[OnboardingTask]:
    """Open tasks past their due date, the oldest first, with partner and owner."""
    today = today or timezone.localdate()
    return (
        OnboardingTask.objects.filter(organisation=organisation, done_at__isnull=True, due_date__lt=today)
        .select_related("partner", "owner")
        .order_by("due_date", "partner__name", "position")
    )


def progress(tasks: Sequence[OnboardingTask], today: datetime.date | None = None) -> Progress:
    """Progress of a partner's task list: {total, done, percent, overdue, next: open tasks by due date}."""
    today = today or timezone.localdate()
    total = len(tasks)
    done = sum(1 for task in tasks if task.done_at)
    open_tasks = sorted((task for task in tasks if not task.done_at), key=lambda t: (t.due_date, t.position))
    return {
        "total": total,
        "done": done,
        "percent": round(done * 100 / total) if total else 0,
        "overdue": sum(1 for task in open_tasks if task.due_date < today),
        "next": open_tasks,
        "is_open": bool(open_tasks),
    }
