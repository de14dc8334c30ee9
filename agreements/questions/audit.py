"""How the ten questions' changes are written to the audit log: a sheet's entries and moments to the minute.

Answers are not written to the audit log (they are saved as they are typed); links, submitting, conclusions
and actions are.
"""

import datetime
from collections.abc import Mapping

from django.utils import timezone

from agreements.models import QuestionSheet
from partnerhub.audit import AuditAction, audit_record
from partnerhub.models import User


def audit_moment(moment: datetime.datetime) -> str:
    """A moment as the audit log shows it: local date and time to the minute."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def sheet_audit(
    sheet: QuestionSheet,
    actor: User | None,
    action: AuditAction,
    changes: Mapping[str, object],
    actor_name: str = "",
) -> None:
    """Record a change of the sheet, under its party's partner."""
    party = sheet.party
    audit_record(
        organisation=party.agreement.organisation,
        actor=actor,
        action=action,
        obj=sheet,
        partner=party.partner,
        changes=changes,
        actor_name=actor_name,
    )
