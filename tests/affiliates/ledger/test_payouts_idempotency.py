"""Making a month's payout batch twice, at once or one after the other, makes one batch with one payout per
partner: a month has one batch (a unique constraint) and the lines are locked before they are paid out."""

from decimal import Decimal

import pytest
from django.urls import reverse

from affiliates.ledger import tasks
from affiliates.ledger.payouts import previous_month
from affiliates.models import Commission, Payout, PayoutBatch
from tests.affiliates import factories_ledger as f
from tests.double_submit import at_once, logged_in, needs_row_locks, post

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("eager_celery")]


@pytest.fixture
def earned(org):
    """Two partners with approved commission to be paid out."""
    for name, amounts in (("Aannemer Een", ["30.00", "25.00"]), ("Aannemer Twee", ["60.00"])):
        partner = f.affiliate(org, name=name).partner
        for amount in amounts:
            f.line(partner, amount)


def batch_url(org):
    return reverse("affiliates:payout_batch_create", args=[org.slug])


# The confirmation of the preview a person saw: two payouts, € 115 in all.
CONFIRM = {"confirm": "yes", "shown": "2:115.00"}


def assert_paid_out_once():
    assert PayoutBatch.objects.count() == 1
    assert sorted(Payout.objects.values_list("amount", flat=True)) == [Decimal("55.00"), Decimal("60.00")]
    assert Commission.objects.filter(payout__isnull=True).count() == 0


def test_two_batch_clicks_at_once_make_one_batch(org, manager, earned):
    needs_row_locks()
    responses = at_once(*[post(logged_in(manager), batch_url(org), CONFIRM) for _ in range(3)])
    batch = PayoutBatch.objects.get()
    detail = reverse("affiliates:payout_batch_detail", args=[org.slug, batch.pk])
    assert [(response.status_code, response.url) for response in responses] == [(302, detail)] * 3
    assert_paid_out_once()


def test_a_batch_click_and_the_monthly_task_at_once_make_one_batch(org, manager, earned):
    needs_row_locks()
    month = previous_month().isoformat()
    at_once(
        post(logged_in(manager), batch_url(org), CONFIRM),
        lambda: tasks.payout_batch_create_for(org.pk, month),
        lambda: tasks.payout_batch_create_for(org.pk, month),
    )
    assert_paid_out_once()


def test_a_second_batch_click_makes_nothing_and_says_so(org, manager, earned):
    client = logged_in(manager)
    client.post(batch_url(org), CONFIRM)
    second = client.post(batch_url(org), CONFIRM, follow=True)
    assert "exists already; nothing new was made." in second.text
    assert_paid_out_once()
