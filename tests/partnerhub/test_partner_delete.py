"""Deleting a partner that others depend on: refused with a clear message and a way out (archive), never a
500; archiving hides it from the default list; erasing personal data anonymises its contact persons and
keeps signed records."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from affiliates.models import Affiliate, Click, Payout, PayoutBatch
from agreements import services as agreement_services
from agreements.models import Agreement, Party, Signature
from agreements.signing import sign_requests, signatures, versions
from checker import services as checker_services
from matrix.models import MatrixRow
from partnerhub import services
from partnerhub.deletion import confirm_delete, deletion_plan
from partnerhub.models import AuditEntry, Contact, Partner
from tests.affiliates.factories_ledger import clicks, line, order
from tests.factories import ContactFactory, MatrixRowFactory, PartnerFactory

pytestmark = pytest.mark.usefixtures("eager_celery")


def url(name, partner):
    return reverse(name, args=[partner.organisation.slug, partner.pk])


def dutch(msgid, **values):
    with translation.override("nl"):
        return gettext(msgid) % values if values else gettext(msgid)


def errors(response):
    return [str(message) for message in get_messages(response.wsgi_request) if message.level_tag == "error"]


@pytest.fixture
def sennheiser(org):
    partner = PartnerFactory(organisation=org, name="Sennheiser", notes="Katrin belt liever na vieren")
    ContactFactory(
        partner=partner,
        name="Katrin Vogel",
        email="katrin@sennheiser.test",
        phone="+49 5130 6000",
        job_title="Head of partnerships",
        is_key_person=True,
    )
    ContactFactory(partner=partner, name="Jan Smit", email="jan@sennheiser.test")
    return partner


@pytest.fixture
def agreement(org, owner, sennheiser):
    return agreement_services.agreement_create(
        organisation=org, actor=owner, title="Tinnitracks-alliantie", partners=[sennheiser], kind="structural"
    )


def signed(agreement, owner):
    """The agreement signed by the partner, through its link."""
    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    party = agreement.parties.get(partner__isnull=False)
    token = sign_requests.sign_request_create(
        version=version, party=party, signer_name="Katrin Vogel", actor=owner
    )[1]
    signatures.sign(
        token=token, name="Katrin Vogel", confirmed=True, confirmed_hash=version.sha256, ip="203.0.113.7"
    )
    return Signature.objects.get(party=party)


# Deleting


def test_a_partner_in_an_agreement_is_not_deleted_and_archiving_is_offered(
    manager_client, sennheiser, agreement
):
    response = manager_client.post(url("partner_delete", sennheiser))
    assert response.status_code == 200
    assert Partner.objects.filter(pk=sennheiser.pk).exists()
    assert Contact.objects.filter(partner=sennheiser).count() == 2
    assert Party.objects.filter(agreement=agreement, partner=sennheiser).exists()
    assert errors(response) == [
        dutch("Nothing was deleted: other records depend on “%(name)s”.", name="Sennheiser")
    ]
    assert response.context["plan"].blocked
    assert [(d.model, d.count) for d in response.context["plan"].blockers] == [(Party, 1)]
    page = response.text
    assert f'<a href="{agreement.get_absolute_url()}">Tinnitracks-alliantie</a>' in page  # which agreement
    assert url("partner_archive", sennheiser) in page and url("partner_erase", sennheiser) in page
    assert dutch("Yes, delete") not in page  # no delete button, only the archive form
    assert not AuditEntry.objects.filter(action="delete", object_type="partnerhub.partner").exists()


def test_the_confirm_page_says_what_goes_with_the_partner_and_what_holds_on_to_it(
    manager_client, org, sennheiser
):
    MatrixRowFactory(partner=sennheiser, matrix__organisation=org)
    page = manager_client.get(url("partner_delete", sennheiser))
    plan = page.context["plan"]
    assert not plan.blocked
    assert {(d.model, d.count) for d in plan.deleted} >= {(Contact, 2), (MatrixRow, 1)}
    with translation.override("nl"):
        assert f'<th scope="row">{Contact._meta.verbose_name.capitalize()}</th><td>2</td>' in page.text
    response = manager_client.post(url("partner_delete", sennheiser))
    assert response.status_code == 302 and response["Location"] == reverse("partner_list", args=[org.slug])
    assert not Partner.objects.filter(pk=sennheiser.pk).exists()
    assert not Contact.objects.exists() and not MatrixRow.objects.exists()

    bose = PartnerFactory(organisation=org, name="Bose")
    agreement_services.agreement_create(
        organisation=org, actor=None, title="Alliantie", partners=[bose], kind="structural"
    )
    page = manager_client.get(url("partner_delete", bose))
    assert page.context["plan"].blocked
    with translation.override("nl"):
        assert f'<th scope="row">{Party._meta.verbose_name.capitalize()}</th><td>1</td>' in page.text


def _commission(partner):
    return line(partner, "80.00")


def _project(partner):
    return order(partner, "800.00")


def _payout(partner):
    batch = PayoutBatch.objects.create(organisation=partner.organisation, month=datetime.date(2026, 11, 1))
    return Payout.objects.create(
        organisation=partner.organisation,
        batch=batch,
        partner=partner,
        amount=Decimal("80.00"),
        account_holder="Sennheiser",
        iban="NL91ABNA0417164300",
    )


@pytest.mark.parametrize("ledger", [_commission, _project, _payout], ids=["commission", "project", "payout"])
def test_a_partner_in_the_ledger_is_refused_without_a_server_error(manager_client, sennheiser, ledger):
    kept = ledger(sennheiser)
    response = manager_client.post(url("partner_delete", sennheiser))
    assert response.status_code == 200
    assert [(d.model, d.count) for d in response.context["plan"].blockers] == [(type(kept), 1)]
    assert (
        type(kept).objects.filter(pk=kept.pk).exists() and Partner.objects.filter(pk=sennheiser.pk).exists()
    )
    assert url("partner_archive", sennheiser) in response.text


def test_a_contact_persons_confirm_page_says_what_keeps_it_without_the_link(
    manager_client, sennheiser, agreement
):
    katrin = sennheiser.contacts.get(name="Katrin Vogel")
    page = manager_client.get(
        reverse("contact_delete", args=[sennheiser.organisation.slug, sennheiser.pk, katrin.pk])
    )
    assert [(d.model, d.count) for d in page.context["plan"].unlinked] == [(Party, 1)]
    manager_client.post(
        reverse("contact_delete", args=[sennheiser.organisation.slug, sennheiser.pk, katrin.pk])
    )
    assert Party.objects.get(agreement=agreement, partner=sennheiser).contact is None


def test_counting_what_goes_with_a_partner_does_not_grow_with_its_data(org, sennheiser):
    affiliate = Affiliate.objects.create(organisation=org, partner=sennheiser, code="senn")
    clicks(affiliate, [datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)])
    with CaptureQueriesContext(connection) as few:
        plan = deletion_plan(sennheiser)
    assert (Click, 1) in [(d.model, d.count) for d in plan.deleted]

    clicks(affiliate, [datetime.datetime(2026, 11, 2, tzinfo=datetime.UTC)] * 200)
    for n in range(20):
        ContactFactory(partner=sennheiser, name=f"Contact {n}")
    with CaptureQueriesContext(connection) as many:
        plan = deletion_plan(sennheiser)
    assert (Click, 201) in [(d.model, d.count) for d in plan.deleted]
    assert (Contact, 22) in [(d.model, d.count) for d in plan.deleted]
    assert len(many) == len(few)


def test_a_protected_error_while_deleting_becomes_the_refusal_page(rf, org, manager, owner, sennheiser):
    """Something comes to depend on the partner after it was counted: the page says so, nothing goes."""
    request = rf.post("/")
    request.user, request.organisation = manager, org
    SessionMiddleware(lambda r: None).process_request(request)
    MessageMiddleware(lambda r: None).process_request(request)

    def delete_after_an_agreement_took_it_in():
        agreement_services.agreement_create(
            organisation=org, actor=owner, title="Intussen", partners=[sennheiser], kind="structural"
        )
        services.partner_delete(partner=sennheiser, actor=manager)

    response = confirm_delete(
        request,
        sennheiser,
        delete=delete_after_an_agreement_took_it_in,
        success_url="/",
        success_message="deleted",
        cancel_url="/",
    )
    assert response.status_code == 200
    assert (
        Partner.objects.filter(pk=sennheiser.pk).exists()
        and Contact.objects.filter(partner=sennheiser).count() == 2
    )
    assert [str(m) for m in get_messages(request)] == [
        dutch("Nothing was deleted: other records depend on “%(name)s”.", name="Sennheiser")
    ]
    assert dutch("Yes, delete") not in response.content.decode()  # refused: no delete button


# Archiving


def test_archiving_ends_the_partner_and_hides_it_from_the_default_list(
    manager_client, org, sennheiser, agreement
):
    PartnerFactory(organisation=org, name="Bose", status="active")
    response = manager_client.post(url("partner_archive", sennheiser))
    assert response.status_code == 302
    sennheiser.refresh_from_db()
    assert sennheiser.status == "ended"
    assert AuditEntry.objects.get(object_type="partnerhub.partner", action="update").changes == {
        "status": ["active", "ended"]
    }

    def names(query=""):
        page = manager_client.get(reverse("partner_list", args=[org.slug]) + query)
        return [partner.name for partner in page.context["page"]], page

    shown, page = names()
    assert shown == ["Bose"]
    assert page.context["ended_hidden"] == 1 and "?status=all" in page.text
    assert names("?status=ended")[0] == ["Sennheiser"]
    assert names("?status=all")[0] == ["Bose", "Sennheiser"]
    assert names("?q=senn")[0] == []


def test_archiving_an_ended_partner_changes_nothing(manager_client, sennheiser):
    Partner.objects.filter(pk=sennheiser.pk).update(status="ended")
    manager_client.post(url("partner_archive", sennheiser))
    assert not AuditEntry.objects.filter(action="update").exists()


# Erasing personal data


def test_erasing_anonymises_the_contacts_and_keeps_the_signed_agreement(
    manager_client, manager, owner, sennheiser, agreement
):
    signature = signed(agreement, owner)
    manager_client.post(
        reverse(
            "contact_update",
            args=[sennheiser.organisation.slug, sennheiser.pk, sennheiser.contacts.get(name="Jan Smit").pk],
        ),
        {"name": "Jan Smit", "email": "jan.smit@sennheiser.test", "phone": "06 1234 5678"},
    )
    response = manager_client.post(url("partner_erase", sennheiser))
    assert response.status_code == 302

    contacts = list(Contact.objects.filter(partner=sennheiser).order_by("pk"))
    assert len(contacts) == 2
    for contact in contacts:
        assert "Vogel" not in contact.name and "Smit" not in contact.name and contact.name
        assert (contact.email, contact.phone, contact.job_title, contact.notes) == ("", "", "", "")
    assert [contact.is_key_person for contact in contacts] == [True, False]
    sennheiser.refresh_from_db()
    assert sennheiser.notes == "" and sennheiser.name == "Sennheiser"

    # The signed record stays as it was signed: contract evidence.
    assert Agreement.objects.filter(pk=agreement.pk).exists()
    assert Party.objects.filter(agreement=agreement, partner=sennheiser).exists()
    signature.refresh_from_db()
    assert signature.name == "Katrin Vogel" and signature.ip_address == "203.0.113.7"

    # The history no longer tells the erased values; it says who erased, and when.
    history = list(AuditEntry.objects.filter(partner=sennheiser, object_type="partnerhub.contact"))
    for text in ("jan.smit@sennheiser.test", "jan@sennheiser.test", "06 1234 5678", "Jan Smit"):
        assert all(text not in str(entry.changes) and text not in entry.object_repr for entry in history)
    erased = AuditEntry.objects.filter(actor=manager, object_type="partnerhub.contact", action="update")
    assert erased.count() == 3  # the edit of Jan Smit, and the erasure of both
    assert AuditEntry.objects.get(actor=manager, object_type="partnerhub.partner").changes == {
        "notes": ["•••", ""]
    }


def test_erasing_masks_the_names_other_entries_repeat_and_a_second_erasure_changes_nothing(
    manager_client, manager, owner, org, sennheiser
):
    collaboration = checker_services.collaboration_create(
        organisation=org, actor=owner, name="Samenwerking", partners=[sennheiser]
    )
    round_ = checker_services.round_create(
        collaboration=collaboration, actor=owner, name="Voorjaar", deadline=datetime.date(2027, 1, 1)
    )
    invitation = round_.invitations.get(contact__name="Katrin Vogel")
    checker_services.invitation_revoke(invitation=invitation, actor=owner)
    assert AuditEntry.objects.get(object_type="checker.invitation").object_repr == "Katrin Vogel · Voorjaar"

    manager_client.post(url("partner_erase", sennheiser))
    assert not AuditEntry.objects.filter(object_repr__contains="Katrin Vogel").exists()
    assert AuditEntry.objects.get(object_type="checker.invitation").object_repr == "••• · Voorjaar"

    entries = AuditEntry.objects.count()
    manager_client.post(url("partner_erase", sennheiser))
    assert AuditEntry.objects.count() == entries


def test_the_erase_page_asks_first_and_says_signed_records_stay(manager_client, sennheiser):
    page = manager_client.get(url("partner_erase", sennheiser))
    assert page.status_code == 200 and 'method="post"' in page.text
    assert Contact.objects.filter(name="Katrin Vogel").exists()
    with translation.override("nl"):
        evidence = gettext(
            "Signed agreements are not changed: a signed version, with the signer’s name and the time of "
            "signing, is evidence of the contract and has to be kept for as long as the law requires."
        )
    assert evidence in page.text


# Access


def test_a_viewer_can_neither_delete_archive_nor_erase(viewer_client, sennheiser):
    for name in ("partner_delete", "partner_archive", "partner_erase"):
        assert viewer_client.post(url(name, sennheiser)).status_code == 403
    for name in ("partner_delete", "partner_erase"):  # nor see the confirm pages
        assert viewer_client.get(url(name, sennheiser)).status_code == 403
    sennheiser.refresh_from_db()
    assert sennheiser.status == "active" and Contact.objects.filter(name="Katrin Vogel").exists()


def test_another_organisation_gets_404(client, stranger, sennheiser):
    client.force_login(stranger)
    for name in ("partner_delete", "partner_archive", "partner_erase"):
        assert client.get(url(name, sennheiser)).status_code == 404
        assert client.post(url(name, sennheiser)).status_code == 404
    assert Contact.objects.filter(name="Katrin Vogel").exists()


def test_archiving_takes_a_post(manager_client, sennheiser):
    assert manager_client.get(url("partner_archive", sennheiser)).status_code == 405
