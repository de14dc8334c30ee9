"""Signing through a link: the link's request, why it may not sign, the signature, a completed version.

Signing records the typed name, the moment, the IP address and the version's hash. When every party signed
the version, the agreement is signed (or, for the letter of intent, at the intent stage) and the signed PDF
is made.
"""

import datetime
import ipaddress

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import Agreement, AgreementVersion, Signature, SignRequest, Status, VersionKind
from agreements.signing.selectors import is_fully_signed
from agreements.signing.sign_requests import NAME_MAX, SigningError
from agreements.signing.versions import SIGNED_DOCUMENT, version_document_request
from partnerhub.audit import AuditAction, audit_record
from partnerhub.models import Document, User
from partnerhub.names import tidy_name
from partnerhub.tokens import token_hash


class SignRefused(Exception):
    """Signing through a link was refused; nothing was written. `reason` is one of REFUSALS."""

    def __init__(self, reason: str, sign_request: SignRequest | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.sign_request = sign_request


# Why a link cannot be used (any more), or why a signature was not accepted.
REFUSALS = ("unknown", "used", "superseded", "revoked", "expired", "party_signed", "hash", "name", "confirm")


def request_by_token(token: str | None) -> SignRequest | None:
    """The request behind a raw token in any state (used, revoked, expired), or None."""
    if not token or len(token) > 200:
        return None
    return (
        SignRequest.objects.select_related("version__agreement__organisation", "party__partner")
        .filter(token_hash=token_hash(token))
        .first()
    )


def refusal(sign_request: SignRequest | None, now: datetime.datetime | None = None) -> str | None:
    """Why this link cannot be used to sign (a REFUSALS reason), or None when it can."""
    now = now or timezone.now()
    if sign_request is None:
        return "unknown"
    if sign_request.used_at is not None:
        return "used"
    if sign_request.version.superseded_at is not None:
        return "superseded"
    if sign_request.revoked_at is not None:
        return "revoked"
    if sign_request.expires_at <= now:
        return "expired"
    return None


def _ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def sign(
    *,
    token: str,
    name: str,
    confirmed: bool,
    confirmed_hash: str,
    ip: str | None,
    now: datetime.datetime | None = None,
) -> Signature:
    """Sign the version of the link: the typed name, the moment, the IP address and the version's hash.

    Refused (SignRefused, nothing written) for an unknown, used, revoked or expired link, a replaced
    version, a hash that is not the version's, an empty name or a missing confirmation. The version and
    the request are locked, in the order every other writer locks them, so one link signs once and the
    last of the parties to sign sees every other signature. When every party signed: the agreement is
    signed (or, for the letter of intent, at the intent stage) and the signed PDF is made.
    """
    now = now or timezone.now()
    name = tidy_name(name or "")
    found = request_by_token(token)
    if found is None:
        raise SignRefused("unknown")
    with transaction.atomic():
        version = AgreementVersion.objects.select_for_update().get(pk=found.version_id)
        sign_request = SignRequest.objects.select_for_update().get(pk=found.pk)
        sign_request.version, sign_request.party = version, found.party
        reason = refusal(sign_request, now)
        if (
            reason is None
            and Signature.objects.filter(version=version, party_id=sign_request.party_id).exists()
        ):
            reason = "party_signed"
        if reason is None and confirmed_hash != version.sha256:
            reason = "hash"
        if reason is None and not 0 < len(name) <= NAME_MAX:
            reason = "name"
        if reason is None and not confirmed:
            reason = "confirm"
        if reason is not None:
            raise SignRefused(reason, sign_request)
        signature = Signature.objects.create(
            version=version,
            party_id=sign_request.party_id,
            request=sign_request,
            name=name,
            signed_at=now,
            ip_address=_ip(ip),
            version_sha256=version.sha256,
        )
        sign_request.used_at = now
        sign_request.save(update_fields=["used_at"])
        agreement = found.version.agreement
        audit_record(
            organisation=agreement.organisation,
            actor=None,
            actor_name=_("%(name)s for %(party)s, through the signing link")
            % {"name": name, "party": found.party.name},
            action=AuditAction.CREATE,
            obj=signature,
            changes={
                "name": ["", name],
                "ip_address": ["", signature.ip_address or ""],
                "version_sha256": ["", version.sha256],
            },
        )
        if is_fully_signed(version):
            _complete(version, agreement, now)
    return signature


def _complete(version: AgreementVersion, agreement: Agreement, now: datetime.datetime) -> None:
    if version.kind == VersionKind.AGREEMENT:
        Agreement.objects.filter(pk=agreement.pk).update(status=Status.SIGNED, updated_at=now)
    else:
        Agreement.objects.filter(pk=agreement.pk, status=Status.IDEA).update(
            status=Status.INTENT, updated_at=now
        )
    version.agreement = agreement
    version_document_request(version, SIGNED_DOCUMENT, None)


def signed_pdf_request(*, version: AgreementVersion, actor: User | None) -> Document:
    """Ask for the signed PDF again (for example after a failure); only for a fully signed version."""
    if not is_fully_signed(version):
        raise SigningError(_("Not every party has signed this version yet."))
    return version_document_request(version, SIGNED_DOCUMENT, actor)
