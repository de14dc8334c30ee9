"""Implausible money is refused or held: an order above the programme's highest order value (422, the field
named, nothing stored), coupon and code orders dated before the programme or the affiliate or outside the
window, commissions above the review threshold (never approved automatically; a person confirms), money
settings beyond their limits, and payouts to the programme's own paying account."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from affiliates.ledger import payouts
from affiliates.models import Commission, CommissionStatus, ProgrammeSettings, Project
from affiliates.programme.rules import programme_for
from tests.affiliates import factories_ledger as f
from tests.affiliates.factories_tracking import affiliate_for, api_key_for, programme_with_landings
from tests.affiliates.programme.test_settings import rules, settings_url

URL = "/api/v1/conversions"


@pytest.fixture
def shop(org):
    programme_with_landings(org)
    affiliate = affiliate_for(org, code="blogger-anna", coupon_code="ANNA10")
    _key, raw = api_key_for(org)
    return {"org": org, "affiliate": affiliate, "raw": raw}


def report(client, raw, key="order-1", **changes):
    body = {"customer_reference": "K-1", "value": "250.00", "date": timezone.localdate().isoformat()}
    body.update(changes)
    return client.post(
        URL,
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def url(org, name, *args):
    return reverse(f"affiliates:{name}", args=[org.slug, *args])


# --- the order value ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["9999999999.99", 1e9, "100000.01"])
def test_an_order_above_the_highest_order_value_is_refused_with_the_field_named(client, shop, value):
    response = report(client, shop["raw"], value=value, coupon="ANNA10")
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_error"
    assert [error["field"] for error in body["errors"]] == ["value"]
    assert not Project.objects.exists() and not Commission.objects.exists()
    # Nothing was stored under the key: the corrected order with the same key is recorded.
    assert report(client, shop["raw"], value="1000.00", coupon="ANNA10").status_code == 201


def test_an_order_just_above_the_programmes_highest_value_names_the_highest_value(client, shop):
    response = report(client, shop["raw"], value="100000.01", coupon="ANNA10")
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["value"]
    assert "100000.00" in response.json()["errors"][0]["message"]


def test_the_highest_order_value_follows_the_programme(client, shop):
    ProgrammeSettings.objects.filter(organisation=shop["org"]).update(max_order_value=Decimal("500.00"))
    assert report(client, shop["raw"], key="a", value="500.00", coupon="ANNA10").status_code == 201
    assert report(client, shop["raw"], key="b", value="500.01", coupon="ANNA10").status_code == 422


# --- dates of coupon and code orders -----------------------------------------------------------------------


def test_a_coupon_order_dated_before_the_programme_earns_nothing(client, shop):
    body = report(client, shop["raw"], date="0001-01-01", coupon="ANNA10").json()
    assert (body["reason"], body["commission"], body["credited"]) == ("before_programme", None, False)
    assert not Commission.objects.exists()


def test_a_code_order_dated_before_the_affiliate_joined_earns_nothing(client, shop):
    programme = programme_for(shop["org"])
    programme.created_at = timezone.now() - datetime.timedelta(days=400)
    programme.save()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    body = report(client, shop["raw"], date=yesterday.isoformat(), code="blogger-anna").json()
    assert (body["reason"], body["commission"]) == ("before_affiliate", None)


def test_a_coupon_order_reported_after_the_window_earns_nothing_and_on_its_last_day_earns(client, shop):
    long_ago = timezone.now() - datetime.timedelta(days=400)
    ProgrammeSettings.objects.filter(organisation=shop["org"]).update(created_at=long_ago)
    type(shop["affiliate"]).objects.filter(pk=shop["affiliate"].pk).update(created_at=long_ago)
    today = timezone.localdate()
    late = report(
        client,
        shop["raw"],
        key="late",
        customer_reference="K-late",
        coupon="ANNA10",
        date=(today - datetime.timedelta(days=91)).isoformat(),
    ).json()
    assert (late["reason"], late["commission"]) == ("outside_window", None)
    assert "reported" in late["detail"] and late["attribution"]["window_days"] == 90
    in_time = report(
        client,
        shop["raw"],
        key="in-time",
        customer_reference="K-in",
        coupon="ANNA10",
        date=(today - datetime.timedelta(days=90)).isoformat(),
    ).json()
    assert in_time["reason"] is None and in_time["commission"] is not None


# --- the review threshold ----------------------------------------------------------------------------------


def test_a_commission_above_the_review_threshold_is_never_approved_automatically(org):
    programme_for(org)
    partner = f.affiliate(org).partner
    day = datetime.date(2026, 3, 10)
    above = f.line(partner, "1000.01", status=CommissionStatus.PENDING, approve_after=day)
    at = f.line(partner, "1000.00", status=CommissionStatus.PENDING, approve_after=day)
    assert payouts.approve_due_commissions(today=day + datetime.timedelta(days=365)) == 1
    above.refresh_from_db(), at.refresh_from_db()
    assert (above.status, at.status) == (CommissionStatus.PENDING, CommissionStatus.APPROVED)


def test_the_review_threshold_follows_the_programme(org, other_org):
    ProgrammeSettings.objects.filter(pk=programme_for(org).pk).update(review_threshold=Decimal("100"))
    programme_for(other_org)
    day = datetime.date(2026, 3, 10)
    mine = f.line(f.affiliate(org).partner, "150.00", status=CommissionStatus.PENDING, approve_after=day)
    theirs = f.line(
        f.affiliate(other_org).partner, "150.00", status=CommissionStatus.PENDING, approve_after=day
    )
    payouts.approve_due_commissions(today=day)
    mine.refresh_from_db(), theirs.refresh_from_db()
    assert (mine.status, theirs.status) == (CommissionStatus.PENDING, CommissionStatus.APPROVED)


def test_approving_a_line_to_review_needs_the_persons_confirmation(org, manager):
    programme_for(org)
    partner = f.affiliate(org).partner
    small = f.line(partner, "20.00", status=CommissionStatus.PENDING)
    large = f.line(partner, "5000.00", status=CommissionStatus.PENDING)
    with pytest.raises(payouts.LedgerError):
        payouts.commissions_approve(organisation=org, commission_ids=[small.pk, large.pk], actor=manager)
    small.refresh_from_db(), large.refresh_from_db()
    assert (small.status, large.status) == (CommissionStatus.PENDING, CommissionStatus.PENDING)
    assert payouts.commissions_approve(
        organisation=org, commission_ids=[small.pk, large.pk], actor=manager, reviewed=True
    ) == (2, 0)


def test_bulk_approval_shows_the_total_and_the_largest_line_and_asks_to_confirm(manager_client, org):
    programme_for(org)
    partner = f.affiliate(org, name="Bouwblog").partner
    lines = [f.line(partner, amount, status=CommissionStatus.PENDING) for amount in ("20.00", "1500.00")]
    ids = [line.pk for line in lines]
    preview = manager_client.post(url(org, "commission_bulk"), {"action": "approve", "ids": ids})
    assert preview.status_code == 200
    assert preview.context["total"] == Decimal("1520.00") and preview.context["largest"] == lines[1]
    assert [line.pk for line in preview.context["to_review"]] == [lines[1].pk]
    html = preview.content.decode()
    assert "1.520,00" in html and "1.500,00" in html and 'name="reviewed"' in html
    # Confirmed without ticking the review box: refused, nothing approved.
    refused = manager_client.post(
        url(org, "commission_bulk"), {"action": "approve", "ids": ids, "confirm": "yes"}
    )
    assert refused.status_code == 422 and refused.context["review_error"]
    assert not Commission.objects.filter(status=CommissionStatus.APPROVED).exists()
    manager_client.post(
        url(org, "commission_bulk"), {"action": "approve", "ids": ids, "confirm": "yes", "reviewed": "yes"}
    )
    assert Commission.objects.filter(status=CommissionStatus.APPROVED).count() == 2


def test_the_commission_list_filters_the_lines_to_review(manager_client, org):
    programme_for(org)
    partner = f.affiliate(org).partner
    f.line(partner, "20.00", status=CommissionStatus.PENDING)
    large = f.line(partner, "2500.00", status=CommissionStatus.PENDING)
    response = manager_client.get(url(org, "commission_list") + "?status=to_review")
    assert [line.pk for line in response.context["page_obj"]] == [large.pk]


# --- limits on the settings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "limit"),
    [
        ("minimum_payout", "1000000000", "€\xa010.000"),
        ("referral_fee", "1e9", "€\xa010.000"),
        ("referral_fee", "10000,01", "€\xa010.000"),
        ("max_order_value", "0", "€\xa01.000.000"),
        ("max_order_value", "1000000,01", "€\xa01.000.000"),
        ("review_threshold", "100001", "€\xa0100.000"),
        ("target_order_value", "99999999999", "€\xa010.000.000"),
        ("commission_percent", "101", "100"),
    ],
)
def test_settings_refuse_implausible_amounts(manager_client, org, name, value, limit):
    before = programme_for(org)
    response = manager_client.post(settings_url(org), rules(**{name: value}))
    assert response.status_code == 422
    [message] = response.context["form"].errors[name]
    assert message.endswith(limit + ".") or message.endswith(limit + " in.")
    after = ProgrammeSettings.objects.get(pk=before.pk)
    assert getattr(after, name) == getattr(before, name)


def test_settings_accept_the_limits_themselves(manager_client, org):
    response = manager_client.post(
        settings_url(org),
        rules(minimum_payout="10000", referral_fee="10000", max_order_value="1000000", review_threshold="0"),
    )
    assert response.status_code == 302
    programme = programme_for(org)
    assert (programme.max_order_value, programme.review_threshold) == (Decimal("1000000"), Decimal("0"))


def test_the_database_refuses_a_minimum_payout_of_a_billion(org):
    from django.db import IntegrityError, transaction

    programme = programme_for(org)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgrammeSettings.objects.filter(pk=programme.pk).update(minimum_payout=Decimal("1000000000"))


# --- the programme's own account ---------------------------------------------------------------------------


def test_a_batch_refuses_to_pay_the_programmes_own_iban(org):
    f.paying_account(org, iban="NL44RABO0123456789")
    own = f.affiliate(org, name="Eigen rekening", iban="NL44RABO0123456789")
    other = f.affiliate(org, name="Blogger", iban="NL20INGB0001234567")
    f.line(own.partner, "80.00")
    f.line(other.partner, "60.00")
    result = payouts.payout_batch_create(organisation=org, month=payouts.previous_month())
    assert [payout.partner.name for payout in result.payouts] == ["Blogger"]
    assert [(item.partner.name, item.amount) for item in result.skipped] == [
        ("Eigen rekening", Decimal("80.00"))
    ]
    assert "eigen betaalrekening van het programma" in result.skipped[0].reason
    assert Commission.objects.get(partner=own.partner).payout_id is None


def test_the_affiliate_form_refuses_the_programmes_own_iban(manager_client, org):
    f.paying_account(org, iban="NL44RABO0123456789")
    affiliate = f.affiliate(org, iban="NL20INGB0001234567")
    response = manager_client.post(
        url(org, "affiliate_update", affiliate.pk),
        {
            "code": affiliate.code,
            "account_holder": "Anna",
            "iban": "nl44 rabo 0123 4567 89",
            "is_active": "on",
        },
    )
    assert response.status_code == 422
    assert "eigen betaalrekening van het programma" in response.context["form"].errors["iban"][0]
    affiliate.refresh_from_db()
    assert affiliate.iban == "NL20INGB0001234567"


# --- the batch preview -------------------------------------------------------------------------------------


def test_the_batch_shows_total_count_and_largest_payment_before_it_is_made(manager_client, org):
    from affiliates.models import PayoutBatch

    f.line(f.affiliate(org, name="Klein").partner, "60.00")
    f.line(f.affiliate(org, name="Groot", iban="NL20INGB0001234567").partner, "950.00")
    preview = manager_client.post(url(org, "payout_batch_create"))
    assert preview.status_code == 200 and not PayoutBatch.objects.exists()
    plan = preview.context["plan"]
    assert (plan.count, plan.total, plan.largest.amount, plan.largest.partner.name) == (
        2,
        Decimal("1010.00"),
        Decimal("950.00"),
        "Groot",
    )
    html = preview.content.decode()
    assert "1.010,00" in html and "950,00" in html
    made = manager_client.post(
        url(org, "payout_batch_create"), {"confirm": "yes", "shown": preview.context["shown"]}
    )
    assert made.status_code == 302 and PayoutBatch.objects.get().payouts.count() == 2


def test_a_batch_whose_figures_changed_since_the_preview_is_shown_again_not_made(manager_client, org):
    from affiliates.models import PayoutBatch

    partner = f.affiliate(org).partner
    f.line(partner, "60.00")
    shown = manager_client.post(url(org, "payout_batch_create")).context["shown"]
    f.line(partner, "900.00")  # approved meanwhile
    again = manager_client.post(url(org, "payout_batch_create"), {"confirm": "yes", "shown": shown})
    assert again.status_code == 409 and again.context["changed"]
    assert again.context["plan"].total == Decimal("960.00")
    assert not PayoutBatch.objects.exists()
