"""The programme settings page: seed 004's defaults, the rules, the KPI targets, the paying account and the
tiers (thresholds must increase)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from affiliates.models import OnboardingStep, ProgrammeSettings, Tier
from affiliates.programme.rules import cents, programme_for, tier_for_count, tiers_of
from partnerhub.models import AuditEntry


def settings_url(org):
    return reverse("affiliates:programme_settings", args=[org.slug])


def rules(**changes):
    data = {
        "part": "settings",
        "commission_percent": "10",
        "cookie_window_days": "90",
        "hold_days": "30",
        "minimum_payout": "50",
        "referral_fee": "50",
        "max_order_value": "100000",
        "review_threshold": "1000",
        "home_url": "https://www.voorbeeld.nl/",
        "landing_urls": "https://www.voorbeeld.nl/\nhttps://shop.voorbeeld.nl/acties/",
        "target_order_value": "700",
        "target_on_time_delivery": "95",
        "target_nps": "60",
        "target_payment_on_time": "90",
        "debtor_name": "Tinnitracks BV",
        "debtor_iban": "NL91 ABNA 0417 1643 00",
        "debtor_bic": "abnanl2a",
    }
    data.update(changes)
    return data


def tier_data(org, rows):
    """The tier formset as posted: the existing tiers in order, then new rows."""
    tiers = list(Tier.objects.filter(organisation=org))
    data = {"part": "tiers", "tiers-TOTAL_FORMS": str(len(rows)), "tiers-INITIAL_FORMS": str(len(tiers))}
    data["tiers-MIN_NUM_FORMS"], data["tiers-MAX_NUM_FORMS"] = "0", "12"
    for i, row in enumerate(rows):
        if i < len(tiers):
            data[f"tiers-{i}-id"] = str(tiers[i].pk)
        name, threshold, discount, benefits, *delete = row
        data.update(
            {
                f"tiers-{i}-name": name,
                f"tiers-{i}-min_projects": str(threshold),
                f"tiers-{i}-discount_percent": discount,
                f"tiers-{i}-benefits": benefits,
            }
        )
        if delete:
            data[f"tiers-{i}-DELETE"] = "on"
    return data


def test_a_new_programme_starts_with_seed_004(org):
    programme = programme_for(org)
    assert (programme.referral_fee, programme.commission_percent) == (Decimal("50.00"), Decimal("10.00"))
    assert (programme.cookie_window_days, programme.minimum_payout, programme.hold_days) == (
        90,
        Decimal("50.00"),
        30,
    )
    assert [(t.name, t.min_projects, t.discount_percent) for t in tiers_of(org)] == [
        ("Bronze", 10, Decimal("5.00")),
        ("Silver", 25, Decimal("10.00")),
        ("Gold", 50, Decimal("15.00")),
        ("Platinum", 100, Decimal("20.00")),
    ]
    assert OnboardingStep.objects.filter(organisation=org).count() == 9
    assert programme_for(org) == programme  # once
    assert Tier.objects.filter(organisation=org).count() == 4


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, None), (9, None), (10, "Bronze"), (24, "Bronze"), (25, "Silver"), (49, "Silver"), (50, "Gold")]
    + [(99, "Gold"), (100, "Platinum"), (1000, "Platinum")],
)
def test_tier_for_count_at_the_boundaries(org, count, expected):
    tier = tier_for_count(tiers_of(org), count)
    assert (tier.name if tier else None) == expected


def test_cents_rounds_half_up():
    assert cents(Decimal("12.345")) == Decimal("12.35")
    assert cents(Decimal("12.344")) == Decimal("12.34")
    assert str(cents(Decimal("5"))) == "5.00"


def test_rules_are_saved_with_dutch_decimals_and_a_normalised_iban(manager_client, org):
    response = manager_client.post(
        settings_url(org), rules(commission_percent="12,5", minimum_payout="1.250,00")
    )
    assert response.status_code == 302
    programme = ProgrammeSettings.objects.get(organisation=org)
    assert programme.commission_percent == Decimal("12.50")
    assert programme.minimum_payout == Decimal("1250.00")
    assert (programme.debtor_iban, programme.debtor_bic) == ("NL91ABNA0417164300", "ABNANL2A")
    assert programme.landing_url_list == ["https://www.voorbeeld.nl/", "https://shop.voorbeeld.nl/acties/"]
    entry = AuditEntry.objects.get(organisation=org, object_type="affiliates.programmesettings")
    assert entry.changes["commission_percent"] == ["10.00", "12.50"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("debtor_iban", "NL91ABNA0417164301", "geen geldige IBAN"),
        ("debtor_bic", "XYZ", "geen geldige BIC"),
        ("landing_urls", "https://www.voorbeeld.nl/\njavascript:alert(1)", "javascript:alert(1)"),
        ("landing_urls", "https://www.voorbeeld.nl/?a=1", "https://www.voorbeeld.nl/?a=1"),
        ("landing_urls", "https://user@voorbeeld.nl/", "https://user@voorbeeld.nl/"),
        ("commission_percent", "101", "percentage van 0 tot en met 100"),
        ("commission_percent", "tien", "Vul een getal in"),
        ("cookie_window_days", "0", ""),
    ],
)
def test_bad_rules_are_refused_and_nothing_changes(manager_client, org, field, value, message):
    programme_for(org)
    response = manager_client.post(settings_url(org), rules(**{field: value}), HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 422
    assert message in response.content.decode()
    programme = ProgrammeSettings.objects.get(organisation=org)
    assert programme.debtor_iban == "" and programme.landing_urls == ""


def test_tiers_are_renamed_and_their_thresholds_shifted_without_tripping_the_unique_threshold(
    manager_client, org
):
    programme_for(org)
    rows = [
        ("Brons", 25, "5", "Logo"),
        ("Zilver", 50, "10", "Prioriteit"),
        ("Goud", 100, "15", "Contact"),
        ("Platina", 150, "20", "SLA"),
        ("Diamant", 300, "25", "Alles"),
    ]
    response = manager_client.post(settings_url(org), tier_data(org, rows))
    assert response.status_code == 302
    assert [(t.name, t.min_projects) for t in Tier.objects.filter(organisation=org)] == [
        ("Brons", 25),
        ("Zilver", 50),
        ("Goud", 100),
        ("Platina", 150),
        ("Diamant", 300),
    ]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [
                ("Bronze", 10, "5", ""),
                ("Silver", 10, "10", ""),
                ("Gold", 50, "15", ""),
                ("Platinum", 100, "20", ""),
            ],
            "Silver",
        ),
        (
            [
                ("Bronze", 30, "5", ""),
                ("Silver", 25, "10", ""),
                ("Gold", 50, "15", ""),
                ("Platinum", 100, "20", ""),
            ],
            "Silver",
        ),
        (
            [
                ("Bronze", 10, "5", ""),
                ("Silver", 25, "3", ""),
                ("Gold", 50, "15", ""),
                ("Platinum", 100, "20", ""),
            ],
            "Silver",
        ),
        (
            [
                ("Bronze", 10, "5", ""),
                ("Bronze", 25, "10", ""),
                ("Gold", 50, "15", ""),
                ("Platinum", 100, "20", ""),
            ],
            "",
        ),
        (
            [
                ("Bronze", 0, "5", ""),
                ("Silver", 25, "10", ""),
                ("Gold", 50, "15", ""),
                ("Platinum", 100, "20", ""),
            ],
            "",
        ),
    ],
)
def test_tiers_must_increase_and_nothing_changes_otherwise(manager_client, org, rows, message):
    programme_for(org)
    response = manager_client.post(settings_url(org), tier_data(org, rows))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert [t.min_projects for t in Tier.objects.filter(organisation=org)] == [10, 25, 50, 100]
    assert [t.discount_percent for t in Tier.objects.filter(organisation=org)] == [5, 10, 15, 20]


def test_a_tier_can_be_removed(manager_client, org):
    programme_for(org)
    rows = [
        ("Bronze", 10, "5", ""),
        ("Silver", 25, "10", ""),
        ("Gold", 50, "15", ""),
        ("Platinum", 100, "20", "", 1),
    ]
    assert manager_client.post(settings_url(org), tier_data(org, rows)).status_code == 302
    assert list(Tier.objects.filter(organisation=org).values_list("name", flat=True)) == [
        "Bronze",
        "Silver",
        "Gold",
    ]


def test_a_viewer_reads_but_cannot_change(viewer_client, org):
    assert viewer_client.get(settings_url(org)).status_code == 200
    assert viewer_client.post(settings_url(org), rules(commission_percent="50")).status_code == 403
    assert ProgrammeSettings.objects.get(organisation=org).commission_percent == Decimal("10.00")


def test_the_overview_shows_the_rules_and_the_tiers(manager_client, org):
    response = manager_client.get(reverse("affiliates:programme_home", args=[org.slug]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Platinum" in body and "100+" in body
