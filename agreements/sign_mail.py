"""The e-mail that asks a party's signer to sign a version of the letter of intent or the agreement."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


def sign_url(token, base_url=None):
    return f"{(base_url or settings.SITE_URL).rstrip('/')}{reverse('sign:sign', args=[token])}"


def send_sign_request_email(sign_request, *, version, token, base_url=None):
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
