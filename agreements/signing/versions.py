"""Versions of the letter of intent and the agreement: freezing one, its PDF, and a new one after a change."""

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import Agreement, AgreementVersion, Signature, SignRequest, Status, VersionKind
from agreements.signing.snapshots import snapshot, snapshot_hash
from partnerhub import documents
from partnerhub.audit import AuditAction, audit_record
from partnerhub.models import Document, User

VERSION_DOCUMENT = "agreement_version"  # the PDF of a version, as the signers see it
SIGNED_DOCUMENT = "agreement_signed"  # the same with every signature, once all parties signed


def _user(actor: User | None) -> User | None:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def version_document_request(version: AgreementVersion, kind: str, actor: User | None) -> Document:
    """Ask for the PDF of `kind` (VERSION_DOCUMENT or SIGNED_DOCUMENT) of the version."""
    number = version.number
    title = version.snapshot["title"]
    if kind == SIGNED_DOCUMENT:
        label = _("%(document)s “%(title)s”, version %(number)s, signed")
    else:
        label = _("%(document)s “%(title)s”, version %(number)s")
    return documents.document_request(
        organisation=version.agreement.organisation,
        kind=kind,
        title=label % {"document": version.get_kind_display(), "title": title, "number": number},
        params={"version_id": version.pk},
        requested_by=_user(actor),
        language=version.snapshot.get("language"),
    )


@transaction.atomic
def _version_create(*, agreement: Agreement, kind: str, actor: User | None) -> tuple[AgreementVersion, bool]:
    """(version, created). The agreement row is locked so two clicks cannot number two versions alike."""
    agreement = (
        Agreement.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=agreement.pk)
    )
    data = snapshot(agreement, kind)
    digest = snapshot_hash(data)
    latest = AgreementVersion.objects.filter(agreement=agreement, kind=kind).order_by("-number").first()
    if latest is not None and latest.sha256 == digest:
        return latest, False
    now = timezone.now()
    if latest is not None:
        AgreementVersion.objects.filter(pk=latest.pk).update(superseded_at=now)
        latest.sign_requests.filter(used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    version = AgreementVersion.objects.create(
        agreement=agreement,
        kind=kind,
        number=(latest.number if latest else 0) + 1,
        snapshot=data,
        sha256=digest,
        created_by=_user(actor),
    )
    version.document = version_document_request(version, VERSION_DOCUMENT, actor)
    version.save(update_fields=["document"])
    audit_record(
        organisation=agreement.organisation,
        actor=actor,
        action=AuditAction.CREATE,
        obj=version,
        changes={  # {field: [old, new]}, as the audit log shows them
            "number": [str(latest.number) if latest else "", str(version.number)],
            "sha256": [latest.sha256 if latest else "", digest],
        },
    )
    return version, True


def version_create(*, agreement: Agreement, kind: str, actor: User | None) -> AgreementVersion:
    """Freeze the document of `kind` as it reads now and ask for its PDF.

    When the latest version of that kind says exactly the same (the same hash) it is returned and nothing is
    made. Otherwise the new version gets the next number, the previous one is marked replaced and its
    unused signature links stop working.
    """
    return _version_create(agreement=agreement, kind=kind, actor=actor)[0]


def agreement_changed(agreement: Agreement, *, actor: User | None = None) -> list[AgreementVersion]:
    """Called by every service that changes what the agreement says, after it saved the change.

    A current version that someone signed or was asked to sign must not silently differ from the agreement:
    when it does, a new version replaces it (and needs every signature again), and an agreement that was
    signed is being drafted again. A version nobody acted on yet is left alone (its page says it is out of
    date). Without such a version this is one query (no savepoint either: the calling service's transaction
    holds it all).
    """
    signatures = Signature.objects.filter(version=OuterRef("pk"))
    open_requests = SignRequest.objects.usable().filter(version=OuterRef("pk"), used_at__isnull=True)
    kinds = list(
        AgreementVersion.objects.filter(agreement=agreement, superseded_at__isnull=True)
        .filter(Exists(signatures) | Exists(open_requests))
        .values_list("kind", flat=True)
    )
    made: list[AgreementVersion] = []
    for kind in kinds:
        version, created = _version_create(agreement=agreement, kind=kind, actor=actor)
        if created:
            made.append(version)
    if any(version.kind == VersionKind.AGREEMENT for version in made):
        reopened = Agreement.objects.filter(pk=agreement.pk, status=Status.SIGNED).update(
            status=Status.DRAFTING, updated_at=timezone.now()
        )
        if reopened:
            agreement.status = Status.DRAFTING
    return made
