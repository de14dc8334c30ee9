"""Co-marketing (seed 004, 5.1): joint actions with a partner and what we put in.

An action's investment is one of three kinds, each with the figure it needs:

    split   the cost is shared: our share in % (50/50 → 50), and optionally the total cost in euros;
            we pay total × share
    time    we put in hours (the hours are required)
    amount  we pay a fixed amount in euros, such as €500 (0 or more)

Figures that do not belong to the kind are cleared, so totals never count a stale amount.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from affiliates.models import CoMarketingAction, InvestmentKind
from affiliates.programme.rules import cents
from partnerhub.audit import AuditAction, audit_changes, audit_record
from partnerhub.models import Organisation, User

FIELDS = (
    "partner",
    "action",
    "investment",
    "our_share_percent",
    "amount",
    "hours",
    "date",
    "status",
    "notes",
)


def investment_errors(
    *,
    investment: str | None,
    our_share_percent: Decimal | None,
    amount: Decimal | None,
    hours: int | None,
) -> dict[str, str]:
    """{field: message} for the figures the investment kind needs; empty when they are right."""
    errors: dict[str, str] = {}
    if investment == InvestmentKind.SPLIT:
        if our_share_percent is None:
            errors["our_share_percent"] = _("A cost split needs our share: 50 for a 50/50 split.")
        elif not Decimal("0") <= our_share_percent <= Decimal("100"):
            errors["our_share_percent"] = _("Our share is a percentage from 0 to 100.")
        if amount is not None and amount < 0:
            errors["amount"] = _("The total cost cannot be negative.")
    elif investment == InvestmentKind.TIME:
        if hours is None:
            errors["hours"] = _("An investment in time needs the hours we put in.")
    elif investment == InvestmentKind.AMOUNT:
        if amount is None:
            errors["amount"] = _("A fixed investment needs the amount in euros, such as 500.")
        elif amount < 0:
            errors["amount"] = _("The amount cannot be negative.")
    else:
        errors["investment"] = _("Choose how we invest: a cost split, time or a fixed amount.")
    return errors


def _normalise(values: dict[str, Any]) -> dict[str, Any]:
    kind = values.get("investment")
    if kind != InvestmentKind.SPLIT:
        values["our_share_percent"] = None
    if kind == InvestmentKind.TIME:
        values["amount"] = None
    if kind != InvestmentKind.TIME:
        values["hours"] = None
    return values


def _validate(organisation: Organisation, values: Mapping[str, Any]) -> None:
    partner = values.get("partner")
    if partner is None or partner.organisation_id != organisation.pk:
        raise ValidationError({"partner": _("Choose a partner of your organisation.")})
    errors = investment_errors(
        investment=values.get("investment"),
        our_share_percent=values.get("our_share_percent"),
        amount=values.get("amount"),
        hours=values.get("hours"),
    )
    if errors:
        raise ValidationError(errors)


def our_cost(action: CoMarketingAction) -> Decimal | None:
    """What the action costs us in euros (None for time, or a split without a total cost)."""
    if action.investment == InvestmentKind.SPLIT:
        if action.amount is None or action.our_share_percent is None:
            return None
        return cents(action.amount * action.our_share_percent / 100)
    if action.investment == InvestmentKind.AMOUNT:
        return cents(action.amount) if action.amount is not None else None
    return None


def totals(queryset: QuerySet[CoMarketingAction]) -> dict[str, Any]:
    """{money, hours} we invest in the actions of `queryset`: one query over the three figures."""
    money, hours = Decimal("0.00"), 0
    rows = queryset.order_by().values_list("investment", "amount", "our_share_percent", "hours")
    for investment, amount, share, spent in rows:
        action = CoMarketingAction(investment=investment, amount=amount, our_share_percent=share, hours=spent)
        money += our_cost(action) or Decimal("0.00")
        hours += spent or 0
    return {"money": cents(money), "hours": hours}


@transaction.atomic
def action_create(*, organisation: Organisation, actor: User | None, **values: Any) -> CoMarketingAction:
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    values = _normalise(dict(values))
    values["notes"] = values.get("notes") or ""
    _validate(organisation, values)
    action = CoMarketingAction(organisation=organisation, **values)
    action.full_clean()
    action.save()
    audit_record(
        organisation=organisation,
        actor=actor,
        action=AuditAction.CREATE,
        obj=action,
        partner=action.partner,
        changes={"action": ["", action.action], "investment": ["", action.investment]},
    )
    return action


@transaction.atomic
def action_update(
    *, comarketing_action: CoMarketingAction, actor: User | None, **values: Any
) -> CoMarketingAction:
    """Change an action (the `action` keyword is its title). Same checks as `action_create`."""
    before = CoMarketingAction.objects.select_for_update().order_by().get(pk=comarketing_action.pk)
    merged = {name: values.get(name, getattr(before, name)) for name in FIELDS}
    merged = _normalise(merged)
    merged["notes"] = merged.get("notes") or ""
    _validate(before.organisation, merged)
    after = CoMarketingAction.objects.get(pk=comarketing_action.pk)
    for name, value in merged.items():
        setattr(after, name, value)
    after.full_clean()
    after.save()
    audit_changes(
        organisation=after.organisation,
        actor=actor,
        before=before,
        after=after,
        fields=FIELDS,
        partner=after.partner,
    )
    return after


@transaction.atomic
def action_delete(*, comarketing_action: CoMarketingAction, actor: User | None) -> None:
    action = comarketing_action
    audit_record(
        organisation=action.organisation,
        actor=actor,
        action=AuditAction.DELETE,
        obj=action,
        partner=action.partner,
        changes={"action": [action.action, ""]},
    )
    action.delete()
