"""Operations of the samenwerkingschecker. Views and tasks call these; none of them touches a request."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from checker.mail import send_invitation_email
from checker.models import (
    Answer,
    CheckerRound,
    Collaboration,
    Invitation,
    RoundStatement,
    Statement,
)
from checker.questionnaire import STATEMENTS
from partnerhub.audit import AuditAction, audit_record
from partnerhub.models import Contact, Organisation, Partner, User

# A second "send" of the same invitation within this time is a double click: it sends nothing.
DOUBLE_SUBMIT = datetime.timedelta(seconds=10)
# An invitation queued longer ago than a redelivered task could take without having been sent is taken as
# not queued (the task was lost), so it can be sent again.
QUEUE_LOST_AFTER = datetime.timedelta(
    seconds=settings.CELERY_VISIBILITY_TIMEOUT + settings.CELERY_TASK_TIME_LIMIT
)


class MailNotQueued(Exception):
    """The task queue could not be reached: `queued` e-mails went, the others are not marked queued."""

    def __init__(self, queued: int) -> None:
        super().__init__(f"{queued} e-mails queued, then the task queue could not be reached")
        self.queued = queued


class SurveyClosed(Exception):
    """The invitation cannot take answers (any more): revoked, expired, or the round is not open."""


class IncompleteResponse(Exception):
    def __init__(self, missing_statements: list[Statement], missing_grade: bool) -> None:
        super().__init__("response incomplete")
        self.missing_statements, self.missing_grade = missing_statements, missing_grade


def standard_statements() -> QuerySet[Statement]:
    return Statement.objects.filter(organisation__isnull=True).order_by("position", "pk")


def standard_statements_restore() -> int:
    """Put back any of the 17 standard statements that is missing (after a database flush, which empties
    what the data migration loaded). Existing ones are left as they are. Returns how many were created."""
    present = set(standard_statements().values_list("code", flat=True))
    missing = [
        Statement(code=code, position=position, text_nl=nl, text_en=en, help_nl=help_nl, help_en=help_en)
        for position, (code, nl, en, help_nl, help_en) in enumerate(STATEMENTS, start=1)
        if code not in present
    ]
    Statement.objects.bulk_create(missing)
    return len(missing)


@transaction.atomic
def collaboration_create(
    *,
    organisation: Organisation,
    actor: User | None,
    name: str,
    description: str = "",
    partners: Iterable[Partner] = (),
) -> Collaboration:
    joining = list(partners)
    if any(partner.organisation_id != organisation.pk for partner in joining):
        raise ValueError("A partner of another organisation cannot join this collaboration.")
    collaboration = Collaboration.objects.create(
        organisation=organisation, name=name, description=description
    )
    collaboration.partners.set(joining)
    audit_record(organisation=organisation, actor=actor, action=AuditAction.CREATE, obj=collaboration)
    return collaboration


@transaction.atomic
def collaboration_update(
    *,
    collaboration: Collaboration,
    actor: User | None,
    name: str,
    description: str = "",
    partners: Iterable[Partner] = (),
) -> Collaboration:
    joining = list(partners)
    if any(partner.organisation_id != collaboration.organisation_id for partner in joining):
        raise ValueError("A partner of another organisation cannot join this collaboration.")
    collaboration.name, collaboration.description = name, description
    collaboration.save()
    collaboration.partners.set(joining)
    audit_record(
        organisation=collaboration.organisation, actor=actor, action=AuditAction.UPDATE, obj=collaboration
    )
    return collaboration


def _respondents_of(collaboration: Collaboration) -> list[dict[str, Any]]:
    """Who fills in a new round: every contact person of the collaboration's partners, and every member of
    the organisation itself (the checker is filled by all partners, yourself included)."""
    contacts = Contact.objects.filter(partner__in=collaboration.partners.all()).select_related("partner")
    people: list[dict[str, Any]] = [
        {"partner": contact.partner, "contact": contact, "name": contact.name, "email": contact.email}
        for contact in contacts.order_by("partner__name", "name")
    ]
    memberships = collaboration.organisation.memberships.select_related("user").order_by("user__email")
    people += [
        {
            "user": membership.user,
            "name": membership.user.get_full_name() or membership.user.email,
            "email": membership.user.email,
        }
        for membership in memberships
    ]
    return people


def _add_invitations(round_: CheckerRound, people: Iterable[dict[str, Any]]) -> list[Invitation]:
    invitations = []
    for person in people:
        invitation = Invitation(round=round_, expires_at=round_.closes_at, **person)
        invitation.issue_token()
        invitations.append(invitation)
    return Invitation.objects.bulk_create(invitations)


@transaction.atomic
def round_create(
    *,
    collaboration: Collaboration,
    actor: User | None,
    name: str,
    deadline: datetime.date,
    opens_on: datetime.date | None = None,
    anonymous: bool = False,
    reminder_days: Iterable[int] | None = None,
    own_statements: Iterable[Statement] = (),
) -> CheckerRound:
    """A round with the 17 standard statements, then the organisation's own chosen ones, and an invitation
    for everyone who fills it in."""
    own = list(own_statements)
    if any(statement.organisation_id != collaboration.organisation_id for statement in own):
        raise ValueError("Statements of another organisation cannot be used.")
    round_ = CheckerRound(
        organisation=collaboration.organisation,
        collaboration=collaboration,
        name=name,
        deadline=deadline,
        anonymous=anonymous,
        created_by=actor,
    )
    if opens_on:
        round_.opens_on = opens_on
    if reminder_days is not None:
        round_.reminder_days = sorted(set(reminder_days))
    round_.save()
    statements = [*standard_statements(), *own]
    RoundStatement.objects.bulk_create(
        RoundStatement(round=round_, statement=statement, position=position)
        for position, statement in enumerate(statements, start=1)
    )
    _add_invitations(round_, _respondents_of(collaboration))
    audit_record(organisation=round_.organisation, actor=actor, action=AuditAction.CREATE, obj=round_)
    return round_


@transaction.atomic
def round_repeat(
    *,
    previous: CheckerRound,
    actor: User | None,
    name: str,
    deadline: datetime.date,
    opens_on: datetime.date | None = None,
) -> CheckerRound:
    """The next round of the same collaboration: the same statements, settings and respondents."""
    round_ = CheckerRound(
        organisation=previous.organisation,
        collaboration=previous.collaboration,
        name=name,
        deadline=deadline,
        anonymous=previous.anonymous,
        reminder_days=previous.reminder_days,
        previous_round=previous,
        created_by=actor,
    )
    if opens_on:
        round_.opens_on = opens_on
    round_.save()
    RoundStatement.objects.bulk_create(
        RoundStatement(round=round_, statement_id=item.statement_id, position=item.position)
        for item in previous.round_statements.all()
    )
    people = [
        {
            "partner_id": invitation.partner_id,
            "contact_id": invitation.contact_id,
            "user_id": invitation.user_id,
            "name": invitation.name,
            "email": invitation.email,
        }
        for invitation in previous.invitations.filter(revoked_at__isnull=True)
    ]
    _add_invitations(round_, people)
    audit_record(organisation=round_.organisation, actor=actor, action=AuditAction.CREATE, obj=round_)
    return round_


@transaction.atomic
def round_update_deadline(*, round_: CheckerRound, deadline: datetime.date, actor: User | None) -> None:
    """A new deadline moves the expiry of every invitation with it."""
    round_.deadline = deadline
    round_.full_clean(exclude=["statements"])
    round_.save(update_fields=["deadline"])
    round_.invitations.update(expires_at=round_.closes_at)
    audit_record(organisation=round_.organisation, actor=actor, action=AuditAction.UPDATE, obj=round_)


def _mark_queued(invitations: list[Invitation], now: datetime.datetime) -> None:
    Invitation.objects.filter(pk__in=[invitation.pk for invitation in invitations]).update(queued_at=now)


def _queue_mail(invitations: list[Invitation], base_url: str | None, now: datetime.datetime) -> None:
    """Hand the e-mails to the task queue, after the transaction that marked them queued has committed.
    When the queue cannot be reached, the invitations not handed over are no longer marked queued, so they
    can be sent again at once, and MailNotQueued says how many did go."""
    from checker import tasks  # the task module imports this one

    for index, invitation in enumerate(invitations):
        try:
            tasks.send_invitation.delay(invitation.pk, base_url=base_url)
        except (KombuOperationalError, OSError) as error:
            left = [each.pk for each in invitations[index:]]
            Invitation.objects.filter(pk__in=left, queued_at=now).update(queued_at=None)
            raise MailNotQueued(queued=index) from error


def is_queued(invitation: Invitation, now: datetime.datetime | None = None) -> bool:
    """The invitation's e-mail is in the queue and has not gone out since (a lost task does not count)."""
    now = now or timezone.now()
    if invitation.queued_at is None or invitation.queued_at <= now - QUEUE_LOST_AFTER:
        return False
    return invitation.sent_at is None or invitation.sent_at < invitation.queued_at


def round_send_invitations(
    *, round_: CheckerRound, base_url: str | None = None, now: datetime.datetime | None = None
) -> list[Invitation]:
    """Send the invitation of every respondent who has not been sent one (and has an address); returns the
    invitations queued, none when everyone has had theirs or has it on its way.

    The round is locked first and each invitation is marked queued (committed) before its task is queued,
    so two clicks at once send every invitation once."""
    now = now or timezone.now()
    with transaction.atomic():
        CheckerRound.objects.select_for_update().filter(pk=round_.pk).order_by().first()
        pending = list(
            round_.invitations.select_for_update()
            .filter(sent_at__isnull=True, revoked_at__isnull=True, submitted_at__isnull=True)
            .filter(Q(queued_at__isnull=True) | Q(queued_at__lte=now - QUEUE_LOST_AFTER))
            .exclude(email="")
            .order_by("pk")
        )
        _mark_queued(pending, now)
    _queue_mail(pending, base_url, now)
    return pending


def invitation_send(
    *, invitation: Invitation, base_url: str | None = None, now: datetime.datetime | None = None
) -> bool:
    """Send (again) the invitation of one respondent. Returns False, changing nothing, when its e-mail is
    still on its way or went out moments ago (a double click)."""
    now = now or timezone.now()
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if is_queued(invitation, now) or (invitation.sent_at and invitation.sent_at > now - DOUBLE_SUBMIT):
            return False
        _mark_queued([invitation], now)
    _queue_mail([invitation], base_url, now)
    return True


def invitation_deliver(
    *, invitation_id: int, base_url: str | None = None, now: datetime.datetime | None = None
) -> bool:
    """E-mail a queued invitation (run by the task), holding its row lock: an invitation that is not queued,
    was sent since it was queued, was revoked or submitted is left alone, so a task that runs twice (or two
    tasks of one click each) send one e-mail."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("round__organisation", "round__collaboration")
            .filter(pk=invitation_id, revoked_at__isnull=True, submitted_at__isnull=True)
            .first()
        )
        if invitation is None or invitation.queued_at is None:
            return False
        if invitation.sent_at is not None and invitation.sent_at >= invitation.queued_at:
            return False
        return send_invitation_email(
            invitation, base_url=base_url, now=max(now or timezone.now(), invitation.queued_at)
        )


def invitation_new_link(*, invitation: Invitation) -> str:
    """Replace the invitation's link (the old one stops working) and return the new token."""
    raw = invitation.issue_token()
    invitation.save(update_fields=["token_nonce", "token_hash"])
    return raw


def invitation_revoke(*, invitation: Invitation, actor: User | None) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        organisation=invitation.round.organisation,
        actor=actor,
        action=AuditAction.UPDATE,
        obj=invitation,
        changes={"revoked_at": [None, invitation.revoked_at.isoformat()]},
    )


def _open_invitation(invitation_id: int, now: datetime.datetime) -> Invitation:
    """The invitation, locked, if it may take answers now; otherwise SurveyClosed."""
    invitation = Invitation.objects.select_for_update().select_related("round").get(pk=invitation_id)
    usable = invitation.revoked_at is None and invitation.expires_at > now
    if not usable or not invitation.round.is_open(now):
        raise SurveyClosed()
    return invitation


@transaction.atomic
def answer_save(
    *, invitation: Invitation, statement_id: int, score: int, now: datetime.datetime | None = None
) -> Answer:
    """Store one score (1–5). The statement must be one of the round's. Changing an answer is allowed until
    the deadline, also after submitting."""
    now = now or timezone.now()
    invitation = _open_invitation(invitation.pk, now)
    if not invitation.round.round_statements.filter(statement_id=statement_id).exists():
        raise ValueError("This statement is not part of the round.")
    answer, _created = Answer.objects.update_or_create(
        invitation=invitation, statement_id=statement_id, defaults={"score": score}
    )
    return answer


@transaction.atomic
def grade_save(*, invitation: Invitation, grade: int, now: datetime.datetime | None = None) -> Invitation:
    invitation = _open_invitation(invitation.pk, now or timezone.now())
    invitation.grade = grade
    invitation.save(update_fields=["grade"])
    return invitation


@transaction.atomic
def invitation_submit(*, invitation: Invitation, now: datetime.datetime | None = None) -> Invitation:
    """Mark the response as submitted. Every statement and the grade must be answered. Submitting again is
    harmless: the first moment of submitting is kept."""
    now = now or timezone.now()
    invitation = _open_invitation(invitation.pk, now)
    answered = set(invitation.answers.values_list("statement_id", flat=True))
    missing = [
        item.statement
        for item in invitation.round.round_statements.select_related("statement")
        if item.statement_id not in answered
    ]
    if missing or invitation.grade is None:
        raise IncompleteResponse(missing, invitation.grade is None)
    if invitation.submitted_at is None:
        invitation.submitted_at = now
        invitation.save(update_fields=["submitted_at"])
    return invitation
