"""The e-mail that asks a party's signer to sign a version of the letter of intent or the agreement."""

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from agreements.models import AgreementVersion, SignRequest


def sign_url(token: str, base_url: str | None = None) -> str:
    return f"{(base_url or settings.SITE_URL).rstrip('/')}{reverse('sign:sign', args=[token])}"


def send_sign_request_email(
    sign_request: SignRequest, *, version: AgreementVersion, token: str, base_url: str | None = None
) -> None:
    """Send the signer the link with `token` (the caller records that it went out)."""
    agreement = version.agreement
    context = {
        "sign_request": sign_request,
        "version": version,
        "agreement": agreement,
        "organisation": agreement.organisation,
        "party_name": sign_request.party.name,
        "sign_url": sign_url(token, base_url),
    }
    with translation.override(version.snapshot.get("language") or settings.LANGUAGE_CODE):
        subject = " ".join(
            render_to_string("agreements/signing/email/sign_request_subject.txt", context).split()
        )
        body = render_to_string("agreements/signing/email/sign_request_body.txt", context)
    send_mail(subject, body, None, [sign_request.email])


def sign_request_deliver(
    *, sign_request_id: int, base_url: str | None = None, now: datetime.datetime | None = None
) -> bool:
    """E-mail the signer their link (run by the task). A request that was sent already, used, revoked,
    expired or whose version was replaced is left alone, so running this twice sends one e-mail."""
    now = now or timezone.now()
    with transaction.atomic():
        sign_request = SignRequest.objects.select_for_update().filter(pk=sign_request_id).first()
        if sign_request is None or sign_request.sent_at or sign_request.used_at or not sign_request.email:
            return False
        if not sign_request.is_usable:
            return False
        version = AgreementVersion.objects.select_related("agreement__organisation").get(
            pk=sign_request.version_id
        )
        if version.superseded_at is not None:
            return False
        raw = sign_request.issue_token()
        sign_request.sent_at = now
        sign_request.save(update_fields=["token_hash", "sent_at"])
        send_sign_request_email(sign_request, version=version, token=raw, base_url=base_url)
    return True
