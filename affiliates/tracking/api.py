"""The HTTP API (/api/v1/) for an organisation's webshop or CRM, with its OpenAPI description.

    POST /api/v1/conversions                          report an order (Idempotency-Key header or body field)
    GET  /api/v1/conversions/{idempotency_key}         the stored answer for an order
    POST /api/v1/conversions/{idempotency_key}/refund  the order was refunded: take the commission back
    GET  /api/v1/openapi.json, /api/v1/docs            the description and its Swagger page

Every call carries `Authorization: Bearer <key>` (an API key made in the programme settings). This module
only parses and validates; the rules live in `affiliates.conversions`.
"""

import datetime
import logging
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Header, NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.security import HttpBearer
from pydantic import WithJsonSchema, field_validator
from pydantic.json_schema import SkipJsonSchema

from affiliates.models import ApiKey
from affiliates.tracking import conversions
from partnerhub import ratelimits

logger = logging.getLogger(__name__)
# How long a client is asked to wait (Retry-After) while the database is unavailable.
RETRY_AFTER_SECONDS = 30

IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9._:-]{1,100}$"
IDEMPOTENCY_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)
# The highest order value the API takes at all; a programme can set a lower one (`max_order_value`, a 422).
VALUE_MAX = Decimal("1000000.00")
AMOUNT_PATTERN = r"^(?:[0-9]{1,6}(?:\.[0-9]{1,2})?|1000000(?:\.0{1,2})?)$"
AMOUNT = re.compile(AMOUNT_PATTERN)
# Text carries no control characters (a NUL cannot even be stored); a reference also more than spaces. The
# same patterns go into the OpenAPI description, so a client generated from it cannot send what we refuse.
TEXT_PATTERN = r"^[^\u0000-\u001F\u007F]*$"
TEXT = re.compile(TEXT_PATTERN)
NAMED_TEXT_PATTERN = r"^[^\u0000-\u001F\u007F]*[^\s\u0000-\u001F\u007F][^\u0000-\u001F\u007F]*$"
EMAIL_MAX = 254  # the customer e-mail column
# The addresses Django's e-mail check takes (a dot-atom, a domain with a top-level domain of 2 to 63 letters):
# narrower than the `email` format alone, which allows "a@b.c".
EMAIL_PATTERN = (
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9\u00A1-\uFFFF](?:[A-Za-z0-9\u00A1-\uFFFF-]{0,61}[A-Za-z0-9\u00A1-\uFFFF])?\.)+"
    r"[A-Za-z\u00A1-\uFFFF]{2,63}$"
)

DESCRIPTION = """
Report orders from your webshop or CRM so that affiliates earn their commission exactly once.

**Authentication**: `Authorization: Bearer <key>`, a key made under *Programme → Settings → API keys*.

**Idempotency**: every order carries an idempotency key in the `Idempotency-Key` header (letters, digits
and `. _ : -`, at most 100; a client that cannot set headers may send it as the body field
`idempotency_key` instead). Sending the same key again returns exactly the first answer (same status and
body) and creates nothing; the same key with another order is refused with 409 `idempotency_key_reused`.

**What happened**: `counts_for_partner` says whether the order is booked on the affiliate's partner (and
counts for its tier); `commission` is the commission it earned, or null with `reason` saying why. An order
can count without a commission (`not_first_order`). `credited` is the former name of `counts_for_partner`.
`GET /api/v1/conversions/{idempotency_key}` answers the order as it stands now: the commission's status
today, `refunded_at` and the `correction` of a paid commission.

**Limits**: the description states every length, pattern and limit the server checks, except two that
depend on the day and the programme: an order date in the future, and a value above the programme's highest
order value (below the hard limit of 1000000.00), are refused with 422.

**Attribution**: `click_id` (the `ph_click` value the tracking snippet kept), else `coupon`, else the
affiliate `code`. A commission is created only on the customer's first order, within the attribution window
of the click (the click's day is day 0; up to and including day 90 by default), and never on the
affiliate's own order. A coupon or code has no click to date the order: it earns only when the order is
dated on or after the day the programme and the affiliate were set up, and is reported within the window
after its date. Without a commission, `commission` is null and `reason` says why: `no_attribution`,
`unknown_click`, `unknown_coupon`, `unknown_code`, `outside_window`, `before_programme`, `before_affiliate`,
`affiliate_inactive`, `self_referral`, `not_first_order`.

**Errors**: every error is JSON, `{error, detail}`: 401 without a valid key, and 429 `too_many_requests`
(with `Retry-After`) instead once an address sent many requests without one; 422 with
`errors: [{field, message}]` for bad input (nothing is stored); 404 for an unknown order; 503
`service_unavailable` (with `Retry-After`) while the database is unavailable and 500 `server_error` for a
fault on our side: send the same request again later, with the same idempotency key, and the order is
counted once.
"""


class ApiRequest(HttpRequest):
    """The request an endpoint behind `ApiKeyAuth` receives. For the type checker only: ninja sets `auth`."""

    auth: ApiKey


class ApiKeyAuth(HttpBearer):
    """`Authorization: Bearer <key>` → the key (and its organisation) as `request.auth`."""

    def __call__(self, request: HttpRequest) -> ApiKey | None:
        scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
        api_key = self.authenticate(request, token.strip()) if scheme.lower() == "bearer" else None
        # Only failures count: a valid key costs no count and keeps working for a shop that shares its
        # address with someone who is guessing; the guesser gets 429 instead of 401 past the rate.
        if api_key is None:
            wait = ratelimits.seconds_to_wait(request, "api_key_failure")
            if wait:
                raise Throttled(wait=wait)
        return api_key

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        return conversions.api_key_authenticate(token)


api = NinjaAPI(
    title="PartnerHub API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=ApiKeyAuth(),
)


def _field(loc: Any) -> str:
    parts = [str(part) for part in loc if part not in ("body", "payload", "header", "path", "query")]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        message = error.get("msg", "")
        message = message.removeprefix("Value error, ")
        errors.append({"field": _field(error.get("loc", ())), "message": message})
    return invalid(errors)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request,
        {
            "error": "unauthorized",
            "detail": "Send a valid, not revoked API key: Authorization: Bearer <key>.",
        },
        status=401,
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Throttled)
def too_many_requests(request: HttpRequest, exc: Throttled) -> HttpResponse:
    response = api.create_response(
        request,
        {
            "error": "too_many_requests",
            "detail": "Too many requests without a valid API key from this address; try again later.",
        },
        status=429,
    )
    response["Retry-After"] = str(exc.wait)
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """Ninja's own errors (a body that is not JSON: 400) in the same shape as ours."""
    error = "bad_request" if exc.status_code == 400 else "error"
    return api.create_response(request, {"error": error, "detail": str(exc)}, status=exc.status_code)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_unavailable(request: HttpRequest, exc: OperationalError | InterfaceError) -> HttpResponse:
    """The database refused, dropped or did not answer in time (connect, statement or lock timeout)."""
    logger.warning("API: database unavailable for %s %s: %s", request.method, request.path, exc)
    response = api.create_response(
        request,
        {
            "error": "service_unavailable",
            "detail": "The database is unavailable for a moment; try again later with the same "
            "idempotency key.",
        },
        status=503,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Any other fault: logged with its traceback, answered in the API's shape (never Django's HTML page)."""
    logger.error("API: error on %s %s", request.method, request.path, exc_info=exc)
    return api.create_response(
        request,
        {
            "error": "server_error",
            "detail": "Something went wrong on our side; try again later with the same idempotency key.",
        },
        status=500,
    )


def invalid(errors: list[dict[str, str]]) -> HttpResponse:
    return api.create_response(
        None,  # type: ignore[arg-type]  # ninja's JSON renderer never reads the request
        {
            "error": "validation_error",
            "detail": "The request is not valid; nothing was stored.",
            "errors": errors,
        },
        status=422,
    )


def text_schema(
    *, max_length: int, pattern: str = TEXT_PATTERN, min_length: int = 0, optional: bool = True, **extra: Any
) -> WithJsonSchema:
    """The JSON schema of a text field: what a generated client checks before it sends anything."""
    schema: dict[str, Any] = {
        "type": ["string", "null"] if optional else "string",
        "maxLength": max_length,
        "pattern": pattern,
    }
    if min_length:
        schema["minLength"] = min_length
    return WithJsonSchema(schema | extra)


def text_problem(value: str, max_length: int) -> str:
    """Why a text does not fit its schema (`text_schema`: its length and pattern), or ""."""
    if len(value) > max_length:
        return f"At most {max_length} characters."
    if not TEXT.fullmatch(value):
        return "No control characters."
    try:
        value.encode()
    except UnicodeEncodeError:
        return "Not valid Unicode text."
    return ""


class ConversionIn(Schema):
    # Not in the description: the Idempotency-Key header is (required there, so a generated client sends it).
    # The body field stays for a client that cannot set headers; sent with the header it must be the same.
    idempotency_key: SkipJsonSchema[str | None] = None
    customer_reference: Annotated[
        str, text_schema(max_length=100, min_length=1, pattern=NAMED_TEXT_PATTERN, optional=False)
    ] = Field(..., description="Your reference of the customer (1 to 100 characters, not only spaces).")
    customer_email: Annotated[
        str | None, text_schema(max_length=EMAIL_MAX, pattern=EMAIL_PATTERN, format="email")
    ] = Field(None, description="The customer's e-mail address (optional).")
    value: Annotated[
        Decimal,
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "number", "minimum": 0, "maximum": int(VALUE_MAX), "multipleOf": 0.01},
                    {"type": "string", "pattern": AMOUNT_PATTERN},
                ]
            }
        ),
    ] = Field(
        ...,
        description="The order value in euros, from 0 up to and including 1000000, at most 2 decimals: "
        '"1234.50" or 1234.5. A programme can set a lower highest value (422, field `value`).',
    )
    date: Annotated[str, WithJsonSchema({"type": "string", "format": "date"})] = Field(
        ..., description="The order date, YYYY-MM-DD (2026-01-31); not in the future."
    )
    click_id: Annotated[str | None, text_schema(max_length=100)] = Field(
        None, description="The ph_click value kept by the tracking snippet."
    )
    coupon: Annotated[str | None, text_schema(max_length=100)] = Field(
        None, description="An affiliate's coupon code used with the order."
    )
    code: Annotated[str | None, text_schema(max_length=100)] = Field(
        None, description="An affiliate's link code, when the shop knows it."
    )

    @field_validator("idempotency_key")
    @classmethod
    def _key(cls, value: str | None) -> str | None:
        if value is not None and not IDEMPOTENCY_KEY.fullmatch(value):
            raise ValueError("Use 1 to 100 letters, digits and . _ : -")
        return value

    @field_validator("customer_reference")
    @classmethod
    def _reference(cls, value: str) -> str:
        if not 1 <= len(value.strip()) <= 100 or text_problem(value, 100):
            raise ValueError("Give the customer reference, at most 100 characters, no control characters.")
        return value.strip()

    @field_validator("customer_email")
    @classmethod
    def _email(cls, value: str | None) -> str:
        value = (value or "").strip()
        if value:
            try:
                validate_email(value)
            except DjangoValidationError:
                raise ValueError("Not a valid e-mail address.") from None
            if len(value) > EMAIL_MAX:
                raise ValueError(f"At most {EMAIL_MAX} characters.")
        return value.lower()

    @field_validator("value", mode="before")
    @classmethod
    def _value(cls, value: object) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValueError("Give the value as a number of euros, for example 1234.50.")
        if isinstance(value, float) and value == 0:
            value = 0  # also -0.0
        text = repr(value) if isinstance(value, float) else str(value).strip()
        if isinstance(value, float) and text.endswith(".0"):
            text = text[:-2]
        if not AMOUNT.fullmatch(text):
            raise ValueError(
                "Give the value in euros, from 0 up to and including 1000000, at most 2 decimals, "
                "for example 1234.50."
            )
        try:
            return Decimal(text)
        except InvalidOperation:
            raise ValueError("Give the value as a number of euros, for example 1234.50.") from None

    @field_validator("date")
    @classmethod
    def _date(cls, value: str) -> str:
        try:
            day = datetime.date.fromisoformat(value.strip())
        except (ValueError, AttributeError):
            raise ValueError("Give the order date as YYYY-MM-DD.") from None
        if day > timezone.localdate():
            raise ValueError("The order date lies in the future.")
        return day.isoformat()

    @field_validator("click_id", "coupon", "code")
    @classmethod
    def _reference_value(cls, value: str | None) -> str:
        problem = text_problem(value or "", 100)
        if problem:
            raise ValueError(problem)
        return (value or "").strip()


# The answers. Amounts are text with two decimals, so that no client reads them as a float.
AMOUNT_OUT = {"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{2}$"}
MOMENT = {"type": "string", "format": "date-time"}
REASONS = [value for name, value in vars(conversions.Reason).items() if name.isupper()]


class CommissionOut(Schema):
    id: int
    amount: Annotated[str, WithJsonSchema(AMOUNT_OUT)] = Field(..., description='Euros, as text: "12.34".')
    status: Literal["pending", "approved", "paid", "rejected"] = Field(
        ...,
        description="In the answer to the POST: the status when the order was recorded (pending). In the "
        "GET: the status now (approved, paid; rejected after a refund before payment).",
    )
    percent: Annotated[
        str | None, WithJsonSchema({"type": ["string", "null"], "pattern": r"^[0-9]+\.[0-9]{2}$"})
    ] = None


class AttributionOut(Schema):
    method: Literal["click", "coupon", "code"]
    affiliate: str = Field(..., description="The affiliate's link code.")
    click_id: str | None = None
    clicked_at: Annotated[str | None, WithJsonSchema({"type": ["string", "null"], "format": "date-time"})] = (
        None
    )
    days_since_click: int | None = None
    window_days: int | None = Field(None, ge=0)


class ConversionOut(Schema):
    project_id: int
    idempotency_key: str
    customer_reference: str
    value: Annotated[str, WithJsonSchema(AMOUNT_OUT)]
    date: Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]
    first_order: bool = Field(..., description="Whether this is the customer's first order here.")
    attribution: AttributionOut | None
    counts_for_partner: bool = Field(
        ...,
        description="Whether the order is booked on the affiliate's partner (and counts for its tier). It "
        "can count without earning a commission, for instance when it is not the customer's first order: "
        "then `commission` is null and `reason` says why.",
    )
    credited: bool = Field(
        ...,
        description="Deprecated: the same as `counts_for_partner`; it never meant that a commission was "
        "earned. Read `commission` for that.",
        json_schema_extra={"deprecated": True},
    )
    commission: CommissionOut | None = Field(..., description="The commission the order earned, or null.")
    reason: str | None = Field(
        ...,
        description="Why no commission was earned (null when one was).",
        json_schema_extra={"enum": [*REASONS, None]},
    )
    detail: str
    recorded_at: Annotated[str, WithJsonSchema(MOMENT)]


class CorrectionOut(Schema):
    id: int
    amount: Annotated[str, WithJsonSchema(AMOUNT_OUT)] = Field(..., description='Negative: "-12.34".')
    status: Literal["pending", "approved", "paid", "rejected"]


class ConversionStateOut(ConversionOut):
    commission: CommissionOut | None = Field(
        ..., description="The commission the order earned, with its status now; null when it earned none."
    )
    detail: str = Field(..., description="What happened to the order, in a sentence.")
    refunded_at: Annotated[
        str | None, WithJsonSchema({"type": ["string", "null"], "format": "date-time"})
    ] = Field(..., description="When the order was refunded (POST …/refund), or null.")
    correction: CorrectionOut | None = Field(
        ..., description="The negative line that took back a commission already paid, or null."
    )


class RefundIn(Schema):
    reason: Annotated[str | None, text_schema(max_length=300)] = Field(
        None, description="Shown on the ledger line."
    )

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str | None) -> str | None:
        problem = text_problem(value or "", 300)
        if problem:
            raise ValueError(problem)
        return value


class RefundOut(Schema):
    project_id: int
    idempotency_key: str
    refunded_at: Annotated[str, WithJsonSchema(MOMENT)]
    commission: CommissionOut | None
    correction: CorrectionOut | None = Field(..., description="The negative line, for a paid commission.")


class ErrorOut(Schema):
    error: str
    detail: str


class FieldError(Schema):
    field: str
    message: str


class ValidationOut(Schema):
    error: str
    detail: str
    errors: list[FieldError]


class ReuseOut(Schema):
    error: str
    detail: str
    project_id: int


def _reply(request: HttpRequest, outcome: conversions.Outcome) -> HttpResponse:
    return api.create_response(request, outcome.body, status=outcome.status)


# An idempotency key in a header or a path: the same rule as in the body.
KEY_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 100, "pattern": IDEMPOTENCY_KEY_PATTERN}
NOT_FOUND = {"error": "not_found", "detail": "No order with this idempotency key."}


@api.post(
    "/conversions",
    url_name="conversion_create",
    response={201: ConversionOut, 400: ErrorOut, 401: ErrorOut, 409: ReuseOut, 422: ValidationOut},
    summary="Report an order",
    # Documented as required, so a generated client always sends it; the body field is the fallback for a
    # client that cannot set headers (and must then equal it when both are sent).
    openapi_extra={
        "parameters": [
            {
                "in": "header",
                "name": "Idempotency-Key",
                "required": True,
                "schema": KEY_SCHEMA,
                "description": "The order's idempotency key: letters, digits and . _ : -, at most 100.",
            }
        ]
    },
)
def conversion_create(
    request: ApiRequest,
    payload: ConversionIn,
    # Described by `openapi_extra` above (as required) instead of as the optional parameter it is here.
    idempotency_header: Annotated[str | None, WithJsonSchema({"include_in_schema": False})] = Header(
        None, alias="Idempotency-Key"
    ),
) -> HttpResponse:
    header = idempotency_header
    if header is not None and not IDEMPOTENCY_KEY.fullmatch(header):
        return invalid([{"field": "Idempotency-Key", "message": "Use 1 to 100 letters, digits and . _ : -"}])
    if header and payload.idempotency_key and header != payload.idempotency_key:
        return invalid([{"field": "idempotency_key", "message": "Differs from the Idempotency-Key header."}])
    key = header or payload.idempotency_key
    if not key:
        return invalid(
            [{"field": "idempotency_key", "message": "Send an Idempotency-Key header (or idempotency_key)."}]
        )
    order = conversions.Order(
        idempotency_key=key,
        customer_reference=payload.customer_reference,
        customer_email=payload.customer_email or "",
        value=payload.value,
        date=datetime.date.fromisoformat(payload.date),
        click_id=payload.click_id or "",
        coupon=payload.coupon or "",
        code=payload.code or "",
    )
    return _reply(request, conversions.conversion_record(organisation=request.auth.organisation, order=order))


@api.get(
    "/conversions/{idempotency_key}",
    url_name="conversion_detail",
    response={200: ConversionStateOut, 401: ErrorOut, 404: ErrorOut},
    summary="An order as it stands now",
    description="What was recorded for the order (as in the first answer) with its commission's status now, "
    "its refund and the correction of a paid commission. Sending the POST again still returns the first "
    "answer exactly.",
)
def conversion_detail(
    request: ApiRequest, idempotency_key: Annotated[str, WithJsonSchema(KEY_SCHEMA)]
) -> Status[Any]:
    if not IDEMPOTENCY_KEY.fullmatch(idempotency_key):
        return Status(404, NOT_FOUND)
    body = conversions.conversion_state(
        organisation=request.auth.organisation, idempotency_key=idempotency_key
    )
    if body is None:
        return Status(404, NOT_FOUND)
    return Status(200, body)


@api.post(
    "/conversions/{idempotency_key}/refund",
    url_name="conversion_refund",
    response={200: RefundOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationOut},
    summary="Refund an order: take its commission back",
)
def conversion_refund(
    request: ApiRequest,
    idempotency_key: Annotated[str, WithJsonSchema(KEY_SCHEMA)],
    payload: RefundIn | None = None,
) -> HttpResponse | Status[Any]:
    if not IDEMPOTENCY_KEY.fullmatch(idempotency_key):
        return Status(404, NOT_FOUND)
    outcome = conversions.conversion_refund(
        organisation=request.auth.organisation,
        idempotency_key=idempotency_key,
        reason=(payload.reason if payload else None) or "",
    )
    if outcome is None:
        return Status(404, NOT_FOUND)
    return _reply(request, outcome)


# Every other method and path under /api/v1/ answers in the same shape too, not with Django's HTML pages.
# OPTIONS too: else Django's own 405 would list these catch-all routes in its Allow header.
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _method_not_allowed(route: str, allowed: set[str]) -> Callable[..., HttpResponse]:
    allow = ", ".join(sorted(allowed))

    def answer(request: HttpRequest) -> HttpResponse:
        body = {"error": "method_not_allowed", "detail": f"This endpoint takes {allow}."}
        response = api.create_response(request, body, status=405)
        response["Allow"] = allow
        return response

    if "{idempotency_key}" in route:
        return lambda request, idempotency_key: answer(request)
    return answer


for _route, _path_view in list(api.default_router.path_operations.items()):
    _allowed = {method for operation in _path_view.operations for method in operation.methods}
    api.default_router.add_api_operation(
        _route,
        [method for method in METHODS if method not in _allowed],
        _method_not_allowed(_route, _allowed),
        auth=None,
        include_in_schema=False,
        url_name="api_method_not_allowed",
    )


@api.api_operation(
    METHODS, "/{path:rest}", auth=None, include_in_schema=False, url_name="api_unknown_endpoint"
)
def unknown_endpoint(request: HttpRequest, rest: str) -> HttpResponse:
    body = {"error": "not_found", "detail": "No such endpoint; see /api/v1/docs."}
    return api.create_response(request, body, status=404)
