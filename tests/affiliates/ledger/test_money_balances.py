"""One truth for every balance: every page reads the ledger's states (pending, to review, approved, in a
batch, paid, rejected, clawed back) from one selector, so after a batch is made the money shows as "in a
batch" on the overview, the affiliate list, the affiliate page, the portal and the payouts page alike; and
a month's batch holds only the lines approved for that month or earlier."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from affiliates.ledger import booking, payouts, selectors
from affiliates.models import CommissionKind, CommissionStatus
from affiliates.programme.rules import programme_for
from tests.affiliates import factories_ledger as f

NOVEMBER = datetime.date(2026, 11, 1)


def url(org, name, *args):
    return reverse(f"affiliates:{name}", args=[org.slug, *args])


def at(day, hour=12):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


def test_the_states_partition_the_ledger(org):
    programme_for(org)
    partner = f.affiliate(org).partner
    f.line(partner, "10.00", status=CommissionStatus.PENDING)
    f.line(partner, "1500.00", status=CommissionStatus.PENDING)
    f.line(partner, "20.00")
    in_batch = f.line(partner, "125.00")
    paid = f.line(partner, "40.00", status=CommissionStatus.PAID)
    f.line(partner, "7.00", status=CommissionStatus.REJECTED, rejected_reason="dubbel")
    booking.claw_back(line=paid, reason="terugbetaald")  # a -40.00 correction
    batch = payouts.payout_batch_create(organisation=org, month=NOVEMBER).batch
    assert in_batch in list(batch.payouts.get().lines.all())

    balances = selectors.ledger_balances(org)

    assert [(state, amount) for state, _label, amount in balances.states()] == [
        ("pending", Decimal("10.00")),
        ("to_review", Decimal("1500.00")),
        ("approved", Decimal("0.00")),
        (
            "in_batch",
            Decimal("145.00"),
        ),  # 20 + 125; the -40.00 claw-back netted in the batch is its own state
        ("paid", Decimal("40.00")),
        ("rejected", Decimal("7.00")),
        ("clawed_back", Decimal("-40.00")),
    ]
    # Every line in exactly one state: the states add up to the whole ledger.
    assert sum(amount for _s, _l, amount in balances.states()) == Decimal("1662.00")
    # November's batch pays 145.00; the claw-back, booked in December, is netted by the next batch.
    assert batch.payouts.get().amount == Decimal("145.00")
    assert balances.payable == Decimal("-40.00")


def test_every_page_shows_the_money_in_a_batch_after_the_batch_is_made(manager_client, client, org):
    programme_for(org)
    affiliate = f.affiliate(org, name="Bouwblog")
    f.line(affiliate.partner, "125.00")
    f.line(affiliate.partner, "10.00", status=CommissionStatus.PENDING)
    payouts.payout_batch_create(organisation=org, month=NOVEMBER)
    _link, raw = f.portal_link(affiliate)
    expected = {"pending": Decimal("10.00"), "approved": Decimal("0.00"), "in_batch": Decimal("125.00")}

    def shown(balances):
        return {state: getattr(balances, state) for state in expected}

    overview = manager_client.get(url(org, "programme_home"))
    assert shown(overview.context["figures"]["balances"]) == expected
    listing = manager_client.get(url(org, "affiliate_list"))
    assert shown(listing.context["page_obj"][0].balances) == expected
    page = manager_client.get(url(org, "affiliate_update", affiliate.pk))
    assert shown(page.context["balances"]) == expected
    portal = client.get(reverse("portal", args=[raw]))
    assert shown(portal.context["balance"]["states"]) == expected
    payout_page = manager_client.get(url(org, "payout_list"))
    assert shown(payout_page.context["balances"]) == expected
    for response in (overview, page, portal, payout_page):
        html = response.content.decode()
        assert 'data-state="in_batch"><small>' in html and "125,00" in html
        assert html.count('data-state="') >= 7
    assert 'data-state="in_batch">' in listing.content.decode()


def test_the_portal_no_longer_says_nothing_is_approved_while_it_is_being_paid(client, org):
    programme_for(org)
    affiliate = f.affiliate(org)
    f.line(affiliate.partner, "125.00")
    payouts.payout_batch_create(organisation=org, month=NOVEMBER)
    _link, raw = f.portal_link(affiliate)
    html = client.get(reverse("portal", args=[raw])).content.decode()
    assert "in een batch" in html.lower() or "in a batch" in html.lower()
    assert "125,00" in html


def test_a_november_batch_holds_only_lines_approved_for_november(org, manager):
    programme_for(org)
    partner = f.affiliate(org).partner
    approved_in_november = f.line(partner, "60.00", approved_at=at(datetime.date(2026, 11, 30), 22))
    approved_in_december = f.line(partner, "70.00", approved_at=at(datetime.date(2026, 12, 7)))
    # Its hold ended on 30 November; approved by the run of 1 December, just before the batch.
    hold_ended = f.line(
        partner,
        "80.00",
        approve_after=datetime.date(2026, 11, 30),
        approved_at=at(datetime.date(2026, 12, 1), 5),
    )

    november = payouts.payout_batch_create(organisation=org, month=NOVEMBER)

    assert sorted(line.pk for line in november.payouts[0].lines.all()) == [
        approved_in_november.pk,
        hold_ended.pk,
    ]
    approved_in_december.refresh_from_db()
    assert approved_in_december.payout_id is None and approved_in_december.status == CommissionStatus.APPROVED
    december = payouts.payout_batch_create(organisation=org, month=datetime.date(2026, 12, 1))
    assert [line.pk for line in december.payouts[0].lines.all()] == [approved_in_december.pk]


def test_a_commission_of_an_order_of_7_december_waits_for_decembers_batch(org, manager):
    programme = programme_for(org)
    programme.hold_days = 0
    programme.save()
    partner = f.affiliate(org).partner
    project = f.order(partner, "900.00", date=datetime.date(2026, 12, 7))
    commission = booking.commission_create(project=project, percent=Decimal("10"))
    payouts.approve_due_commissions(today=datetime.date(2026, 12, 7))
    commission.refresh_from_db()
    assert commission.status == CommissionStatus.APPROVED
    assert payouts.payout_batch_create(organisation=org, month=NOVEMBER).payouts == []
    assert commission.kind == CommissionKind.COMMISSION


def test_the_payouts_page_states_the_month_rule(manager_client, org):
    html = manager_client.get(url(org, "payout_list")).content.decode()
    assert "die voor die maand of eerder zijn" in html  # "approved for that month or earlier"


@pytest.mark.parametrize("page", ["programme_home", "payout_list", "commission_list"])
def test_the_pages_say_a_line_to_review_is_approved_only_by_a_person(manager_client, org, page):
    programme_for(org)
    f.line(f.affiliate(org).partner, "1500.00", status=CommissionStatus.PENDING)
    html = manager_client.get(url(org, page)).content.decode()
    assert "1.000,00" in html
    assert "never approved automatically" in html or "nooit automatisch" in html
