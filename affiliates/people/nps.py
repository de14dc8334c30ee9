"""Customer satisfaction (NPS) per partner: scores entered by a member, or given through a one-question link.

A link (`NpsRequest`, `/nps/<token>/`) is shown once to copy, or mailed by the task
`affiliates.people.tasks.send_nps_link`. A mailed request is created *pending*: its `token_hash` is a
placeholder that no raw token hashes to (`pending-…`), so the link does not exist until the task makes the
token and sends it in one transaction; a task that runs twice finds the request sent and sends nothing.

A link is answered once: the answer creates one `NpsScore` (source "link") and marks the request answered,
under a row lock, so a second answer (or two at once) is refused. Unknown links, withdrawn or expired links
and bad scores write nothing.
"""

import datetime
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from affiliates.models import NpsRequest, NpsScore, NpsSource, Project
from partnerhub.audit import AuditAction, audit_record
from partnerhub.models import Partner, User

LINK_DAYS = 30
PENDING = "pending-"
# A second request to the same address within this time is a double click: nothing is sent again.
DOUBLE_SUBMIT = datetime.timedelta(seconds=10)
# A request still pending after a redelivered task could have sent it was lost: the address may be asked again
# (and is not refused as "on its way").
MAIL_LOST_AFTER = datetime.timedelta(
    seconds=settings.CELERY_VISIBILITY_TIMEOUT + settings.CELERY_TASK_TIME_LIMIT
)


class NpsAlreadyAsked(Exception):
    """The same customer was just sent the question, or it is on its way: a second click sends nothing."""


class NpsClosed(Exception):
    """The link cannot be answered: `reason` is unknown, revoked, expired or answered."""

    def __init__(self, reason: str, nps_request: NpsRequest | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.nps_request = nps_request


def parse_score(value: object) -> int:
    """An integer score 0–10 from user input, or ValidationError."""
    try:
        score = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(_("Choose a score from 0 to 10.")) from None
    if not 0 <= score <= 10:
        raise ValidationError(_("Choose a score from 0 to 10."))
    return score


def _check_project(partner: Partner, project: Project | None) -> None:
    if project is not None and project.partner_id != partner.pk:
        raise ValidationError(_("Choose one of this partner's projects."))


def nps_figure(scores: Iterable[int]) -> int | None:
    """The Net Promoter Score of a list of scores: % promoters (9–10) − % detractors (0–6), or None."""
    answers = list(scores)
    if not answers:
        return None
    promoters = sum(1 for score in answers if score >= 9)
    detractors = sum(1 for score in answers if score <= 6)
    return round((promoters - detractors) * 100 / len(answers))


def partner_summary(partner: Partner) -> dict[str, Any]:
    """{count, promoters, passives, detractors, nps} of all the partner's scores, in one query."""
    row = NpsScore.objects.filter(partner=partner).aggregate(
        count=Count("pk"),
        promoters=Count("pk", filter=Q(score__gte=9)),
        detractors=Count("pk", filter=Q(score__lte=6)),
    )
    count = row["count"]
    row["passives"] = count - row["promoters"] - row["detractors"]
    row["nps"] = round((row["promoters"] - row["detractors"]) * 100 / count) if count else None
    return row


@transaction.atomic
def nps_score_create(
    *,
    partner: Partner,
    score: object,
    date: datetime.date,
    actor: User | None,
    comment: str = "",
    project: Project | None = None,
) -> NpsScore:
    """A score a member enters for the partner (a customer told it by phone, a survey elsewhere)."""
    value = parse_score(score)
    _check_project(partner, project)
    if date > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    entry = NpsScore.objects.create(
        organisation_id=partner.organisation_id,
        partner=partner,
        project=project,
        score=value,
        comment=comment.strip(),
        source=NpsSource.ENTERED,
        date=date,
    )
    audit_record(
        organisation=partner.organisation,
        actor=actor,
        action=AuditAction.CREATE,
        obj=entry,
        partner=partner,
        changes={"score": ["", str(value)], "date": ["", date.isoformat()]},
    )
    return entry


@transaction.atomic
def nps_request_link(
    *,
    partner: Partner,
    actor: User | None,
    project: Project | None = None,
    now: datetime.datetime | None = None,
) -> tuple[NpsRequest, str]:
    """A link to show once and copy. Returns (request, raw token); only the token's hash is kept."""
    _check_project(partner, project)
    now = now or timezone.now()
    nps_request = NpsRequest(
        organisation_id=partner.organisation_id,
        partner=partner,
        project=project,
        expires_at=now + datetime.timedelta(days=LINK_DAYS),
    )
    raw = nps_request.issue_token()
    nps_request.save()
    audit_record(
        organisation=partner.organisation,
        actor=actor,
        action=AuditAction.CREATE,
        obj=nps_request,
        partner=partner,
        changes={"expires_at": ["", _when(nps_request.expires_at)]},
    )
    return nps_request, raw


def _asked_moments_ago(partner: Partner, project: Project | None, email: str, now: datetime.datetime) -> bool:
    open_requests = NpsRequest.objects.filter(
        partner=partner, project=project, email=email, revoked_at__isnull=True, answered_at__isnull=True
    )
    pending = Q(token_hash__startswith=PENDING, created_at__gt=now - MAIL_LOST_AFTER)
    return open_requests.filter(pending | Q(created_at__gt=now - DOUBLE_SUBMIT)).exists()


@transaction.atomic
def nps_request_mail(
    *,
    partner: Partner,
    email: str | None,
    actor: User | None,
    project: Project | None = None,
    now: datetime.datetime | None = None,
) -> NpsRequest:
    """A pending request for `email`; the task `send_nps_link` makes its link and mails it.

    Under the partner's row lock: when the same question (partner, project) to the same address is still
    on its way, or was sent moments ago (a double click), nothing is made and NpsAlreadyAsked is raised."""
    email = (email or "").strip()
    validate_email(email)
    _check_project(partner, project)
    now = now or timezone.now()
    Partner.objects.select_for_update().filter(pk=partner.pk).order_by().first()
    if _asked_moments_ago(partner, project, email, now):
        raise NpsAlreadyAsked(email)
    nps_request = NpsRequest.objects.create(
        organisation_id=partner.organisation_id,
        partner=partner,
        project=project,
        email=email,
        token_hash=PENDING + secrets.token_hex(28),
        expires_at=now,
    )
    audit_record(
        organisation=partner.organisation,
        actor=actor,
        action=AuditAction.CREATE,
        obj=nps_request,
        partner=partner,
        changes={"email": ["", email]},
    )
    return nps_request


def is_pending(nps_request: NpsRequest) -> bool:
    return nps_request.token_hash.startswith(PENDING)


def nps_mail_link(
    *, nps_request_id: int, base_url: str | None = None, now: datetime.datetime | None = None
) -> bool:
    """For the task: make the pending request's token and mail the link, in one transaction (if sending
    fails nothing changes and the task tries again). Returns False when there is nothing (more) to send."""
    now = now or timezone.now()
    with transaction.atomic():
        nps_request = (
            NpsRequest.objects.select_for_update()
            .order_by()
            .filter(pk=nps_request_id)
            .select_related("partner", "organisation")
            .first()
        )
        if (
            nps_request is None
            or not is_pending(nps_request)
            or nps_request.revoked_at
            or not nps_request.email
        ):
            return False
        raw = nps_request.issue_token()
        nps_request.expires_at = now + datetime.timedelta(days=LINK_DAYS)
        nps_request.save(update_fields=["token_hash", "expires_at"])
        context = {
            "organisation": nps_request.organisation,
            "partner": nps_request.partner,
            "url": f"{(base_url or settings.SITE_URL).rstrip('/')}{reverse('nps_answer', args=[raw])}",
            "expires": timezone.localdate(nps_request.expires_at),
        }
        with translation.override(settings.LANGUAGE_CODE):
            subject = " ".join(render_to_string("affiliates/people/email/nps_subject.txt", context).split())
            body = render_to_string("affiliates/people/email/nps_body.txt", context)
        send_mail(subject, body, None, [nps_request.email])
        audit_record(
            organisation=nps_request.organisation,
            actor=None,
            actor_name="PartnerHub",
            action=AuditAction.UPDATE,
            obj=nps_request,
            partner=nps_request.partner,
            changes={"expires_at": ["", _when(nps_request.expires_at)]},
        )
    return True


def request_by_token(raw: str, now: datetime.datetime | None = None) -> tuple[NpsRequest | None, str | None]:
    """The request of a raw token and why it cannot be answered (None when it can)."""
    nps_request, _reason = NpsRequest.objects.select_related("organisation", "partner").lookup(raw, now)
    return nps_request, refusal(nps_request, now)


def refusal(nps_request: NpsRequest | None, now: datetime.datetime | None = None) -> str | None:
    if nps_request is None:
        return "unknown"
    if nps_request.answered_at is not None:
        return "answered"
    return nps_request.refusal(now)


def nps_answer(
    *, raw_token: str, score: object, comment: str | None = "", now: datetime.datetime | None = None
) -> NpsScore:
    """The customer's answer through the link: one NpsScore, once. Raises ValidationError for a bad score
    and NpsClosed when the link cannot be answered (nothing is written in either case)."""
    now = now or timezone.now()
    value = parse_score(score)
    comment = (comment or "").strip()[:2000]
    with transaction.atomic():
        nps_request, _reason = NpsRequest.objects.select_for_update().order_by().lookup(raw_token, now)
        reason = refusal(nps_request, now)
        if reason or nps_request is None:  # no request: the reason is "unknown"
            raise NpsClosed(reason or "unknown", nps_request)
        entry = NpsScore.objects.create(
            organisation_id=nps_request.organisation_id,
            partner_id=nps_request.partner_id,
            project_id=nps_request.project_id,
            score=value,
            comment=comment,
            source=NpsSource.LINK,
            date=timezone.localdate(now),
        )
        nps_request.answered_at = now
        nps_request.score = entry
        nps_request.save(update_fields=["answered_at", "score"])
        audit_record(
            organisation=nps_request.organisation,
            actor=None,
            actor_name=nps_request.email or _("A customer through the link"),
            action=AuditAction.CREATE,
            obj=entry,
            partner=nps_request.partner,
            changes={"score": ["", str(value)]},
        )
    return entry


@transaction.atomic
def nps_request_revoke(
    *, nps_request: NpsRequest, actor: User | None, now: datetime.datetime | None = None
) -> NpsRequest:
    """The link stops working at once (an answer already given stays)."""
    nps_request = NpsRequest.objects.select_for_update().order_by().get(pk=nps_request.pk)
    if nps_request.revoked_at is None and nps_request.answered_at is None:
        nps_request.revoked_at = now or timezone.now()
        nps_request.save(update_fields=["revoked_at"])
        audit_record(
            organisation=nps_request.organisation,
            actor=actor,
            action=AuditAction.UPDATE,
            obj=nps_request,
            partner=nps_request.partner,
            changes={"revoked_at": ["", _when(nps_request.revoked_at)]},
        )
    return nps_request


def _when(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
