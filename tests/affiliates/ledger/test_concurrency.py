"""Two people (or a person and the monthly task) at once: the row locks keep the ledger exact. Needs Postgres
row locks; skipped on SQLite, which serialises every write anyway."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from affiliates.ledger import payouts
from affiliates.models import Commission, CommissionStatus, Payout, PayoutBatch
from partnerhub.models import AuditEntry
from tests.affiliates import factories_ledger as f

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(target, count=1, *, also=()):
    """Run `target` `count` times, and each of `also` once, in threads started together."""
    results, errors = [], []

    def run(target):
        try:
            results.append(target())
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    targets = [target] * count + list(also)
    threads = [threading.Thread(target=run, args=(each,)) for each in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs Postgres row locks")


def test_concurrent_batch_runs_make_one_batch_and_one_payout(org):
    aff = f.affiliate(org)
    f.line(aff.partner, "30.00")
    f.line(aff.partner, "25.00")
    results = at_once(
        lambda: payouts.payout_batch_create(organisation=org, month=datetime.date(2026, 1, 1)), 6
    )
    assert sum(result.created for result in results) == 1
    assert PayoutBatch.objects.filter(organisation=org).count() == 1
    assert Payout.objects.get().amount == Decimal("55.00")
    assert Commission.objects.filter(payout__isnull=False).count() == 2


def test_concurrent_approvals_approve_each_line_once(org, manager):
    aff = f.affiliate(org)
    ids = [f.line(aff.partner, "10.00", status=CommissionStatus.PENDING).pk for _ in range(5)]
    results = at_once(
        lambda: payouts.commissions_approve(organisation=org, commission_ids=ids, actor=manager), 4
    )
    assert sum(approved for approved, _left in results) == 5
    assert AuditEntry.objects.filter(object_type="affiliates.commission").count() == 5


def test_reject_racing_mark_paid_never_rejects_a_paid_line(org, manager):
    aff = f.affiliate(org)
    line = f.line(aff.partner, "60.00")
    batch = payouts.payout_batch_create(organisation=org, month=datetime.date(2026, 1, 1)).batch

    def reject():
        try:
            return payouts.commissions_reject(
                organisation=org, commission_ids=[line.pk], actor=manager, reason="x"
            )
        except payouts.LedgerError:
            return "refused"

    outcomes = at_once(reject, 3, also=[lambda: payouts.payout_batch_mark_paid(batch=batch, actor=manager)])
    line.refresh_from_db()
    assert line.status == CommissionStatus.PAID and line.rejected_reason == ""
    assert outcomes.count("refused") == 3  # in a payout, then paid: never rejectable


def test_reject_racing_the_batch_either_rejects_or_pays_never_both(org, manager):
    aff = f.affiliate(org)
    lines = [f.line(aff.partner, "30.00"), f.line(aff.partner, "30.00")]

    def reject():
        try:
            ids = [line.pk for line in lines]
            return payouts.commissions_reject(organisation=org, commission_ids=ids, actor=manager, reason="x")
        except payouts.LedgerError:
            return "refused"

    at_once(
        reject, also=[lambda: payouts.payout_batch_create(organisation=org, month=datetime.date(2026, 1, 1))]
    )
    rows = list(Commission.objects.values_list("status", "payout"))
    payout = Payout.objects.first()
    if payout is None:  # the rejection came first: nothing left to pay
        assert rows == [(CommissionStatus.REJECTED, None)] * 2
    else:  # the batch came first: the lines are in the payout, untouched
        assert rows == [(CommissionStatus.APPROVED, payout.pk)] * 2 and payout.amount == Decimal("60.00")
