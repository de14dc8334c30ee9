"""The audit log shows every kind of change a service records, in words: reverse relations, many-to-many,
foreign keys by name (one query for a whole page), amounts, dates, yes/no, lists, dicts, nothing, and fields
or models that no longer exist."""

import datetime
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from affiliates.ledger import payouts
from checker.models import Collaboration
from partnerhub.audit import AuditAction, audit_record, field_changes
from partnerhub.models import AuditEntry
from tests.affiliates import factories_ledger as ledger
from tests.factories import PartnerFactory

MONTH = datetime.date(2026, 1, 1)


def rows(entry):
    """change_rows() as plain text, in Dutch."""
    with translation.override("nl"):
        return [(str(label), str(old), str(new)) for label, old, new in entry.change_rows()]


def audit_entry(object_type, **changes):
    return AuditEntry(object_type=object_type, action=AuditAction.UPDATE, changes=changes)


# --- each kind of value ------------------------------------------------------------------------------------


def test_a_reverse_relation_is_named_after_the_related_objects():
    assert rows(audit_entry("affiliates.payoutbatch", payouts=["", "3"])) == [("uitbetalingen", "", "3")]


@pytest.mark.django_db
def test_reverse_relation_ids_are_shown_by_name(org):
    first, second = (
        PartnerFactory(organisation=org, name="Alfa"),
        PartnerFactory(organisation=org, name="Beta"),
    )
    recorded = audit_entry("partnerhub.organisation", partners=[[first.pk], [first.pk, second.pk]])
    assert rows(recorded) == [("partners", "Alfa", "Alfa, Beta")]


@pytest.mark.django_db
def test_a_many_to_many_change_shows_the_names(org):
    first, second = (
        PartnerFactory(organisation=org, name="Alfa"),
        PartnerFactory(organisation=org, name="Beta"),
    )
    by_id = audit_entry("checker.collaboration", partners=[[first.pk], [second.pk, first.pk]])
    by_name = audit_entry("checker.collaboration", partners=[["Alfa"], ["Alfa", "Beta"]])
    assert rows(by_id) == [("partners", "Alfa", "Beta, Alfa")]
    assert rows(by_name) == [("partners", "Alfa", "Alfa, Beta")]


@pytest.mark.django_db
def test_a_foreign_key_id_is_shown_by_name_and_a_gone_one_by_number(org):
    partner = PartnerFactory(organisation=org, name="Sennheiser")
    assert rows(audit_entry("affiliates.project", partner=[partner.pk, 987654])) == [
        ("partner", "Sennheiser", "#987654")
    ]
    assert rows(audit_entry("affiliates.project", partner_id=[None, partner.pk])) == [
        ("partner", "", "Sennheiser")
    ]
    # As field_changes records it: the name already
    assert rows(audit_entry("affiliates.project", partner=["Alfa", "Beta"])) == [("partner", "Alfa", "Beta")]


@pytest.mark.django_db
def test_foreign_keys_of_a_whole_page_cost_one_query(org, django_assert_num_queries):
    partners = PartnerFactory.create_batch(5, organisation=org)
    for partner in partners:
        AuditEntry.objects.create(
            organisation=org,
            action=AuditAction.UPDATE,
            object_type="affiliates.project",
            object_repr="X",
            changes={"partner": [partners[0].pk, partner.pk]},
        )
    with django_assert_num_queries(2):  # the entries, then the partners of all of them
        shown = [rows(found) for found in AuditEntry.objects.filter(organisation=org)]
    assert sorted(new for [(_label, _old, new)] in shown) == sorted(partner.name for partner in partners)


def test_amounts_are_written_the_dutch_way():
    assert rows(audit_entry("affiliates.project", value=["1234.5", "99.99"])) == [
        ("waarde (€)", "1.234,50", "99,99")
    ]


def test_dates_and_moments_are_written_the_dutch_way():
    recorded = audit_entry(
        "checker.invitation",
        submitted_at=[None, "2026-03-01T10:15:00+00:00"],
        created_at=["", "2026-03-01 10:15"],
    )
    assert rows(recorded) == [("created at", "", "1-3-2026 10:15"), ("ingeleverd", "", "1-3-2026 11:15")]
    assert rows(audit_entry("matrix.valuematrix", date=["2026-01-31", "2026-02-01"])) == [
        ("datum", "31-1-2026", "1-2-2026")
    ]


def test_yes_and_no_for_true_and_false_in_every_recorded_form():
    assert rows(audit_entry("affiliates.project", delivered_on_time=["True", False])) == [
        ("op tijd geleverd", "ja", "nee")
    ]
    assert rows(audit_entry("affiliates.project", note=[True, False])) == [("note", "ja", "nee")]


def test_lists_and_dicts_are_written_out():
    recorded = audit_entry("partnerhub.partner", notes=[["a", "b"], {"x": 1, "y": None}])
    assert rows(recorded) == [("notities", "a, b", "x: 1, y: –")]


def test_none_and_empty_values_are_blank():
    assert rows(audit_entry("partnerhub.partner", website=[None, ""])) == [("website", "", "")]


def test_a_removed_field_keeps_its_recorded_name():
    assert rows(audit_entry("partnerhub.partner", old_rating=["1", "2"])) == [("old rating", "1", "2")]


def test_a_removed_model_keeps_its_recorded_names():
    assert rows(audit_entry("gone.model", some_field=["1", "2"])) == [("some field", "1", "2")]
    assert audit_entry("gone.model").object_label == "gone.model"


def test_a_change_that_is_not_a_pair_is_shown_as_the_new_value():
    assert rows(audit_entry("partnerhub.partner", name="Sennheiser", influence=["1", "2", "3"])) == [
        ("invloed", "", "1, 2, 3"),
        ("naam", "", "Sennheiser"),
    ]
    assert rows(AuditEntry(object_type="partnerhub.partner", changes=["odd"])) == [("", "", "odd")]


# --- what services record ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_audit_record_keeps_amounts_dates_objects_and_sets_as_json(org):
    partner = PartnerFactory(organisation=org, name="Sennheiser")
    recorded = audit_record(
        organisation=org,
        actor=None,
        action=AuditAction.UPDATE,
        obj=partner,
        changes={
            "importance": [Decimal("1.50"), Decimal("2.00")],
            "date": [datetime.date(2026, 1, 31), datetime.datetime(2026, 2, 1, 9, 30, tzinfo=datetime.UTC)],
            "relationship_owner": [None, partner],
            "tags": [set(), {"b", "a"}],
        },
    )
    recorded.refresh_from_db()
    assert recorded.changes == {
        "importance": ["1.50", "2.00"],
        "date": ["2026-01-31", "2026-02-01T09:30:00+00:00"],
        "relationship_owner": [None, "Sennheiser"],
        "tags": [[], ["a", "b"]],
    }


@pytest.mark.django_db
def test_field_changes_records_a_many_to_many_by_name(org):
    collaboration = Collaboration.objects.create(organisation=org, name="Samen")
    collaboration.partners.set(
        [PartnerFactory(organisation=org, name="Beta"), PartnerFactory(organisation=org, name="Alfa")]
    )
    assert field_changes(Collaboration(organisation=org), collaboration, ["partners", "name"]) == {
        "partners": [[], ["Alfa", "Beta"]],
        "name": ["", "Samen"],
    }


@pytest.mark.django_db
def test_the_dashboard_shows_a_paid_payout_batch(manager_client, manager, org):
    ledger.line(ledger.affiliate(org).partner, "50.00")
    batch = payouts.payout_batch_create(organisation=org, month=MONTH).batch
    payouts.payout_batch_mark_paid(batch=batch, actor=manager)
    response = manager_client.get(f"/o/{org.slug}/", headers={"Accept-Language": "nl"})
    assert response.status_code == 200
    assert "Uitbetalingen: – → 1" in response.content.decode()


# One shape per service that records changes, as it records them (the service named first).
RECORDED = [
    (
        "partner_create",
        "partnerhub.partner",
        {"name": ["", "Sennheiser"], "status": ["", "active"]},
        ("status", "", "Actief"),
    ),
    (
        "partner_update",
        "partnerhub.partner",
        {"category": ["fund", "insurer"]},
        ("categorie", "Fonds", "Verzekeraar"),
    ),
    (
        "contact_update",
        "partnerhub.contact",
        {"is_key_person": ["False", "True"]},
        ("sleutelpersoon", "nee", "ja"),
    ),
    (
        "invitation_revoke",
        "checker.invitation",
        {"revoked_at": [None, "2026-03-01T10:15:00+00:00"]},
        ("ingetrokken op", "", "1-3-2026 11:15"),
    ),
    (
        "split_save",
        "agreements.party",
        {"cost_share": ["50.00", "40.00"]},
        ("aandeel in de kosten (%)", "50,00", "40,00"),
    ),
    ("agreement_legal_form", "agreements.agreement", {"legal_form": ["", "vof"]}, ("rechtsvorm", "", "vof")),
    (
        "version_create",
        "agreements.agreementversion",
        {"number": ["1", "2"], "sha256": ["", "ab"]},
        ("versie", "1", "2"),
    ),
    (
        "sign_request_create",
        "agreements.signrequest",
        {"signer_name": ["", "P"], "email": ["", "p@x.nl"]},
        ("ondertekenaar", "", "P"),
    ),
    (
        "sign",
        "agreements.signature",
        {"ip_address": ["", "192.0.2.1"], "version_sha256": ["", "ab"]},
        ("IP-adres", "", "192.0.2.1"),
    ),
    ("conclusion_save", "agreements.conclusion", {"text": ["a", "b"]}, ("text", "a", "b")),
    (
        "action_create",
        "agreements.followupaction",
        {"owner": ["", "Zorg"], "due_date": ["", "2026-03-01"]},
        ("uiterste datum", "", "1-3-2026"),
    ),
    (
        "matrix_update",
        "matrix.valuematrix",
        {"date": ["2026-01-01", "2026-02-01"]},
        ("datum", "1-1-2026", "1-2-2026"),
    ),
    (
        "commission_approve",
        "affiliates.commission",
        {"status": ["pending", "approved"]},
        ("status", "In afwachting", "Goedgekeurd"),
    ),
    (
        "commission_reject",
        "affiliates.commission",
        {"rejected_reason": ["", "dubbel"]},
        ("reden", "", "dubbel"),
    ),
    (
        "payout_batch_create",
        "affiliates.payoutbatch",
        {"payouts": ["", "3"], "amount": ["", "120.50"]},
        ("uitbetalingen", "", "3"),
    ),
    (
        "payout_batch_mark_paid",
        "affiliates.payoutbatch",
        {"status": ["open", "paid"], "payouts": ["", "3"]},
        ("uitbetalingen", "", "3"),
    ),
    (
        "portal_link_create",
        "affiliates.portallink",
        {"expires_at": ["", "2026-06-01"]},
        ("verloopt op", "", "1-6-2026 00:00"),
    ),
    (
        "portal_link_revoke",
        "affiliates.portallink",
        {"revoked_at": ["", "2026-03-01T10:15"]},
        ("ingetrokken op", "", "1-3-2026 10:15"),
    ),
    (
        "comarketing_create",
        "affiliates.comarketingaction",
        {"investment": ["", "split"]},
        ("investering", "", "Kostenverdeling"),
    ),
    (
        "comarketing_update",
        "affiliates.comarketingaction",
        {"amount": ["100.00", "150.00"]},
        ("bedrag (€)", "100,00", "150,00"),
    ),
    (
        "settings_save",
        "affiliates.programmesettings",
        {"commission_percent": ["10.00", "12.50"]},
        ("affiliatecommissie (%)", "10,00", "12,50"),
    ),
    (
        "tiers_save",
        "affiliates.tier",
        {"min_projects": ["5", "6"]},
        ("projecten per jaar (minimaal)", "5", "6"),
    ),
    (
        "nps_score_create",
        "affiliates.npsscore",
        {"score": ["", "9"], "date": ["", "2026-03-01"]},
        ("datum", "", "1-3-2026"),
    ),
    (
        "nps_request_link",
        "affiliates.npsrequest",
        {"expires_at": ["", "2026-03-15 10:00"]},
        ("verloopt op", "", "15-3-2026 10:00"),
    ),
    (
        "referral_create",
        "affiliates.referral",
        {"lead_name": ["", "Jan"], "status": ["", "new"]},
        ("status", "", "Nieuw"),
    ),
    (
        "tier_override",
        "affiliates.tierstanding",
        {"is_override": ["False", "True"]},
        ("met de hand gezet", "nee", "ja"),
    ),
    (
        "review_create",
        "affiliates.quarterlyreview",
        {"quarter_start": ["", "2026-01-01"]},
        ("kwartaal", "", "1-1-2026"),
    ),
    (
        "asset_create",
        "affiliates.asset",
        {"title": ["", "Banner"], "kind": ["", "banner"]},
        ("soort", "", "Banner"),
    ),
    (
        "onboarding_task_done",
        "affiliates.onboardingtask",
        {"done_at": ["", "2026-03-01 10:00"]},
        ("done at", "", "1-3-2026 10:00"),
    ),
    (
        "api_key_revoke",
        "affiliates.apikey",
        {"revoked_at": ["", "2026-03-01T10:15:00"]},
        ("revoked at", "", "1-3-2026 10:15"),
    ),
    (
        "project_create",
        "affiliates.project",
        {"value": ["", "1234.50"], "source": ["", "csv"]},
        ("waarde (€)", "", "1.234,50"),
    ),
    (
        "project_update",
        "affiliates.project",
        {"delivered_on_time": ["True", "False"]},
        ("op tijd geleverd", "ja", "nee"),
    ),
]


@pytest.mark.parametrize(
    ("object_type", "changes", "expected"),
    [
        pytest.param(object_type, changes, expected, id=service)
        for service, object_type, changes, expected in RECORDED
    ],
)
def test_each_service_s_change_is_shown_in_words(object_type, changes, expected):
    recorded = audit_entry(object_type, **changes)
    assert expected in rows(recorded)
    with translation.override("nl"):
        html = render_to_string("partials/audit_list.html", {"entries": [recorded], "organisation": None})
    label, old, new = expected
    assert f"{label[0].upper()}{label[1:]}: {old or '–'} → {new or '–'}" in html.replace("&amp;", "&")
