"""Evaluating the tiers twice, at once or one after the other, records each promotion once and mails the
managers once: evaluations of one organisation take turns on its programme row, and the mail task marks the
changes it mails under their row locks."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from affiliates.models import Project, TierChange, TierStanding
from affiliates.programme.rules import programme_for
from affiliates.tiers import tasks
from affiliates.tiers.standings import tiers_evaluate_organisation
from partnerhub.models import PartnerStatus
from tests.double_submit import at_once, logged_in, needs_row_locks, post
from tests.factories import PartnerFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("eager_celery")]


@pytest.fixture
def rising(org, owner):
    """Two partners with enough projects this year for a tier, never evaluated yet."""
    programme_for(org)
    partners = [
        PartnerFactory(organisation=org, name=name, status=PartnerStatus.ACTIVE)
        for name in ("Aannemer Een", "Aannemer Twee")
    ]
    Project.objects.bulk_create(
        Project(
            organisation=org,
            partner=partner,
            customer_reference=f"K-{partner.pk}-{n}",
            value=Decimal("750.00"),
            date=timezone.localdate() - datetime.timedelta(days=n),
        )
        for partner in partners
        for n in range(12)
    )
    return partners


def evaluate_url(org):
    return reverse("affiliates:tier_evaluate", args=[org.slug])


def test_two_evaluate_clicks_at_once_promote_once_and_mail_once(org, manager, rising):
    needs_row_locks()
    evaluate = evaluate_url(org)
    responses = at_once(*[post(logged_in(manager), evaluate) for _ in range(3)])
    assert [response.status_code for response in responses] == [302, 302, 302]
    assert TierStanding.objects.filter(partner__in=rising, tier__isnull=False).count() == 2
    assert TierChange.objects.filter(partner__in=rising).count() == 2
    assert len(mail.outbox) == 1


def test_a_second_evaluate_click_changes_nothing_and_says_so(org, manager, rising):
    client = logged_in(manager)
    client.post(evaluate_url(org))
    second = client.post(evaluate_url(org), follow=True)
    assert "Tiers evaluated: no partner changed tier." in second.text
    assert TierChange.objects.count() == 2 and len(mail.outbox) == 1


def test_a_tier_mail_task_delivered_twice_at_once_mails_once(org, manager, rising):
    needs_row_locks()
    changed = tiers_evaluate_organisation(org, notify=False)
    ids = [outcome.change.pk for outcome in changed]
    sent = at_once(*[lambda: tasks.send_tier_changes_mail(org.pk, ids) for _ in range(3)])
    assert sorted(sent) == [0, 0, 2]  # the owner and the manager, in one mail
    assert len(mail.outbox) == 1
    assert not TierChange.objects.filter(pk__in=ids, mailed_at__isnull=True).exists()


def test_a_tier_mail_task_run_again_mails_nothing(org, manager, rising):
    changed = tiers_evaluate_organisation(org, notify=False)
    ids = [outcome.change.pk for outcome in changed]
    assert tasks.send_tier_changes_mail(org.pk, ids) == 2  # the owner and the manager
    assert tasks.send_tier_changes_mail(org.pk, ids) == 0
    assert len(mail.outbox) == 1
