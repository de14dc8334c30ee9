"""Follow-up actions on the ten questions: checking, adding, marking done, reopening and deleting them."""

import datetime
from collections.abc import Mapping
from typing import cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import Agreement, FollowUpAction, Party
from agreements.questions.audit import audit_moment
from agreements.questions.texts import CODES
from partnerhub.audit import AuditAction, audit_record
from partnerhub.models import User

# A CharField always has a max_length (get_field() is typed for any field).
MAX_ACTION = cast(int, FollowUpAction._meta.get_field("description").max_length)


class ActionInvalid(ValueError):
    """The action was refused; `errors` maps a field name to the reason."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def action_problems(
    *,
    agreement: Agreement,
    description: str,
    owner: Party | None,
    due_date: datetime.date | None,
    code: str = "",
    today: datetime.date | None = None,
) -> dict[str, str]:
    """{field: reason} for a new action; {} when it can be made."""
    today = today or timezone.localdate()
    problems: dict[str, str] = {}
    if not description.strip():
        problems["description"] = _("Describe what has to be done.")
    elif len(description.strip()) > MAX_ACTION:
        problems["description"] = _("Keep the action to %(max)d characters.") % {"max": MAX_ACTION}
    if owner is None or owner.agreement_id != agreement.pk:
        problems["owner"] = _("Choose one of the parties of this agreement.")
    if due_date is None:
        problems["due_date"] = _("Give the date by which it must be done.")
    elif due_date < today:
        problems["due_date"] = _("The date has passed; choose today or a later date.")
    if code and code not in CODES:
        problems["code"] = _("This is not one of the ten questions.")
    return problems


@transaction.atomic
def action_create(
    *,
    agreement: Agreement,
    actor: User | None,
    description: str,
    owner: Party,
    due_date: datetime.date,
    code: str = "",
    today: datetime.date | None = None,
) -> FollowUpAction:
    """A follow-up action for one party, on one question (`code`) or on the whole (blank). The owner must be
    a party of this agreement and the date today or later (ActionInvalid otherwise)."""
    problems = action_problems(
        agreement=agreement, description=description, owner=owner, due_date=due_date, code=code, today=today
    )
    if problems:
        raise ActionInvalid(problems)
    action = FollowUpAction.objects.create(
        agreement=agreement,
        code=code,
        description=description.strip(),
        owner=owner,
        due_date=due_date,
        created_by=actor,
    )
    audit_record(
        organisation=agreement.organisation,
        actor=actor,
        action=AuditAction.CREATE,
        obj=action,
        partner=owner.partner,
        changes={"owner": ["", owner.name], "due_date": ["", due_date.isoformat()]},
    )
    return action


def _action_audit(
    action: FollowUpAction, actor: User | None, kind: str, changes: Mapping[str, object] | None = None
) -> None:
    audit_record(
        organisation=action.agreement.organisation,
        actor=actor,
        action=kind,
        obj=action,
        partner=action.owner.partner if action.owner is not None else None,
        changes=changes,
    )


@transaction.atomic
def action_done(
    *, action: FollowUpAction, actor: User | None, now: datetime.datetime | None = None
) -> FollowUpAction:
    """Mark the action done (a second click changes nothing)."""
    locked = FollowUpAction.objects.select_for_update().get(pk=action.pk)
    if locked.done_at is None:
        action.done_at = locked.done_at = now or timezone.now()
        locked.save(update_fields=["done_at"])
        _action_audit(action, actor, AuditAction.UPDATE, {"done_at": ["", audit_moment(locked.done_at)]})
    return action


@transaction.atomic
def action_reopen(*, action: FollowUpAction, actor: User | None) -> FollowUpAction:
    locked = FollowUpAction.objects.select_for_update().get(pk=action.pk)
    if locked.done_at is not None:
        before = audit_moment(locked.done_at)
        action.done_at = locked.done_at = None
        locked.save(update_fields=["done_at"])
        _action_audit(action, actor, AuditAction.UPDATE, {"done_at": [before, ""]})
    return action


@transaction.atomic
def action_delete(*, action: FollowUpAction, actor: User | None) -> None:
    _action_audit(action, actor, AuditAction.DELETE)
    FollowUpAction.objects.filter(pk=action.pk).delete()
