"""The audit log: one function every service calls after it changes something worth tracing."""

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, cast

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import ForeignObjectRel
from django.forms import BaseModelFormSet
from django.utils.functional import Promise

from partnerhub.models import AuditAction, AuditEntry, Organisation, Partner, User


def audit_record(
    *,
    organisation: Organisation,
    actor: User | AnonymousUser | None,
    action: str,
    obj: models.Model,
    partner: Partner | None = None,
    changes: Mapping[str, object] | None = None,
    actor_name: str = "",
) -> AuditEntry:
    """Record a change. `actor` is the member who made it; without one, `actor_name` says who did (for
    example a partner's signer through a link)."""
    return AuditEntry.objects.create(
        organisation=organisation,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=actor_name[:200],
        action=action,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        partner=partner,
        changes=json_safe(changes or {}),
    )


def audit_changes(
    *,
    organisation: Organisation,
    actor: User | AnonymousUser | None,
    before: models.Model,
    after: models.Model,
    fields: Iterable[str],
    partner: Partner | None = None,
) -> dict[str, list[object]]:
    """Record an update of `after` with the fields whose value differs from `before`; nothing when none does.
    Returns the changes."""
    changes = field_changes(before, after, fields)
    if changes:
        audit_record(
            organisation=organisation,
            actor=actor,
            action=AuditAction.UPDATE,
            obj=after,
            partner=partner,
            changes=changes,
        )
    return changes


def formset_deletions_save(
    formset: "BaseModelFormSet[Any, Any]",
    *,
    organisation: Organisation,
    actor: User | AnonymousUser | None,
    label: str,
) -> None:
    """Delete the saved rows a valid model formset marks for deletion, each with an audit entry that keeps
    the row's `label` field (its name or title). Rows added and deleted in the same form were never saved."""
    for form in formset.deleted_forms:
        if form.instance.pk:
            audit_record(
                organisation=organisation,
                actor=actor,
                action=AuditAction.DELETE,
                obj=form.instance,
                changes={label: [getattr(form.instance, label), ""]},
            )
            form.instance.delete()


def formset_changed_forms(formset: "BaseModelFormSet[Any, Any]") -> list[Any]:
    """The forms of a valid model formset that add or change a row: changed, filled in, not deleted."""
    return [
        form
        for form in formset.forms
        if form not in formset.deleted_forms and form.has_changed() and form.cleaned_data
    ]


def field_changes(
    before: models.Model, after: models.Model, fields: Iterable[str]
) -> dict[str, list[object]]:
    """{field: [old, new]} for the fields whose display value changed between two instances."""
    changes: dict[str, list[object]] = {}
    for name in fields:
        old, new = _display(before, name), _display(after, name)
        if old != new:
            changes[name] = [old, new]
    return changes


def json_safe(value: object) -> object:
    """A recorded change as JSON can hold it: amounts and moments as text (ISO dates), related objects by
    their name, sets and other collections as lists. AuditEntry.change_rows() turns it into words."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal | Promise | models.Model):
        return str(value)
    if isinstance(value, set | frozenset):
        # The items of one recorded set are of one kind (names, ids): they sort as they are.
        items: list[Any] = [json_safe(item) for item in value]
        return sorted(items)
    if isinstance(value, Iterable):
        return [json_safe(item) for item in value]
    return str(value)


def _display(instance: models.Model, name: str) -> str | list[str]:
    """The raw value as JSON-safe text (a list of names for a many-to-many or reverse relation);
    AuditEntry.change_rows() turns it into words when shown."""
    field = instance._meta.get_field(name)
    if field.many_to_many or field.one_to_many:
        if instance.pk is None:  # not saved yet: it has no related objects
            return []
        reverse = field.auto_created and not field.concrete
        # A reverse relation (auto-created, no column of its own) is reached by its accessor name.
        accessor = cast(ForeignObjectRel, field).get_accessor_name() if reverse else name
        manager = getattr(instance, cast(str, accessor))
        return sorted(str(related) for related in manager.all())
    if field.is_relation:
        related = getattr(instance, name, None)
        return str(related) if related is not None else ""
    value = getattr(instance, cast("models.Field[Any, Any]", field).attname)
    return "" if value is None else str(value)


__all__ = ["AuditAction", "audit_changes", "audit_record", "field_changes", "json_safe"]
