"""Projects: the form's rules, the CSV import (as the partner import), the list, editing and deleting."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from affiliates.models import Commission, CommissionKind, Project, ProjectSource
from affiliates.tiers.forms import ProjectForm, parse_euro
from affiliates.tiers.projects import parse_project_csv
from partnerhub.models import AuditEntry, PartnerStatus
from tests.affiliates.factories_tiers import ProjectFactory
from tests.factories import PartnerFactory

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)


@pytest.fixture
def partner(org):
    return PartnerFactory(organisation=org, name="Bouwbedrijf De Vries", status=PartnerStatus.ACTIVE)


def url(name, org, *args):
    return reverse(f"affiliates:{name}", args=[org.slug, *args])


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1.234,50", "1234.50"),
        ("1234.50", "1234.50"),
        ("1234,5", "1234.50"),
        ("€ 1.234", "1234"),
        ("1,234.50", "1234.50"),
        ("1 234,50", "1234.50"),
        ("0,99", "0.99"),
        ("12.345.678,90", "12345678.90"),
    ],
)
def test_euro_amounts_are_read_the_dutch_and_the_english_way(text, amount):
    assert parse_euro(text) == Decimal(amount)


@pytest.mark.parametrize("text", ["12,34,5", "1234,567", "-5", "tien", "1.23.4", ",50", ""])
def test_other_amounts_are_refused(text):
    assert parse_euro(text) is None


def form_data(who, **values):
    return {
        "partner": who.pk,
        "customer_reference": "K-2026-001",
        "value": "1.234,50",
        "date": YESTERDAY.isoformat(),
        "delivered_on_time": "true",
        "paid_on_time": "unknown",
        **values,
    }


def test_the_form_cleans_a_project(org, partner):
    form = ProjectForm(form_data(partner), organisation=org)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["value"] == Decimal("1234.50")
    assert form.cleaned_data["delivered_on_time"] is True
    assert form.cleaned_data["paid_on_time"] is None


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"date": (TODAY + datetime.timedelta(days=1)).isoformat()}, "date"),
        ({"value": "-10"}, "value"),
        ({"value": "12,345"}, "value"),
        ({"value": ""}, "value"),
        ({"customer_reference": "   "}, "customer_reference"),
        ({"partner": ""}, "partner"),
    ],
)
def test_the_form_refuses_bad_input(org, partner, values, field):
    form = ProjectForm(form_data(partner, **values), organisation=org)
    assert not form.is_valid()
    assert field in form.errors


def test_the_form_refuses_another_organisations_partner(org, other_org):
    foreign = PartnerFactory(organisation=other_org)
    form = ProjectForm(form_data(foreign), organisation=org)
    assert not form.is_valid() and "partner" in form.errors


def test_the_form_refuses_a_duplicate(org, partner):
    ProjectFactory(partner=partner, customer_reference="k-2026-001", value=Decimal("1234.50"), date=YESTERDAY)
    form = ProjectForm(form_data(partner), organisation=org)
    assert not form.is_valid()
    assert "already has a project" in str(form.non_field_errors()) or "al een project" in str(
        form.non_field_errors()
    )


# The views


def test_a_manager_adds_a_project(manager_client, org, partner):
    response = manager_client.post(url("project_create", org), form_data(partner))
    assert response.status_code == 302
    project = Project.objects.get()
    assert (project.partner, project.value, project.source, project.created_by.email) == (
        partner,
        Decimal("1234.50"),
        ProjectSource.MANUAL,
        "manager@example.nl",
    )
    assert AuditEntry.objects.filter(object_type="affiliates.project", partner=partner).exists()


def test_bad_input_saves_nothing_and_says_why_in_dutch(manager_client, org, partner):
    response = manager_client.post(url("project_create", org), form_data(partner, value="veel"))
    assert response.status_code == 200
    assert "Vul een bedrag in euro" in response.content.decode()
    assert not Project.objects.exists()


def test_a_viewer_cannot_add_a_project(viewer_client, org, partner):
    assert viewer_client.post(url("project_create", org), form_data(partner)).status_code == 403
    assert not Project.objects.exists()


def test_the_list_filters_totals_and_paginates(manager_client, org, partner, django_assert_max_num_queries):
    other = PartnerFactory(organisation=org, name="Architect Jansen")
    for index in range(55):
        ProjectFactory(
            partner=partner, customer_reference=f"DV-{index}", value=Decimal("100.10"), date=YESTERDAY
        )
    ProjectFactory(partner=other, customer_reference="AJ-1", value=Decimal("999.00"), date=YESTERDAY)
    ProjectFactory(partner=other, customer_reference="API-7", source=ProjectSource.API, date=YESTERDAY)
    with django_assert_max_num_queries(12):
        response = manager_client.get(url("project_list", org), {"partner": partner.pk})
    body = response.content.decode()
    assert "55 projecten" in body and "5.505,50" in body
    assert "AJ-1" not in body and "Pagina 1 van 2" in body
    response = manager_client.get(url("project_list", org), {"q": "api"})
    assert "API-7" in response.content.decode() and "DV-1" not in response.content.decode()
    assert ">API<" in response.content.decode()


def test_list_queries_do_not_grow_with_projects(manager_client, org, partner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ProjectFactory(partner=partner, date=YESTERDAY)
    manager_client.get(url("project_list", org))  # the first visit also remembers the organisation
    with CaptureQueriesContext(connection) as few:
        manager_client.get(url("project_list", org))
    for _ in range(30):
        ProjectFactory(partner=PartnerFactory(organisation=org), date=YESTERDAY)
    with CaptureQueriesContext(connection) as many:
        manager_client.get(url("project_list", org))
    assert len(many) == len(few)


def test_a_project_is_deleted_after_confirmation(manager_client, org, partner):
    project = ProjectFactory(partner=partner, date=YESTERDAY)
    response = manager_client.get(url("project_delete", org, project.pk))
    assert "Yes, delete" in response.content.decode() or "Ja, verwijder" in response.content.decode()
    assert Project.objects.filter(pk=project.pk).exists()
    manager_client.post(url("project_delete", org, project.pk))
    assert not Project.objects.filter(pk=project.pk).exists()


def test_a_project_with_a_commission_is_not_deleted(manager_client, org, partner):
    project = ProjectFactory(partner=partner, date=YESTERDAY)
    Commission.objects.create(
        organisation=org,
        partner=partner,
        kind=CommissionKind.COMMISSION,
        amount=Decimal("80.00"),
        project=project,
    )
    response = manager_client.post(url("project_delete", org, project.pk))
    assert response.status_code == 200
    assert "commissie" in response.content.decode()
    assert Project.objects.filter(pk=project.pk).exists()


def test_a_project_with_a_commission_keeps_its_value(manager_client, org, partner):
    project = ProjectFactory(partner=partner, date=YESTERDAY, value=Decimal("800.00"))
    Commission.objects.create(
        organisation=org,
        partner=partner,
        kind=CommissionKind.COMMISSION,
        amount=Decimal("80.00"),
        project=project,
    )
    manager_client.post(
        url("project_update", org, project.pk), form_data(partner, value="5,00", delivered_on_time="false")
    )
    project.refresh_from_db()
    assert project.value == Decimal("800.00")
    assert project.delivered_on_time is False


def test_editing_a_project(manager_client, org, partner):
    project = ProjectFactory(partner=partner, date=YESTERDAY)
    response = manager_client.post(url("project_update", org, project.pk), form_data(partner, value="2.000"))
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.value == Decimal("2000.00")
    entry = AuditEntry.objects.get(object_type="affiliates.project", action="update")
    assert entry.changes["value"] == ["800.00", "2000.00"]


# The CSV import


def upload(client, org, content, encoding="utf-8"):
    data = content.encode(encoding) if isinstance(content, str) else content
    return client.post(
        url("project_import", org),
        {"action": "preview", "file": SimpleUploadedFile("projecten.csv", data, content_type="text/csv")},
    )


def confirm(client, org, response):
    return client.post(
        url("project_import", org), {"action": "confirm", "upload_id": response.context["upload_id"]}
    )


GOOD = (
    "partner;klantreferentie;waarde;datum;op tijd geleverd;op tijd betaald\n"
    "Bouwbedrijf De Vries;K-1;1.234,50;02-01-2026;ja;nee\n"
    "bouwbedrijf  de vries;K-2;950.00;2026-01-03;nee;\n"
    "Architect Jansen;K-3;700;05/01/2026;onbekend;ja\n"
)


def test_a_good_file_is_previewed_then_imported(manager_client, org, partner):
    PartnerFactory(organisation=org, name="Architect Jansen")
    response = upload(manager_client, org, GOOD)
    assert response.context["preview"].is_importable
    assert not Project.objects.exists()  # the preview saves nothing
    response = confirm(manager_client, org, response)
    assert response.status_code == 302
    projects = {p.customer_reference: p for p in Project.objects.select_related("partner")}
    assert projects["K-1"].value == Decimal("1234.50") and projects["K-1"].paid_on_time is False
    assert projects["K-2"].partner == partner and projects["K-2"].paid_on_time is None
    assert projects["K-3"].partner.name == "Architect Jansen" and projects["K-3"].date == datetime.date(
        2026, 1, 5
    )
    assert {p.source for p in projects.values()} == {ProjectSource.CSV}
    assert AuditEntry.objects.filter(object_type="affiliates.project").count() == 3


def test_errors_are_shown_per_line_and_nothing_is_saved(manager_client, org, partner):
    tomorrow = (TODAY + datetime.timedelta(days=1)).strftime("%d-%m-%Y")
    content = (
        "partner,customer_reference,value,date,delivered_on_time,paid_on_time\n"
        "Bouwbedrijf De Vries,K-1,100,2026-01-02,yes,yes\n"
        "Onbekende Partner,K-2,100,2026-01-02,yes,yes\n"
        f"Bouwbedrijf De Vries,K-3,veel,{tomorrow},misschien,yes\n"
    )
    response = upload(manager_client, org, content)
    preview = response.context["preview"]
    assert not preview.is_importable and response.context["upload_id"] is None
    errors = {row.line: " ".join(row.errors) for row in preview.rows}
    assert errors[2] == ""
    assert "Onbekende Partner" in errors[3]
    assert "bedrag" in errors[4] and "toekomst" in errors[4] and "misschien" in errors[4]
    assert "Er is niets geïmporteerd" in response.content.decode()
    assert not Project.objects.exists()


def test_duplicates_in_the_file_and_in_partnerhub_are_refused(manager_client, org, partner):
    ProjectFactory(
        partner=partner, customer_reference="K-OLD", value=Decimal("500.00"), date=datetime.date(2026, 1, 2)
    )
    content = (
        "partner;customer_reference;value;date\n"
        "Bouwbedrijf De Vries;K-1;100;2026-01-02\n"
        "Bouwbedrijf De Vries;k-1;100,00;02-01-2026\n"
        "Bouwbedrijf De Vries;K-OLD;500;2026-01-02\n"
        "Bouwbedrijf De Vries;K-1;100;2026-01-03\n"
    )
    preview = upload(manager_client, org, content).context["preview"]
    errors = {row.line: " ".join(row.errors) for row in preview.rows}
    assert errors[2] == "" and errors[5] == ""
    assert "regel 2" in errors[3]
    assert "al in PartnerHub" in errors[4]
    assert Project.objects.count() == 1


def test_windows_1252_and_a_byte_order_mark_are_read(manager_client, org):
    PartnerFactory(organisation=org, name="Café Één")
    content = "partner;klantreferentie;waarde;datum\nCafé Één;K-1;10,00;01-01-2026\n"
    for raw in (content.encode("cp1252"), "\ufeff".encode() + content.encode()):
        response = upload(manager_client, org, raw)
        assert response.context["preview"].is_importable, response.context["preview"].rows[0].errors


def test_a_file_without_the_needed_columns_is_refused(org):
    preview = parse_project_csv(organisation=org, text="naam;bedrag\nX;10\n")
    assert preview.file_errors and "customer_reference" in preview.file_errors[0]


def test_a_row_entered_since_the_preview_rejects_the_import(manager_client, org, partner):
    response = upload(
        manager_client, org, "partner;klantreferentie;waarde;datum\nBouwbedrijf De Vries;K-1;10;01-01-2026\n"
    )
    ProjectFactory(
        partner=partner, customer_reference="K-1", value=Decimal("10"), date=datetime.date(2026, 1, 1)
    )
    response = confirm(manager_client, org, response)
    assert response.status_code == 200
    assert Project.objects.count() == 1


def test_the_example_file_imports(manager_client, org):
    PartnerFactory(organisation=org, name="Bouwbedrijf De Vries")
    example = manager_client.get(url("project_import", org), {"template": 1})
    content = b"".join(example.streaming_content) if example.streaming else example.content
    response = upload(manager_client, org, content)
    assert response.context["preview"].is_importable, [row.errors for row in response.context["preview"].rows]
