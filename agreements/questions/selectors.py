"""Named reads of the ten questions for the pages: sheets and their links, progress, the side-by-side page,
the overview's card and the actions due."""

import datetime
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from agreements.models import (
    Agreement,
    FollowUpAction,
    Party,
    QuestionAnswer,
    QuestionConclusion,
    QuestionSheet,
)
from agreements.questions.texts import CODES, TOTAL, Question, questions
from partnerhub.models import Organisation

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

DUE_SOON_DAYS = 7


class Progress(TypedDict):
    answered: int
    total: int
    complete: bool


class PartyRow(TypedDict):
    party: Party
    sheet: QuestionSheet | None
    progress: Progress
    submitted_at: datetime.datetime | None
    link: str  # link_state()


class QuestionsCard(TypedDict):
    rows: list[PartyRow]
    open_actions: list[FollowUpAction]
    open_action_count: int
    today: datetime.date


class PartyAnswer(TypedDict):
    row: PartyRow
    text: str | None


class ComparedQuestion(TypedDict):
    question: Question
    answers: list[PartyAnswer]
    conclusion: QuestionConclusion | None
    actions: list[FollowUpAction]


class Comparison(TypedDict):
    rows: list[PartyRow]
    items: list[ComparedQuestion]
    general_actions: list[FollowUpAction]


class _AnsweredCount(TypedDict):
    answered: int


def sheet_of(party: Party) -> QuestionSheet | None:
    """The party's sheet, or None when it has none yet."""
    try:
        return party.question_sheet
    except QuestionSheet.DoesNotExist:
        return None


def link_state(sheet: QuestionSheet | None, now: datetime.datetime | None = None) -> str:
    """ "none" (no link handed out yet), "active", "revoked" or "expired"."""
    if sheet is None:
        return "none"
    now = now or timezone.now()
    if sheet.revoked_at is not None:
        return "revoked"
    if sheet.expires_at > now:
        return "active"
    return "none" if sheet.expires_at <= sheet.created_at else "expired"


def answers_of(sheet: QuestionSheet | None) -> dict[str, str]:
    """{code: text} of the sheet (empty for no sheet)."""
    if sheet is None:
        return {}
    return dict(sheet.answers.values_list("code", "text"))


def progress(answered: int) -> Progress:
    return {"answered": answered, "total": TOTAL, "complete": answered >= TOTAL}


def sheet_progress(sheet: QuestionSheet | None) -> Progress:
    """How many of the ten are answered: one count."""
    return progress(sheet.answers.filter(code__in=CODES).count() if sheet else 0)


def _parties(agreement: Agreement) -> "list[WithAnnotations[Party, _AnsweredCount]]":
    """The agreement's parties with their sheet and number of answers: one query."""
    return list(
        Party.objects.filter(agreement=agreement)
        .select_related("partner", "contact", "question_sheet", "agreement__organisation")
        .annotate(
            answered=Count("question_sheet__answers", filter=Q(question_sheet__answers__code__in=CODES))
        )
        .order_by("position", "pk")
    )


def party_rows(agreement: Agreement, now: datetime.datetime | None = None) -> list[PartyRow]:
    """Per party: its sheet (or None), how far it is, and its link's state."""
    now = now or timezone.now()
    rows: list[PartyRow] = []
    for party in _parties(agreement):
        sheet = sheet_of(party)
        rows.append(
            {
                "party": party,
                "sheet": sheet,
                "progress": progress(party.answered),
                "submitted_at": sheet.submitted_at if sheet else None,
                "link": link_state(sheet, now),
            }
        )
    return rows


def actions_of(agreement: Agreement, code: str) -> list[FollowUpAction]:
    """The actions on one question, or (code "") those on the collaboration as a whole."""
    actions = agreement.actions.select_related("owner__partner", "owner__agreement__organisation")
    return list(actions.filter(code=code) if code else actions.exclude(code__in=CODES))


def open_actions(agreement: Agreement) -> QuerySet[FollowUpAction]:
    return agreement.actions.filter(done_at__isnull=True).select_related(
        "owner__partner", "owner__agreement__organisation"
    )


def card(agreement: Agreement) -> QuestionsCard:
    """What the agreement's overview shows about the ten questions (context for questions/_card.html): per
    party how far it is, and the open follow-up actions. Three queries."""
    actions = list(open_actions(agreement).order_by("due_date", "pk")[:5])
    return {
        "rows": party_rows(agreement),
        "open_actions": actions,
        "open_action_count": open_actions(agreement).count() if len(actions) == 5 else len(actions),
        "today": timezone.localdate(),
    }


def comparison(agreement: Agreement, language: str | None = None) -> Comparison:
    """The side-by-side page: per question, every party's answer, the conclusion and the actions; then the
    actions not tied to a question. Four queries whatever the number of parties."""
    rows = party_rows(agreement)
    sheets = [row["sheet"] for row in rows if row["sheet"] is not None]
    texts: dict[tuple[int, str], str] = {}
    for sheet_id, code, text in QuestionAnswer.objects.filter(sheet__in=sheets).values_list(
        "sheet_id", "code", "text"
    ):
        texts[sheet_id, code] = text
    conclusions = {conclusion.code: conclusion for conclusion in agreement.conclusions.all()}
    actions: dict[str, list[FollowUpAction]] = {}
    for action in agreement.actions.select_related("owner__partner", "owner__agreement__organisation"):
        actions.setdefault(action.code if action.code in CODES else "", []).append(action)
    items: list[ComparedQuestion] = []
    for question in questions(language):
        answers: list[PartyAnswer] = [
            {
                "row": row,
                "text": texts.get((row["sheet"].pk, question.code)) if row["sheet"] else None,
            }
            for row in rows
        ]
        items.append(
            {
                "question": question,
                "answers": answers,
                "conclusion": conclusions.get(question.code),
                "actions": actions.get(question.code, []),
            }
        )
    return {"rows": rows, "items": items, "general_actions": actions.get("", [])}


def actions_due(
    *,
    organisation: Organisation,
    today: datetime.date | None = None,
    days: int = DUE_SOON_DAYS,
    limit: int = 20,
) -> dict[str, Any]:
    """Open follow-up actions of the organisation that are overdue or due within `days`, soonest first:
    (the first `limit`, how many there are in all). Two queries."""
    today = today or timezone.localdate()
    due = FollowUpAction.objects.filter(
        agreement__organisation=organisation,
        done_at__isnull=True,
        due_date__lte=today + datetime.timedelta(days=days),
    )
    related = ("agreement__organisation", "owner__partner", "owner__agreement__organisation")
    actions = list(due.select_related(*related).order_by("due_date", "pk")[:limit])
    total = due.count() if len(actions) == limit else len(actions)
    return {"actions": actions, "total": total, "today": today}
