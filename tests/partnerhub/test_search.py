"""The partner search ignores case and accents, keeps its normalised search text true on every path that
writes partners and contacts, stays inside the organisation and costs the same queries at any size."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from affiliates.programme.affiliates import affiliate_create
from partnerhub import services
from partnerhub.models import Contact, Partner
from partnerhub.search import normalise, search_text
from partnerhub.selectors import partner_search
from tests.conftest import login
from tests.factories import ContactFactory, PartnerFactory
from tests.partnerhub.test_partner_csv import VALID_CSV, confirm, upload

pytestmark = pytest.mark.django_db


def names(response):
    return [partner.name for partner in response.context["page"]]


def search(client, org, query):
    return client.get(f"/o/{org.slug}/partners/", {"q": query})


def assert_search_text_true():
    """Every partner's and contact's stored search text is what its fields make of it now."""
    for partner in Partner.objects.all():
        assert partner.search_text == search_text(partner.name, partner.kvk_number, partner.notes), partner
    for contact in Contact.objects.all():
        assert contact.search_text == search_text(contact.name, contact.email), contact


def test_normalise_drops_case_accents_and_extra_spaces():
    assert normalise("  High tech  GRÜNDERFONDS\tBV ") == "high tech grunderfonds bv"
    assert normalise("José Ñúñez") == "jose nunez"
    assert normalise("Straße") == "strasse"
    assert normalise("Ørsted Æbeltoft") == "orsted aebeltoft"
    assert normalise("ＡＢＣ") == "abc"  # full-width letters (NFKD)


def test_search_ignores_case_and_accents(manager_client, org):
    PartnerFactory(organisation=org, name="Günderfonds")
    ContactFactory(partner=PartnerFactory(organisation=org, name="KNO arts"), name="José Pérez")
    ContactFactory(
        partner=PartnerFactory(organisation=org, name="Hoorwinkel"),
        name="Daan",
        email="Daan.Smit@Hoorwinkel.nl",
    )
    PartnerFactory(organisation=org, name="Zorgverzekeringen", notes="Contract met Ærø Fonds")
    assert names(search(manager_client, org, "gunderfonds")) == ["Günderfonds"]
    assert names(search(manager_client, org, "GÜNDER")) == ["Günderfonds"]
    assert names(search(manager_client, org, "jose")) == ["KNO arts"]
    assert names(search(manager_client, org, "PÉREZ")) == ["KNO arts"]
    assert names(search(manager_client, org, "smit@hoorwinkel")) == ["Hoorwinkel"]
    assert names(search(manager_client, org, "aero fonds")) == ["Zorgverzekeringen"]


def test_a_query_never_spans_two_fields(manager_client, org):
    PartnerFactory(organisation=org, name="Sennheiser", kvk_number="12345678")
    assert names(search(manager_client, org, "sennheiser 1234")) == []


def test_another_organisations_partners_never_match(manager_client, org, other_org):
    ContactFactory(partner=PartnerFactory(organisation=org, name="Günderfonds"), name="José")
    ContactFactory(partner=PartnerFactory(organisation=other_org, name="Günderfonds Geheim"), name="José")
    ContactFactory(partner=PartnerFactory(organisation=other_org, name="Geheim BV"), name="José Geheim")
    assert names(search(manager_client, org, "gunderfonds")) == ["Günderfonds"]
    assert names(search(manager_client, org, "jose")) == ["Günderfonds"]
    assert names(search(manager_client, org, "geheim")) == []
    assert names(search(manager_client, org, "ge")) == []


def test_a_short_query_matches_the_start_of_names_and_says_so(manager_client, org):
    PartnerFactory(organisation=org, name="Günderfonds")
    PartnerFactory(organisation=org, name="Sennheiser", notes="Gunstig gelegen")
    ContactFactory(partner=PartnerFactory(organisation=org, name="KNO arts"), name="Gunther")
    response = search(manager_client, org, "Gü")
    assert names(response) == ["Günderfonds"]
    assert 'id="search-limited"' in response.content.decode()
    response = search(manager_client, org, "gün")
    assert names(response) == ["Günderfonds", "KNO arts", "Sennheiser"]
    assert 'id="search-limited"' not in response.content.decode()


def test_the_search_costs_the_same_queries_at_any_size(manager_client, org):
    def queries(query):
        with CaptureQueriesContext(connection) as captured:
            assert search(manager_client, org, query).status_code == 200
        return len(captured)

    ContactFactory(partner=PartnerFactory(organisation=org, name="Günderfonds"), name="José")
    queries("")  # the first request of a session asks a few things once
    few = [queries("gunder"), queries("jose"), queries("gu")]
    for n in range(30):
        ContactFactory(partner=PartnerFactory(organisation=org, name=f"Günder {n:02d}"), name=f"José {n}")
    assert [queries("gunder"), queries("jose"), queries("gu")] == few


def test_the_selector_is_one_query(org):
    ContactFactory(partner=PartnerFactory(organisation=org, name="Günderfonds"), name="José")
    with CaptureQueriesContext(connection) as captured:
        assert [p.name for p in partner_search(organisation=org, query="JOSÉ")] == ["Günderfonds"]
    assert len(captured) == 1


# Every path that writes partners and contacts keeps the search text true.


def test_services_keep_the_search_text(org, manager):
    partner = services.partner_create(organisation=org, actor=manager, name="Günderfonds", notes="Één")
    contact = services.contact_create(partner=partner, actor=manager, name="José", email="jose@x.nl")
    assert partner.search_text == "gunderfonds\neen" and contact.search_text == "jose\njose@x.nl"
    services.partner_update(partner=partner, actor=manager, name="Gründerfonds", kvk_number="12345678")
    services.contact_update(contact=contact, actor=manager, name="Zoë")
    assert_search_text_true()
    services.partner_erase_personal_data(partner=partner, actor=manager)  # save(update_fields=...)
    assert_search_text_true()
    assert Partner.objects.get(pk=partner.pk).search_text == "grunderfonds\n12345678"


def test_bulk_writes_keep_the_search_text(org):
    partners = Partner.objects.bulk_create([Partner(organisation=org, name=f"Fonds {n} Ü") for n in range(3)])
    Contact.objects.bulk_create([Contact(partner=partner, name="Émile") for partner in partners])
    assert_search_text_true()
    for partner in partners:
        partner.notes = "Ça va"
    Partner.objects.bulk_update(partners, ["notes"])
    Contact.objects.filter(partner__in=partners).update(email="ÉMILE@x.nl")
    org.partners.filter(name="Fonds 0 Ü").update(name="Fonds nul")
    partners[1].contacts.update(name="Zoë")
    assert_search_text_true()
    assert Partner.objects.filter(search_text__contains="ca va").count() == 3


def test_the_csv_import_keeps_the_search_text(manager_client, org):
    assert confirm(manager_client, org, upload(manager_client, org, VALID_CSV)).status_code == 302
    assert Partner.objects.filter(organisation=org).count() == 3
    assert_search_text_true()


def test_the_demo_keeps_the_search_text(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=StringIO())
    assert Partner.objects.exists() and Contact.objects.exists()
    assert_search_text_true()
    assert Partner.objects.filter(search_text__contains="grunderfonds").exists()


def test_a_new_affiliate_partner_keeps_the_search_text(org, manager):
    affiliate_create(organisation=org, actor=manager, new_partner_name="Klusvlog Ãnja", code="anja")
    assert Partner.objects.get(organisation=org).search_text == "klusvlog anja"


def test_the_admin_keeps_the_search_text(client, org):
    from partnerhub.models import User

    operator = User.objects.create_superuser(email="operator@partnerhub.nl", password="x")
    contact = ContactFactory(partner=PartnerFactory(organisation=org, name="KNO arts"), name="Jan")
    response = login(client, operator).post(
        reverse("admin:partnerhub_contact_change", args=[contact.pk]),
        {
            "partner": contact.partner.pk,
            "name": "José Pérez",
            "email": "jose@kno.nl",
            "phone": "",
            "notes": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    contact.refresh_from_db()
    assert contact.search_text == "jose perez\njose@kno.nl"
    assert_search_text_true()
