"""The API against its own OpenAPI description (schemathesis): for requests generated from the description,
valid and invalid alike, with a real API key, the server never answers 5xx, answers only documented statuses
in documented shapes, and accepts every request the description calls valid.

Not checked: that the server refuses everything the description calls invalid (`negative_data_rejection`).
It is lenient on purpose in a few places a client may rely on: spaces around a value are taken off, an
empty e-mail address means none, the idempotency key may come in the body instead of the header.
"""

import re

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from schemathesis.specs.openapi.checks import negative_data_rejection

from affiliates.tracking.api import VALUE_MAX, api
from tests.affiliates.factories_tracking import affiliate_for, api_key_for, click_for, programme_with_landings

DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = get_wsgi_application()


@schema.hook
def map_body(context, body):
    """The one rule of the request that no schema can state: an order date does not lie in the future."""
    today = timezone.localdate().isoformat()
    if isinstance(body, dict) and DAY.fullmatch(str(body.get("date"))) and body["date"] > today:
        body["date"] = today
    return body


@pytest.fixture
def raw_key(org, settings):
    programme = programme_with_landings(org)
    # Every value the description allows (up to its hard limit): a programme's own lower limit is a 422 the
    # description can only mention.
    programme.max_order_value = VALUE_MAX
    programme.save()
    affiliate = affiliate_for(org, code="blogger-anna", coupon_code="ANNA10", email="anna@blog.example")
    click_for(affiliate)
    _key, raw = api_key_for(org)
    # The requests without a key that schemathesis also sends must not end in the limit on failed keys.
    settings.RATELIMIT_ENABLE = False
    return raw


@pytest.fixture
def wsgi_in_test_transaction():
    """Requests through the WSGI application, inside the test's transaction: as Django's test client does,
    the end of a request does not close the database connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@hypothesis.settings(max_examples=25, deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
def test_the_api_keeps_to_its_schema(case, raw_key, wsgi_in_test_transaction):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {raw_key}"}, excluded_checks=[negative_data_rejection]
    )
