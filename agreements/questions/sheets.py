"""A party's question sheet and its link: making the sheet, issuing, mailing and revoking its link.

A party's sheet is made when it is first needed (a link, or answering in the app). Its link is a token of
which only the hash is stored: issuing a link gives a fresh one (the previous link stops working), valid for
`LINK_DAYS`; the raw token is shown once or mailed once. A sheet made without a link gets an expiry equal to
its creation time, so "no link handed out yet" and "link expired" can be told apart (`selectors.link_state`).
"""

import datetime

from django.conf import settings
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from agreements.models import Party, QuestionSheet
from agreements.questions.audit import audit_moment, sheet_audit
from agreements.questions.selectors import link_state
from agreements.signing.sign_requests import DOUBLE_SUBMIT_SECONDS
from partnerhub.audit import AuditAction
from partnerhub.models import User

LINK_DAYS = 60

# A link asked to be mailed longer ago than a redelivered task could take, and not sent, was lost: it may be
# asked again.
MAIL_LOST_AFTER = datetime.timedelta(
    seconds=settings.CELERY_VISIBILITY_TIMEOUT + settings.CELERY_TASK_TIME_LIMIT
)


class LinkAlreadyMailed(Exception):
    """The same address was just sent the link, or it is on its way: a second click sends nothing."""


def sheet_for(*, party: Party) -> QuestionSheet:
    """The party's sheet, made now if it has none yet (without a usable link)."""
    sheet = QuestionSheet.objects.filter(party=party).first()
    if sheet is not None:
        return sheet
    now = timezone.now()
    # Expired from the start (created_at is set when saving, after `now`) and its token is never shown.
    sheet = QuestionSheet(
        party=party, expires_at=now, email=party.contact.email if party.contact is not None else ""
    )
    sheet.issue_token()
    try:
        with transaction.atomic():
            sheet.save()
    except IntegrityError:  # made by a parallel request in between
        return QuestionSheet.objects.get(party=party)
    return sheet


def _new_link(sheet: QuestionSheet, now: datetime.datetime) -> str:
    """A fresh token (the previous link stops working), valid for LINK_DAYS; returns the raw token."""
    raw = sheet.issue_token()
    sheet.expires_at = now + datetime.timedelta(days=LINK_DAYS)
    sheet.revoked_at = None
    return raw


@transaction.atomic
def sheet_issue_link(
    *, party: Party, actor: User | None, now: datetime.datetime | None = None
) -> tuple[QuestionSheet, str]:
    """A fresh link for the party (the previous one stops working). Returns (sheet, raw token): show the
    token once, it is not stored."""
    now = now or timezone.now()
    sheet = QuestionSheet.objects.select_for_update().get(pk=sheet_for(party=party).pk)
    before = audit_moment(sheet.expires_at) if link_state(sheet, now) != "none" else ""
    raw = _new_link(sheet, now)
    sheet.save(update_fields=["token_hash", "expires_at", "revoked_at"])
    sheet_audit(sheet, actor, AuditAction.UPDATE, {"expires_at": [before, audit_moment(sheet.expires_at)]})
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
    *, party: Party, email: str, actor: User | None, now: datetime.datetime | None = None
) -> QuestionSheet:
    """Record the address the party's link goes to and that a link is to be mailed; the task
    `agreements.questions.tasks.send_question_link` then makes a fresh link and mails it (see
    agreements/questions/mail.py). Returns the sheet.

    Under the sheet's lock: when that address already has a link on its way, or was sent one moments ago
    (a double click), nothing changes and LinkAlreadyMailed is raised, so no second e-mail makes the first
    link stop working."""
    email = email.strip()
    validate_email(email)
    now = now or timezone.now()
    sheet = QuestionSheet.objects.select_for_update().get(pk=sheet_for(party=party).pk)
    if sheet.email == email:
        just_sent = sheet.sent_at and sheet.sent_at > now - datetime.timedelta(seconds=DOUBLE_SUBMIT_SECONDS)
        if just_sent or mail_is_queued(sheet, now):
            raise LinkAlreadyMailed(email)
    before = sheet.email
    sheet.email = email
    sheet.mail_requested_at = now
    sheet.save(update_fields=["email", "mail_requested_at"])
    sheet_audit(sheet, actor, AuditAction.UPDATE, {"email": [before, email]})
    return sheet


def sheet_request_mail_failed(*, sheet: QuestionSheet) -> None:
    """The mail task could not be queued: forget this request (not a later one), so the link can be asked
    for again at once instead of being taken as on its way."""
    QuestionSheet.objects.filter(pk=sheet.pk, mail_requested_at=sheet.mail_requested_at).update(
        mail_requested_at=None
    )


def sheet_mail_link(
    *, sheet_id: int, requested_at: datetime.datetime | None = None, now: datetime.datetime | None = None
) -> tuple[QuestionSheet | None, str | None]:
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
    before = audit_moment(sheet.sent_at) if sheet.sent_at else ""
    raw = _new_link(sheet, now)
    sent_at = sheet.sent_at = max(now, requested)
    sheet.save(update_fields=["token_hash", "expires_at", "revoked_at", "sent_at"])
    sheet = QuestionSheet.objects.select_related(
        "party__agreement__organisation", "party__partner", "party__contact"
    ).get(pk=sheet.pk)
    sheet_audit(
        sheet,
        None,
        AuditAction.UPDATE,
        {"sent_at": [before, audit_moment(sent_at)]},
        actor_name="PartnerHub",
    )
    return sheet, raw


@transaction.atomic
def sheet_revoke(
    *, sheet: QuestionSheet, actor: User | None, now: datetime.datetime | None = None
) -> QuestionSheet:
    """The link stops working at once; the answers stay."""
    sheet = QuestionSheet.objects.select_for_update().select_related("party").get(pk=sheet.pk)
    if sheet.revoked_at is None and link_state(sheet, now) == "active":
        revoked_at = now or timezone.now()
        sheet.revoked_at = revoked_at
        sheet.save(update_fields=["revoked_at"])
        sheet_audit(sheet, actor, AuditAction.UPDATE, {"revoked_at": ["", audit_moment(revoked_at)]})
    return sheet
