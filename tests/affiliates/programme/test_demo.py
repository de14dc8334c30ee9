"""The demo programme of seed 004, loaded by `seed_demo` next to the Tinnitracks demo."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse

from affiliates import demo
from affiliates.models import Click, Commission, CommissionStatus, Project, Referral, TierStanding
from partnerhub.models import Organisation, User
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def programme():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return Organisation.objects.get(slug=demo.SLUG), out.getvalue()


def test_the_contractors_sit_in_every_tier(programme):
    organisation, _out = programme
    tiers = dict(
        TierStanding.objects.filter(organisation=organisation).values_list("partner__name", "tier__name")
    )
    assert tiers["Bouwbedrijf De Vries"] == "Platinum"
    assert tiers["Aannemersbedrijf Jansen"] == "Gold"
    assert tiers["Van den Berg Bouw"] == "Silver"
    assert tiers["Klusbedrijf Smit"] == "Bronze"
    assert tiers.get("Renovatie Mulder") is None


def test_won_referrals_have_one_fee_each(programme):
    organisation, _out = programme
    won = Referral.objects.filter(organisation=organisation, status="won")
    assert won.count() == 3
    assert Commission.objects.filter(referral__in=won, kind="referral_fee").count() == 3


def test_the_blogger_has_clicks_conversions_a_paid_month_and_a_payout_due(programme):
    organisation, _out = programme
    blog = organisation.affiliates.get(code="thuisentuin")
    assert Click.objects.filter(affiliate=blog).count() == 420
    assert Project.objects.filter(partner=blog.partner).exclude(attribution="").count() == 14
    lines = Commission.objects.filter(partner=blog.partner)
    assert lines.filter(status=CommissionStatus.PAID).exists()
    approved = lines.filter(status=CommissionStatus.APPROVED, payout__isnull=True).aggregate(s=Sum("amount"))[
        "s"
    ]
    assert approved >= organisation.programme_settings.minimum_payout


def test_the_portal_link_is_printed_and_opens(programme, client):
    _organisation, out = programme
    assert f"/p/{demo.PORTAL_TOKEN}/" in out
    response = client.get(reverse("portal", args=[demo.PORTAL_TOKEN]))
    assert response.status_code == 200
    assert "thuisentuin" in response.content.decode()


def test_the_demo_owner_opens_every_programme_page(programme, client):
    organisation, _out = programme
    login(client, User.objects.get(email="demo@partnerhub.nl"))
    for name in ("programme_home", "programme_settings", "affiliate_list", "project_list", "tier_overview"):
        response = client.get(reverse(f"affiliates:{name}", args=[organisation.slug]))
        assert response.status_code == 200, name


def test_running_twice_adds_nothing(programme):
    organisation, _out = programme
    counts = (Project.objects.count(), Click.objects.count(), Commission.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Project.objects.count(), Click.objects.count(), Commission.objects.count()) == counts
