"""Sign requests: a one-use link for a party's signer to sign one version, made, sent, renewed or revoked.

A party may have one open link per version. A link is e-mailed in the background (a fresh token is made when
the e-mail goes out, see `mail.sign_request_deliver`) or shown once to be copied.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import AgreementVersion, Party, Signature, SignRequest
from agreements.signing import tasks
from agreements.signing.selectors import party_ids
from partnerhub.audit import AuditAction, audit_record
from partnerhub.models import User
from partnerhub.names import tidy_name

SIGN_LINK_DAYS = 30
# A second "send" for the same party, signer and address within this many seconds is a double click.
DOUBLE_SUBMIT_SECONDS = 10
NAME_MAX = 200


class SigningError(ValueError):
    """A sign-off step was refused; the message says why, for the user."""


def _clean_signer(signer_name: str | None, email: str | None, *, send: bool) -> tuple[str, str]:
    signer_name = tidy_name(signer_name or "")
    email = (email or "").strip()
    if not signer_name:
        raise SigningError(_("Fill in the name of the person who signs."))
    if len(signer_name) > NAME_MAX:
        raise SigningError(_("The name is too long (at most %(max)d characters).") % {"max": NAME_MAX})
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise SigningError(_("Enter a valid e-mail address.")) from exc
    elif send:
        raise SigningError(_("Fill in an e-mail address to send the link, or make a link to copy instead."))
    return signer_name, email


def _locked_version(version: AgreementVersion) -> AgreementVersion:
    version = AgreementVersion.objects.select_for_update().get(pk=version.pk)
    if version.superseded_at is not None:
        raise SigningError(
            _(
                "Version %(number)s has been replaced by a newer one: "
                "ask for signatures on the newest version."
            )
            % {"number": version.number}
        )
    return version


def _party_of(version: AgreementVersion, party: Party) -> None:
    if party.agreement_id != version.agreement_id or party.pk not in party_ids(version):
        raise SigningError(_("%(name)s is not a party to this version.") % {"name": party.name})
    if Signature.objects.filter(version=version, party=party).exists():
        raise SigningError(_("%(name)s has already signed this version.") % {"name": party.name})


@transaction.atomic
def sign_request_create(
    *,
    version: AgreementVersion,
    party: Party,
    signer_name: str,
    email: str = "",
    actor: User | None,
    send: bool = False,
    base_url: str | None = None,
    now: datetime.datetime | None = None,
) -> tuple[SignRequest, str | None]:
    """A link for `party`'s signer to sign `version`: returns (sign_request, raw token or None).

    The party may have one open link per version: an earlier one stops working. With `send`, the link is
    e-mailed in the background (a fresh token is made when the e-mail goes out, so no token travels through
    the task queue) and no token is returned; a second identical "send" within a few seconds is a double
    click and returns the first request, with `repeated` set (nothing is sent again). Without `send`, the
    raw token is returned once, to be copied, and the request keeps no e-mail address. The version is locked
    first, so two clicks at once are one click and its double.
    """
    now = now or timezone.now()
    signer_name, email = _clean_signer(signer_name, email, send=send)
    if not send:
        email = ""  # a link to copy goes out through the user; an address on it would say we e-mailed it
    version = _locked_version(version)
    _party_of(version, party)
    open_requests = SignRequest.objects.filter(
        version=version, party=party, used_at__isnull=True, revoked_at__isnull=True
    )
    if send:
        recent = open_requests.filter(
            signer_name=signer_name,
            email=email,
            created_at__gte=now - datetime.timedelta(seconds=DOUBLE_SUBMIT_SECONDS),
            expires_at__gt=now,
        ).first()
        if recent is not None:
            recent.repeated = True
            return recent, None
    open_requests.update(revoked_at=now)
    sign_request = SignRequest(
        version=version,
        party=party,
        signer_name=signer_name,
        email=email,
        expires_at=now + datetime.timedelta(days=SIGN_LINK_DAYS),
    )
    raw = sign_request.issue_token()
    sign_request.save()
    sign_request.repeated = False
    audit_record(
        organisation=party.agreement.organisation,
        actor=actor,
        action=AuditAction.CREATE,
        obj=sign_request,
        changes={"signer_name": ["", signer_name], "email": ["", email]},
    )
    if send:
        request_id = sign_request.pk
        transaction.on_commit(lambda: tasks.send_sign_request.delay(request_id, base_url=base_url))
        return sign_request, None
    return sign_request, raw


def sign_request_resend(
    *, sign_request: SignRequest, actor: User | None, base_url: str | None = None
) -> SignRequest:
    """Send the party a new link to the same signer and address; the earlier link stops working."""
    if sign_request.used_at is not None:
        raise SigningError(_("This link has already been used to sign."))
    return sign_request_create(
        version=sign_request.version,
        party=sign_request.party,
        signer_name=sign_request.signer_name,
        email=sign_request.email,
        actor=actor,
        send=True,
        base_url=base_url,
    )[0]


@transaction.atomic
def sign_request_revoke(
    *, sign_request: SignRequest, actor: User | None, now: datetime.datetime | None = None
) -> SignRequest:
    """The link stops working. A used link cannot be revoked: the signature stands."""
    sign_request = SignRequest.objects.select_for_update().get(pk=sign_request.pk)
    if sign_request.used_at is not None:
        raise SigningError(_("This link has already been used to sign; the signature stands."))
    if sign_request.revoked_at is None:
        sign_request.revoked_at = now or timezone.now()
        sign_request.save(update_fields=["revoked_at"])
        audit_record(
            organisation=sign_request.party.agreement.organisation,
            actor=actor,
            action=AuditAction.UPDATE,
            obj=sign_request,
            changes={"revoked_at": [None, sign_request.revoked_at.isoformat()]},
        )
    return sign_request


@transaction.atomic
def sign_requests_renew(
    *, version: AgreementVersion, actor: User | None, base_url: str | None = None
) -> list[SignRequest]:
    """After a new version replaced one that was out for signature: send every party that has not signed
    this version and has no open link a new one, to the signer and address it was last asked at (parties
    never asked, or asked without an address, are left to the user). Returns the requests sent.

    The version is locked before anything is counted, so a second click (at once or after) finds the links
    of the first open and sends nothing."""
    version = _locked_version(version)
    signed = set(version.signatures.values_list("party_id", flat=True))
    waiting = set(
        SignRequest.objects.usable()
        .filter(version=version, used_at__isnull=True)
        .values_list("party_id", flat=True)
    )
    earlier = (
        SignRequest.objects.filter(version__agreement_id=version.agreement_id, version__kind=version.kind)
        .exclude(version=version)
        .exclude(email="")
        .select_related("party")
        .order_by("created_at", "pk")
    )
    last = {sign_request.party_id: sign_request for sign_request in earlier}
    sent = []
    for party_id in party_ids(version):
        previous = last.get(party_id)
        if party_id in signed or party_id in waiting or previous is None:
            continue
        sign_request, _token = sign_request_create(
            version=version,
            party=previous.party,
            signer_name=previous.signer_name,
            email=previous.email,
            actor=actor,
            send=True,
            base_url=base_url,
        )
        sent.append(sign_request)
    return sent


def sign_requests_just_sent(version: AgreementVersion, now: datetime.datetime | None = None) -> bool:
    """Whether open links to sign `version` were e-mailed moments ago (a renewal that finds nothing to send
    was then a double click)."""
    now = now or timezone.now()
    return (
        SignRequest.objects.usable()
        .filter(
            version=version,
            used_at__isnull=True,
            created_at__gte=now - datetime.timedelta(seconds=DOUBLE_SUBMIT_SECONDS),
        )
        .exclude(email="")
        .exists()
    )
