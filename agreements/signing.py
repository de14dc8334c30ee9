"""Versions of the letter of intent and the agreement, and their sign-off.

A version freezes what the document says: the *snapshot*, a JSON object built from the saved rows (title,
form, parties, goals, risks, every section's texts; for the letter of intent the subset of seed 003, 3.3). Its
identity is the sha256 of the canonical JSON (sorted keys, compact separators, UTF-8), so the same content
always has the same hash and any change gives another. PDFs and the signing page are rendered from the
snapshot only, never from the live rows: what a signer sees never changes.

Labels inside a snapshot (section titles, the legal form) are written in the contract's language, the site's
default, whoever makes the version: the hash must not depend on the language of the person who clicked.

Sign-off: each party's signer gets a one-use link (`SignRequest`) to one version. Signing records the typed
name, the moment, the IP address and the version's hash. When the agreement changes after someone signed or
was asked to sign, a new version replaces the current one and needs every signature again.
"""

import datetime
import hashlib
import ipaddress
import json
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agreements.legal_forms import LEGAL_FORMS_BY_CODE
from agreements.models import (
    Agreement,
    AgreementVersion,
    Kind,
    Level,
    QuestionConclusion,
    Signature,
    SignRequest,
    Status,
    VersionKind,
)
from agreements.questions.texts import TEN_QUESTIONS
from agreements.sections import SECTIONS
from partnerhub import documents
from partnerhub.audit import AuditAction, audit_record
from partnerhub.models import Document
from partnerhub.names import tidy_name
from partnerhub.tokens import token_hash

SNAPSHOT_FORMAT = 1
VERSION_DOCUMENT = "agreement_version"  # the PDF of a version, as the signers see it
SIGNED_DOCUMENT = "agreement_signed"  # the same with every signature, once all parties signed
SIGN_LINK_DAYS = 30
# A second "send" for the same party, signer and address within this many seconds is a double click.
DOUBLE_SUBMIT_SECONDS = 10
NAME_MAX = 200

# Sections of the builder that are kept in their own rows rather than as texts (see agreements/sections.py).
ROW_SECTIONS = {"goals", "contributions", "split", "obligations", "risks"}


class SigningError(ValueError):
    """A sign-off step was refused; the message says why, for the user."""


class SignRefused(Exception):
    """Signing through a link was refused; nothing was written. `reason` is one of REFUSALS."""

    def __init__(self, reason, sign_request=None):
        super().__init__(reason)
        self.reason = reason
        self.sign_request = sign_request


# Why a link cannot be used (any more), or why a signature was not accepted.
REFUSALS = ("unknown", "used", "superseded", "revoked", "expired", "party_signed", "hash", "name", "confirm")


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


# The snapshot.


def canonical_json(data):
    """The one byte form of a snapshot that its hash is taken of."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def snapshot_hash(data):
    return hashlib.sha256(canonical_json(data)).hexdigest()


def _date(value):
    return value.isoformat() if value else None


def _share(value):
    return None if value is None else str(value.quantize(Decimal("0.01")))


def _party(party, organisation, *, full):
    partner, contact = party.partner, party.contact
    item = {
        "id": party.pk,
        "name": partner.name if partner else organisation.name,
        "own": partner is None,
        "kvk_number": partner.kvk_number if partner else "",
        "location": "" if partner else organisation.location,
        "contact": {"name": contact.name, "job_title": contact.job_title} if contact and partner else None,
        "lead": party.is_lead,
        "contribution": party.contribution,
    }
    if full:
        item |= {
            "cost_share": _share(party.cost_share),
            "revenue_share": _share(party.revenue_share),
            "effort_obligations": party.effort_obligations,
            "result_obligations": party.result_obligations,
        }
    return item


def _goals(goals, positions):
    goals = sorted(
        goals,
        key=lambda goal: (goal.party_id is not None, positions.get(goal.party_id, 0), goal.position, goal.pk),
    )
    return [
        {"party_id": goal.party_id, "text": goal.text, "due_date": _date(goal.due_date)} for goal in goals
    ]


def _choice(choices, code):
    return {"code": code, "label": str(choices(code).label)} if code in choices.values else None


def _conclusions(texts, language):
    return [
        {
            "code": code,
            "number": number,
            "question": text_nl if language == "nl" else text_en,
            "text": texts[code],
        }
        for number, (code, text_nl, text_en, *_help) in enumerate(TEN_QUESTIONS, start=1)
        if texts.get(code)
    ]


def saved_rows(agreement):
    """The rows a snapshot is made of, loaded once (five queries) so that both documents can share them."""
    return {
        "parties": list(agreement.parties.select_related("partner", "contact").order_by("position", "pk")),
        "goals": list(agreement.goals.all()),
        "risks": list(agreement.risks.order_by("position", "pk")),
        "sections": {section.key: section.content for section in agreement.sections.all()},
        "conclusions": {
            conclusion.code: conclusion.text.strip()
            for conclusion in QuestionConclusion.objects.filter(agreement=agreement)
        },
    }


def snapshot(agreement, kind, rows=None):
    """Everything the document of `kind` says, from the saved rows (`saved_rows`, loaded here when not
    given), as plain JSON values.

    The agreement's status and the sections' "complete" marks are not part of it: they say where the work
    stands, not what was agreed.
    """
    if kind not in VersionKind.values:
        raise ValueError(f"Unknown document kind {kind!r}.")
    rows = rows or saved_rows(agreement)
    organisation = agreement.organisation
    language = settings.LANGUAGE_CODE
    full = kind == VersionKind.AGREEMENT
    with translation.override(language):
        parties = rows["parties"]
        legal_form = LEGAL_FORMS_BY_CODE.get(agreement.legal_form)
        data = {
            "format": SNAPSHOT_FORMAT,
            "kind": kind,
            "language": language,
            "organisation": organisation.name,
            "title": agreement.title,
            "level": _choice(Level, agreement.level),
            "form": _choice(Kind, agreement.kind),
            "end_date": _date(agreement.end_date),
            "legal_form": {"code": legal_form.code, "label": str(legal_form.name)} if legal_form else None,
            "parties": [_party(party, organisation, full=full) for party in parties],
            "goals": _goals(rows["goals"], {party.pk: party.position for party in parties}),
            "risks": [
                {"description": risk.description, "mitigation": risk.mitigation} for risk in rows["risks"]
            ],
        }
        saved = rows["sections"]
        if full:
            data["sections"] = [
                {
                    "key": spec.key,
                    "title": str(spec.title),
                    "texts": [
                        {
                            "name": field.name,
                            "label": str(field.label),
                            "text": str(saved.get(spec.key, {}).get(field.name, "")).strip(),
                        }
                        for field in spec.fields
                    ],
                }
                for spec in SECTIONS
            ]
        else:
            data["roles"] = str(saved.get("roles", {}).get("roles", "")).strip()
            data["conclusions"] = _conclusions(rows["conclusions"], language)
    return data


def live_hash(agreement, kind, rows=None):
    """The hash the document of `kind` would have if a version were made now."""
    return snapshot_hash(snapshot(agreement, kind, rows))


def version_intact(version):
    """Whether the stored snapshot still has the hash it was made with."""
    return snapshot_hash(version.snapshot) == version.sha256


# Presenting a snapshot (the PDFs and the signing page read this, never the live rows).


def _parse_date(value):
    return datetime.date.fromisoformat(value) if value else None


def _parse_share(value):
    return None if value is None else Decimal(value)


def present(data):
    """The snapshot in the shape the templates print: dates and percentages as values, each party's goals
    with the party, and per section whether anything was filled in."""
    parties = []
    for party in data["parties"]:
        item = dict(party)
        if "cost_share" in party:
            item["cost_share"] = _parse_share(party["cost_share"])
            item["revenue_share"] = _parse_share(party["revenue_share"])
        item["goals"] = []
        parties.append(item)
    by_id = {party["id"]: party for party in parties}
    shared_goals = []
    for goal in data["goals"]:
        item = {"text": goal["text"], "due_date": _parse_date(goal["due_date"])}
        owner = by_id.get(goal["party_id"])
        (owner["goals"] if owner else shared_goals).append(item)
    presented = {
        **data,
        "end_date": _parse_date(data["end_date"]),
        "parties": parties,
        "shared_goals": shared_goals,
        "has_goals": bool(data["goals"]),
        "lead": next((party for party in parties if party["lead"]), None),
        "has_contributions": any(party["contribution"] for party in parties),
    }
    if data["kind"] == VersionKind.AGREEMENT:
        presented["sections"] = [_present_section(section, presented) for section in data["sections"]]
        presented["cost_total"] = _total(party.get("cost_share") for party in parties)
        presented["revenue_total"] = _total(party.get("revenue_share") for party in parties)
    return presented


def _total(values):
    values = list(values)
    return None if any(value is None for value in values) else sum(values, Decimal("0"))


def _present_section(section, presented):
    key = section["key"]
    texts = [text for text in section["texts"] if text["text"]]
    parties = presented["parties"]
    filled = {
        "goals": presented["has_goals"],
        "contributions": presented["has_contributions"],
        "split": bool(texts) or any(party["cost_share"] is not None for party in parties),
        "obligations": any(party["effort_obligations"] or party["result_obligations"] for party in parties),
        "risks": bool(presented["risks"]),
        "roles": bool(texts) or presented["lead"] is not None,
    }.get(key, bool(texts))
    return {**section, "filled": filled, "filled_texts": texts}


# Versions.


def _request_document(version, kind, actor):
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
def _version_create(*, agreement, kind, actor):
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
    version.document = _request_document(version, VERSION_DOCUMENT, actor)
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


def version_create(*, agreement, kind, actor):
    """Freeze the document of `kind` as it reads now and ask for its PDF.

    When the latest version of that kind says exactly the same (the same hash) it is returned and nothing is
    made. Otherwise the new version gets the next number, the previous one is marked replaced and its
    unused signature links stop working.
    """
    return _version_create(agreement=agreement, kind=kind, actor=actor)[0]


def agreement_changed(agreement, *, actor=None):
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
    made = []
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


def current_version(agreement, kind):
    return AgreementVersion.objects.filter(agreement=agreement, kind=kind, superseded_at__isnull=True).first()


def signed_documents(organisation, versions):
    """{version id: its latest signed PDF Document} for the given versions (one query)."""
    ids = [version.pk for version in versions]
    if not ids:
        return {}
    found = {}
    rows = Document.objects.filter(
        organisation=organisation, kind=SIGNED_DOCUMENT, params__version_id__in=ids
    ).order_by("created_at", "pk")
    for document in rows:
        found[document.params.get("version_id")] = document
    return found


def party_ids(version):
    return [party["id"] for party in version.snapshot["parties"]]


def is_fully_signed(version, signatures=None):
    signed = {
        signature.party_id
        for signature in (signatures if signatures is not None else version.signatures.all())
    }
    return set(party_ids(version)) <= signed


# Sign requests.


def _clean_signer(signer_name, email, *, send):
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


def _locked_version(version):
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


def _party_of(version, party):
    if party.agreement_id != version.agreement_id or party.pk not in party_ids(version):
        raise SigningError(_("%(name)s is not a party to this version.") % {"name": party.name})
    if Signature.objects.filter(version=version, party=party).exists():
        raise SigningError(_("%(name)s has already signed this version.") % {"name": party.name})


@transaction.atomic
def sign_request_create(*, version, party, signer_name, email="", actor, send=False, base_url=None, now=None):
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
        from agreements import sign_tasks  # the task module imports this one

        request_id = sign_request.pk
        transaction.on_commit(lambda: sign_tasks.send_sign_request.delay(request_id, base_url=base_url))
        return sign_request, None
    return sign_request, raw


def sign_request_resend(*, sign_request, actor, base_url=None):
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
def sign_request_revoke(*, sign_request, actor, now=None):
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
def sign_requests_renew(*, version, actor, base_url=None):
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


def sign_requests_just_sent(version, now=None):
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


def sign_request_deliver(*, sign_request_id, base_url=None, now=None):
    """E-mail the signer their link (run by the task). A request that was sent already, used, revoked,
    expired or whose version was replaced is left alone, so running this twice sends one e-mail."""
    from agreements.sign_mail import send_sign_request_email

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


# Signing.


def request_by_token(token):
    """The request behind a raw token in any state (used, revoked, expired), or None."""
    if not token or len(token) > 200:
        return None
    return (
        SignRequest.objects.select_related("version__agreement__organisation", "party__partner")
        .filter(token_hash=token_hash(token))
        .first()
    )


def refusal(sign_request, now=None):
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


def _ip(value):
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def sign(*, token, name, confirmed, confirmed_hash, ip, now=None):
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


def _complete(version, agreement, now):
    if version.kind == VersionKind.AGREEMENT:
        Agreement.objects.filter(pk=agreement.pk).update(status=Status.SIGNED, updated_at=now)
    else:
        Agreement.objects.filter(pk=agreement.pk, status=Status.IDEA).update(
            status=Status.INTENT, updated_at=now
        )
    version.agreement = agreement
    _request_document(version, SIGNED_DOCUMENT, None)


def signed_pdf_request(*, version, actor):
    """Ask for the signed PDF again (for example after a failure); only for a fully signed version."""
    if not is_fully_signed(version):
        raise SigningError(_("Not every party has signed this version yet."))
    return _request_document(version, SIGNED_DOCUMENT, actor)


# What the pages show.


def _open_request_prefetch():
    return Prefetch(
        "sign_requests",
        queryset=SignRequest.objects.usable().filter(used_at__isnull=True).order_by("-created_at", "-pk"),
        to_attr="open_requests",
    )


def _status(version, signatures, open_requests):
    """Per party of the version: its name, its signature (or None), its open request (or None)."""
    signed = {signature.party_id: signature for signature in signatures}
    waiting = {}
    for sign_request in open_requests:
        waiting.setdefault(sign_request.party_id, sign_request)
    return [
        {
            "id": party["id"],
            "name": party["name"],
            "own": party["own"],
            "signature": signed.get(party["id"]),
            "open_request": waiting.get(party["id"]),
        }
        for party in version.snapshot["parties"]
    ]


def card(agreement, rows=None):
    """What the agreement's overview shows about documents and signatures (context for signing/_card.html):
    per kind the current version, its PDF, who signed and who is outstanding. Four queries at most, and
    when a version exists, those of building the live snapshot to tell whether it is out of date."""
    versions = list(
        AgreementVersion.objects.filter(agreement=agreement, superseded_at__isnull=True)
        .select_related("document")
        .prefetch_related("signatures", _open_request_prefetch())
    )
    by_kind = {version.kind: version for version in versions}
    signed_docs = signed_documents(agreement.organisation, versions)
    if versions:  # one load for both documents' live hashes
        rows = rows or saved_rows(agreement)
    kinds = []
    for kind, label in VersionKind.choices:
        version = by_kind.get(kind)
        item = {"kind": kind, "label": label, "version": version}
        if version is not None:
            parties = _status(version, version.signatures.all(), version.open_requests)
            item |= {
                "parties": parties,
                "signed": [party for party in parties if party["signature"]],
                "outstanding": [party for party in parties if not party["signature"]],
                "complete": all(party["signature"] for party in parties),
                "signed_document": signed_docs.get(version.pk),
                "out_of_date": live_hash(agreement, kind, rows) != version.sha256,
            }
        kinds.append(item)
    return {"kinds": kinds, "any": bool(versions)}


def documents_page(agreement):
    """Everything the documents page shows, per kind: the current version with each party's signature or
    open link, the older versions with their signatures, the signed PDF, and whether the agreement changed
    since the current version."""
    versions = list(
        AgreementVersion.objects.filter(agreement=agreement)
        .select_related("document", "created_by")
        .prefetch_related("signatures", _open_request_prefetch())
        .order_by("kind", "-number")
    )
    signed_docs = signed_documents(agreement.organisation, versions)
    rows = saved_rows(agreement) if versions else None  # one load for both documents' live hashes
    kinds = []
    for kind, label in VersionKind.choices:
        mine = [version for version in versions if version.kind == kind]
        current = next((version for version in mine if version.superseded_at is None), None)
        item = {"kind": kind, "label": label, "current": current, "older": [], "parties": []}
        for version in mine:
            version.signed_document = signed_docs.get(version.pk)
            if version is not current:
                item["older"].append(version)
        if current is not None:
            item["parties"] = _status(current, current.signatures.all(), current.open_requests)
            item["complete"] = all(party["signature"] for party in item["parties"])
            item["out_of_date"] = live_hash(agreement, kind, rows) != current.sha256
            item["renewable"] = (
                not item["complete"]
                and bool(item["older"])
                and any(not party["signature"] and not party["open_request"] for party in item["parties"])
            )
        kinds.append(item)
    return kinds
