"""50 concurrent requests with one idempotency key create exactly one project and one commission, and all
get the same answer. Needs Postgres (SQLite serialises writers itself and has no row locks to test)."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from affiliates.models import Commission, Project
from tests.affiliates.factories_tracking import affiliate_for, api_key_for, click_for, programme_with_landings
from tests.factories import OrganisationFactory

REQUESTS = 50


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_create_one_commission():
    if connection.vendor != "postgresql":
        pytest.skip("needs Postgres: concurrent transactions and row locks")
    org = OrganisationFactory(name="Tinnitracks", slug="tinnitracks")
    programme_with_landings(org)
    affiliate = affiliate_for(org, code="blogger-anna", coupon_code="ANNA10")
    click = click_for(affiliate)
    _key, raw = api_key_for(org)
    body = {
        "customer_reference": "K-1001",
        "value": "250.00",
        "date": timezone.localdate().isoformat(),
        "click_id": click.click_id,
    }
    start = threading.Barrier(REQUESTS)
    answers = []

    def attempt():
        try:
            start.wait()
            response = Client().post(
                "/api/v1/conversions",
                body,
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {raw}",
                HTTP_IDEMPOTENCY_KEY="order-1",
            )
            answers.append((response.status_code, response.content))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == REQUESTS
    assert {status for status, _content in answers} == {201}
    assert len({content for _status, content in answers}) == 1
    assert Project.objects.filter(organisation=org).count() == 1
    assert Commission.objects.filter(organisation=org).count() == 1
