"""Housekeeping of the core app: what piles up and is of no use to anyone any more, and renders that failed.

Each job returns what it did (or, with `dry_run=True`, what it would do) as `{label: count}`, changes nothing
twice when run twice, and runs both as a management command (`manage.py <name> [--dry-run]`) and as a daily
task of the scheduler (settings.CELERY_BEAT_SCHEDULE). Records people may need (signed documents, answers,
commissions, audit entries) are never touched here.
"""

import datetime

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from partnerhub.account_services import pending_signup_remove
from partnerhub.documents import document_retry
from partnerhub.models import CsvImportJob, Document, DocumentStatus, MemberInvitation, User


def _days(name: str, default: int) -> datetime.timedelta:
    return datetime.timedelta(days=getattr(settings, name, default))


def purge_expired_tokens(*, now: datetime.datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Expired sessions; invitations to join that nobody accepted and that expired (or were revoked) more
    than HOUSEKEEPING_INVITATIONS_KEEP_DAYS ago (until then the team page still shows them as expired); and
    sign-ups never confirmed, a week after their link expired."""
    now = now or timezone.now()
    before = now - _days("HOUSEKEEPING_INVITATIONS_KEEP_DAYS", 30)
    sessions = Session.objects.filter(expire_date__lt=now)
    invitations = MemberInvitation.objects.filter(accepted_at__isnull=True).filter(
        Q(expires_at__lt=before) | Q(revoked_at__lt=before)
    )
    # A sign-up whose confirmation link expired a week ago: the account (never active, never logged in) and
    # the organisation it made, unless someone else joined that organisation meanwhile.
    signup_expired = (
        now - datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT) - datetime.timedelta(days=7)
    )
    signups = User.objects.filter(is_active=False, last_login__isnull=True, date_joined__lt=signup_expired)
    done = {
        "expired sessions": sessions.count(),
        "expired invitations to join": invitations.count(),
        "unconfirmed sign-ups": signups.count(),
    }
    if not dry_run:
        sessions.delete()
        invitations.delete()
        for email in signups.values_list("email", flat=True):
            with transaction.atomic():
                pending_signup_remove(email)
    return done


def purge_import_uploads(*, now: datetime.datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """The uploaded text of CSV imports that finished more than HOUSEKEEPING_IMPORT_UPLOADS_KEEP_DAYS ago
    (the job's row, counts and row errors stay, as the history of the import); imports that never finished
    in that time are marked failed and emptied too."""
    now = now or timezone.now()
    before = now - _days("HOUSEKEEPING_IMPORT_UPLOADS_KEEP_DAYS", 7)
    finished = CsvImportJob.objects.exclude(content="").filter(
        status__in=[CsvImportJob.DONE, CsvImportJob.FAILED], finished_at__lt=before
    )
    abandoned = CsvImportJob.objects.exclude(status__in=[CsvImportJob.DONE, CsvImportJob.FAILED]).filter(
        created_at__lt=before
    )
    done = {"import uploads emptied": finished.count(), "unfinished imports closed": abandoned.count()}
    if not dry_run:
        finished.update(content="")
        for job in abandoned:
            with translation.override(job.language or settings.LANGUAGE_CODE):
                error = _("This import did not finish in time and was stopped. Please upload the file again.")
            CsvImportJob.objects.filter(pk=job.pk, status=job.status).update(
                content="", status=CsvImportJob.FAILED, finished_at=now, error=error
            )
    return done


MAX_AUTOMATIC_ATTEMPTS = 3


def retry_failed_documents(*, now: datetime.datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Queue again the documents that failed (or stalled) in the last day and were tried fewer than three
    times: a worker or a service that was away has usually come back. A document that keeps failing is left
    for a person to look at (its page shows the error and a retry)."""
    now = now or timezone.now()
    since = now - datetime.timedelta(hours=24)
    candidates = (
        Document.objects.filter(Q(status=DocumentStatus.FAILED) | Document.stalled())
        .filter(attempts__lt=MAX_AUTOMATIC_ATTEMPTS)
        .filter(Q(finished_at__gte=since) | Q(finished_at__isnull=True, created_at__gte=since))
        .order_by("pk")
    )
    if dry_run:
        return {"documents queued again": candidates.count()}
    queued = sum(1 for document in candidates if document_retry(document=document))
    return {"documents queued again": queued}
