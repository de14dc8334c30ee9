"""Referrals: the pipeline new → qualified → won / lost, exactly one fee per won referral, claw-back."""

from decimal import Decimal

import pytest
from django.urls import reverse

from affiliates.models import Commission, CommissionKind, CommissionStatus, Referral, ReferralStatus
from affiliates.people import referrals
from partnerhub.models import AuditEntry
from tests.factories import PartnerFactory


@pytest.fixture
def agent(org):
    return PartnerFactory(organisation=org, name="Makelaardij Van Dijk", category="estate_agent")


def lead(org, partner, **fields):
    return referrals.referral_create(
        organisation=org,
        actor=None,
        partner=partner,
        lead_name=fields.pop("lead_name", "Familie Jansen"),
        lead_email=fields.pop("lead_email", "jansen@example.nl"),
        **fields,
    )


def url(name, org, *args):
    return reverse(f"affiliates:{name}", args=[org.slug, *args])


def fees(referral):
    return Commission.objects.filter(referral=referral, kind=CommissionKind.REFERRAL_FEE)


def move(referral, status, reason=""):
    return referrals.referral_status_change(referral=referral, status=status, actor=None, reason=reason)


# The pipeline


def test_a_won_referral_earns_one_fee_of_the_programme(org, agent):
    referral = lead(org, agent)
    move(referral, "qualified")
    _referral, fee = move(referral, "won")
    assert fee.amount == Decimal("50.00")
    assert fee.partner == agent
    assert fee.status == CommissionStatus.PENDING
    assert fees(referral).count() == 1


def test_winning_twice_accrues_no_second_fee(org, agent):
    referral = lead(org, agent)
    move(referral, "qualified")
    _r, first = move(referral, "won")
    _r, second = move(referral, "won")
    assert first.pk == second.pk
    assert fees(referral).count() == 1


def test_a_double_submitted_won_through_the_page_makes_one_fee(manager_client, org, agent):
    referral = lead(org, agent)
    move(referral, "qualified")
    for _ in range(2):
        response = manager_client.post(url("referral_status", org, referral.pk), {"status": "won"})
        assert response.status_code == 302
    assert fees(referral).count() == 1
    page = manager_client.get(url("referral_status", org, referral.pk))
    assert "50,00" in page.content.decode()


def test_won_is_reached_only_through_qualified(org, agent):
    referral = lead(org, agent)
    with pytest.raises(referrals.ReferralRefused):
        move(referral, "won")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.NEW
    assert not fees(referral).exists()


def test_lost_needs_a_reason(manager_client, org, agent):
    referral = lead(org, agent)
    response = manager_client.post(
        url("referral_status", org, referral.pk), {"status": "lost", "reason": " "}
    )
    assert response.status_code == 422
    assert len(list(response.context["messages"])) == 1
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.NEW
    move(referral, "lost", reason="Koopt niet")
    referral.refresh_from_db()
    assert (referral.status, referral.lost_reason) == ("lost", "Koopt niet")


def test_an_unknown_status_is_refused(manager_client, org, agent):
    referral = lead(org, agent)
    response = manager_client.post(url("referral_status", org, referral.pk), {"status": "paid"})
    assert response.status_code == 422
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.NEW


def test_lost_after_won_rejects_an_unpaid_fee(org, agent):
    referral = lead(org, agent)
    move(referral, "qualified")
    _r, fee = move(referral, "won")
    move(referral, "lost", reason="Koop ging niet door")
    fee.refresh_from_db()
    assert fee.status == CommissionStatus.REJECTED
    assert "Koop ging niet door" in fee.rejected_reason
    assert fees(referral).count() == 1


def test_lost_after_a_paid_fee_adds_a_negative_correction_and_keeps_the_paid_line(org, agent):
    referral = lead(org, agent)
    move(referral, "qualified")
    _r, fee = move(referral, "won")
    Commission.objects.filter(pk=fee.pk).update(status=CommissionStatus.PAID)
    move(referral, "lost", reason="Geannuleerd")
    fee.refresh_from_db()
    assert (fee.status, fee.amount) == (CommissionStatus.PAID, Decimal("50.00"))
    correction = Commission.objects.get(corrects=fee)
    assert correction.kind == CommissionKind.CORRECTION
    assert correction.amount == Decimal("-50.00")


def test_a_referral_whose_fee_was_taken_back_stays_lost(org, agent):
    referral = lead(org, agent)
    move(referral, "qualified")
    move(referral, "won")
    move(referral, "lost", reason="Geannuleerd")
    with pytest.raises(referrals.ReferralRefused):
        move(referral, "new")
    assert referrals.next_statuses(Referral.objects.get(pk=referral.pk)) == []


def test_a_lost_referral_without_fee_can_be_reopened(org, agent):
    referral = lead(org, agent)
    move(referral, "lost", reason="Geen budget")
    referral, _fee = move(referral, "new")
    assert referral.status == "new"
    assert referral.lost_reason == ""


def test_status_changes_are_audited(org, agent, owner):
    referral = lead(org, agent)
    referrals.referral_status_change(referral=referral, status="qualified", actor=owner)
    entry = AuditEntry.objects.filter(object_type="affiliates.referral", object_id=referral.pk).latest("pk")
    assert entry.changes == {"status": ["new", "qualified"]}
    assert entry.partner == agent
    assert entry.actor == owner


@pytest.mark.django_db(transaction=True)
def test_concurrent_wins_accrue_one_fee(org, agent):
    """Five "won" at once on Postgres: the row lock lets one through, the others see a won referral."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs Postgres row locks")
    referral = lead(org, agent)
    move(referral, "qualified")
    barrier = threading.Barrier(5)
    results, errors = [], []

    def attempt():
        try:
            barrier.wait()
            _r, fee = move(Referral.objects.get(pk=referral.pk), "won")
            results.append(fee.pk)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(results)) == 1
    assert fees(referral).count() == 1


# The pages


def test_create_puts_estate_agents_first_and_registers_a_lead(manager_client, org, agent):
    PartnerFactory(organisation=org, name="Aannemer Alfa", category="contractor")
    page = manager_client.get(url("referral_create", org)).content.decode()
    assert page.index("Makelaardij Van Dijk") < page.index("Aannemer Alfa")
    response = manager_client.post(
        url("referral_create", org),
        {"partner": agent.pk, "lead_name": "Familie De Boer", "lead_phone": "06 12345678", "notes": ""},
    )
    referral = Referral.objects.get(lead_name="Familie De Boer")
    assert response.status_code == 302
    assert (referral.partner, referral.status, referral.organisation) == (agent, "new", org)


def test_create_needs_an_email_or_phone(manager_client, org, agent):
    response = manager_client.post(url("referral_create", org), {"partner": agent.pk, "lead_name": "Zonder"})
    assert response.status_code == 422
    assert not Referral.objects.exists()


def test_create_refuses_another_organisations_partner(manager_client, org, other_org):
    foreign = PartnerFactory(organisation=other_org)
    response = manager_client.post(
        url("referral_create", org), {"partner": foreign.pk, "lead_name": "X", "lead_email": "x@example.nl"}
    )
    assert response.status_code == 422
    assert not Referral.objects.exists()


def test_update_changes_the_lead(manager_client, org, agent):
    referral = lead(org, agent)
    response = manager_client.post(
        url("referral_update", org, referral.pk),
        {"partner": agent.pk, "lead_name": "Familie Jansen-de Vries", "lead_email": "jansen@example.nl"},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.lead_name == "Familie Jansen-de Vries"


def test_list_filters_counts_and_shows_fees(manager_client, org, agent, django_assert_max_num_queries):
    other = PartnerFactory(organisation=org, name="Makelaar Twee", category="estate_agent")
    for n in range(6):
        lead(org, agent, lead_name=f"Lead {n}")
    won = lead(org, other, lead_name="Gewonnen lead")
    move(won, "qualified")
    move(won, "won")
    with django_assert_max_num_queries(12):
        response = manager_client.get(url("referral_list", org))
    page = response.content.decode()
    assert "Gewonnen lead" in page
    assert "50,00" in page
    assert response.context["total"] == 7
    assert dict((value, count) for value, _l, count in response.context["counts"])["won"] == 1
    filtered = manager_client.get(url("referral_list", org), {"status": "won"}).content.decode()
    assert "Gewonnen lead" in filtered and "Lead 3" not in filtered
    by_partner = manager_client.get(url("referral_list", org), {"partner": agent.pk}).content.decode()
    assert "Lead 3" in by_partner and "Gewonnen lead" not in by_partner


def test_list_query_count_does_not_grow_with_rows(manager_client, org, agent, django_assert_max_num_queries):
    for n in range(20):
        referral = lead(org, agent, lead_name=f"Lead {n}")
        if n % 2:
            move(referral, "qualified")
            move(referral, "won")
    with django_assert_max_num_queries(12):
        manager_client.get(url("referral_list", org))


def test_the_partner_filter_lists_partners_escaped_and_the_chosen_one_selected(manager_client, org, agent):
    quoted = PartnerFactory(organisation=org, name='Makelaar "De <Hoek>" & Zn', category="estate_agent")
    page = manager_client.get(url("referral_list", org), {"partner": quoted.pk}).content.decode()
    escaped = "Makelaar &quot;De &lt;Hoek&gt;&quot; &amp; Zn"
    assert f'<option value="{quoted.pk}" selected>{escaped}</option>' in page
    assert f'<option value="{agent.pk}">Makelaardij Van Dijk</option>' in page


def test_viewer_cannot_move_a_referral(client, viewer, org, agent):
    from tests.conftest import login

    referral = lead(org, agent)
    response = login(client, viewer).post(url("referral_status", org, referral.pk), {"status": "qualified"})
    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == "new"


def test_another_organisations_referral_is_404(client, stranger, org, agent, other_org):
    from tests.conftest import login

    referral = lead(org, agent)
    response = login(client, stranger).post(url("referral_status", other_org, referral.pk), {"status": "won"})
    assert response.status_code == 404
