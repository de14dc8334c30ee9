"""Signing a version of the letter of intent or the agreement, with a one-use link and no account.

    GET  /sign/<token>/             the exact version (rendered from its snapshot), its number and hash, and
                                    the form: the typed full name, a confirmation, the hash (hidden)
    POST /sign/<token>/             signs
    GET  /sign/<token>/pdf/         that version's PDF
    GET  /sign/<token>/signed.pdf   the PDF with every signature, once all parties signed (for a used link)

An unknown link is 404. A revoked or expired link, a link whose version was replaced and a link that was
used already are 410, each with a page that says so (the used one says who signed and when). No refusal
writes anything.
"""

from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from agreements.models import Signature, SignRequest
from agreements.signing import presentation, selectors, signatures
from agreements.views import HtmxRequest
from partnerhub.client_ip import client_ip
from partnerhub.documents import file_response
from partnerhub.models import Document, DocumentStatus

SIGN = "agreements/signing/sign.html"
BODIES = {
    "intent": "agreements/pdf/_intent_body.html",
    "agreement": "agreements/pdf/_agreement_body.html",
}


def _context(sign_request: SignRequest) -> dict[str, Any]:
    version = sign_request.version
    return {
        "sign_request": sign_request,
        "version": version,
        "snapshot": presentation.present(version.snapshot),
        "body_template": BODIES[version.kind],
        "organisation": None,  # the page belongs to no member's organisation (no navigation, no slug)
        "sender": version.agreement.organisation,
        "party_name": sign_request.party.name,
    }


def _signed_document(sign_request: SignRequest) -> Document | None:
    version = sign_request.version
    return selectors.signed_documents(version.agreement.organisation, [version]).get(version.pk)


def _used(
    request: HttpRequest, token: str, sign_request: SignRequest, *, just_signed: bool = False
) -> HttpResponse:
    signature = Signature.objects.filter(request=sign_request).first()
    signed_document = _signed_document(sign_request)
    context = {
        **_context(sign_request),
        "signature": signature,
        "just_signed": just_signed,
        "token_for_links": token,
        "fully_signed": selectors.is_fully_signed(sign_request.version),
        "signed_document_ready": bool(signed_document and signed_document.status == DocumentStatus.READY),
    }
    return render(request, "agreements/signing/sign_done.html", context, status=200 if just_signed else 410)


def _closed(request: HttpRequest, token: str, sign_request: SignRequest | None, reason: str) -> HttpResponse:
    if reason == "used" and sign_request is not None:  # a used link always has its request
        return _used(request, token, sign_request)
    context: dict[str, Any] = {"reason": reason, "organisation": None}
    if sign_request is not None and reason in ("superseded", "party_signed"):
        context |= {"version": sign_request.version, "sender": sign_request.version.agreement.organisation}
    return render(
        request, "agreements/signing/sign_closed.html", context, status=404 if reason == "unknown" else 410
    )


def _page(
    request: HtmxRequest,
    token: str,
    sign_request: SignRequest,
    *,
    errors: dict[str, bool] | None = None,
    name: str = "",
    confirmed: bool = False,
    status: int = 200,
) -> HttpResponse:
    errors = {reason: True for reason, failed in (errors or {}).items() if failed}
    context = {
        **_context(sign_request),
        "token": token,
        "errors": errors,
        "name": name,
        "confirmed": confirmed,
    }
    template = f"{SIGN}#pdf" if request.htmx and request.method == "GET" else SIGN
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
def sign_page(request: HtmxRequest, token: str) -> HttpResponse:
    sign_request = signatures.request_by_token(token)
    if sign_request is None:
        return _closed(request, token, None, "unknown")
    reason = signatures.refusal(sign_request)
    if reason:
        return _closed(request, token, sign_request, reason)
    if request.method == "GET":
        return _page(request, token, sign_request)
    name = request.POST.get("name", "")
    confirmed = request.POST.get("confirm") == "yes"
    # Both things the signer must do are reported at once; the service checks them again (and the rest).
    errors = {"name": not name.strip(), "confirm": not confirmed}
    if any(errors.values()):
        return _page(request, token, sign_request, errors=errors, name=name, confirmed=confirmed, status=422)
    try:
        signatures.sign(
            token=token,
            name=name,
            confirmed=confirmed,
            confirmed_hash=request.POST.get("sha256", ""),
            ip=client_ip(request),
        )
    except signatures.SignRefused as refused:
        if refused.reason in ("name", "confirm", "hash"):
            errors = {refused.reason: True}
            status = _STATUS[refused.reason]
            return _page(
                request, token, sign_request, errors=errors, name=name, confirmed=confirmed, status=status
            )
        return _closed(request, token, refused.sign_request or sign_request, refused.reason)
    sign_request.refresh_from_db()
    return _used(request, token, sign_request, just_signed=True)


# A missing name or confirmation is the signer's to fix (422); a hash that is not this version's means the
# page showed another text than this link's, which must not be signed (409).
_STATUS = {"name": 422, "confirm": 422, "hash": 409}


def _readable(token: str) -> tuple[SignRequest, str | None]:
    """The request of a link that may still read its version: usable, or used to sign it."""
    sign_request = signatures.request_by_token(token)
    if sign_request is None:  # refusal(): "unknown"
        raise Http404("Unknown link.")
    return sign_request, signatures.refusal(sign_request)


@require_GET
def sign_pdf(request: HttpRequest, token: str) -> HttpResponse | FileResponse:
    sign_request, reason = _readable(token)
    if reason not in (None, "used"):
        return _closed(request, token, sign_request, reason)
    return file_response(sign_request.version.document)


@require_GET
def sign_signed_pdf(request: HttpRequest, token: str) -> FileResponse:
    sign_request, reason = _readable(token)
    if reason != "used":
        raise Http404("Only a signer can download the signed PDF.")
    return file_response(_signed_document(sign_request))


urlpatterns = [
    path("<str:token>/", sign_page, name="sign"),
    path("<str:token>/pdf/", sign_pdf, name="sign_pdf"),
    path("<str:token>/signed.pdf", sign_signed_pdf, name="sign_signed_pdf"),
]
