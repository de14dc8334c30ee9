"""From the API to the SEPA file: a billion-euro order is refused at the door; the largest order the
programme accepts and an order whose commission is just above the review threshold are recorded, but their
commissions wait "to review": the daily approval skips them, the month's batch and its SEPA file leave them
out, and only a person who confirms that they checked them brings them into a later batch."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from affiliates.ledger import payouts, selectors
from affiliates.models import Commission, CommissionStatus, Project
from tests.affiliates import factories_ledger as f
from tests.affiliates.factories_tracking import affiliate_for, api_key_for, programme_with_landings

URL = "/api/v1/conversions"


def report(client, raw, key, value, customer):
    body = {
        "customer_reference": customer,
        "value": value,
        "date": timezone.localdate().isoformat(),
        "coupon": "ANNA10",
    }
    return client.post(
        URL,
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def sepa_amounts(manager_client, org, batch):
    response = manager_client.get(reverse("affiliates:payout_batch_sepa", args=[org.slug, batch.pk]))
    assert response.status_code == 200, response.content[:300]
    xml = response.content.decode()
    return xml


@pytest.fixture
def shop(org):
    programme_with_landings(org)
    f.paying_account(org)
    affiliate = affiliate_for(
        org,
        code="blogger-anna",
        coupon_code="ANNA10",
        iban="NL20INGB0001234567",
        account_holder="Anna de Vries",
    )
    _key, raw = api_key_for(org)
    return {"affiliate": affiliate, "raw": raw}


def test_implausible_money_never_reaches_a_sepa_file_without_a_persons_review(
    client, manager_client, org, shop
):
    raw = shop["raw"]
    # 1. At the API: a billion euros (as text and as a JSON number) is refused with the field named.
    for key, value in (("billion-text", "9999999999.99"), ("billion-number", 1e9)):
        refused = report(client, raw, key, value, "K-billion")
        assert refused.status_code == 422
        assert [error["field"] for error in refused.json()["errors"]] == ["value"]
    assert not Project.objects.exists()

    # 2. The largest order the programme accepts, one just above the review threshold, and an ordinary one.
    largest = report(client, raw, "largest", "100000.00", "K-1").json()
    above = report(client, raw, "above", "10000.10", "K-2").json()
    ordinary = report(client, raw, "ordinary", "500.00", "K-3").json()
    assert [body["commission"]["amount"] for body in (largest, above, ordinary)] == [
        "10000.00",
        "1000.01",
        "50.00",
    ]

    # 3. The hold ends: the daily run approves the ordinary commission only.
    assert payouts.approve_due_commissions(today=timezone.localdate() + datetime.timedelta(days=365)) == 1
    balances = selectors.ledger_balances(org)
    assert (balances.to_review, balances.to_review_count, balances.approved) == (
        Decimal("11000.01"),
        2,
        Decimal("50.00"),
    )

    # 4. This month's batch and its SEPA file hold the ordinary commission, not the two to review.
    month = timezone.localdate().replace(day=1)
    first = payouts.payout_batch_create(organisation=org, month=month)
    assert [payout.amount for payout in first.payouts] == [Decimal("50.00")]
    xml = sepa_amounts(manager_client, org, first.batch)
    assert ">50.00<" in xml and "10000.00" not in xml and "1000.01" not in xml and "11000.01" not in xml

    # 5. Bulk approval shows the total and the largest line; without the review confirmation nothing moves.
    ids = list(Commission.objects.filter(status=CommissionStatus.PENDING).values_list("pk", flat=True))
    bulk = reverse("affiliates:commission_bulk", args=[org.slug])
    preview = manager_client.post(bulk, {"action": "approve", "ids": ids})
    assert preview.context["total"] == Decimal("11000.01")
    assert preview.context["largest"].amount == Decimal("10000.00")
    unconfirmed = manager_client.post(bulk, {"action": "approve", "ids": ids, "confirm": "yes"})
    assert unconfirmed.status_code == 422
    assert Commission.objects.filter(status=CommissionStatus.PENDING).count() == 2

    # 6. A person confirms the review: the next month's batch pays them, and only then the SEPA file has them.
    manager_client.post(bulk, {"action": "approve", "ids": ids, "confirm": "yes", "reviewed": "yes"})
    next_month = (month + datetime.timedelta(days=32)).replace(day=1)
    second = payouts.payout_batch_create(organisation=org, month=next_month)
    assert [payout.amount for payout in second.payouts] == [Decimal("11000.01")]
    assert ">11000.01<" in sepa_amounts(manager_client, org, second.batch)
    approved = Commission.objects.filter(pk__in=ids)
    assert {line.approved_by_id for line in approved} == {preview.wsgi_request.user.pk}
