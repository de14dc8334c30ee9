"""The ten basic questions (seed 003): each party answers them on its own sheet, the answers are laid side by
side, and the organisation records per question what was agreed (a conclusion) and what follows (actions).

Rules these services keep:

- A party's sheet is made when it is first needed (a link, or answering in the app). Its link is a token of
  which only the hash is stored: issuing a link gives a fresh one (the previous link stops working), valid for
  `LINK_DAYS`; the raw token is shown once or mailed once. A sheet made without a link gets an expiry equal to
  its creation time, so "no link handed out yet" and "link expired" can be told apart (`link_state`).
- Answers are saved one at a time as they are typed (a blank answer removes it). Submitting needs all ten
  answers and keeps the FIRST moment of submitting; answers stay editable afterwards, as long as the link
  works (or in the app), so a party can still correct itself before the conversation. The side-by-side
  page shows drafts too, marked as not submitted; the public page tells the party so.
- Answers are not written to the audit log (they are saved as they are typed); links, submitting, conclusions
  and actions are.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from agreements import signing
from agreements.models import FollowUpAction, Party, QuestionAnswer, QuestionConclusion, QuestionSheet
from agreements.questions import TEN_QUESTIONS
from partnerhub.audit import AuditAction, audit_record

LINK_DAYS = 60
MAX_ANSWER = 5000
MAX_CONCLUSION = 5000
MAX_ACTION = FollowUpAction._meta.get_field("description").max_length
DUE_SOON_DAYS = 7
CODES = [code for code, *_rest in TEN_QUESTIONS]
TOTAL = len(CODES)


# A link asked to be mailed longer ago than a redelivered task could take, and not sent, was lost: it may be
# asked again.
MAIL_LOST_AFTER = datetime.timedelta(
    seconds=settings.CELERY_VISIBILITY_TIMEOUT + settings.CELERY_TASK_TIME_LIMIT
)


class LinkAlreadyMailed(Exception):
    """The same address was just sent the link, or it is on its way: a second click sends nothing."""


class SheetClosed(Exception):
    """The sheet's link cannot take answers (any more): revoked or expired."""


class IncompleteSheet(Exception):
    """Submitting needs every question answered; `missing` lists the open codes in order."""

    def __init__(self, missing):
        super().__init__("not every question is answered")
        self.missing = missing


class ConclusionConflict(Exception):
    """Someone else saved a different conclusion since the editor loaded it."""

    def __init__(self, conclusion, mine):
        super().__init__("conclusion changed meanwhile")
        self.conclusion, self.mine = conclusion, mine


class ActionInvalid(ValueError):
    """The action was refused; `errors` maps a field name to the reason."""

    def __init__(self, errors):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class Question:
    number: int
    code: str
    text: str
    help: str


def questions(language=None):
    """The ten questions in the active language (Dutch unless English is chosen)."""
    english = (language or get_language() or "nl").startswith("en")
    return [
        Question(number, code, en if english else nl, help_en if english else help_nl)
        for number, (code, nl, en, help_nl, help_en) in enumerate(TEN_QUESTIONS, start=1)
    ]


def answer_problem(text):
    """Why an answer cannot be stored, or None."""
    if len(text) > MAX_ANSWER:
        return _("An answer can be at most %(max)d characters long (this one has %(count)d).") % {
            "max": MAX_ANSWER,
            "count": len(text),
        }
    return None


# Sheets and their links


def _when(moment):
    """A moment as the audit log shows it: local date and time to the minute."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _audit(sheet, actor, action, changes, actor_name=""):
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


def sheet_for(*, party):
    """The party's sheet, made now if it has none yet (without a usable link)."""
    sheet = QuestionSheet.objects.filter(party=party).first()
    if sheet is not None:
        return sheet
    now = timezone.now()
    # Expired from the start (created_at is set when saving, after `now`) and its token is never shown.
    sheet = QuestionSheet(party=party, expires_at=now, email=party.contact.email if party.contact_id else "")
    sheet.issue_token()
    try:
        with transaction.atomic():
            sheet.save()
    except IntegrityError:  # made by a parallel request in between
        return QuestionSheet.objects.get(party=party)
    return sheet


def link_state(sheet, now=None):
    """ "none" (no link handed out yet), "active", "revoked" or "expired"."""
    if sheet is None:
        return "none"
    now = now or timezone.now()
    if sheet.revoked_at is not None:
        return "revoked"
    if sheet.expires_at > now:
        return "active"
    return "none" if sheet.expires_at <= sheet.created_at else "expired"


def _new_link(sheet, now):
    """A fresh token (the previous link stops working), valid for LINK_DAYS; returns the raw token."""
    raw = sheet.issue_token()
    sheet.expires_at = now + datetime.timedelta(days=LINK_DAYS)
    sheet.revoked_at = None
    return raw


@transaction.atomic
def sheet_issue_link(*, party, actor, now=None):
    """A fresh link for the party (the previous one stops working). Returns (sheet, raw token): show the
    token once, it is not stored."""
    now = now or timezone.now()
    sheet = QuestionSheet.objects.select_for_update().get(pk=sheet_for(party=party).pk)
    before = _when(sheet.expires_at) if link_state(sheet, now) != "none" else ""
    raw = _new_link(sheet, now)
    sheet.save(update_fields=["token_hash", "expires_at", "revoked_at"])
    _audit(sheet, actor, AuditAction.UPDATE, {"expires_at": [before, _when(sheet.expires_at)]})
    return sheet, raw


def mail_is_queued(sheet: QuestionSheet, now: datetime.datetime | None = None) -> bool:
    """A mailed link was asked for and has not gone out since (a lost task does not count)."""
    now = now or timezone.now()
    requested = sheet.mail_requested_at
    if requested is None or requested <= now - MAIL_LOST_AFTER:
        return False
    return sheet.sent_at is None or sheet.sent_at < requested


@transaction.atomic
def sheet_request_mail(
    *, party: Party, email: str, actor, now: datetime.datetime | None = None
) -> QuestionSheet:
    """Record the address the party's link goes to and that a link is to be mailed; the task
    `agreements.tasks.send_question_link` then makes a fresh link and mails it (see agreements/mail.py).
    Returns the sheet.

    Under the sheet's lock: when that address already has a link on its way, or was sent one moments ago
    (a double click), nothing changes and LinkAlreadyMailed is raised, so no second e-mail makes the first
    link stop working."""
    email = email.strip()
    validate_email(email)
    now = now or timezone.now()
    sheet = QuestionSheet.objects.select_for_update().get(pk=sheet_for(party=party).pk)
    if sheet.email == email:
        just_sent = sheet.sent_at and sheet.sent_at > now - datetime.timedelta(
            seconds=signing.DOUBLE_SUBMIT_SECONDS
        )
        if just_sent or mail_is_queued(sheet, now):
            raise LinkAlreadyMailed(email)
    before = sheet.email
    sheet.email = email
    sheet.mail_requested_at = now
    sheet.save(update_fields=["email", "mail_requested_at"])
    _audit(sheet, actor, AuditAction.UPDATE, {"email": [before, email]})
    return sheet


def sheet_request_mail_failed(*, sheet: QuestionSheet) -> None:
    """The mail task could not be queued: forget this request (not a later one), so the link can be asked
    for again at once instead of being taken as on its way."""
    QuestionSheet.objects.filter(pk=sheet.pk, mail_requested_at=sheet.mail_requested_at).update(
        mail_requested_at=None
    )


def sheet_mail_link(*, sheet_id, requested_at=None, now=None):
    """For the mail task, inside its transaction: the locked sheet with a fresh link and the raw token, or
    (sheet, None) when no mail is asked for, it was sent since it was asked for, or the link was revoked
    after it was asked for (so a task that runs twice, or two tasks of two clicks, send one e-mail).
    `requested_at` (the task's own) counts only for a sheet that has no request recorded."""
    now = now or timezone.now()
    sheet = QuestionSheet.objects.select_for_update().select_related("party").filter(pk=sheet_id).first()
    if sheet is None or not sheet.email:
        return sheet, None
    requested = sheet.mail_requested_at or requested_at  # a request queued before the sheet recorded them
    if requested is None:
        return sheet, None
    if sheet.sent_at and sheet.sent_at >= requested:
        return sheet, None
    if sheet.revoked_at and sheet.revoked_at >= requested:
        return sheet, None
    before = _when(sheet.sent_at) if sheet.sent_at else ""
    raw = _new_link(sheet, now)
    sheet.sent_at = max(now, requested)
    sheet.save(update_fields=["token_hash", "expires_at", "revoked_at", "sent_at"])
    sheet = QuestionSheet.objects.select_related(
        "party__agreement__organisation", "party__partner", "party__contact"
    ).get(pk=sheet.pk)
    _audit(
        sheet, None, AuditAction.UPDATE, {"sent_at": [before, _when(sheet.sent_at)]}, actor_name="PartnerHub"
    )
    return sheet, raw


@transaction.atomic
def sheet_revoke(*, sheet, actor, now=None):
    """The link stops working at once; the answers stay."""
    sheet = QuestionSheet.objects.select_for_update().select_related("party").get(pk=sheet.pk)
    if sheet.revoked_at is None and link_state(sheet, now) == "active":
        sheet.revoked_at = now or timezone.now()
        sheet.save(update_fields=["revoked_at"])
        _audit(sheet, actor, AuditAction.UPDATE, {"revoked_at": ["", _when(sheet.revoked_at)]})
    return sheet


# Answers


def _open_sheet(sheet_id, *, through_link, now):
    sheet = QuestionSheet.objects.select_for_update().get(pk=sheet_id)
    if through_link and not (sheet.revoked_at is None and sheet.expires_at > now):
        raise SheetClosed()
    return sheet


def _store(sheet, code, text):
    if text:
        QuestionAnswer.objects.update_or_create(sheet=sheet, code=code, defaults={"text": text})
    else:
        QuestionAnswer.objects.filter(sheet=sheet, code=code).delete()


@transaction.atomic
def answer_save(*, sheet, code, text, through_link=False, now=None):
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
def answers_save(*, sheet, texts, through_link=False, now=None):
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


def answers_of(sheet):
    """{code: text} of the sheet (empty for no sheet)."""
    if sheet is None:
        return {}
    return dict(sheet.answers.values_list("code", "text"))


def progress(answered):
    return {"answered": answered, "total": TOTAL, "complete": answered >= TOTAL}


def sheet_progress(sheet):
    """How many of the ten are answered: one count."""
    return progress(sheet.answers.filter(code__in=CODES).count() if sheet else 0)


@transaction.atomic
def sheet_submit(*, sheet, actor=None, through_link=False, now=None):
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
        _audit(sheet, actor, AuditAction.UPDATE, {"submitted_at": ["", _when(now)]}, actor_name=by_link)
    return sheet


# Side by side: conclusions and follow-up actions


@transaction.atomic
def conclusion_save(*, agreement, code, text, actor, original=None):
    """Store what was agreed on one question (trimmed; max MAX_CONCLUSION characters). With `original` (the
    text the editor started from), a different text saved by someone else in between is not overwritten:
    ConclusionConflict. Saving the text that is already there is no conflict."""
    if code not in CODES:
        raise ValueError(f"{code} is not one of the ten questions.")
    text = text.strip()
    if len(text) > MAX_CONCLUSION:
        raise ValueError(
            _("A conclusion can be at most %(max)d characters long (this one has %(count)d).")
            % {"max": MAX_CONCLUSION, "count": len(text)}
        )
    conclusion, _created = QuestionConclusion.objects.select_for_update().get_or_create(
        agreement=agreement, code=code
    )
    if conclusion.text == text:
        return conclusion
    if original is not None and conclusion.text != original.strip():
        raise ConclusionConflict(conclusion, text)
    before = conclusion.text
    conclusion.text, conclusion.updated_by = text, actor
    conclusion.save()
    audit_record(
        organisation=agreement.organisation,
        actor=actor,
        action=AuditAction.UPDATE,
        obj=conclusion,
        changes={"text": [before, text]},
    )
    signing.agreement_changed(agreement, actor=actor)  # the letter of intent states the conclusions
    return conclusion


def action_problems(*, agreement, description, owner, due_date, code="", today=None):
    """{field: reason} for a new action; {} when it can be made."""
    today = today or timezone.localdate()
    problems = {}
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
def action_create(*, agreement, actor, description, owner, due_date, code="", today=None):
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


def _action_audit(action, actor, kind, changes=None):
    audit_record(
        organisation=action.agreement.organisation,
        actor=actor,
        action=kind,
        obj=action,
        partner=action.owner.partner if action.owner_id else None,
        changes=changes,
    )


@transaction.atomic
def action_done(*, action, actor, now=None):
    """Mark the action done (a second click changes nothing)."""
    locked = FollowUpAction.objects.select_for_update().get(pk=action.pk)
    if locked.done_at is None:
        action.done_at = locked.done_at = now or timezone.now()
        locked.save(update_fields=["done_at"])
        _action_audit(action, actor, AuditAction.UPDATE, {"done_at": ["", _when(locked.done_at)]})
    return action


@transaction.atomic
def action_reopen(*, action, actor):
    locked = FollowUpAction.objects.select_for_update().get(pk=action.pk)
    if locked.done_at is not None:
        before = _when(locked.done_at)
        action.done_at = locked.done_at = None
        locked.save(update_fields=["done_at"])
        _action_audit(action, actor, AuditAction.UPDATE, {"done_at": [before, ""]})
    return action


@transaction.atomic
def action_delete(*, action, actor):
    _action_audit(action, actor, AuditAction.DELETE)
    FollowUpAction.objects.filter(pk=action.pk).delete()


# Read queries for the pages


def _parties(agreement):
    """The agreement's parties with their sheet and number of answers: one query."""
    return list(
        Party.objects.filter(agreement=agreement)
        .select_related("partner", "contact", "question_sheet", "agreement__organisation")
        .annotate(
            answered=Count("question_sheet__answers", filter=Q(question_sheet__answers__code__in=CODES))
        )
        .order_by("position", "pk")
    )


def sheet_of(party):
    """The party's sheet, or None when it has none yet."""
    try:
        return party.question_sheet
    except QuestionSheet.DoesNotExist:
        return None


def party_rows(agreement, now=None):
    """Per party: its sheet (or None), how far it is, and its link's state."""
    now = now or timezone.now()
    rows = []
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


def actions_of(agreement, code):
    """The actions on one question, or (code "") those on the collaboration as a whole."""
    actions = agreement.actions.select_related("owner__partner", "owner__agreement__organisation")
    return list(actions.filter(code=code) if code else actions.exclude(code__in=CODES))


def open_actions(agreement):
    return agreement.actions.filter(done_at__isnull=True).select_related(
        "owner__partner", "owner__agreement__organisation"
    )


def card(agreement):
    """What the agreement's overview shows about the ten questions (context for questions/_card.html): per
    party how far it is, and the open follow-up actions. Three queries."""
    actions = list(open_actions(agreement).order_by("due_date", "pk")[:5])
    return {
        "rows": party_rows(agreement),
        "open_actions": actions,
        "open_action_count": open_actions(agreement).count() if len(actions) == 5 else len(actions),
        "today": timezone.localdate(),
    }


def comparison(agreement, language=None):
    """The side-by-side page: per question, every party's answer, the conclusion and the actions; then the
    actions not tied to a question. Four queries whatever the number of parties."""
    rows = party_rows(agreement)
    sheets = [row["sheet"] for row in rows if row["sheet"] is not None]
    texts = {}
    for sheet_id, code, text in QuestionAnswer.objects.filter(sheet__in=sheets).values_list(
        "sheet_id", "code", "text"
    ):
        texts[sheet_id, code] = text
    conclusions = {conclusion.code: conclusion for conclusion in agreement.conclusions.all()}
    actions = {}
    for action in agreement.actions.select_related("owner__partner", "owner__agreement__organisation"):
        actions.setdefault(action.code if action.code in CODES else "", []).append(action)
    items = []
    for question in questions(language):
        answers = [
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


def actions_due(*, organisation, today=None, days=DUE_SOON_DAYS, limit=20):
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
