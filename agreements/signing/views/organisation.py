"""The documents of an agreement, under /o/<org_slug>/agreements/<id>/documents/: the versions of the letter
of intent and the agreement with their PDFs, and asking each party's signer to sign the current version."""

from typing import cast

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agreements.models import Agreement, AgreementVersion, SignRequest, VersionKind
from agreements.signing import selectors, sign_requests, versions
from agreements.signing.forms import SignRequestForm
from agreements.signing.mail import sign_url
from agreements.views import agreement_or_404
from partnerhub.tenancy import OrganisationRequest, organisation_view, require_write

TEMPLATE = "agreements/signing/documents.html"
# The link made to be copied is shown once, on the page the user is sent back to.
LINK_SESSION_KEY = "agreements.sign_link"


def _version(agreement: Agreement, version_id: int) -> AgreementVersion:
    return get_object_or_404(
        AgreementVersion.objects.select_related("agreement"), pk=version_id, agreement=agreement
    )


def _sign_request(agreement: Agreement, request_id: int) -> SignRequest:
    return get_object_or_404(
        SignRequest.objects.select_related("version__agreement__organisation", "party__partner"),
        pk=request_id,
        version__agreement=agreement,
    )


def _documents_url(request: OrganisationRequest, agreement: Agreement) -> str:
    return reverse("agreements:agreement_documents", args=[request.organisation.slug, agreement.pk])


def _initial(
    request: OrganisationRequest, agreement: Agreement, parties: list[selectors.PartyStatus]
) -> dict[int, dict[str, str]]:
    """The signer and address to suggest per party: whom it was last asked, else its contact person (for
    the organisation itself, the user)."""
    earlier: dict[int, dict[str, str]] = {}
    for sign_request in SignRequest.objects.filter(version__agreement=agreement).order_by("created_at", "pk"):
        earlier[sign_request.party_id] = {
            "signer_name": sign_request.signer_name,
            "email": sign_request.email,
        }
    live = {party.pk: party for party in agreement.parties.select_related("contact")}
    user = request.user
    initial: dict[int, dict[str, str]] = {}
    for item in parties:
        party = live.get(item["id"])
        if item["own"]:
            suggested = {"signer_name": getattr(user, "full_name", ""), "email": user.email}
        elif party is not None and party.contact is not None:
            suggested = {"signer_name": party.contact.name, "email": party.contact.email}
        else:
            suggested = {"signer_name": "", "email": ""}
        asked = earlier.get(item["id"], {})
        initial[item["id"]] = {
            "signer_name": asked.get("signer_name") or suggested["signer_name"],
            # A link made to copy has no address: then the contact's (or the user's) is suggested.
            "email": asked.get("email") or suggested["email"],
        }
    return initial


def _page(
    request: OrganisationRequest,
    agreement: Agreement,
    *,
    bound: tuple[tuple[int, int], SignRequestForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The documents page; `bound` is a (party id, form) pair that failed and is shown with its errors."""
    kinds = selectors.documents_page(agreement)
    for item in kinds:
        if item["current"] is None:
            continue
        initial = _initial(request, agreement, item["parties"]) if request.membership.can_write else {}
        for party in item["parties"]:
            if party["signature"]:
                continue
            if bound and bound[0] == (item["current"].pk, party["id"]):
                party["form"] = bound[1]
            else:
                party["form"] = SignRequestForm(initial=initial.get(party["id"]), party_id=party["id"])
    link = request.session.pop(LINK_SESSION_KEY, None)
    return render(
        request, TEMPLATE, {"agreement": agreement, "kinds": kinds, "copy_link": link}, status=status
    )


@organisation_view
@require_GET
def agreement_documents(request: OrganisationRequest, agreement_id: int) -> HttpResponse:
    return _page(request, agreement_or_404(request, agreement_id))


@organisation_view
@require_POST
def version_new(request: OrganisationRequest, agreement_id: int) -> HttpResponseRedirect:
    """Freeze the letter of intent or the agreement as it reads now (nothing new when nothing changed)."""
    agreement = agreement_or_404(request, agreement_id)
    kind = request.POST.get("kind")
    if kind not in VersionKind.values:
        messages.error(request, _("Choose the letter of intent or the agreement."))
        return redirect(_documents_url(request, agreement))
    before = selectors.current_version(agreement, kind)
    version = versions.version_create(agreement=agreement, kind=kind, actor=request.user)
    label = VersionKind(kind).label
    if before is not None and before.pk == version.pk:
        messages.info(
            request,
            _("Nothing changed since version %(number)s of the %(document)s, so no new version was made.")
            % {"number": version.number, "document": label.lower()},
        )
    else:
        messages.success(
            request,
            _("Version %(number)s of the %(document)s was made; its PDF is being prepared.")
            % {"number": version.number, "document": label.lower()},
        )
    return redirect(_documents_url(request, agreement))


@organisation_view
@require_POST
def sign_request_new(
    request: OrganisationRequest, agreement_id: int, version_id: int
) -> HttpResponse | HttpResponseRedirect:
    """Ask one party's signer to sign: by e-mail, or with a link shown once to copy."""
    agreement = agreement_or_404(request, agreement_id)
    version = _version(agreement, version_id)
    party_id = request.POST.get("party", "")
    if not party_id.isdigit():
        raise Http404("No such party.")
    party = get_object_or_404(agreement.parties.select_related("partner"), pk=party_id)
    send = request.POST.get("action") != "link"
    form = SignRequestForm(request.POST, party_id=party.pk)
    if form.is_valid() and send and not form.cleaned_data["email"]:
        form.add_error(
            "email", _("Fill in an e-mail address to send the link, or make a link to copy instead.")
        )
    if not form.is_valid():
        return _page(request, agreement, bound=((version.pk, party.pk), form), status=422)
    try:
        sign_request, token = sign_requests.sign_request_create(
            version=version,
            party=party,
            signer_name=form.cleaned_data["signer_name"],
            email=form.cleaned_data["email"],
            actor=request.user,
            send=send,
            base_url=request.build_absolute_uri("/"),
        )
    except sign_requests.SigningError as error:
        messages.error(request, str(error))
        return redirect(_documents_url(request, agreement))
    if send and sign_request.repeated:
        messages.info(
            request,
            _("The signing link for %(party)s was just sent to %(email)s; it was not sent again.")
            % {"party": party.name, "email": sign_request.email},
        )
    elif send:
        messages.success(
            request,
            _("The signing link for %(party)s is being sent to %(email)s.")
            % {"party": party.name, "email": sign_request.email},
        )
    else:
        request.session[LINK_SESSION_KEY] = {
            # a link made to copy comes with its token
            "url": sign_url(cast(str, token), request.build_absolute_uri("/")),
            "party": party.name,
            "signer": sign_request.signer_name,
        }
    return redirect(f"{_documents_url(request, agreement)}#kind-{version.kind}")


@organisation_view
@require_POST
def sign_request_resend(
    request: OrganisationRequest, agreement_id: int, request_id: int
) -> HttpResponseRedirect:
    agreement = agreement_or_404(request, agreement_id)
    sign_request = _sign_request(agreement, request_id)
    if not sign_request.email:
        messages.error(
            request, _("This link has no e-mail address; make a new one to copy, or add an address.")
        )
        return redirect(_documents_url(request, agreement))
    try:
        sent = sign_requests.sign_request_resend(
            sign_request=sign_request, actor=request.user, base_url=request.build_absolute_uri("/")
        )
    except sign_requests.SigningError as error:
        messages.error(request, str(error))
    else:
        if sent.repeated:
            messages.info(
                request,
                _("A new link was just sent to %(email)s; it was not sent again.") % {"email": sent.email},
            )
        else:
            messages.success(
                request,
                _("A new link is being sent to %(email)s; the previous one no longer works.")
                % {"email": sent.email},
            )
    return redirect(_documents_url(request, agreement))


@organisation_view
@require_http_methods(["GET", "POST"])
def sign_request_revoke(
    request: OrganisationRequest, agreement_id: int, request_id: int
) -> HttpResponse | HttpResponseRedirect:
    require_write(request.membership)
    agreement = agreement_or_404(request, agreement_id)
    sign_request = _sign_request(agreement, request_id)
    back = _documents_url(request, agreement)
    if request.method == "POST":
        try:
            sign_requests.sign_request_revoke(sign_request=sign_request, actor=request.user)
        except sign_requests.SigningError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The signing link of %(name)s no longer works.") % {"name": sign_request.signer_name},
            )
        return redirect(back)
    return render(
        request,
        "partnerhub/confirm_delete.html",
        {
            "object": sign_request,
            "title": _("Revoke the signing link of %(name)s?") % {"name": sign_request.signer_name},
            "confirm_label": _("Yes, revoke"),
            "cancel_url": back,
            "consequences": _("The link stops working. You can ask %(party)s to sign again with a new link.")
            % {"party": sign_request.party.name},
        },
    )


@organisation_view
@require_POST
def sign_requests_renew(
    request: OrganisationRequest, agreement_id: int, version_id: int
) -> HttpResponseRedirect:
    """Send a new link to every party asked to sign an earlier version that has not signed this one."""
    agreement = agreement_or_404(request, agreement_id)
    version = _version(agreement, version_id)
    try:
        sent = sign_requests.sign_requests_renew(
            version=version, actor=request.user, base_url=request.build_absolute_uri("/")
        )
    except sign_requests.SigningError as error:
        messages.error(request, str(error))
    else:
        if sent:
            messages.success(
                request,
                _("New links are being sent to: %(names)s.")
                % {"names": ", ".join(f"{item.signer_name} ({item.party.name})" for item in sent)},
            )
        elif sign_requests.sign_requests_just_sent(version):
            messages.info(request, _("New links were just sent; none was sent again."))
        else:
            messages.info(request, _("Nobody to send a new link to: ask each party to sign below."))
    return redirect(_documents_url(request, agreement))


urlpatterns = [
    path("agreements/<int:agreement_id>/documents/", agreement_documents, name="agreement_documents"),
    path("agreements/<int:agreement_id>/documents/new/", version_new, name="version_new"),
    path(
        "agreements/<int:agreement_id>/versions/<int:version_id>/sign-requests/",
        sign_request_new,
        name="sign_request_new",
    ),
    path(
        "agreements/<int:agreement_id>/versions/<int:version_id>/sign-requests/renew/",
        sign_requests_renew,
        name="sign_requests_renew",
    ),
    path(
        "agreements/<int:agreement_id>/sign-requests/<int:request_id>/resend/",
        sign_request_resend,
        name="sign_request_resend",
    ),
    path(
        "agreements/<int:agreement_id>/sign-requests/<int:request_id>/revoke/",
        sign_request_revoke,
        name="sign_request_revoke",
    ),
]
