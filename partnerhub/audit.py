"""The audit log: one function every service calls after it changes something worth tracing."""

from partnerhub.models import AuditAction, AuditEntry


def audit_record(*, organisation, actor, action, obj, partner=None, changes=None, actor_name=""):
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
        changes=changes or {},
    )


def audit_changes(*, organisation, actor, before, after, fields, partner=None):
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


def field_changes(before, after, fields):
    """{field: [old, new]} for the fields whose display value changed between two instances."""
    changes = {}
    for name in fields:
        old, new = _display(before, name), _display(after, name)
        if old != new:
            changes[name] = [old, new]
    return changes


def _display(instance, name):
    """The raw value as JSON-safe text; AuditEntry.change_rows() turns it into words when shown."""
    field = instance._meta.get_field(name)
    value = getattr(instance, field.attname)
    if field.is_relation:
        related = getattr(instance, name)
        return str(related) if related is not None else ""
    return "" if value is None else str(value)


__all__ = ["AuditAction", "audit_changes", "audit_record", "field_changes"]
