"""POST /api/v1/conversions and the refund: API keys (401), idempotency (the first answer, exactly; 409 for
a reused key), the first-order rule, the window (day 90 in, day 91 out), self-referral, validation (422,
nothing stored), amounts to the cent, refunds before and after payment, isolation between organisations."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

from affiliates.models import ApiKey, Commission, CommissionKind, CommissionStatus, Project
from affiliates.programme.rules import programme_for
from affiliates.tracking import conversions
from tests.affiliates.factories_tracking import (
    API_URL,
    affiliate_for,
    api_key_for,
    click_for,
    programme_with_landings,
)
from tests.affiliates.factories_tracking import api_order as order
from tests.affiliates.factories_tracking import api_post as post

URL = API_URL


@pytest.fixture
def shop(org):
    """Org A with an affiliate (link code, coupon), a click, and an API key."""
    programme_with_landings(org)
    affiliate = affiliate_for(
        org, code="blogger-anna", coupon_code="ANNA10", email="anna@blog.example", customer_reference="K-ANNA"
    )
    _key, raw = api_key_for(org)
    return {"org": org, "affiliate": affiliate, "raw": raw, "click": click_for(affiliate)}


def refund(client, raw, key, body=None):
    return client.post(
        f"{URL}/{key}/refund", body or {}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )


def noon(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


# ------------------------------------------------------------------------------------------------ auth


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer phk_wrong", "Basic dXNlcjpwdw==", "Token x"])
def test_without_a_valid_key_401(client, shop, header):
    headers = {"HTTP_IDEMPOTENCY_KEY": "o-1"}
    if header is not None:
        headers["HTTP_AUTHORIZATION"] = header
    response = client.post(URL, order(), content_type="application/json", **headers)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert not Project.objects.exists()


def test_a_revoked_key_is_refused(client, shop):
    api_key = ApiKey.objects.get(organisation=shop["org"])
    conversions.api_key_revoke(api_key=api_key, actor=None)
    assert post(client, shop["raw"], order()).status_code == 401
    assert refund(client, shop["raw"], "order-1").status_code == 401
    assert not Project.objects.exists()


def test_last_use_is_recorded_at_most_once_a_minute(client, shop, django_assert_num_queries):
    post(client, shop["raw"], order())
    api_key = ApiKey.objects.get(organisation=shop["org"])
    assert api_key.last_used_at is not None
    first = api_key.last_used_at
    with django_assert_num_queries(2):  # the key, then the stored answer: no write of last_used_at
        post(client, shop["raw"], order())
    api_key.refresh_from_db()
    assert api_key.last_used_at == first


def test_only_the_hash_of_a_key_is_kept(shop):
    api_key = ApiKey.objects.get(organisation=shop["org"])
    assert shop["raw"] not in (api_key.key_hash, api_key.prefix)
    assert shop["raw"].startswith(api_key.prefix) and len(api_key.key_hash) == 64


# ----------------------------------------------------------------------------------------- idempotency


def test_a_conversion_with_a_click_earns_the_commission(client, shop):
    response = post(client, shop["raw"], order(click_id=shop["click"].click_id))
    assert response.status_code == 201
    body = response.json()
    project = Project.objects.get()
    line = Commission.objects.get()
    assert body["project_id"] == project.pk
    assert body["attribution"]["method"] == "click"
    assert body["attribution"]["affiliate"] == "blogger-anna"
    assert body["attribution"]["click_id"] == shop["click"].click_id
    assert body["commission"] == {"id": line.pk, "amount": "25.00", "status": "pending", "percent": "10.00"}
    assert body["reason"] is None
    assert (project.partner, project.source, project.attribution, project.click) == (
        shop["affiliate"].partner,
        "api",
        "click",
        shop["click"],
    )
    assert (line.amount, line.kind, line.partner) == (
        Decimal("25.00"),
        "commission",
        shop["affiliate"].partner,
    )


def test_a_repeat_returns_exactly_the_first_answer_and_creates_nothing(client, shop):
    first = post(client, shop["raw"], order(coupon="ANNA10"))
    again = post(client, shop["raw"], order(coupon="ANNA10"))
    in_body = post(client, shop["raw"], order(coupon="ANNA10", idempotency_key="order-1"), key=None)
    assert first.status_code == again.status_code == in_body.status_code == 201
    assert first.content == again.content == in_body.content
    assert Project.objects.count() == 1
    assert Commission.objects.count() == 1


def test_the_same_key_with_another_order_is_refused(client, shop):
    post(client, shop["raw"], order(coupon="ANNA10"))
    response = post(client, shop["raw"], order(coupon="ANNA10", value="999.00"))
    assert response.status_code == 409
    assert response.json()["error"] == "idempotency_key_reused"
    assert Project.objects.count() == 1
    assert Commission.objects.get().base_amount == Decimal("250.00")


def test_the_idempotency_key_is_required(client, shop):
    response = post(client, shop["raw"], order(), key=None)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "idempotency_key", "message": "Send an Idempotency-Key header (or idempotency_key)."}
    ]
    header_and_body_differ = post(client, shop["raw"], order(idempotency_key="a"), key="b")
    assert header_and_body_differ.status_code == 422
    assert not Project.objects.exists()


def test_idempotency_keys_are_per_organisation(client, shop, other_org):
    _key, other_raw = api_key_for(other_org)
    assert post(client, shop["raw"], order()).status_code == 201
    assert post(client, other_raw, order(value="1.00")).status_code == 201
    assert Project.objects.count() == 2


# ------------------------------------------------------------------------------------ first order, window


def test_only_the_first_order_of_a_customer_earns_commission(client, shop):
    post(client, shop["raw"], order(coupon="ANNA10"), key="o-1")
    second = post(client, shop["raw"], order(coupon="ANNA10", value="80.00"), key="o-2").json()
    assert second["commission"] is None
    assert second["reason"] == "not_first_order"
    assert second["first_order"] is False
    assert Project.objects.count() == 2
    assert Commission.objects.count() == 1


def test_the_first_order_rule_also_matches_the_email_address(client, shop):
    post(client, shop["raw"], order(customer_reference="K-1", customer_email="Jan@Example.nl"), key="o-1")
    other_reference = post(
        client,
        shop["raw"],
        order(customer_reference="K-2", customer_email="jan@example.nl", coupon="ANNA10"),
        key="o-2",
    ).json()
    assert other_reference["reason"] == "not_first_order"
    assert not Commission.objects.exists()


def test_an_unattributed_earlier_order_also_counts(client, shop):
    assert post(client, shop["raw"], order(), key="o-1").json()["reason"] == "no_attribution"
    assert post(client, shop["raw"], order(coupon="ANNA10"), key="o-2").json()["reason"] == "not_first_order"


@pytest.mark.parametrize(
    "days_after_click, earns",
    [(0, True), (1, True), (89, True), (90, True), (91, False), (365, False), (-1, False)],
)
def test_the_window_is_counted_from_the_day_of_the_click(client, shop, days_after_click, earns):
    """The click's (local) day is day 0; with a 90-day window day 90 is the last day that counts."""
    order_day = timezone.localdate() - datetime.timedelta(days=max(days_after_click, 0))
    click_day = order_day - datetime.timedelta(days=days_after_click)
    click = click_for(shop["affiliate"], at=noon(click_day), source="203.0.113.5")
    body = post(client, shop["raw"], order(click_id=click.click_id, date=order_day.isoformat())).json()
    assert body["attribution"]["days_since_click"] == days_after_click
    if earns:
        assert body["reason"] is None and body["commission"]["amount"] == "25.00"
        assert Project.objects.get().partner == shop["affiliate"].partner
    else:
        assert body["reason"] == "outside_window" and body["commission"] is None
        assert Project.objects.get().partner is None
        assert not Commission.objects.exists()


def test_the_window_follows_the_programme(client, shop):
    programme = programme_for(shop["org"])
    programme.cookie_window_days = 30
    programme.save()
    click = click_for(
        shop["affiliate"], at=noon(timezone.localdate() - datetime.timedelta(days=31)), source="x"
    )
    assert post(client, shop["raw"], order(click_id=click.click_id)).json()["reason"] == "outside_window"


# ------------------------------------------------------------------------------------ self-referral, etc.


@pytest.mark.parametrize(
    "customer",
    [{"customer_reference": "k-anna"}, {"customer_email": "ANNA@blog.example"}],
    ids=["ref", "email"],
)
def test_self_referral_records_the_order_without_commission(client, shop, customer):
    body = post(client, shop["raw"], order(coupon="ANNA10", **customer)).json()
    assert body["reason"] == "self_referral"
    assert body["commission"] is None
    assert body["detail"]
    project = Project.objects.get()
    assert project.partner is None
    assert not Commission.objects.exists()


def test_an_inactive_affiliate_earns_nothing(client, shop):
    shop["affiliate"].is_active = False
    shop["affiliate"].save()
    body = post(client, shop["raw"], order(coupon="ANNA10")).json()
    assert body["reason"] == "affiliate_inactive"
    assert not Commission.objects.exists()


@pytest.mark.parametrize(
    "attribution, reason",
    [
        ({}, "no_attribution"),
        ({"click_id": "0" * 32}, "unknown_click"),
        ({"coupon": "NOPE10"}, "unknown_coupon"),
        ({"code": "niemand"}, "unknown_code"),
    ],
)
def test_orders_without_an_affiliate_are_recorded(client, shop, attribution, reason):
    body = post(client, shop["raw"], order(**attribution)).json()
    assert (body["reason"], body["commission"], body["attribution"]) == (reason, None, None)
    project = Project.objects.get()
    assert (project.partner, project.attribution, project.value) == (None, "", Decimal("250.00"))


def test_an_unknown_click_falls_back_to_the_coupon(client, shop):
    body = post(client, shop["raw"], order(click_id="f" * 32, coupon="anna10")).json()
    assert body["attribution"]["method"] == "coupon" and body["commission"]["amount"] == "25.00"


def test_the_affiliate_code_attributes_too(client, shop):
    body = post(client, shop["raw"], order(code="Blogger-Anna")).json()
    assert body["attribution"]["method"] == "code" and body["commission"] is not None


def test_the_affiliate_rate_overrides_the_programme(client, shop):
    shop["affiliate"].commission_percent = Decimal("12.50")
    shop["affiliate"].save()
    body = post(client, shop["raw"], order(coupon="ANNA10", value="80")).json()
    assert body["commission"]["amount"] == "10.00" and body["commission"]["percent"] == "12.50"


@pytest.mark.parametrize(
    "value, amount",
    [
        ("99.99", "10.00"),
        (99.99, "10.00"),
        ("0.05", "0.01"),
        ("0.04", "0.00"),
        (1234, "123.40"),
        ("0", "0.00"),
    ],
)
def test_amounts_are_decimal_to_the_cent(client, shop, value, amount):
    body = post(client, shop["raw"], order(coupon="ANNA10", value=value)).json()
    assert body["commission"]["amount"] == amount
    line = Commission.objects.get()
    assert isinstance(line.amount, Decimal) and line.amount == Decimal(amount)
    assert Project.objects.get().value == Decimal(str(value)).quantize(Decimal("0.01"))


# ------------------------------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"value": "12.345"}, "value"),
        ({"value": 12.345}, "value"),
        ({"value": "abc"}, "value"),
        ({"value": "-1.00"}, "value"),
        ({"value": -1}, "value"),
        ({"value": "NaN"}, "value"),
        ({"value": "Infinity"}, "value"),
        ({"value": "1e3"}, "value"),
        ({"value": "12,50"}, "value"),
        ({"value": True}, "value"),
        ({"value": None}, "value"),
        ({"value": [1]}, "value"),
        ({"value": "12345678901.00"}, "value"),
        ({"date": None}, "date"),
        ({"date": "2026-13-01"}, "date"),
        ({"date": "01-02-2026"}, "date"),
        ({"date": (datetime.date.today() + datetime.timedelta(days=2)).isoformat()}, "date"),
        ({"customer_reference": None}, "customer_reference"),
        ({"customer_reference": "   "}, "customer_reference"),
        ({"customer_reference": "x" * 101}, "customer_reference"),
        ({"customer_email": "geen-adres"}, "customer_email"),
        ({"coupon": "X" * 101}, "coupon"),
        ({"idempotency_key": "met spatie"}, "idempotency_key"),
        ({"idempotency_key": "k" * 101}, "idempotency_key"),
    ],
)
def test_bad_input_is_refused_with_the_field_and_nothing_is_stored(client, shop, changes, field):
    body = order(**{k: v for k, v in changes.items() if v is not None})
    for name, value in changes.items():
        if value is None:
            body.pop(name, None)
    response = post(client, shop["raw"], body, key=None if "idempotency_key" in changes else "order-1")
    assert response.status_code == 422
    data = response.json()
    assert data["error"] == "validation_error"
    assert field in [error["field"] for error in data["errors"]]
    assert all(error["message"] for error in data["errors"])
    assert not Project.objects.exists() and not Commission.objects.exists()


def test_a_bad_idempotency_header_is_refused(client, shop):
    response = post(client, shop["raw"], order(), key="met spatie")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "Idempotency-Key"


def test_a_body_that_is_not_json_is_refused(client, shop):
    response = client.post(
        URL,
        "{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {shop['raw']}",
        HTTP_IDEMPOTENCY_KEY="o-1",
    )
    assert response.status_code == 400 and response.json()["error"] == "bad_request"
    assert not Project.objects.exists()


# ---------------------------------------------------------------------------------------------- refund


def test_refund_before_payment_rejects_the_commission(client, shop):
    post(client, shop["raw"], order(coupon="ANNA10"))
    response = refund(client, shop["raw"], "order-1", {"reason": "Retour"})
    assert response.status_code == 200
    body = response.json()
    line = Commission.objects.get()
    assert (line.status, line.rejected_reason, line.amount) == ("rejected", "Retour", Decimal("25.00"))
    assert body["commission"]["status"] == "rejected" and body["correction"] is None
    assert Project.objects.get().refunded_at is not None
    again = refund(client, shop["raw"], "order-1")
    assert again.status_code == 200 and again.json() == body
    assert Commission.objects.count() == 1


def test_refund_after_payment_adds_a_negative_line_and_keeps_the_paid_one(client, shop):
    post(client, shop["raw"], order(coupon="ANNA10", value="333.33"))
    Commission.objects.update(status=CommissionStatus.PAID, paid_at=timezone.now())
    body = refund(client, shop["raw"], "order-1").json()
    paid = Commission.objects.get(kind=CommissionKind.COMMISSION)
    correction = Commission.objects.get(kind=CommissionKind.CORRECTION)
    assert (paid.status, paid.amount) == ("paid", Decimal("33.33"))
    assert (correction.amount, correction.corrects, correction.partner) == (
        Decimal("-33.33"),
        paid,
        shop["affiliate"].partner,
    )
    assert body["correction"] == {"id": correction.pk, "amount": "-33.33", "status": "approved"}
    assert refund(client, shop["raw"], "order-1").json() == body  # twice: still one correction
    assert Commission.objects.filter(kind=CommissionKind.CORRECTION).count() == 1


def test_refund_of_an_order_without_commission(client, shop):
    post(client, shop["raw"], order())
    body = refund(client, shop["raw"], "order-1").json()
    assert body["commission"] is None and body["correction"] is None
    assert Project.objects.get().refunded_at is not None


def test_refund_of_an_unknown_order_404(client, shop):
    response = refund(client, shop["raw"], "bestaat-niet")
    assert response.status_code == 404 and response.json()["error"] == "not_found"


def test_the_stored_answer_can_be_read_back(client, shop):
    first = post(client, shop["raw"], order(coupon="ANNA10")).json()
    response = client.get(f"{URL}/order-1", HTTP_AUTHORIZATION=f"Bearer {shop['raw']}")
    assert response.status_code == 200
    assert {k: v for k, v in response.json().items() if k != "attribution"} == {
        **{k: v for k, v in first.items() if k != "attribution"},
        "refunded_at": None,
        "correction": None,
    }


# ------------------------------------------------------------------------------------------- isolation


def test_another_organisations_key_touches_nothing_of_ours(client, shop, other_org):
    """B's key: A's click id, coupon and code attribute nothing; A's orders cannot be read or refunded."""
    _key, b_raw = api_key_for(other_org)
    post(client, shop["raw"], order(coupon="ANNA10"), key="a-order")
    attempts = [
        (order(click_id=shop["click"].click_id), "unknown_click"),
        (order(coupon="ANNA10"), "unknown_coupon"),
        (order(code="blogger-anna"), "unknown_code"),
    ]
    for n, (body, reason) in enumerate(attempts):
        answer = post(client, b_raw, body, key=f"b-{n}").json()
        assert (answer["reason"], answer["attribution"], answer["commission"]) == (reason, None, None)
        # The customer K-1001 ordered at A; at B it is still a first order.
        assert answer["first_order"] is (n == 0)
    assert client.get(f"{URL}/a-order", HTTP_AUTHORIZATION=f"Bearer {b_raw}").status_code == 404
    assert refund(client, b_raw, "a-order").status_code == 404
    a_project = Project.objects.get(idempotency_key="a-order")
    assert a_project.refunded_at is None
    assert Commission.objects.get().status == "pending"
    assert set(Project.objects.filter(organisation=other_org).values_list("partner", flat=True)) == {None}


# ---------------------------------------------------------------------------------------- the docs page


def test_the_openapi_description_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert {"/api/v1/conversions", "/api/v1/conversions/{idempotency_key}/refund"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["ApiKeyAuth"]["scheme"] == "bearer"


def test_the_docs_page_works_offline(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
    assert finders.find("ninja/swagger-ui-bundle.js") and finders.find("ninja/swagger-ui-init.js")
    assert "'self'" in response.headers["Content-Security-Policy"]


def test_the_commission_rate_is_the_affiliates_own_else_the_programmes(org):
    programme = programme_for(org)
    programme.commission_percent = Decimal("10.00")
    own = affiliate_for(org, code="eigen-tarief", commission_percent=Decimal("12.50"))
    plain = affiliate_for(org, code="programma-tarief")
    zero = affiliate_for(org, code="nul-tarief", commission_percent=Decimal("0"))
    assert own.commission_rate(programme) == Decimal("12.50")
    assert plain.commission_rate(programme) == Decimal("10.00")
    assert zero.commission_rate(programme) == Decimal("0")  # an own rate of 0 % is a rate, not "none"
