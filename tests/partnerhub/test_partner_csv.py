"""Partner list as CSV, and importing partners from CSV (upload → preview → confirm, all or nothing)."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from partnerhub.exports import safe_cell
from partnerhub.models import AuditEntry, Partner
from partnerhub.partner_import import (
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    PartnerImportRejected,
    parse_partner_csv,
    partners_import,
)
from tests.conftest import login
from tests.factories import ContactFactory, PartnerFactory

VALID_CSV = (
    "name,category,status,kvk_number,website,influence,importance,notes\n"
    "Sennheiser,supplier,active,12345678,https://www.sennheiser.com,4,5,Koptelefoons\n"
    "Bouwbedrijf De Vries,Contractor,Prospect,,,,,\n"
    'Kennis & Co,knowledge institution,ended,"1234 5678",,1,2,"line one\nline two"\n'
)


def export(client, org, query=""):
    response = client.get(f"/o/{org.slug}/partners/export.csv{query}")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:], newline="")))


def upload(client, org, content, filename="partners.csv"):
    if isinstance(content, str):
        content = content.encode("utf-8")
    file = SimpleUploadedFile(filename, content, content_type="text/csv")
    return client.post(f"/o/{org.slug}/partners/import/", {"action": "preview", "file": file})


def confirm(client, org, response):
    upload_id = response.context["upload_id"]
    return client.post(f"/o/{org.slug}/partners/import/", {"action": "confirm", "upload_id": upload_id})


def row_errors(response):
    return {row.values["name"]: " ".join(row.errors) for row in response.context["preview"].rows}


# Export


def test_export_contains_only_the_organisations_partners(viewer_client, org, other_org):
    partner = PartnerFactory(organisation=org, name="Sennheiser", category="supplier", status="active")
    ContactFactory(partner=partner, is_key_person=True)
    ContactFactory(partner=partner)
    PartnerFactory(organisation=other_org, name="Geheim BV")
    rows = export(viewer_client, org)
    assert len(rows) == 2
    assert rows[1][0] == "Sennheiser"
    assert rows[1][1:3] == ["Leverancier", "Actief"]  # labels in the user's language (nl)
    assert rows[1][7:9] == ["2", "1"]  # contacts, key persons


def test_export_response_is_an_excel_friendly_attachment(viewer_client, org):
    response = viewer_client.get(f"/o/{org.slug}/partners/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="partners-tinnitracks-')


def test_export_respects_the_lists_filters(viewer_client, org):
    PartnerFactory(organisation=org, name="Sennheiser", status="active")
    PartnerFactory(organisation=org, name="Sonova", status="ended")
    PartnerFactory(organisation=org, name="Bose", status="active")
    rows = export(viewer_client, org, "?status=active&q=senn")
    assert [row[0] for row in rows[1:]] == ["Sennheiser"]


def test_export_defuses_spreadsheet_formulas(viewer_client, org):
    for name in ['=HYPERLINK("x")', "+1", "-1", "@SUM(A1)"]:
        PartnerFactory(organisation=org, name=name, notes=name)
    rows = export(viewer_client, org)
    names = sorted(row[0] for row in rows[1:])
    assert names == ["'+1", "'-1", '\'=HYPERLINK("x")', "'@SUM(A1)"]
    assert all(row[0] == row[9] for row in rows[1:])


def test_safe_cell_keeps_numbers_and_defuses_tab_and_carriage_return():
    assert safe_cell(-1) == -1 and safe_cell(3) == 3
    assert safe_cell("\tcmd") == "'\tcmd" and safe_cell("\r=1") == "'\r=1"
    assert safe_cell(None) == "" and safe_cell("Ëlla") == "Ëlla"


def test_export_makes_one_query_whatever_the_number_of_partners(
    viewer_client, org, django_assert_max_num_queries
):
    for n in range(30):
        ContactFactory(partner=PartnerFactory(organisation=org, name=f"Partner {n}"))
    with django_assert_max_num_queries(8):  # session, membership, … and one for the partners
        rows = export(viewer_client, org)
    assert len(rows) == 31


def test_export_checks_the_organisation(client, stranger, org):
    login(client, stranger)
    assert client.get(f"/o/{org.slug}/partners/export.csv").status_code == 404


# Import: preview


def test_preview_shows_valid_rows_and_saves_nothing(manager_client, org):
    response = upload(manager_client, org, VALID_CSV)
    preview = response.context["preview"]
    assert response.status_code == 200
    assert (preview.valid_count, preview.invalid_count) == (3, 0)
    assert response.context["upload_id"]
    assert "Kennis &amp; Co" in response.content.decode()
    assert not Partner.objects.exists()


def test_preview_shows_an_error_per_row_and_saves_nothing(manager_client, org):
    PartnerFactory(organisation=org, name="Bestaand BV")
    content = (
        "name,category,kvk_number,influence\n"
        "Goed BV,supplier,12345678,3\n"
        "Korte KvK,supplier,1234,3\n"
        "Te veel invloed,supplier,,9\n"
        "Rare soort,astronaut,,\n"
        "Dubbel BV,supplier,,\n"
        "dubbel  bv,supplier,,\n"
        "bestaand bv,supplier,,\n"
    )
    response = upload(manager_client, org, content)
    errors = row_errors(response)
    assert errors["Goed BV"] == ""
    assert "8 digits" in errors["Korte KvK"] or "8 cijfers" in errors["Korte KvK"]
    assert "1" in errors["Te veel invloed"] and "5" in errors["Te veel invloed"]
    assert "astronaut" in errors["Rare soort"]
    assert errors["Dubbel BV"] == "" and "regel 6" in errors["dubbel  bv"]  # the line it repeats
    assert errors["bestaand bv"]
    assert response.context["upload_id"] is None
    html = response.content.decode()
    assert html.count('class="row-invalid"') == 5
    assert 'name="upload_id"' not in html
    assert Partner.objects.filter(organisation=org).count() == 1


def test_missing_name_column_is_a_file_error(manager_client, org):
    response = upload(manager_client, org, "bedrijf,categorie\nSennheiser,leverancier\n")
    assert "naam" in " ".join(response.context["file_errors"])
    assert not response.context["preview"].rows


def test_binary_garbage_gives_a_clear_error(manager_client, org):
    garbage = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256))
    response = upload(manager_client, org, garbage)
    assert response.status_code == 200
    assert "CSV" in str(response.context["form"].errors["file"])
    assert not Partner.objects.exists()


def test_oversize_file_is_rejected(manager_client, org):
    content = b"name\n" + b"x" * MAX_IMPORT_BYTES
    response = upload(manager_client, org, content)
    assert "MB" in str(response.context["form"].errors["file"])


def test_too_many_rows_are_rejected(org, db):
    text = "name\n" + "".join(f"Partner {n}\n" for n in range(MAX_IMPORT_ROWS + 1))
    preview = parse_partner_csv(organisation=org, text=text)
    assert preview.file_errors and not preview.is_importable


def test_semicolons_with_dutch_headers_and_labels(manager_client, org):
    content = (
        "Naam;Categorie;Status;KvK-nummer;Website;Invloed;Belang;Notities\n"
        "Makelaardij Jansen;Makelaar;Actief;12345678;www.jansen.nl;4;5;Verkoopt, verhuurt\n"
        "Gemeente Utrecht;overheid;BEËINDIGD;;;;;\n"
        "Fonds Nederland;Fonds;prospect;;;;;\n"
    )
    response = confirm(manager_client, org, upload(manager_client, org, content))
    assert response.status_code == 302
    jansen = Partner.objects.get(organisation=org, name="Makelaardij Jansen")
    assert (jansen.category, jansen.status, jansen.influence) == ("estate_agent", "active", 4)
    assert jansen.notes == "Verkoopt, verhuurt"
    assert Partner.objects.get(name="Gemeente Utrecht").status == "ended"
    assert Partner.objects.get(name="Fonds Nederland").category == "fund"


def test_windows_1252_file_with_accents(manager_client, org):
    content = "naam;notities\nCafé Zoë;Beëindigd per 1 mei\n".encode("cp1252")
    confirm(manager_client, org, upload(manager_client, org, content))
    assert Partner.objects.get(organisation=org).notes == "Beëindigd per 1 mei"
    assert Partner.objects.get(organisation=org).name == "Café Zoë"


def test_utf8_with_bom_from_excel(manager_client, org):
    content = "\ufeffname,category\nZoë Audio,Leverancier\n".encode()
    confirm(manager_client, org, upload(manager_client, org, content))
    assert Partner.objects.get(organisation=org).category == "supplier"


def test_an_exported_file_reads_back(manager_client, org):
    partner = PartnerFactory(
        organisation=org, name="Sennheiser", category="fund", status="ended", notes="=1+1"
    )
    ContactFactory(partner=partner)
    # An ended partner is archived: out of the default list and its export, in it with "all statuses".
    exported = b"".join(manager_client.get(f"/o/{org.slug}/partners/export.csv?status=all").streaming_content)
    Partner.objects.all().delete()
    response = upload(manager_client, org, exported)
    assert response.context["preview"].is_importable
    confirm(manager_client, org, response)
    partner = Partner.objects.get(organisation=org)
    assert (partner.name, partner.category, partner.status) == ("Sennheiser", "fund", "ended")
    assert partner.notes == "=1+1"  # the apostrophe the export added is taken off again


# Import: confirm


def test_confirm_creates_every_row_with_an_audit_entry(manager_client, manager, org):
    response = confirm(manager_client, org, upload(manager_client, org, VALID_CSV))
    assert response.status_code == 302
    assert response["Location"] == f"/o/{org.slug}/partners/"
    assert Partner.objects.filter(organisation=org).count() == 3
    kennis = Partner.objects.get(name="Kennis & Co")
    assert (kennis.category, kennis.kvk_number, kennis.notes) == (
        "knowledge_institution",
        "12345678",
        "line one\nline two",
    )
    assert AuditEntry.objects.filter(organisation=org, action="create", actor=manager).count() == 3
    page = manager_client.get(response["Location"])
    assert "3" in str(list(page.context["messages"])[0])


def test_a_kvk_number_in_the_digits_of_another_script_is_imported_in_ascii(manager_client, org):
    content = "name,kvk_number\nArabisch BV,١٢٣٤ ٥٦٧٨\nBreed BV,１２３４５６７９\nSuperscript BV,¹²³⁴⁵⁶⁷⁸\n"
    preview = upload(manager_client, org, content)
    assert row_errors(preview) == {
        "Arabisch BV": "",
        "Breed BV": "",
        "Superscript BV": "KvK-nummer: Een KvK-nummer heeft precies 8 cijfers, bijvoorbeeld 12345678.",
    }
    response = confirm(manager_client, org, upload(manager_client, org, content.rsplit("Superscript", 1)[0]))
    assert response.status_code == 302
    assert dict(Partner.objects.values_list("name", "kvk_number")) == {
        "Arabisch BV": "12345678",
        "Breed BV": "12345679",
    }


def test_confirm_rechecks_and_imports_nothing_if_a_row_became_invalid(manager_client, org):
    response = upload(manager_client, org, VALID_CSV)
    PartnerFactory(organisation=org, name="Sennheiser")  # a colleague added it meanwhile
    response = confirm(manager_client, org, response)
    assert response.status_code == 200
    assert "Sennheiser" in row_errors(response)["Sennheiser"]
    assert Partner.objects.filter(organisation=org).count() == 1
    assert not AuditEntry.objects.filter(organisation=org).exists()


def test_confirm_of_a_stored_file_with_an_invalid_row_creates_nothing(manager_client, org):
    response = upload(manager_client, org, VALID_CSV)
    session = manager_client.session
    stored = session[f"partner_import:{org.slug}"]
    stored["text"] += "Slecht BV,supplier,active,1234,,,,\n"
    session[f"partner_import:{org.slug}"] = stored
    session.save()
    response = confirm(manager_client, org, response)
    assert response.status_code == 200
    assert "8" in row_errors(response)["Slecht BV"]
    assert not Partner.objects.exists()


def test_confirm_without_a_stored_upload_asks_to_upload_again(manager_client, org):
    response = manager_client.post(
        f"/o/{org.slug}/partners/import/", {"action": "confirm", "upload_id": "gone"}
    )
    assert response.context["file_errors"]
    assert not Partner.objects.exists()


def test_partners_import_is_all_or_nothing(org, manager):
    preview = parse_partner_csv(organisation=org, text=VALID_CSV)
    preview.rows[2].values["influence"] = "9"
    try:
        partners_import(organisation=org, actor=manager, rows=preview.rows)
    except PartnerImportRejected as rejected:
        assert rejected.preview.invalid_count == 1
    else:
        raise AssertionError("an invalid row must reject the import")
    assert not Partner.objects.exists()


# Import: access and the example file


def test_example_file_has_header_and_one_row_that_imports(manager_client, org):
    response = manager_client.get(f"/o/{org.slug}/partners/import/?template=1")
    body = b"".join(response.streaming_content)
    assert response["Content-Disposition"].startswith("attachment")
    assert len(list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))) == 2
    assert upload(manager_client, org, body).context["preview"].is_importable


def test_import_page_renders_for_a_manager(manager_client, org):
    response = manager_client.get(f"/o/{org.slug}/partners/import/")
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()


def test_viewer_may_not_import(viewer_client, org):
    response = upload(viewer_client, org, VALID_CSV)
    assert response.status_code == 403
    assert viewer_client.get(f"/o/{org.slug}/partners/import/").status_code == 403
    assert not Partner.objects.exists()


def test_import_checks_the_organisation(client, stranger, org):
    login(client, stranger)
    assert upload(client, org, VALID_CSV).status_code == 404
    assert not Partner.objects.exists()


def test_import_rejects_put(manager_client, org):
    assert manager_client.put(f"/o/{org.slug}/partners/import/").status_code == 405
