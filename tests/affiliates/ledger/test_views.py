"""The affiliates, commissions and payouts pages: what they show, what they change, who may change it, and
that lists cost the same number of queries for 3 rows as for 30."""

import datetime
from decimal import Decimal

import pytest
import xmlschema
from django.urls import reverse

from affiliates.ledger import payouts
from affiliates.models import (
    Affiliate,
    Commission,
    CommissionKind,
    CommissionStatus,
    PayoutBatch,
    PayoutStatus,
    PortalLink,
)
from partnerhub.models import AuditEntry, Partner
from tests.affiliates import factories_ledger as f
from tests.affiliates.ledger.test_services import PAIN_001
from tests.factories import PartnerFactory

MONTH = datetime.date(2026, 1, 1)


def url(org, name, *args):
    return reverse(f"affiliates:{name}", args=[org.slug, *args])


# --- affiliates --------------------------------------------------------------------------------------------


def test_affiliate_list_shows_figures_link_and_account(manager_client, org):
    aff = f.affiliate(org, name="Bouwblog", code="bouwblog", coupon_code="BOUW10", iban="NL20INGB0001234567")
    f.clicks(aff, [datetime.datetime(2026, 1, 5, 12, tzinfo=datetime.UTC)] * 3)
    f.order(aff.partner, "100")
    f.line(aff.partner, "12.35", status=CommissionStatus.PENDING)
    f.line(aff.partner, "40.00")
    f.affiliate(org, name="Zonder rekening", iban="")
    response = manager_client.get(url(org, "affiliate_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "http://testserver/r/bouwblog" in html and "BOUW10" in html
    assert "NL20 INGB 0001 2345 67" in html
    assert "12,35" in html and "40,00" in html
    rows = {row.partner.name: row for row in response.context["page_obj"]}
    assert (rows["Bouwblog"].click_count, rows["Bouwblog"].conversion_count) == (3, 1)
    balances = rows["Bouwblog"].balances
    assert (balances.pending, balances.approved) == (Decimal("12.35"), Decimal("40.00"))
    assert "No IBAN filled in." in html or "Geen IBAN" in html


def test_affiliate_list_query_count_does_not_grow_with_rows(
    manager_client, org, django_assert_max_num_queries
):
    def make(n):
        for _ in range(n):
            aff = f.affiliate(org)
            f.clicks(aff, [datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC)] * 2)
            f.line(aff.partner, "10.00")
            f.portal_link(aff)

    make(3)
    manager_client.get(url(org, "affiliate_list"))  # warm the session and programme
    with django_assert_max_num_queries(12) as few:
        manager_client.get(url(org, "affiliate_list"))
    make(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = manager_client.get(url(org, "affiliate_list"))
    assert len(response.context["page_obj"]) == 23


def test_create_an_affiliate_for_a_new_blogger(manager_client, org):
    response = manager_client.post(
        url(org, "affiliate_create"),
        {
            "new_partner_name": "Verbouw Vlog",
            "new_partner_category": "other",
            "code": "",
            "coupon_code": "vlog10",
            "email": "vlog@example.nl",
            "customer_reference": "K-100",
            "account_holder": "Verbouw Vlog",
            "iban": "nl91 abna 0417 1643 00",
            "commission_percent": "12,5",
        },
    )
    aff = Affiliate.objects.get()
    assert response.status_code == 302 and response.url == url(org, "affiliate_update", aff.pk)
    assert aff.partner.name == "Verbouw Vlog" and aff.partner.organisation == org
    assert (aff.code, aff.coupon_code, aff.iban) == ("verbouw-vlog", "VLOG10", "NL91ABNA0417164300")
    assert aff.commission_percent == Decimal("12.5")
    assert AuditEntry.objects.filter(object_type="affiliates.affiliate", action="create").exists()
    page = manager_client.get(response.url).content.decode()
    assert "NL91 ABNA 0417 1643 00" in page and "http://testserver/r/verbouw-vlog" in page
    assert 'data-copy="affiliate-link"' in page


def test_create_for_an_existing_partner(manager_client, org):
    partner = PartnerFactory(organisation=org, name="Makelaardij Peters", category="estate_agent")
    response = manager_client.post(url(org, "affiliate_create"), {"partner": partner.pk, "code": "peters"})
    assert response.status_code == 302
    assert Affiliate.objects.get().partner == partner
    assert Partner.objects.filter(organisation=org).count() == 1


def test_create_refuses_bad_input_in_dutch_and_saves_nothing(manager_client, org):
    f.affiliate(org, code="bezet", coupon_code="BEZET")
    count = Affiliate.objects.count()
    response = manager_client.post(
        url(org, "affiliate_create"),
        {
            "new_partner_name": "Nieuw",
            "code": "bezet",
            "iban": "NL91ABNA0417164301",
            "commission_percent": "150",
        },
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert set(errors) >= {"iban", "commission_percent"}
    assert "IBAN" in errors["iban"][0]
    assert Affiliate.objects.count() == count and not Partner.objects.filter(name="Nieuw").exists()
    response = manager_client.post(
        url(org, "affiliate_create"), {"new_partner_name": "Nieuw", "code": "bezet"}
    )
    assert response.status_code == 422 and "code" in response.context["form"].errors
    response = manager_client.post(url(org, "affiliate_create"), {"code": "x-y-z"})
    assert response.status_code == 422 and "partner" in response.context["form"].errors
    assert not Partner.objects.filter(name="Nieuw").exists()


def test_create_cannot_use_another_organisations_partner(manager_client, org, other_org):
    theirs = PartnerFactory(organisation=other_org)
    response = manager_client.post(url(org, "affiliate_create"), {"partner": theirs.pk, "code": "theirs"})
    assert response.status_code == 422
    assert not Affiliate.objects.exists()


def test_code_suggestion_from_the_name(manager_client, org):
    f.affiliate(org, code="bouwblog-jansen")
    response = manager_client.get(
        url(org, "affiliate_create"),
        {"suggest": "1", "new_partner_name": "Bouwblog Jansen"},
        HTTP_HX_REQUEST="true",
    )
    assert "bouwblog-jansen-2" in response.content.decode()
    assert "<form" not in response.content.decode()


def test_update_changes_the_account_with_an_audit_entry(manager_client, org):
    aff = f.affiliate(org, code="oud")
    data = {
        "code": "nieuw",
        "coupon_code": "",
        "email": "",
        "customer_reference": "",
        "account_holder": "Nieuwe Naam",
        "iban": "NL44 RABO 0123 4567 89",
        "commission_percent": "",
        "is_active": "on",
    }
    response = manager_client.post(url(org, "affiliate_update", aff.pk), data)
    assert response.status_code == 302
    aff.refresh_from_db()
    assert (aff.code, aff.iban, aff.account_holder) == ("nieuw", "NL44RABO0123456789", "Nieuwe Naam")
    entry = AuditEntry.objects.filter(object_type="affiliates.affiliate", action="update").get()
    assert entry.changes["code"] == ["oud", "nieuw"]


def test_viewer_sees_but_cannot_change(viewer_client, org):
    aff = f.affiliate(org, code="lezen")
    assert viewer_client.get(url(org, "affiliate_update", aff.pk)).status_code == 200
    assert viewer_client.post(url(org, "affiliate_update", aff.pk), {"code": "anders"}).status_code == 403
    assert viewer_client.post(url(org, "portal_link_create", aff.pk)).status_code == 403
    assert viewer_client.post(url(org, "affiliate_create"), {"new_partner_name": "X"}).status_code == 403
    aff.refresh_from_db()
    assert aff.code == "lezen" and not PortalLink.objects.exists()


def test_portal_link_is_shown_once_and_can_be_revoked(manager_client, org, client):
    aff = f.affiliate(org)
    response = manager_client.post(url(org, "portal_link_create", aff.pk))
    assert response.status_code == 302
    page = manager_client.get(url(org, "affiliate_update", aff.pk))
    shown = page.context["fresh_portal_link"]["url"]
    assert shown.startswith("http://testserver/p/")
    token = shown.rstrip("/").rsplit("/", 1)[1]
    link = PortalLink.objects.get()
    assert link.token_hash != token and PortalLink.objects.by_token(token) == link
    assert 360 <= (link.expires_at.date() - datetime.date.today()).days <= 366
    # Shown only this once.
    assert manager_client.get(url(org, "affiliate_update", aff.pk)).context["fresh_portal_link"] is None
    confirm = manager_client.get(url(org, "portal_link_revoke", aff.pk, link.pk))
    assert confirm.status_code == 200 and link.revoked_at is None
    assert manager_client.post(url(org, "portal_link_revoke", aff.pk, link.pk)).status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert manager_client.post(url(org, "portal_link_revoke", aff.pk, link.pk)).status_code == 302
    assert client.get(reverse("portal", args=[token])).status_code == 410


# --- commissions -------------------------------------------------------------------------------------------


def test_commission_list_filters(manager_client, org):
    one = f.affiliate(org, name="Een")
    two = f.affiliate(org, name="Twee")
    f.line(one.partner, "10.00", status=CommissionStatus.PENDING, description="eerste")
    f.line(two.partner, "50.00", kind=CommissionKind.REFERRAL_FEE, description="fee")
    f.line(one.partner, "-5.00", kind=CommissionKind.CORRECTION, description="terug")
    response = manager_client.get(url(org, "commission_list"), {"status": "pending"})
    assert [line.description for line in response.context["page_obj"]] == ["eerste"]
    response = manager_client.get(url(org, "commission_list"), {"kind": "referral_fee"})
    assert [line.description for line in response.context["page_obj"]] == ["fee"]
    response = manager_client.get(url(org, "commission_list"), {"partner": one.partner.pk})
    assert {line.description for line in response.context["page_obj"]} == {"eerste", "terug"}
    assert response.context["total"] == Decimal("5.00")


def test_commission_list_query_count_does_not_grow_with_rows(
    manager_client, org, django_assert_max_num_queries
):
    aff = f.affiliate(org)
    f.line(aff.partner, "60.00")
    payouts.payout_batch_create(organisation=org, month=MONTH)
    for _ in range(3):
        f.line(aff.partner, "1.00", status=CommissionStatus.PENDING, project=f.order(aff.partner, "10"))
    manager_client.get(url(org, "commission_list"))
    with django_assert_max_num_queries(12) as few:
        manager_client.get(url(org, "commission_list"))
    for _ in range(30):
        other = f.affiliate(org)
        f.line(other.partner, "1.00", status=CommissionStatus.PENDING, project=f.order(other.partner, "10"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = manager_client.get(url(org, "commission_list"))
    assert len(response.context["page_obj"]) == 34


def test_bulk_approve_asks_then_approves(manager_client, org):
    aff = f.affiliate(org)
    lines = [f.line(aff.partner, "10.00", status=CommissionStatus.PENDING) for _ in range(3)]
    ids = [line.pk for line in lines[:2]]
    ask = manager_client.post(url(org, "commission_bulk"), {"action": "approve", "ids": ids})
    assert ask.status_code == 200 and len(ask.context["lines"]) == 2
    assert Commission.objects.filter(status=CommissionStatus.APPROVED).count() == 0
    done = manager_client.post(
        url(org, "commission_bulk"), {"action": "approve", "ids": ids, "confirm": "yes"}
    )
    assert done.status_code == 302
    assert set(
        Commission.objects.filter(status=CommissionStatus.APPROVED).values_list("pk", flat=True)
    ) == set(ids)
    # The same confirmation sent again changes nothing.
    manager_client.post(url(org, "commission_bulk"), {"action": "approve", "ids": ids, "confirm": "yes"})
    assert Commission.objects.filter(status=CommissionStatus.APPROVED).count() == 2


def test_bulk_reject_needs_a_reason(manager_client, org):
    aff = f.affiliate(org)
    lines = [f.line(aff.partner, "10.00", status=CommissionStatus.PENDING) for _ in range(2)]
    ids = [line.pk for line in lines]
    response = manager_client.post(
        url(org, "commission_bulk"), {"action": "reject", "ids": ids, "confirm": "yes", "reason": ""}
    )
    assert response.status_code == 422 and "reason" in response.context["form"].errors
    assert not Commission.objects.filter(status=CommissionStatus.REJECTED).exists()
    manager_client.post(
        url(org, "commission_bulk"),
        {"action": "reject", "ids": ids, "confirm": "yes", "reason": "Test-orders"},
    )
    assert set(Commission.objects.values_list("status", "rejected_reason")) == {
        (CommissionStatus.REJECTED, "Test-orders")
    }


def test_reject_page_refuses_a_paid_line(manager_client, org):
    paid = f.line(f.affiliate(org).partner, "20.00", status=CommissionStatus.PAID)
    page = manager_client.get(url(org, "commission_reject", paid.pk))
    assert page.status_code == 200 and page.context["refusal"]
    assert "<textarea" not in page.content.decode() and 'name="reason"' not in page.content.decode()
    response = manager_client.post(url(org, "commission_reject", paid.pk), {"reason": "Fraude"}, follow=True)
    assert any("paid" in str(m) or "betaald" in str(m) for m in response.context["messages"])
    paid.refresh_from_db()
    assert paid.status == CommissionStatus.PAID and paid.rejected_reason == ""


def test_reject_one_line(manager_client, org):
    line = f.line(f.affiliate(org).partner, "20.00")
    response = manager_client.post(url(org, "commission_reject", line.pk), {"reason": "Dubbele order"})
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.status, line.rejected_reason) == (CommissionStatus.REJECTED, "Dubbele order")


def test_bulk_ignores_other_organisations_ids(manager_client, org, other_org):
    theirs = f.line(f.affiliate(other_org).partner, "10.00", status=CommissionStatus.PENDING)
    response = manager_client.post(
        url(org, "commission_bulk"), {"action": "approve", "ids": [theirs.pk], "confirm": "yes"}
    )
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.status == CommissionStatus.PENDING


def test_viewer_cannot_approve(viewer_client, org):
    line = f.line(f.affiliate(org).partner, "10.00", status=CommissionStatus.PENDING)
    response = viewer_client.post(
        url(org, "commission_bulk"), {"action": "approve", "ids": [line.pk], "confirm": "yes"}
    )
    assert response.status_code == 403
    line.refresh_from_db()
    assert line.status == CommissionStatus.PENDING


# --- payouts -----------------------------------------------------------------------------------------------


def test_make_the_batch_defaults_to_the_previous_month_and_twice_makes_nothing(manager_client, org):
    from affiliates.ledger.payouts import previous_month

    f.line(f.affiliate(org).partner, "55.00")
    confirm = {"confirm": "yes", "shown": "1:55.00"}
    first = manager_client.post(url(org, "payout_batch_create"), confirm)
    batch = PayoutBatch.objects.get()
    assert first.status_code == 302 and first.url == url(org, "payout_batch_detail", batch.pk)
    assert batch.month == previous_month()
    manager_client.post(url(org, "payout_batch_create"), confirm)
    assert PayoutBatch.objects.count() == 1 and batch.payouts.count() == 1


def test_make_the_batch_refuses_a_month_not_offered(manager_client, org):
    response = manager_client.post(url(org, "payout_batch_create"), {"month": "1999-01"}, follow=True)
    assert not PayoutBatch.objects.exists()
    assert list(response.context["messages"])


def test_batch_page_shows_payouts_and_skipped(manager_client, org):
    paid = f.affiliate(org, name="Betaald", iban="NL20INGB0001234567")
    f.line(paid.partner, "80.00")
    skipped = f.affiliate(org, name="Geen rekening", iban="")
    f.line(skipped.partner, "70.00")
    batch = payouts.payout_batch_create(organisation=org, month=MONTH).batch
    response = manager_client.get(url(org, "payout_batch_detail", batch.pk))
    html = response.content.decode()
    assert "Betaald" in html and "NL20 INGB 0001 2345 67" in html and "80,00" in html
    assert [item.partner.name for item in response.context["skipped"]] == ["Geen rekening"]
    assert response.context["sepa_problem"]  # no paying account yet


def test_sepa_download_validates_and_missing_account_is_explained(manager_client, org):
    f.line(f.affiliate(org).partner, "50.00")
    batch = payouts.payout_batch_create(organisation=org, month=MONTH).batch
    refused = manager_client.get(url(org, "payout_batch_sepa", batch.pk), follow=True)
    assert refused.redirect_chain[-1][0] == url(org, "payout_batch_detail", batch.pk)
    assert list(refused.context["messages"])
    f.paying_account(org)
    response = manager_client.get(url(org, "payout_batch_sepa", batch.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    assert "attachment" in response["Content-Disposition"]
    xmlschema.XMLSchema(PAIN_001).validate(response.content.decode())


def test_csv_download(manager_client, org):
    aff = f.affiliate(org, name="Bouwblog", iban="NL20INGB0001234567")
    f.line(aff.partner, "50.5")
    batch = payouts.payout_batch_create(organisation=org, month=MONTH).batch
    response = manager_client.get(url(org, "payout_batch_csv", batch.pk))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "attachment" in response["Content-Disposition"]
    header, row = body.strip().splitlines()
    assert row.startswith("Bouwblog,Bouwblog,NL20INGB0001234567,50.50,1,2026-01,")


def test_mark_paid_asks_then_pays(manager_client, org):
    aff = f.affiliate(org)
    line = f.line(aff.partner, "50.00")
    batch = payouts.payout_batch_create(organisation=org, month=MONTH).batch
    assert manager_client.get(url(org, "payout_batch_paid", batch.pk)).status_code == 200
    assert batch.payouts.get().status == PayoutStatus.OPEN
    assert manager_client.post(url(org, "payout_batch_paid", batch.pk)).status_code == 302
    line.refresh_from_db()
    assert line.status == CommissionStatus.PAID and batch.payouts.get().status == PayoutStatus.PAID
    assert manager_client.post(url(org, "payout_batch_paid", batch.pk)).status_code == 302


def test_viewer_cannot_make_or_pay_a_batch(viewer_client, org):
    f.line(f.affiliate(org).partner, "50.00")
    assert viewer_client.post(url(org, "payout_batch_create")).status_code == 403
    batch = payouts.payout_batch_create(organisation=org, month=MONTH).batch
    assert viewer_client.post(url(org, "payout_batch_paid", batch.pk)).status_code == 403
    assert batch.payouts.get().status == PayoutStatus.OPEN


def test_payout_list_query_count_does_not_grow(manager_client, org, django_assert_max_num_queries):
    def batches(months):
        for month in months:
            for _ in range(2):
                f.line(f.affiliate(org).partner, "50.00")
            payouts.payout_batch_create(organisation=org, month=datetime.date(2025, month, 1))

    batches([1, 2])
    manager_client.get(url(org, "payout_list"))
    with django_assert_max_num_queries(14) as few:
        manager_client.get(url(org, "payout_list"))
    batches(range(3, 13))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = manager_client.get(url(org, "payout_list"))
    assert len(response.context["page_obj"]) == 12


@pytest.mark.parametrize(
    "name", ["payout_batch_detail", "payout_batch_sepa", "payout_batch_csv", "payout_batch_paid"]
)
def test_another_organisations_batch_is_404(manager_client, org, other_org, name):
    f.line(f.affiliate(other_org).partner, "50.00")
    batch = payouts.payout_batch_create(organisation=other_org, month=MONTH).batch
    assert manager_client.get(url(org, name, batch.pk)).status_code == 404
