"""The programme overview's money figures follow the payout rule: approved lines not yet in a payout,
corrections included, due from the minimum payout on."""

from decimal import Decimal

from django.urls import reverse

from affiliates.models import Commission, CommissionKind, CommissionStatus
from affiliates.programme.rules import programme_for
from affiliates.programme.selectors import overview
from tests.factories import PartnerFactory


def line(org, partner, amount, status=CommissionStatus.APPROVED, kind=CommissionKind.COMMISSION):
    return Commission.objects.create(
        organisation=org, partner=partner, kind=kind, status=status, amount=amount
    )


def test_due_counts_partners_whose_balance_after_corrections_reaches_the_minimum(org, other_org):
    programme = programme_for(org)
    blog, vlog, agent = (PartnerFactory(organisation=org, name=name) for name in ("Blog", "Vlog", "Makelaar"))
    line(org, blog, Decimal("60.00"))
    line(org, vlog, Decimal("60.00"))
    line(org, vlog, Decimal("-10.01"), kind=CommissionKind.CORRECTION)  # 49.99: not yet
    line(org, agent, Decimal("50.00"), kind=CommissionKind.REFERRAL_FEE)
    line(org, agent, Decimal("80.00"), status=CommissionStatus.PENDING)
    line(other_org, PartnerFactory(organisation=other_org, name="Elders"), Decimal("500.00"))

    figures = overview(org, programme)

    assert figures["due"] == {"partners": 2, "total": Decimal("110.00")}
    # Approved and not in a batch: 60 + 60 + 50 (the -10.01 claw-back is a state of its own).
    assert figures["balances"].approved == Decimal("170.00")
    assert figures["balances"].clawed_back == Decimal("-10.01")
    assert figures["balances"].payable == Decimal("159.99")
    assert figures["balances"].pending == Decimal("80.00")


def test_the_overview_page_names_the_payout_due(manager_client, org):
    programme_for(org)
    line(org, PartnerFactory(organisation=org, name="Blog"), Decimal("75.50"))
    html = manager_client.get(reverse("affiliates:programme_home", args=[org.slug])).content.decode()
    assert "75,50" in html
