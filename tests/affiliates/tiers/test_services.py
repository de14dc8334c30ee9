"""Tiers: the 12-month window, boundaries, history, overrides, the evaluation of an organisation, its mail."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from affiliates.models import Project, TierChange, TierChangeKind, TierStanding
from affiliates.programme.rules import programme_for, tiers_of
from affiliates.tiers.standings import (
    add_months,
    project_counts,
    tier_evaluate,
    tier_override,
    tier_override_end,
    tiers_evaluate_organisation,
    window,
)
from affiliates.tiers.tasks import evaluate_tiers
from partnerhub.models import AuditEntry, PartnerStatus
from tests.factories import PartnerFactory

pytestmark = pytest.mark.usefixtures("eager_celery")

TODAY = datetime.date(2026, 4, 15)


def projects(partner, count, *, date=TODAY, **values):
    Project.objects.bulk_create(
        Project(
            organisation=partner.organisation,
            partner=partner,
            customer_reference=f"K-{partner.pk}-{date}-{i}",
            value=Decimal("750.00"),
            date=date,
            **values,
        )
        for i in range(count)
    )


@pytest.fixture
def partner(org):
    programme_for(org)
    return PartnerFactory(organisation=org, name="Bouwbedrijf De Vries", status=PartnerStatus.ACTIVE)


def test_add_months_keeps_the_day_or_takes_the_last_of_the_month():
    assert add_months(datetime.date(2026, 4, 15), -12) == datetime.date(2025, 4, 15)
    assert add_months(datetime.date(2028, 2, 29), -12) == datetime.date(2027, 2, 28)
    assert add_months(datetime.date(2026, 3, 31), -1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2026, 1, 10), -3) == datetime.date(2025, 10, 10)


@pytest.mark.parametrize(
    ("count", "tier"),
    [
        (0, None),
        (9, None),
        (10, "Bronze"),
        (24, "Bronze"),
        (25, "Silver"),
        (49, "Silver"),
        (50, "Gold"),
        (99, "Gold"),
        (100, "Platinum"),
        (140, "Platinum"),
    ],
)
def test_tier_boundaries(partner, count, tier):
    projects(partner, count)
    outcome = tier_evaluate(partner, today=TODAY)
    standing = TierStanding.objects.get(partner=partner)
    assert standing.project_count == count
    assert (standing.tier.name if standing.tier else None) == tier
    assert outcome.standing.pk == standing.pk


def test_the_window_is_twelve_calendar_months_up_to_today(partner):
    after, until = window(TODAY)
    assert (after, until) == (datetime.date(2025, 4, 15), TODAY)
    projects(partner, 1, date=datetime.date(2025, 4, 14))  # 12 months and a day ago: out
    projects(partner, 1, date=datetime.date(2025, 4, 15))  # exactly 12 months ago: out
    projects(partner, 1, date=datetime.date(2025, 4, 16))  # 12 months minus a day: in
    projects(partner, 1, date=TODAY)  # today: in
    projects(partner, 1, date=TODAY + datetime.timedelta(days=1))  # tomorrow: not yet
    assert project_counts(partner.organisation, today=TODAY) == {partner.pk: 2}


def test_the_tenth_project_on_the_window_edge_decides(partner):
    projects(partner, 9, date=datetime.date(2025, 6, 1))
    projects(partner, 1, date=datetime.date(2025, 4, 16))
    assert tier_evaluate(partner, today=TODAY).standing.tier.name == "Bronze"
    # A day later the oldest project has left the window.
    assert tier_evaluate(partner, today=TODAY + datetime.timedelta(days=1)).standing.tier is None


def test_refunded_orders_and_other_partners_do_not_count(partner, org):
    projects(partner, 9)
    projects(partner, 1, refunded_at=datetime.datetime(2026, 4, 1, tzinfo=datetime.UTC))
    other = PartnerFactory(organisation=org)
    projects(other, 5)
    assert tier_evaluate(partner, today=TODAY).standing.tier is None


def test_history_is_kept_and_only_changes_are_written(partner):
    projects(partner, 10)
    tier_evaluate(partner, today=TODAY)
    tier_evaluate(partner, today=TODAY)  # nothing changed: no second row
    projects(partner, 15)
    tier_evaluate(partner, today=TODAY)
    changes = list(TierChange.objects.filter(partner=partner).order_by("pk"))
    assert [(c.previous_name, c.tier_name, c.project_count, c.kind) for c in changes] == [
        ("", "Bronze", 10, TierChangeKind.EVALUATION),
        ("Bronze", "Silver", 25, TierChangeKind.EVALUATION),
    ]
    entries = AuditEntry.objects.filter(partner=partner, object_type="affiliates.tierstanding")
    assert sorted(entry.changes["tier"][1] for entry in entries) == ["Bronze", "Silver"]


def test_an_override_is_kept_by_the_evaluation_until_ended(partner, manager):
    gold = next(tier for tier in tiers_of(partner.organisation) if tier.name == "Gold")
    projects(partner, 12)
    tier_evaluate(partner, today=TODAY)
    tier_override(partner, tier=gold, reason="Strategische partner 2026", actor=manager, today=TODAY)
    projects(partner, 20)
    outcome = tier_evaluate(partner, today=TODAY)
    standing = TierStanding.objects.get(partner=partner)
    assert (standing.tier, standing.is_override, standing.project_count) == (gold, True, 32)
    assert outcome.change is None
    tier_override_end(partner, actor=manager, today=TODAY)
    standing.refresh_from_db()
    assert (standing.tier.name, standing.is_override, standing.override_reason) == ("Silver", False, "")
    kinds = list(TierChange.objects.filter(partner=partner).order_by("pk").values_list("kind", "tier_name"))
    assert kinds == [
        (TierChangeKind.EVALUATION, "Bronze"),
        (TierChangeKind.OVERRIDE, "Gold"),
        (TierChangeKind.OVERRIDE_ENDED, "Silver"),
    ]
    assert tier_override_end(partner, actor=manager, today=TODAY) is None  # nothing to end


def test_an_override_needs_a_reason_and_an_own_tier(partner, manager, other_org):
    with pytest.raises(ValidationError):
        tier_override(partner, tier=None, reason="   ", actor=manager)
    foreign = tiers_of(other_org)[0]
    with pytest.raises(ValidationError):
        tier_override(partner, tier=foreign, reason="Waarom niet", actor=manager)
    assert not TierChange.objects.exists()
    assert not TierStanding.objects.filter(is_override=True).exists()


def test_an_override_to_no_tier_and_a_double_submit(partner, manager):
    projects(partner, 30)
    tier_evaluate(partner, today=TODAY)
    tier_override(partner, tier=None, reason="Betaalt structureel te laat", actor=manager, today=TODAY)
    tier_override(partner, tier=None, reason="Betaalt structureel te laat", actor=manager, today=TODAY)
    standing = TierStanding.objects.get(partner=partner)
    assert standing.tier is None and standing.is_override
    assert TierChange.objects.filter(partner=partner, kind=TierChangeKind.OVERRIDE).count() == 1


def test_the_organisation_is_evaluated_in_a_fixed_number_of_queries(org, django_assert_max_num_queries):
    programme_for(org)
    partners = [PartnerFactory(organisation=org, status=PartnerStatus.ACTIVE) for _ in range(12)]
    for index, partner in enumerate(partners):
        projects(partner, index * 5)
    with django_assert_max_num_queries(40):  # 10 tier changes write an audit entry each; no per-partner reads
        tiers_evaluate_organisation(org, today=TODAY, notify=False)
    names = dict(TierStanding.objects.values_list("partner_id", "tier__name"))
    assert len(names) == 11  # the partner without projects has no standing
    assert names[partners[1].pk] is None and names[partners[2].pk] == "Bronze"
    assert names[partners[5].pk] == "Silver" and names[partners[10].pk] == "Gold"


def _queries_of_a_quiet_evaluation(org, size):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(size):
        projects(PartnerFactory(organisation=org, status=PartnerStatus.ACTIVE), 12)
    tiers_evaluate_organisation(org, today=TODAY, notify=False)
    with CaptureQueriesContext(connection) as queries:
        tiers_evaluate_organisation(org, today=TODAY, notify=False)  # counts refreshed, no tier changes
    return len(queries)


def test_evaluation_queries_do_not_grow_with_partners(org, other_org):
    programme_for(other_org)
    assert _queries_of_a_quiet_evaluation(org, 3) == _queries_of_a_quiet_evaluation(other_org, 30)


def test_ended_partners_and_partners_without_projects_are_left_alone(org):
    programme_for(org)
    ended = PartnerFactory(organisation=org, status=PartnerStatus.ENDED)
    projects(ended, 30)
    PartnerFactory(organisation=org, status=PartnerStatus.ACTIVE)
    tiers_evaluate_organisation(org, today=TODAY, notify=False)
    assert not TierStanding.objects.exists()


def test_promotions_and_demotions_go_to_the_managers_in_one_mail(
    org, owner, manager, viewer, django_capture_on_commit_callbacks
):
    programme_for(org)
    rising = PartnerFactory(organisation=org, name="Aannemer Stijgt", status=PartnerStatus.ACTIVE)
    falling = PartnerFactory(organisation=org, name="Aannemer Daalt", status=PartnerStatus.ACTIVE)
    steady = PartnerFactory(organisation=org, name="Aannemer Blijft", status=PartnerStatus.ACTIVE)
    projects(falling, 26, date=datetime.date(2025, 6, 1))
    projects(steady, 11, date=datetime.date(2025, 12, 1))
    with django_capture_on_commit_callbacks(execute=True):
        tiers_evaluate_organisation(org, today=datetime.date(2026, 1, 1))
    assert len(mail.outbox) == 1  # two promotions from no tier
    mail.outbox.clear()
    projects(rising, 10, date=datetime.date(2026, 4, 1))
    with django_capture_on_commit_callbacks(execute=True):
        changed = tiers_evaluate_organisation(org, today=datetime.date(2026, 7, 1))  # June 2025 left
    assert {outcome.partner.name for outcome in changed} == {"Aannemer Daalt", "Aannemer Stijgt"}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["manager@example.nl", "owner@example.nl"]
    promoted, demoted = message.body.split("Aannemer Daalt")[0], message.body.split("Aannemer Daalt")[1]
    assert "Aannemer Stijgt: " in promoted and "Bronze" in promoted
    assert demoted.startswith(": Silver → ")
    assert "Aannemer Blijft" not in message.body
    assert "/o/tinnitracks/programme/tiers/" in message.body


def test_no_mail_when_no_tier_changed(org, manager, django_capture_on_commit_callbacks):
    programme_for(org)
    partner = PartnerFactory(organisation=org, status=PartnerStatus.ACTIVE)
    projects(partner, 3)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        tiers_evaluate_organisation(org, today=TODAY)
    assert callbacks == [] and mail.outbox == []


def test_the_quarterly_task_evaluates_every_organisation(
    org, other_org, manager, django_capture_on_commit_callbacks
):
    programme_for(org)
    partner = PartnerFactory(organisation=org, status=PartnerStatus.ACTIVE)
    foreign = PartnerFactory(organisation=other_org, status=PartnerStatus.ACTIVE)
    projects(partner, 10)
    projects(foreign, 25)
    with django_capture_on_commit_callbacks(execute=True):
        evaluate_tiers.delay(TODAY.isoformat())
    assert TierStanding.objects.get(partner=partner).tier.name == "Bronze"
    assert TierStanding.objects.get(partner=foreign).tier.name == "Silver"
    assert TierStanding.objects.get(partner=foreign).tier.organisation == other_org
    assert len(mail.outbox) == 1  # only org has a manager with an address to tell
