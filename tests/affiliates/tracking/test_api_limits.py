"""The OpenAPI description states the lengths, formats and limits the server checks, and the server keeps to
them: the hard limit on an order's value, text without control characters (a NUL cannot be stored), the
e-mail column's length, and an idempotency key in a path or header by the same rule as in the body."""

import pytest

from affiliates.models import Project
from tests.affiliates.factories_tracking import API_URL, api_key_for, programme_with_landings
from tests.affiliates.factories_tracking import api_order as order
from tests.affiliates.factories_tracking import api_post as post

URL = API_URL


@pytest.fixture
def raw(org):
    programme = programme_with_landings(org)
    programme.max_order_value = 1_000_000  # the programme's own limit is its own test's business
    programme.save()
    _key, raw = api_key_for(org)
    return raw


def refused_fields(response):
    assert response.status_code == 422, response.content
    return [error["field"] for error in response.json()["errors"]]


def test_the_description_states_the_limits(client):
    spec = client.get("/api/v1/openapi.json").json()
    fields = spec["components"]["schemas"]["ConversionIn"]["properties"]
    number, text = fields["value"]["anyOf"]
    assert (number["minimum"], number["maximum"], number["multipleOf"]) == (0, 1000000, 0.01)
    assert text["pattern"] == r"^(?:[0-9]{1,6}(?:\.[0-9]{1,2})?|1000000(?:\.0{1,2})?)$"
    assert (fields["customer_reference"]["minLength"], fields["customer_reference"]["maxLength"]) == (1, 100)
    assert (fields["customer_email"]["format"], fields["customer_email"]["maxLength"]) == ("email", 254)
    assert fields["date"]["format"] == "date"
    assert {fields[name]["maxLength"] for name in ("click_id", "coupon", "code")} == {100}
    (header,) = spec["paths"][URL]["post"]["parameters"]
    assert (header["name"], header["required"], header["schema"]["maxLength"]) == (
        "Idempotency-Key",
        True,
        100,
    )
    refund = spec["components"]["schemas"]["RefundIn"]["properties"]["reason"]
    assert refund["maxLength"] == 300


@pytest.mark.parametrize(
    "value, accepted",
    [("1000000.00", True), (1000000, True), ("999999.99", True), ("1000000.01", False), (1000000.5, False)],
)
def test_the_value_has_a_hard_limit_of_a_million(client, raw, value, accepted):
    response = post(client, raw, order(value=value))
    if accepted:
        assert response.status_code == 201
    else:
        assert refused_fields(response) == ["value"]
        assert not Project.objects.exists()


@pytest.mark.parametrize("value", ["١٢٣", "１２３"])
def test_the_value_takes_only_ascii_digits(client, raw, value):
    """As the description's pattern says; Python's \\d would have read Arabic-Indic digits as 123."""
    assert refused_fields(post(client, raw, order(value=value))) == ["value"]


@pytest.mark.parametrize(
    "field", ["customer_reference", "click_id", "coupon", "code"], ids=lambda field: field
)
@pytest.mark.parametrize("control", ["\x00", "\x07", "\n"], ids=["nul", "bell", "newline"])
def test_text_with_control_characters_is_refused(client, raw, field, control):
    assert refused_fields(post(client, raw, order(**{field: f"K{control}1"}))) == [field]
    assert not Project.objects.exists()


def test_spaces_around_a_reference_are_still_taken_off(client, raw):
    assert post(client, raw, order(customer_reference="  K-1001 ")).status_code == 201
    assert Project.objects.get().customer_reference == "K-1001"


def test_an_email_longer_than_its_column_is_refused(client, raw):
    # 255 characters, valid otherwise
    address = "a" * 64 + "@" + ".".join(["b" * 62, "b" * 62, "b" * 61]) + ".nl"
    assert len(address) == 255
    assert refused_fields(post(client, raw, order(customer_email=address))) == ["customer_email"]


@pytest.mark.parametrize("key", ["", " ", "met spatie", "k" * 101, "order-1\n"])
def test_a_header_key_that_breaks_the_rule_is_refused(client, raw, key):
    response = client.post(
        URL,
        order(idempotency_key="order-1"),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert refused_fields(response) == ["Idempotency-Key"]
    assert not Project.objects.exists()


def test_the_body_key_alone_is_still_taken(client, raw):
    response = client.post(
        URL,
        order(idempotency_key="order-1"),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 201
    assert Project.objects.get().idempotency_key == "order-1"


@pytest.mark.parametrize("key", ["a%00b", "x" * 101, "met%20spatie"])
def test_a_path_key_that_breaks_the_rule_is_not_found(client, raw, key):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get(f"{URL}/{key}", **auth).json()["error"] == "not_found"
    refund = client.post(f"{URL}/{key}/refund", {}, content_type="application/json", **auth)
    assert (refund.status_code, refund.json()["error"]) == (404, "not_found")


def test_a_refund_reason_with_a_nul_is_refused(client, raw):
    post(client, raw, order())
    response = client.post(
        f"{URL}/order-1/refund",
        {"reason": "retour\x00"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert refused_fields(response) == ["reason"]
    assert Project.objects.get().refunded_at is None


def test_a_lone_surrogate_is_refused(client, raw):
    response = client.post(
        URL,
        '{"customer_reference": "K\\ud800", "value": "1", "date": "2026-01-01"}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
        HTTP_IDEMPOTENCY_KEY="order-1",
    )
    assert refused_fields(response) == ["customer_reference"]
