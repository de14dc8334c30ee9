"""GET /api/v1/conversions/{key} answers the order as it stands now (the commission's status today, the
refund, the correction of a paid commission), while sending the POST again still returns the first answer;
the fields say what happened (`counts_for_partner`, `commission`, `reason`); answers fit the schema."""

import jsonschema
import pytest
from django.utils import timezone

from affiliates.models import Commission, CommissionKind, CommissionStatus
from affiliates.tracking.api import api
from tests.affiliates.factories_tracking import API_URL, affiliate_for, api_key_for, programme_with_landings
from tests.affiliates.factories_tracking import api_order as order
from tests.affiliates.factories_tracking import api_post as post

URL = API_URL
SPEC = api.get_openapi_schema()


@pytest.fixture
def shop(org):
    programme_with_landings(org)
    affiliate_for(org, code="blogger-anna", coupon_code="ANNA10")
    _key, raw = api_key_for(org)
    return raw


def state(client, raw, key="order-1"):
    response = client.get(f"{URL}/{key}", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    return fits(response.json(), "ConversionStateOut")


def refund(client, raw, key="order-1"):
    response = client.post(
        f"{URL}/{key}/refund", {}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 200
    return response.json()


def fits(body, component):
    """The body, after checking it against its component of the served OpenAPI description."""
    jsonschema.validate(
        body,
        {"$ref": f"#/components/schemas/{component}", "components": SPEC["components"]},
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    return body


def test_after_a_refund_the_order_reads_refunded_and_a_repeat_still_gets_the_first_answer(client, shop):
    first = post(client, shop, order(coupon="ANNA10"))
    refund(client, shop)

    now = state(client, shop)
    again = post(client, shop, order(coupon="ANNA10"))

    line = Commission.objects.get()
    assert now["commission"] == {"id": line.pk, "amount": "25.00", "status": "rejected", "percent": "10.00"}
    assert now["refunded_at"] == line.project.refunded_at.isoformat(timespec="seconds")
    assert now["correction"] is None
    assert now["detail"] == "The order was refunded; its commission was rejected."
    assert (again.status_code, again.content) == (201, first.content)
    assert again.json()["commission"]["status"] == "pending"
    assert "refunded_at" not in again.json()


def test_after_a_refund_of_a_paid_commission_the_order_shows_the_correction(client, shop):
    post(client, shop, order(coupon="ANNA10", value="333.33"))
    Commission.objects.update(status=CommissionStatus.PAID, paid_at=timezone.now())
    refund(client, shop)

    now = state(client, shop)

    correction = Commission.objects.get(kind=CommissionKind.CORRECTION)
    assert now["commission"]["status"] == "paid"
    assert now["correction"] == {"id": correction.pk, "amount": "-33.33", "status": "approved"}
    assert now["refunded_at"] is not None
    assert "negative line" in now["detail"]


def test_the_order_shows_its_commission_approved_once_it_is(client, shop):
    post(client, shop, order(coupon="ANNA10"))
    assert state(client, shop)["commission"]["status"] == "pending"

    Commission.objects.update(status=CommissionStatus.APPROVED, approved_at=timezone.now())

    now = state(client, shop)
    assert now["commission"]["status"] == "approved"
    assert (now["refunded_at"], now["correction"]) == (None, None)
    assert now["detail"] == "Commission created."


def test_an_order_that_counts_without_a_commission_says_so(client, shop):
    post(client, shop, order(coupon="ANNA10"), key="o-1")

    second = fits(
        post(client, shop, order(coupon="ANNA10", value="80.00"), key="o-2").json(), "ConversionOut"
    )

    assert (second["counts_for_partner"], second["commission"], second["reason"]) == (
        True,
        None,
        "not_first_order",
    )
    assert second["credited"] is True  # the former name, for existing clients
    assert state(client, shop, "o-2")["counts_for_partner"] is True


def test_an_order_without_an_affiliate_does_not_count(client, shop):
    body = fits(post(client, shop, order()).json(), "ConversionOut")
    assert (body["counts_for_partner"], body["commission"], body["reason"]) == (False, None, "no_attribution")


def test_refund_answer_fits_the_schema(client, shop):
    post(client, shop, order(coupon="ANNA10"))
    fits(refund(client, shop), "RefundOut")


def test_the_credited_field_is_marked_deprecated(client):
    fields = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["ConversionOut"]["properties"]
    assert fields["credited"]["deprecated"] is True
    assert "counts_for_partner" in fields
