"""A party's answers to the ten questions: saving them one at a time or all at once, and submitting the sheet.

Answers are saved one at a time as they are typed (a blank answer removes it). Submitting needs all ten
answers and keeps the FIRST moment of submitting; answers stay editable afterwards, as long as the link works
(or in the app), so a party can still correct itself before the conversation. The side-by-side page shows
drafts too, marked as not submitted; the public page tells the party so.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import QuestionAnswer, QuestionSheet
from agreements.questions.audit import audit_moment, sheet_audit
from agreements.questions.texts import CODES
from partnerhub.audit import AuditAction
from partnerhub.models import User

MAX_ANSWER = 5000


class SheetClosed(Exception):
    """The sheet's link cannot take answers (any more): revoked or expired."""


class IncompleteSheet(Exception):
    """Submitting needs every question answered; `missing` lists the open codes in order."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__("not every question is answered")
        self.missing = missing


def answer_problem(text: str) -> str | None:
    """Why an answer cannot be stored, or None."""
    if len(text) > MAX_ANSWER:
        return _("An answer can be at most %(max)d characters long (this one has %(count)d).") % {
            "max": MAX_ANSWER,
            "count": len(text),
        }
    return None


def _open_sheet(sheet_id: int, *, through_link: bool, now: datetime.datetime) -> QuestionSheet:
    sheet = QuestionSheet.objects.select_for_update().get(pk=sheet_id)
    if through_link and not (sheet.revoked_at is None and sheet.expires_at > now):
        raise SheetClosed()
    return sheet


def _store(sheet: QuestionSheet, code: str, text: str) -> None:
    if text:
        QuestionAnswer.objects.update_or_create(sheet=sheet, code=code, defaults={"text": text})
    else:
        QuestionAnswer.objects.filter(sheet=sheet, code=code).delete()


@transaction.atomic
def answer_save(
    *,
    sheet: QuestionSheet,
    code: str,
    text: str,
    through_link: bool = False,
    now: datetime.datetime | None = None,
) -> QuestionSheet:
    """Store one answer (trimmed; a blank one removes it). Through a link, the link must still work
    (SheetClosed otherwise); in the app a member may answer for the party at any time."""
    if code not in CODES:
        raise ValueError(f"{code} is not one of the ten questions.")
    text = text.strip()
    problem = answer_problem(text)
    if problem:
        raise ValueError(problem)
    sheet = _open_sheet(sheet.pk, through_link=through_link, now=now or timezone.now())
    _store(sheet, code, text)
    return sheet


@transaction.atomic
def answers_save(
    *,
    sheet: QuestionSheet,
    texts: dict[str, str],
    through_link: bool = False,
    now: datetime.datetime | None = None,
) -> QuestionSheet:
    """Store several answers at once (the whole form, sent without JavaScript): all or none."""
    texts = {code: text.strip() for code, text in texts.items()}
    unknown = set(texts) - set(CODES)
    if unknown:
        raise ValueError(f"{sorted(unknown)} are not among the ten questions.")
    for text in texts.values():
        problem = answer_problem(text)
        if problem:
            raise ValueError(problem)
    sheet = _open_sheet(sheet.pk, through_link=through_link, now=now or timezone.now())
    for code, text in texts.items():
        _store(sheet, code, text)
    return sheet


@transaction.atomic
def sheet_submit(
    *,
    sheet: QuestionSheet,
    actor: User | None = None,
    through_link: bool = False,
    now: datetime.datetime | None = None,
) -> QuestionSheet:
    """Mark the sheet submitted. Every question must have an answer (IncompleteSheet otherwise). Submitting
    again is harmless: the first moment is kept."""
    now = now or timezone.now()
    sheet = _open_sheet(sheet.pk, through_link=through_link, now=now)
    answered = set(sheet.answers.values_list("code", flat=True))
    missing = [code for code in CODES if code not in answered]
    if missing:
        raise IncompleteSheet(missing)
    if sheet.submitted_at is None:
        sheet.submitted_at = now
        sheet.save(update_fields=["submitted_at"])
        sheet = QuestionSheet.objects.select_related("party__agreement__organisation", "party__partner").get(
            pk=sheet.pk
        )
        by_link = _("%(party)s, through its link") % {"party": sheet.party.name} if through_link else ""
        sheet_audit(
            sheet, actor, AuditAction.UPDATE, {"submitted_at": ["", audit_moment(now)]}, actor_name=by_link
        )
    return sheet
