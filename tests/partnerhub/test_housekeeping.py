"""Housekeeping: expired sessions and long-expired invitations to join are deleted, the uploaded text of old
CSV imports is emptied (their history stays), and documents that failed lately are rendered again; each job
says what it would do with --dry-run and changes nothing then, and a second run finds nothing to do."""

import datetime
import io

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from partnerhub import housekeeping
from partnerhub.account_services import signup_confirm, signup_request
from partnerhub.models import CsvImportJob, Document, DocumentStatus, MemberInvitation, Organisation, User

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def ago(days=0, hours=0):
    return NOW - datetime.timedelta(days=days, hours=hours)


def invitation(org, email, **fields):
    row = MemberInvitation(
        organisation=org, email=email, expires_at=fields.pop("expires_at", ago(-14)), **fields
    )
    row.issue_token()
    row.save()
    return row


def session(expires):
    store = SessionStore()
    store["visited"] = True
    store.create()
    Session.objects.filter(session_key=store.session_key).update(expire_date=expires)
    return store.session_key


def test_expired_sessions_and_long_expired_invitations_go_the_rest_stays(org):
    old_session, live_session = session(ago(1)), session(ago(-7))
    invitation(org, "verlopen@example.nl", expires_at=ago(40))
    invitation(org, "ingetrokken@example.nl", revoked_at=ago(40))
    invitation(org, "net-verlopen@example.nl", expires_at=ago(5))  # still shown as expired on the team page
    invitation(org, "geaccepteerd@example.nl", expires_at=ago(40), accepted_at=ago(50))
    invitation(org, "open@example.nl")

    assert housekeeping.purge_expired_tokens(dry_run=True) == {
        "expired sessions": 1,
        "expired invitations to join": 2,
        "unconfirmed sign-ups": 0,
    }
    assert Session.objects.count() == 2 and MemberInvitation.objects.count() == 5

    housekeeping.purge_expired_tokens()
    assert list(Session.objects.values_list("session_key", flat=True)) == [live_session]
    assert old_session != live_session
    assert set(MemberInvitation.objects.values_list("email", flat=True)) == {
        "net-verlopen@example.nl",
        "geaccepteerd@example.nl",
        "open@example.nl",
    }
    again = housekeeping.purge_expired_tokens()
    assert again == {"expired sessions": 0, "expired invitations to join": 0, "unconfirmed sign-ups": 0}


def test_sign_ups_never_confirmed_go_a_week_after_their_link_expired_with_their_organisation(db):
    old, _created = signup_request(
        full_name="Oud",
        email="oud@example.nl",
        password="lang-genoeg-wachtwoord-1",
        organisation_name="Oud BV",
    )
    recent, _created = signup_request(
        full_name="Nieuw",
        email="nieuw@example.nl",
        password="lang-genoeg-wachtwoord-2",
        organisation_name="Nieuw BV",
    )
    confirmed, _created = signup_request(
        full_name="Klant",
        email="klant@example.nl",
        password="lang-genoeg-wachtwoord-3",
        organisation_name="Klant BV",
    )
    signup_confirm(user=confirmed)
    User.objects.filter(pk__in=[old.pk, confirmed.pk]).update(date_joined=ago(30))

    assert housekeeping.purge_expired_tokens(dry_run=True)["unconfirmed sign-ups"] == 1
    assert housekeeping.purge_expired_tokens()["unconfirmed sign-ups"] == 1
    assert set(User.objects.values_list("email", flat=True)) == {"nieuw@example.nl", "klant@example.nl"}
    assert set(Organisation.objects.values_list("name", flat=True)) == {"Nieuw BV", "Klant BV"}
    assert housekeeping.purge_expired_tokens()["unconfirmed sign-ups"] == 0


def job(org, token, *, status, finished_at=None, created_days_ago=0, language="nl"):
    row = CsvImportJob.objects.create(
        organisation=org,
        kind="partners",
        token=token,
        content="naam;e-mail\nBouw & Zonen;info@bouw.example\n",
        status=status,
        finished_at=finished_at,
        language=language,
        total_rows=1,
    )
    CsvImportJob.objects.filter(pk=row.pk).update(created_at=ago(created_days_ago))
    return row


def test_old_import_uploads_are_emptied_and_unfinished_ones_closed(org):
    old = job(org, "old", status=CsvImportJob.DONE, finished_at=ago(10), created_days_ago=10)
    recent = job(org, "recent", status=CsvImportJob.DONE, finished_at=ago(2), created_days_ago=2)
    stuck = job(org, "stuck", status=CsvImportJob.WORKING, created_days_ago=10)

    assert housekeeping.purge_import_uploads(dry_run=True) == {
        "import uploads emptied": 1,
        "unfinished imports closed": 1,
    }
    assert CsvImportJob.objects.exclude(content="").count() == 3

    housekeeping.purge_import_uploads()
    old.refresh_from_db(), recent.refresh_from_db(), stuck.refresh_from_db()
    assert (old.content, old.status, old.total_rows) == ("", CsvImportJob.DONE, 1)  # the history stays
    assert recent.content.startswith("naam;")
    assert (stuck.content, stuck.status) == ("", CsvImportJob.FAILED)
    assert (
        stuck.error == "Deze import is niet op tijd klaar gekomen en is gestopt. Upload het bestand opnieuw."
    )
    assert housekeeping.purge_import_uploads() == {
        "import uploads emptied": 0,
        "unfinished imports closed": 0,
    }


def failed_document(org, *, attempts, finished_at):
    return Document.objects.create(
        organisation=org,
        kind="partner_list",
        title="Partnerlijst",
        status=DocumentStatus.FAILED,
        error="De wachtrij is niet bereikbaar",
        attempts=attempts,
        finished_at=finished_at,
    )


def test_documents_that_failed_lately_are_rendered_again_others_left_for_a_person(
    org, eager_celery, django_capture_on_commit_callbacks
):
    lately = failed_document(org, attempts=1, finished_at=ago(hours=2))
    tried_often = failed_document(org, attempts=3, finished_at=ago(hours=2))
    long_ago = failed_document(org, attempts=1, finished_at=ago(3))

    assert housekeeping.retry_failed_documents(dry_run=True) == {"documents queued again": 1}
    assert Document.objects.filter(status=DocumentStatus.FAILED).count() == 3

    with django_capture_on_commit_callbacks(execute=True):
        assert housekeeping.retry_failed_documents() == {"documents queued again": 1}
    lately.refresh_from_db()
    assert lately.status == DocumentStatus.READY  # rendered for real, in-process here
    assert lately.file.read(4) == b"%PDF"
    for document in (tried_often, long_ago):
        document.refresh_from_db()
        assert document.status == DocumentStatus.FAILED
    assert housekeeping.retry_failed_documents() == {"documents queued again": 0}


def test_the_commands_take_dry_run_and_say_so(org):
    session(ago(1))
    out = io.StringIO()
    call_command("purge_expired_tokens", "--dry-run", stdout=out)
    assert out.getvalue().splitlines() == [
        "Dry run: nothing was changed. It would be:",
        "expired sessions: 1",
        "expired invitations to join: 0",
        "unconfirmed sign-ups: 0",
    ]
    assert Session.objects.count() == 1
    out = io.StringIO()
    call_command("purge_expired_tokens", stdout=out)
    assert "expired sessions: 1" in out.getvalue()
    assert Session.objects.count() == 0
    for name in ("purge_import_uploads", "retry_failed_documents"):
        out = io.StringIO()
        call_command(name, "--dry-run", stdout=out)
        assert out.getvalue().startswith("Dry run: nothing was changed.")


def test_the_scheduler_runs_each_job_at_night():
    from django.conf import settings

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "partnerhub.tasks.purge_expired_tokens",
        "partnerhub.tasks.purge_import_uploads",
        "partnerhub.tasks.retry_failed_documents",
    } <= tasks
