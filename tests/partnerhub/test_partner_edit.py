from django.utils import translation

from partnerhub.models import AuditEntry, Contact, Partner
from tests.factories import ContactFactory, PartnerFactory

VALID = {
    "name": "Sennheiser",
    "category": "supplier",
    "status": "active",
    "kvk_number": "12345678",
    "website": "https://www.sennheiser.com",
    "influence": "4",
    "importance": "5",
    "notes": "Koptelefoons",
}


def test_it_creates_a_partner_and_records_who(manager_client, manager, org):
    response = manager_client.post(f"/o/{org.slug}/partners/new/", VALID)
    partner = Partner.objects.get(organisation=org, name="Sennheiser")
    assert response.status_code == 302 and response["Location"] == partner.get_absolute_url()
    assert (partner.influence, partner.importance, partner.kvk_number) == (4, 5, "12345678")
    entry = AuditEntry.objects.get(partner=partner)
    assert (entry.actor, entry.action) == (manager, "create")


def test_it_rejects_a_bad_kvk_number_and_saves_nothing(manager_client, org):
    response = manager_client.post(f"/o/{org.slug}/partners/new/", {**VALID, "kvk_number": "1234"})
    assert response.status_code == 200
    assert "8" in str(response.context["form"].errors["kvk_number"])
    assert not Partner.objects.exists()


def test_it_accepts_a_kvk_number_with_spaces(manager_client, org):
    manager_client.post(f"/o/{org.slug}/partners/new/", {**VALID, "kvk_number": "1234 5678"})
    assert Partner.objects.get().kvk_number == "12345678"


def test_it_rejects_radar_scores_outside_1_to_5(manager_client, org):
    response = manager_client.post(f"/o/{org.slug}/partners/new/", {**VALID, "influence": "6"})
    assert "influence" in response.context["form"].errors
    assert not Partner.objects.exists()


def test_it_rejects_a_duplicate_name_in_the_same_organisation(manager_client, org, other_org):
    PartnerFactory(organisation=other_org, name="Sennheiser")
    manager_client.post(f"/o/{org.slug}/partners/new/", VALID)
    response = manager_client.post(f"/o/{org.slug}/partners/new/", {**VALID, "name": "sennheiser"})
    assert "name" in response.context["form"].errors
    assert Partner.objects.filter(organisation=org).count() == 1


def test_it_updates_and_logs_only_what_changed(manager_client, org):
    partner = PartnerFactory(organisation=org, name="Sennheiser", status="prospect")
    data = {**VALID, "status": "active"}
    manager_client.post(f"/o/{org.slug}/partners/{partner.pk}/edit/", data)
    entry = AuditEntry.objects.get(partner=partner, action="update")
    assert entry.changes["status"] == ["prospect", "active"]
    assert "name" not in entry.changes
    with translation.override("nl"):
        rows = [(str(label), str(old), str(new)) for label, old, new in entry.change_rows()]
    assert ("status", "Prospect", "Actief") in rows


def test_delete_asks_for_confirmation_first(manager_client, org):
    partner = PartnerFactory(organisation=org)
    response = manager_client.get(f"/o/{org.slug}/partners/{partner.pk}/delete/")
    assert response.status_code == 200 and 'method="post"' in response.content.decode()
    assert Partner.objects.filter(pk=partner.pk).exists()


def test_delete_removes_partner_and_contacts_but_keeps_the_trace(manager_client, org):
    partner = PartnerFactory(organisation=org, name="Weg BV")
    ContactFactory(partner=partner)
    response = manager_client.post(f"/o/{org.slug}/partners/{partner.pk}/delete/")
    assert response.status_code == 302
    assert not Partner.objects.filter(pk=partner.pk).exists() and not Contact.objects.exists()
    assert AuditEntry.objects.filter(organisation=org, action="delete", object_repr="Weg BV").exists()


def test_a_viewer_reads_but_cannot_change(viewer_client, org):
    partner = PartnerFactory(organisation=org)
    assert viewer_client.get(partner.get_absolute_url()).status_code == 200
    assert viewer_client.post(f"/o/{org.slug}/partners/new/", VALID).status_code == 403
    assert viewer_client.post(f"/o/{org.slug}/partners/{partner.pk}/delete/").status_code == 403
    assert Partner.objects.filter(organisation=org).count() == 1


def test_a_viewer_sees_no_edit_buttons(viewer_client, org):
    partner = PartnerFactory(organisation=org)
    html = viewer_client.get(partner.get_absolute_url()).content.decode()
    assert f"/partners/{partner.pk}/edit/" not in html


def test_it_checks_membership(client, stranger, org):
    partner = PartnerFactory(organisation=org)
    client.force_login(stranger)
    assert client.get(partner.get_absolute_url()).status_code == 404


def test_detail_shows_contacts_key_persons_and_history(manager_client, org):
    partner = PartnerFactory(organisation=org)
    manager_client.post(
        f"/o/{org.slug}/partners/{partner.pk}/contacts/new/",
        {"name": "Anna de Vries", "email": "anna@example.nl", "is_key_person": "on"},
    )
    contact = Contact.objects.get(partner=partner)
    assert contact.is_key_person
    html = manager_client.get(partner.get_absolute_url()).content.decode()
    assert "Anna de Vries" in html and "badge-key" in html
    assert AuditEntry.objects.filter(partner=partner, object_type="partnerhub.contact").exists()


def test_contact_edit_and_delete(manager_client, org):
    contact = ContactFactory(partner=PartnerFactory(organisation=org), name="Oud")
    base = f"/o/{org.slug}/partners/{contact.partner_id}/contacts/{contact.pk}"
    manager_client.post(f"{base}/edit/", {"name": "Nieuw", "email": "bad-address"})
    contact.refresh_from_db()
    assert contact.name == "Oud"  # invalid e-mail: nothing changed
    manager_client.post(f"{base}/edit/", {"name": "Nieuw"})
    contact.refresh_from_db()
    assert contact.name == "Nieuw"
    manager_client.post(f"{base}/delete/")
    assert not Contact.objects.exists()


def test_a_contact_of_another_partner_is_not_found(manager_client, org):
    mine = PartnerFactory(organisation=org)
    contact = ContactFactory(partner=PartnerFactory(organisation=org))
    url = f"/o/{org.slug}/partners/{mine.pk}/contacts/{contact.pk}/edit/"
    assert manager_client.get(url).status_code == 404


def test_it_accepts_a_kvk_number_in_the_digits_of_another_script(manager_client, org):
    """Pasted from an Arabic document or typed on a full-width keyboard: the same number, in ASCII."""
    manager_client.post(f"/o/{org.slug}/partners/new/", {**VALID, "kvk_number": "١٢٣٤ ٥٦٧٨"})
    manager_client.post(
        f"/o/{org.slug}/partners/new/", {**VALID, "name": "Bose", "kvk_number": "１２.３４.５６.７９"}
    )
    assert dict(Partner.objects.values_list("name", "kvk_number")) == {
        "Sennheiser": "12345678",
        "Bose": "12345679",
    }


def test_it_refuses_digit_lookalikes_with_the_forms_message(manager_client, org):
    response = manager_client.post(f"/o/{org.slug}/partners/new/", {**VALID, "kvk_number": "¹²³⁴⁵⁶⁷⁸"})
    assert response.status_code == 200
    assert response.context["form"].errors["kvk_number"] == [
        "Een KvK-nummer heeft precies 8 cijfers, bijvoorbeeld 12345678."
    ]
    assert "partner_kvk_number_8_digits" not in response.text
    assert not Partner.objects.exists()
