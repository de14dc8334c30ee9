"""Versions and sign-off: a version is its snapshot's sha256; a signature binds to one version's hash; a later
edit makes a new version that needs every signature again; a link signs once, and never another version."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from agreements import services
from agreements.models import AgreementVersion, Goal, Risk, Signature, SignRequest, Status
from agreements.signing import mail as signing_mail
from agreements.signing import selectors, sign_requests, signatures, snapshots, versions
from partnerhub.models import AuditEntry, Document, DocumentStatus
from tests.factories import ContactFactory, PartnerFactory

pytestmark = pytest.mark.usefixtures("eager_celery")  # tasks run in-process, whatever the broker


@pytest.fixture
def agreement(org, owner):
    sennheiser = PartnerFactory(organisation=org, name="Sennheiser")
    ContactFactory(partner=sennheiser, name="Katrin Vogel", email="katrin@sennheiser.test")
    fonds = PartnerFactory(organisation=org, name="Innovatiefonds")
    ContactFactory(partner=fonds, name="Pieter de Wit", email="pieter@fonds.test")
    return services.agreement_create(
        organisation=org,
        actor=owner,
        title="Tinnitracks-alliantie",
        partners=[sennheiser, fonds],
        kind="structural",
    )


def url(name, agreement, *args):
    return reverse(f"agreements:{name}", args=[agreement.organisation.slug, agreement.pk, *args])


def sign_url(token, name="sign"):
    return reverse(f"sign:{name}", args=[token])


def parties(agreement):
    return list(agreement.parties.select_related("partner"))


def ask(version, party, owner, name="Ondertekenaar"):
    """A link to copy for the party; returns the raw token."""
    return sign_requests.sign_request_create(version=version, party=party, signer_name=name, actor=owner)[1]


def sign_form(version, name="Katrin Vogel", **extra):
    return {"name": name, "confirm": "yes", "sha256": version.sha256, **extra}


# The snapshot and its hash.


def test_the_hash_is_the_sha256_of_the_canonical_snapshot(agreement):
    data = snapshots.snapshot(agreement, "agreement")
    assert snapshots.snapshot_hash(data) == snapshots.snapshot_hash(
        snapshots.snapshot(agreement, "agreement")
    )
    canonical = snapshots.canonical_json(data)
    assert canonical.startswith(b'{"end_date":null,') and b", " not in canonical[:40]
    reordered = dict(reversed(list(data.items())))
    assert snapshots.snapshot_hash(reordered) == snapshots.snapshot_hash(data)


def test_the_stored_snapshot_keeps_its_hash(agreement, owner):
    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    version = AgreementVersion.objects.get(pk=version.pk)  # as JSON from the database
    assert snapshots.version_intact(version) and len(version.sha256) == 64
    assert [party["name"] for party in version.snapshot["parties"]] == [
        "Tinnitracks",
        "Sennheiser",
        "Innovatiefonds",
    ]


def test_the_snapshot_is_in_the_contract_language_whoever_asks(agreement):
    with translation.override("en"):
        english = snapshots.live_hash(agreement, "agreement")
    with translation.override("nl"):
        dutch = snapshots.snapshot(agreement, "agreement")
    assert snapshots.snapshot_hash(dutch) == english
    assert dutch["sections"][0]["title"] == "Doelen" and dutch["language"] == "nl"


def _change_title(agreement, owner):
    services.agreement_update(agreement=agreement, actor=owner, title="Nieuwe titel")


def _change_section(agreement, owner):
    services.section_save(
        agreement=agreement,
        key="exit",
        actor=owner,
        complete=False,
        content={"notice_period": "Drie maanden"},
    )


def _change_split(agreement, owner):
    ids = [party.pk for party in parties(agreement)]
    shares = dict(zip(ids, ["50", "25", "25"], strict=True))
    services.split_save(
        agreement=agreement,
        actor=owner,
        shares={pk: {"cost_share": Decimal(v), "revenue_share": Decimal(v)} for pk, v in shares.items()},
    )


def _change_contribution(agreement, owner):
    party = parties(agreement)[1]
    services.party_texts_save(
        agreement=agreement,
        key="contributions",
        actor=owner,
        texts={party.pk: {"contribution": "Kennis"}},
        complete=False,
    )


def _change_goal(agreement, owner):
    Goal.objects.create(agreement=agreement, text="20 nieuwe klanten", due_date=datetime.date(2027, 1, 1))


def _change_risk(agreement, owner):
    Risk.objects.create(agreement=agreement, description="Afhankelijkheid", mitigation="")


def _change_lead(agreement, owner):
    services.roles_save(
        agreement=agreement, actor=owner, lead=parties(agreement)[2], content={}, complete=False
    )


def _change_legal_form(agreement, owner):
    services.legal_form_choose(agreement=agreement, actor=owner, code="vof")


def _change_contact(agreement, owner):
    party = parties(agreement)[1]
    services.party_contact_save(
        party=party, actor=owner, contact=ContactFactory(partner=party.partner, name="Ander")
    )


@pytest.mark.parametrize(
    "change",
    [
        _change_title,
        _change_section,
        _change_split,
        _change_contribution,
        _change_goal,
        _change_risk,
        _change_lead,
        _change_legal_form,
        _change_contact,
    ],
)
def test_any_change_of_content_changes_the_hash(agreement, owner, change):
    before = snapshots.live_hash(agreement, "agreement")
    change(agreement, owner)
    agreement.refresh_from_db()
    assert snapshots.live_hash(agreement, "agreement") != before


def test_status_and_complete_marks_are_not_content(agreement, owner):
    before = {kind: snapshots.live_hash(agreement, kind) for kind in ("intent", "agreement")}
    services.agreement_update(agreement=agreement, actor=owner, status=Status.DRAFTING)
    services.section_save(agreement=agreement, key="conditions", actor=owner, complete=True)
    assert {kind: snapshots.live_hash(agreement, kind) for kind in ("intent", "agreement")} == before


def test_the_letter_of_intent_holds_the_subset_of_seed_003(agreement, owner):
    data = snapshots.snapshot(agreement, "intent")
    assert "sections" not in data and "cost_share" not in data["parties"][0]
    assert {"goals", "risks", "roles", "legal_form", "conclusions"} <= set(data)
    before = snapshots.snapshot_hash(data)
    _change_split(agreement, owner)  # not part of a letter of intent
    assert snapshots.live_hash(agreement, "intent") == before


# Versions.


def test_version_create_is_idempotent(agreement, owner):
    first = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    again = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    assert again.pk == first.pk and AgreementVersion.objects.count() == 1
    assert first.number == 1 and first.document.kind == "agreement_version"
    _change_title(agreement, owner)
    second = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    first.refresh_from_db()
    assert second.number == 2 and first.superseded_at is not None and second.superseded_at is None
    assert second.sha256 != first.sha256


def test_a_new_version_revokes_the_old_versions_open_links(agreement, owner):
    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    token = ask(version, parties(agreement)[1], owner)
    _change_title(agreement, owner)  # nobody signed, but a link was out: the link's version is replaced
    sign_request = SignRequest.objects.get()
    assert sign_request.revoked_at is not None
    assert signatures.refusal(signatures.request_by_token(token)) == "superseded"


def test_making_a_version_through_the_page_says_when_nothing_changed(owner_client, agreement):
    response = owner_client.post(url("version_new", agreement), {"kind": "intent"}, follow=True)
    assert "Versie 1 van de intentieverklaring is gemaakt" in response.text
    response = owner_client.post(url("version_new", agreement), {"kind": "intent"}, follow=True)
    assert "Er is niets gewijzigd sinds versie 1" in response.text
    assert AgreementVersion.objects.filter(kind="intent").count() == 1
    assert owner_client.post(url("version_new", agreement), {"kind": "nonsense"}).status_code == 302
    assert AgreementVersion.objects.count() == 1


def test_agreement_changed_is_one_query_without_versions(agreement, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert versions.agreement_changed(agreement) == []


def test_a_version_nobody_acted_on_is_left_alone(agreement, owner):
    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    _change_title(agreement, owner)
    assert list(AgreementVersion.objects.all()) == [version]
    assert selectors.card(agreement)["kinds"][1]["out_of_date"] is True


# Signing.


def test_signing_binds_the_signature_to_the_versions_hash(client, owner_client, agreement, owner):
    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    token = ask(version, parties(agreement)[1], owner, "Katrin Vogel")
    page = client.get(sign_url(token))
    assert page.status_code == 200
    assert version.sha256 in page.text and "Tinnitracks-alliantie" in page.text and "Sennheiser" in page.text
    response = client.post(
        sign_url(token), sign_form(version, name="  Katrin   Vogel "), REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 200 and "Dank u, u hebt ondertekend" in response.text
    signature = Signature.objects.get()
    assert signature.version == version and signature.version_sha256 == version.sha256
    assert signature.name == "Katrin Vogel" and signature.ip_address == "203.0.113.7"
    assert signature.party == parties(agreement)[1] and signature.request.used_at == signature.signed_at
    # The log names the signer, who is no member of the organisation.
    entry = AuditEntry.objects.get(object_type="agreements.signature")
    assert (
        entry.actor is None
        and entry.actor_name == "Katrin Vogel namens Sennheiser, via de ondertekeningslink"
    )
    assert (
        "Katrin Vogel namens Sennheiser"
        in owner_client.get(reverse("dashboard", args=[agreement.organisation.slug])).text
    )


@pytest.mark.parametrize(
    "change", [_change_section, _change_split, _change_title, _change_goal], ids=lambda f: f.__name__
)
def test_a_later_edit_makes_a_new_version_and_the_old_link_refuses(client, agreement, owner, change):
    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    own, sennheiser, fonds = parties(agreement)
    signed_token = ask(version, sennheiser, owner)
    client.post(sign_url(signed_token), sign_form(version))
    waiting_token = ask(version, fonds, owner)

    change(agreement, owner)
    if change is _change_goal:  # a row saved outside the services: the next save notices it
        services.section_save(agreement=agreement, key="goals", actor=owner, complete=True)

    version.refresh_from_db()
    newest = selectors.current_version(agreement, "agreement")
    assert version.superseded_at is not None and newest.number == 2 and newest.sha256 != version.sha256
    assert newest.sha256 == snapshots.live_hash(agreement, "agreement")
    # The signature stays on the old version only; the new one needs every signature again.
    assert [signature.version for signature in Signature.objects.all()] == [version]
    assert not newest.signatures.exists()
    # The waiting link now refuses, and writes nothing.
    page = client.get(sign_url(waiting_token))
    assert page.status_code == 410 and "vervangen door een nieuwere versie" in page.text
    response = client.post(sign_url(waiting_token), sign_form(version, name="Pieter de Wit"))
    assert response.status_code == 410 and Signature.objects.count() == 1
    assert SignRequest.objects.filter(used_at__isnull=False).count() == 1


def test_saving_the_same_content_makes_no_new_version(agreement, owner):
    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    ask(version, parties(agreement)[1], owner)
    services.section_save(agreement=agreement, key="conditions", actor=owner, complete=True, content={})
    assert AgreementVersion.objects.count() == 1


def test_a_signed_agreement_that_changes_is_drafted_again(client, agreement, owner):
    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    for party in parties(agreement):
        client.post(sign_url(ask(version, party, owner)), sign_form(version))
    agreement.refresh_from_db()
    assert agreement.status == Status.SIGNED
    _change_section(agreement, owner)
    agreement.refresh_from_db()
    assert (
        agreement.status == Status.DRAFTING and selectors.current_version(agreement, "agreement").number == 2
    )


def test_a_link_cannot_be_used_twice(client, agreement, owner):
    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    token = ask(version, parties(agreement)[1], owner)
    assert client.post(sign_url(token), sign_form(version)).status_code == 200
    again = client.post(sign_url(token), sign_form(version, name="Iemand Anders"))
    assert again.status_code == 410 and "Met deze link is al ondertekend" in again.text
    assert "Katrin Vogel" in again.text  # who signed, and when
    assert Signature.objects.count() == 1 and Signature.objects.get().name == "Katrin Vogel"
    assert client.get(sign_url(token)).status_code == 410


def test_another_versions_hash_is_refused_and_writes_nothing(client, agreement, owner):
    old = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    _change_title(agreement, owner)
    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    token = ask(version, parties(agreement)[1], owner)
    for forged in (old.sha256, "0" * 64, ""):
        response = client.post(sign_url(token), sign_form(version, sha256=forged))
        assert response.status_code == 409 and "niet de versie van deze link" in response.text
    assert not Signature.objects.exists()
    assert SignRequest.objects.get().used_at is None
    with pytest.raises(signatures.SignRefused) as refused:
        signatures.sign(token=token, name="X", confirmed=True, confirmed_hash=old.sha256, ip="127.0.0.1")
    assert refused.value.reason == "hash"


def test_a_name_and_the_confirmation_are_needed(client, agreement, owner):
    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    token = ask(version, parties(agreement)[1], owner)
    response = client.post(sign_url(token), {"name": "", "sha256": version.sha256})
    assert response.status_code == 422
    assert "Typ uw volledige naam" in response.text and "Vink het vakje aan" in response.text  # both at once
    response = client.post(sign_url(token), sign_form(version, name="   "))
    assert response.status_code == 422 and "Typ uw volledige naam" in response.text
    assert "Vink het vakje aan" not in response.text and 'value="yes" checked' in response.text
    response = client.post(sign_url(token), {"name": "Katrin Vogel", "sha256": version.sha256})
    assert response.status_code == 422 and "Vink het vakje aan" in response.text
    assert 'value="Katrin Vogel"' in response.text  # nothing typed is lost
    assert not Signature.objects.exists() and SignRequest.objects.get().used_at is None


def test_unknown_revoked_and_expired_links(client, agreement, owner):
    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    own, sennheiser, fonds = parties(agreement)
    assert client.get(sign_url("not-a-token")).status_code == 404
    assert client.post(sign_url("not-a-token"), sign_form(version)).status_code == 404
    revoked = ask(version, sennheiser, owner)
    sign_requests.sign_request_revoke(sign_request=SignRequest.objects.get(), actor=owner)
    response = client.post(sign_url(revoked), sign_form(version))
    assert response.status_code == 410 and "ingetrokken" in response.text
    expired = ask(version, fonds, owner)
    SignRequest.objects.filter(party=fonds).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.post(sign_url(expired), sign_form(version))
    assert response.status_code == 410 and "verlopen" in response.text
    assert not Signature.objects.exists()


def test_a_new_link_for_a_party_replaces_its_earlier_one(client, agreement, owner):
    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    party = parties(agreement)[1]
    first = ask(version, party, owner)
    second = ask(version, party, owner)
    assert client.get(sign_url(first)).status_code == 410
    assert client.get(sign_url(second)).status_code == 200


def test_all_parties_signed_moves_the_status_and_makes_the_signed_pdf(
    client, agreement, owner, django_capture_on_commit_callbacks
):
    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    tokens = [ask(version, party, owner) for party in parties(agreement)]
    for token in tokens[:-1]:
        client.post(sign_url(token), sign_form(version))
    agreement.refresh_from_db()
    assert agreement.status == Status.IDEA and not Document.objects.filter(kind="agreement_signed").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(sign_url(tokens[-1]), sign_form(version))
    assert "Alle partijen hebben nu ondertekend" in response.text
    agreement.refresh_from_db()
    assert agreement.status == Status.SIGNED
    document = Document.objects.get(kind="agreement_signed")
    assert document.params["version_id"] == version.pk and document.status == DocumentStatus.READY
    download = client.get(sign_url(tokens[0], "sign_signed_pdf"))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF-")


def test_a_fully_signed_letter_of_intent_moves_an_idea_to_intent(client, agreement, owner):
    version = versions.version_create(agreement=agreement, kind="intent", actor=owner)
    for party in parties(agreement):
        client.post(sign_url(ask(version, party, owner)), sign_form(version))
    agreement.refresh_from_db()
    assert agreement.status == Status.INTENT


def test_the_signer_downloads_exactly_that_versions_pdf(
    client, agreement, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    token = ask(version, parties(agreement)[1], owner)
    assert "Download deze versie als pdf" in client.get(sign_url(token)).text
    response = client.get(sign_url(token, "sign_pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    version.document.refresh_from_db()
    import hashlib

    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == version.document.sha256
    assert client.get(sign_url(token, "sign_signed_pdf")).status_code == 404  # not signed yet
    _change_title(agreement, owner)
    assert client.get(sign_url(token, "sign_pdf")).status_code == 410


def test_the_signing_page_polls_until_the_pdf_is_ready(client, agreement, owner):
    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)  # not rendered yet
    token = ask(version, parties(agreement)[1], owner)
    page = client.get(sign_url(token))
    assert 'hx-trigger="every 2s"' in page.text and "De pdf wordt gemaakt" in page.text
    fragment = client.get(sign_url(token), headers={"HX-Request": "true"})
    assert fragment.text.strip().startswith('<span id="sign-pdf"') and "<html" not in fragment.text


# Asking to sign, from the documents page.


def test_a_manager_sends_the_link_by_email_once(
    manager_client, agreement, owner, django_capture_on_commit_callbacks
):
    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    party = parties(agreement)[1]
    data = {"party": party.pk, "action": "send", f"party-{party.pk}-signer_name": "Katrin Vogel"}
    data[f"party-{party.pk}-email"] = "katrin@sennheiser.test"
    with django_capture_on_commit_callbacks(execute=True):
        first = manager_client.post(url("sign_request_new", agreement, version.pk), data)
        manager_client.post(url("sign_request_new", agreement, version.pk), data)  # a double click
    assert first.status_code == 302
    assert SignRequest.objects.count() == 1 and len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["katrin@sennheiser.test"] and "Tinnitracks-alliantie" in message.subject
    assert "namens Sennheiser" in message.body and version.sha256 in message.body
    token = re.search(r"/sign/([^/\s]+)/", message.body)[1]
    sign_request = SignRequest.objects.get()
    assert sign_request.sent_at is not None and sign_request.token_hash != ""
    assert manager_client.get(sign_url(token)).status_code == 200
    # The task runs twice (a redelivery): one e-mail.
    assert signing_mail.sign_request_deliver(sign_request_id=sign_request.pk) is False
    assert len(mail.outbox) == 1


def test_sending_needs_an_email_address_and_keeps_what_was_typed(manager_client, agreement, owner):
    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    party = parties(agreement)[2]
    data = {"party": party.pk, "action": "send", f"party-{party.pk}-signer_name": "Pieter de Wit"}
    data[f"party-{party.pk}-email"] = ""
    response = manager_client.post(url("sign_request_new", agreement, version.pk), data)
    assert response.status_code == 422 and "Vul een e-mailadres in" in response.text
    assert 'value="Pieter de Wit"' in response.text and not SignRequest.objects.exists()


def test_a_link_to_copy_is_shown_once(manager_client, agreement, owner):
    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    party = parties(agreement)[0]
    data = {"party": party.pk, "action": "link", f"party-{party.pk}-signer_name": "Eigen Directeur"}
    response = manager_client.post(url("sign_request_new", agreement, version.pk), data, follow=True)
    links = re.findall(r'value="(http[^"]+/sign/[^"]+/)"', response.text)
    assert len(links) == 1 and "alleen deze keer getoond" in response.text
    assert manager_client.get(links[0].split("testserver")[1]).status_code == 200
    assert SignRequest.objects.get().email == ""  # it went out through the user, not by our e-mail
    assert "/sign/" not in manager_client.get(url("agreement_documents", agreement)).text
    assert not mail.outbox


def test_the_form_suggests_the_contact_person_and_the_user(manager_client, manager, agreement, owner):
    manager.full_name = "Mia Manager"
    manager.save()
    versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    html = manager_client.get(url("agreement_documents", agreement)).text
    assert 'value="Katrin Vogel"' in html and 'value="katrin@sennheiser.test"' in html
    assert 'value="Mia Manager"' in html and 'value="manager@example.nl"' in html


def test_resend_and_revoke(manager_client, client, agreement, owner, django_capture_on_commit_callbacks):
    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    party = parties(agreement)[1]
    old, _token = sign_requests.sign_request_create(
        version=version,
        party=party,
        signer_name="Katrin Vogel",
        email="katrin@sennheiser.test",
        actor=owner,
        send=True,
    )
    SignRequest.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(url("sign_request_resend", agreement, old.pk))
    assert response.status_code == 302 and len(mail.outbox) == 1
    old.refresh_from_db()
    new = SignRequest.objects.exclude(pk=old.pk).get()
    assert old.revoked_at is not None and new.sent_at is not None
    confirm = manager_client.get(url("sign_request_revoke", agreement, new.pk))
    assert confirm.status_code == 200 and "intrekken" in confirm.text
    assert manager_client.post(url("sign_request_revoke", agreement, new.pk)).status_code == 302
    new.refresh_from_db()
    assert new.revoked_at is not None
    token = re.search(r"/sign/([^/\s]+)/", mail.outbox[0].body)[1]
    assert client.get(sign_url(token)).status_code == 410


def test_new_links_go_to_everyone_asked_for_the_replaced_version(
    manager_client, agreement, owner, django_capture_on_commit_callbacks
):
    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    own, sennheiser, fonds = parties(agreement)
    sign_requests.sign_request_create(
        version=version,
        party=sennheiser,
        signer_name="Katrin Vogel",
        email="katrin@sennheiser.test",
        actor=owner,
        send=True,
    )
    sign_requests.sign_request_create(
        version=version, party=fonds, signer_name="Pieter", actor=owner
    )  # to copy
    _change_title(agreement, owner)
    newest = selectors.current_version(agreement, "agreement")
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(url("sign_requests_renew", agreement, newest.pk))
    assert [message.to for message in mail.outbox] == [["katrin@sennheiser.test"]]
    assert SignRequest.objects.filter(version=newest).count() == 1


def test_the_documents_page_lists_versions_and_signatures(
    manager_client, client, agreement, owner, django_assert_max_num_queries
):
    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    client.post(sign_url(ask(version, parties(agreement)[1], owner)), sign_form(version))
    _change_title(agreement, owner)
    newest = selectors.current_version(agreement, "agreement")
    with django_assert_max_num_queries(25):
        html = manager_client.get(url("agreement_documents", agreement)).text
    assert f"{newest.sha256[:12]}…" in html and f'title="{newest.sha256}"' in html
    assert "1 eerdere versie" in html and "vervangen op" in html and "Katrin Vogel" in html
    assert "nog niet gevraagd" in html and "Nog geen intentieverklaring" in html
    assert "Stuur nieuwe links" in html


def test_the_agreement_overview_shows_the_card(manager_client, agreement, owner):
    html = manager_client.get(agreement.get_absolute_url()).text
    assert "Documenten en handtekeningen" in html and "Maak de intentieverklaring of de overeenkomst" in html
    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    signatures.sign(
        token=ask(version, parties(agreement)[0], owner),
        name="A",
        confirmed=True,
        confirmed_hash=version.sha256,
        ip="",
    )
    html = manager_client.get(agreement.get_absolute_url()).text
    assert "1 van 3 partijen hebben ondertekend" in html and "Moeten nog ondertekenen:" in html


def test_a_viewer_reads_but_cannot_change(viewer_client, agreement, owner):
    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    party = parties(agreement)[1]
    sign_request, _token = sign_requests.sign_request_create(
        version=version, party=party, signer_name="K", actor=owner
    )
    page = viewer_client.get(url("agreement_documents", agreement))
    assert (
        page.status_code == 200
        and "Maak een nieuwe versie" not in page.text
        and "Verstuur per e-mail" not in page.text
    )
    posts = [
        (url("version_new", agreement), {"kind": "agreement"}),
        (url("sign_request_new", agreement, version.pk), {"party": party.pk, "action": "link"}),
        (url("sign_requests_renew", agreement, version.pk), {}),
        (url("sign_request_resend", agreement, sign_request.pk), {}),
        (url("sign_request_revoke", agreement, sign_request.pk), {}),
    ]
    for target, data in posts:
        assert viewer_client.post(target, data).status_code == 403, target
    assert viewer_client.get(url("sign_request_revoke", agreement, sign_request.pk)).status_code == 403
    assert AgreementVersion.objects.count() == 1 and SignRequest.objects.get().revoked_at is None


def test_another_organisations_member_gets_404(client, stranger, agreement, owner):
    from tests.conftest import login

    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    login(client, stranger)
    assert client.get(url("agreement_documents", agreement)).status_code == 404
    assert client.post(url("version_new", agreement), {"kind": "agreement"}).status_code == 404
    assert client.post(url("sign_request_new", agreement, version.pk), {}).status_code == 404


def test_a_request_for_a_replaced_version_or_a_stranger_party_is_refused(agreement, owner, other_org):
    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    other = services.agreement_create(
        organisation=other_org,
        actor=None,
        title="Ander",
        partners=[PartnerFactory(organisation=other_org)],
        kind="structural",
    )
    with pytest.raises(sign_requests.SigningError):
        sign_requests.sign_request_create(
            version=version, party=other.parties.first(), signer_name="X", actor=owner
        )
    _change_title(agreement, owner)
    versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    with pytest.raises(sign_requests.SigningError, match="vervangen"):
        sign_requests.sign_request_create(
            version=version, party=parties(agreement)[1], signer_name="X", actor=owner
        )


def test_the_audit_log_can_show_every_sign_off_entry(client, agreement, owner):
    from partnerhub.models import AuditEntry

    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    sign_request, token = sign_requests.sign_request_create(
        version=version, party=parties(agreement)[1], signer_name="K", email="k@example.nl", actor=owner
    )
    client.post(sign_url(token), sign_form(version), REMOTE_ADDR="198.51.100.1")
    sign_requests.sign_request_revoke(
        sign_request=sign_requests.sign_request_create(
            version=version, party=parties(agreement)[2], signer_name="P", actor=owner
        )[0],
        actor=owner,
    )
    entries = AuditEntry.objects.filter(object_type__startswith="agreements.")
    entries = entries.exclude(object_type="agreements.agreement")
    assert {entry.object_type for entry in entries} == {
        "agreements.agreementversion",
        "agreements.signrequest",
        "agreements.signature",
    }
    rows = [row for entry in entries for row in entry.change_rows()]
    assert ("IP-adres", "", "198.51.100.1") in [(str(label), old, new) for label, old, new in rows]


def test_the_pages_do_not_query_per_version_or_party(
    manager_client, client, agreement, owner, django_assert_max_num_queries
):
    def counts():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        result = []
        for target in (url("agreement_documents", agreement), agreement.get_absolute_url()):
            with CaptureQueriesContext(connection) as queries:
                assert manager_client.get(target).status_code == 200
            result.append(len(queries))
        return result

    versions.version_create(agreement=agreement, kind="intent", actor=owner)
    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    client.post(sign_url(ask(version, parties(agreement)[0], owner)), sign_form(version))
    few = counts()
    for title in ("Twee", "Drie", "Vier"):
        services.agreement_update(agreement=agreement, actor=owner, title=title)
        version = selectors.current_version(agreement, "agreement")
        for party in parties(agreement):
            client.post(sign_url(ask(version, party, owner)), sign_form(version))
    PartnerFactory(organisation=agreement.organisation)
    assert AgreementVersion.objects.filter(kind="agreement").count() == 4
    assert all(now <= before for now, before in zip(counts(), few, strict=True))
    with django_assert_max_num_queries(
        13
    ):  # 4, and the two live snapshots to tell whether they are out of date
        selectors.card(agreement)


@pytest.mark.django_db(transaction=True)
def test_concurrent_signatures_are_serialised(org, owner):
    """Two posts of one link at once sign once; the last two parties signing at once both count, and the
    agreement ends up signed. Needs Postgres row locks (SQLite has none to test)."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs Postgres row locks")
    sennheiser = PartnerFactory(organisation=org, name="Sennheiser")
    agreement = services.agreement_create(
        organisation=org, actor=owner, title="Gelijktijdig", partners=[sennheiser], kind="structural"
    )
    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    own, partner = parties(agreement)
    own_token, partner_token = ask(version, own, owner), ask(version, partner, owner)
    outcomes = []

    def attempt(token, name):
        try:
            signatures.sign(
                token=token, name=name, confirmed=True, confirmed_hash=version.sha256, ip="192.0.2.1"
            )
            outcomes.append("signed")
        except signatures.SignRefused as refused:
            outcomes.append(refused.reason)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(own_token, f"Poging {n}")) for n in range(2)]
    threads.append(threading.Thread(target=attempt, args=(partner_token, "Katrin Vogel")))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["signed", "signed", "used"]
    assert Signature.objects.filter(version=version).count() == 2
    agreement.refresh_from_db()
    assert agreement.status == Status.SIGNED
