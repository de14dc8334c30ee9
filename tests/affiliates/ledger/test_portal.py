"""The affiliate portal /p/<token>/: only its own affiliate, 404 unknown, 410 withdrawn or expired (nothing
written), private headers, weekly figures from the database, materials of its own organisation only."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from affiliates.ledger import payouts
from affiliates.ledger.selectors import week_start, weekly_figures
from affiliates.models import (
    Asset,
    AssetAudience,
    AssetKind,
    CommissionStatus,
    PortalLink,
    Tier,
    TierStanding,
)
from affiliates.programme.charts import chart_context, chart_svg, nice_ceiling
from affiliates.programme.rules import programme_for
from tests.affiliates import factories_ledger as f


def portal_url(token):
    return reverse("portal", args=[token])


def asset_url(token, asset):
    return reverse("portal_asset", args=[token, asset.pk])


@pytest.fixture
def mine(org):
    aff = f.affiliate(org, name="Bouwblog Mijn", code="mijn-blog", coupon_code="MIJN10")
    _link, raw = f.portal_link(aff)
    return aff, raw


def test_portal_shows_its_own_affiliate(client, org, mine):
    aff, raw = mine
    programme_for(org)
    now = timezone.now()
    f.clicks(aff, [now - datetime.timedelta(days=1)] * 7)
    f.order(aff.partner, "250.00")
    f.line(aff.partner, "12.34", status=CommissionStatus.PENDING)
    f.line(aff.partner, "30.00")
    response = client.get(portal_url(raw))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bouwblog Mijn" in html
    assert "http://testserver/r/mijn-blog" in html and "MIJN10" in html
    assert "?to=/&amp;utm_source=" in html
    assert "12,34" in html and "30,00" in html
    assert response.context["totals"] == {"clicks": 7, "conversions": 1}
    assert "<svg" in html and 'role="img"' in html
    assert '<progress id="payout-progress" value="30.00" max="50.00">' in html
    assert "20,00" in html  # still to go to the minimum of 50


def test_portal_never_shows_another_affiliate(client, org, other_org, mine):
    aff, raw = mine
    neighbour = f.affiliate(org, name="Buurman Blog", code="buurman", coupon_code="BUURMAN")
    f.clicks(neighbour, [timezone.now()] * 40)
    f.line(neighbour.partner, "987.65")
    stranger = f.affiliate(other_org, name="Vreemde Vlogger", code="vreemd", coupon_code="VREEMD")
    f.line(stranger.partner, "555.55")
    f.clicks(aff, [timezone.now()] * 2)
    html = client.get(portal_url(raw)).content.decode()
    for secret in ("Buurman", "BUURMAN", "buurman", "987,65", "Vreemde", "VREEMD", "555,55"):
        assert secret not in html
    assert client.get(portal_url(raw)).context["totals"]["clicks"] == 2


def test_portal_headers_and_last_seen(client, mine):
    aff, raw = mine
    response = client.get(portal_url(raw))
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()
    assert PortalLink.objects.get(affiliate=aff).last_seen_at is not None


def test_unknown_token_is_404(client, mine):
    response = client.get(portal_url("niet-bestaand-token"))
    assert response.status_code == 404
    assert response["Cache-Control"] == "no-store"


def test_revoked_and_expired_are_410_and_write_nothing(client, org):
    aff = f.affiliate(org)
    revoked, revoked_raw = f.portal_link(aff, revoked=True)
    expired, expired_raw = f.portal_link(aff, days=-1)
    for link, raw in ((revoked, revoked_raw), (expired, expired_raw)):
        response = client.get(portal_url(raw))
        assert response.status_code == 410
        assert aff.partner.name not in response.content.decode()
        link.refresh_from_db()
        assert link.last_seen_at is None
    asset = Asset.objects.create(organisation=org, kind=AssetKind.TEXT_LINK, title="Tekst", text="x")
    assert client.get(asset_url(revoked_raw, asset)).status_code == 410


def test_portal_is_read_only(client, mine):
    _aff, raw = mine
    assert client.post(portal_url(raw)).status_code == 405


def test_tier_and_payouts_on_the_portal(client, org, mine):
    aff, raw = mine
    programme_for(org)
    gold = Tier.objects.get(organisation=org, name="Gold")
    TierStanding.objects.create(organisation=org, partner=aff.partner, tier=gold, project_count=55)
    f.line(aff.partner, "75.00")
    batch = payouts.payout_batch_create(organisation=org, month=datetime.date(2026, 1, 1)).batch
    response = client.get(portal_url(raw))
    html = response.content.decode()
    assert "Gold" in html and "15%" in html
    assert [p.amount for p in response.context["payouts"]] == [Decimal("75.00")]
    assert batch.payouts.get().partner == aff.partner


def test_own_rate_wins_over_the_programme_rate(client, org, mine):
    aff, raw = mine
    aff.commission_percent = Decimal("12.5")
    aff.save()
    assert client.get(portal_url(raw)).context["rate"] == Decimal("12.5")


def test_materials_for_affiliates_only_of_its_own_organisation(client, org, other_org, mine):
    _aff, raw = mine
    banner = Asset.objects.create(
        organisation=org, kind=AssetKind.BANNER, audience=AssetAudience.AFFILIATES, title="Banner 728x90"
    )
    banner.file.save("banner.png", ContentFile(b"\x89PNG\r\n\x1a\nfake"), save=True)
    banner.content_type = "image/png"
    banner.save()
    text = Asset.objects.create(
        organisation=org,
        kind=AssetKind.TEXT_LINK,
        audience=AssetAudience.BOTH,
        title="Tekstlink",
        text="Lees meer",
    )
    partners_only = Asset.objects.create(
        organisation=org,
        kind=AssetKind.PRICE_LIST,
        audience=AssetAudience.PARTNERS,
        title="Prijslijst",
        text="€",
    )
    theirs = Asset.objects.create(
        organisation=other_org,
        kind=AssetKind.TEXT_LINK,
        audience=AssetAudience.AFFILIATES,
        title="Hun",
        text="x",
    )
    html = client.get(portal_url(raw)).content.decode()
    assert "Banner 728x90" in html and "Lees meer" in html
    assert "Prijslijst" not in html and "Hun" not in html
    download = client.get(asset_url(raw, banner))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")
    assert download["Cache-Control"] == "no-store"
    text_download = client.get(asset_url(raw, text))
    assert text_download.status_code == 200 and text_download.content == b"Lees meer"
    assert client.get(asset_url(raw, partners_only)).status_code == 404
    assert client.get(asset_url(raw, theirs)).status_code == 404


def test_weekly_figures_group_by_week_in_the_database(org, django_assert_max_num_queries):
    aff = f.affiliate(org)
    today = datetime.date(2026, 3, 18)  # a Wednesday
    monday = datetime.date(2026, 3, 16)
    at = lambda day: timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))  # noqa: E731
    f.clicks(
        aff,
        [at(monday)] * 3
        + [at(monday - datetime.timedelta(days=1))] * 2
        + [at(monday - datetime.timedelta(weeks=12))],
    )
    f.order(aff.partner, "10", date=today)
    f.order(aff.partner, "10", date=monday - datetime.timedelta(weeks=11))
    f.order(aff.partner, "10", date=today, attribution="")  # not through the affiliate
    with django_assert_max_num_queries(4):  # the roll-up's mark, the days, the clicks since, the orders
        weeks = weekly_figures(aff, today=today)
    assert len(weeks) == 12
    assert weeks[-1] == {"week": monday, "clicks": 3, "conversions": 1}
    assert weeks[-2]["clicks"] == 2
    assert weeks[0] == {"week": monday - datetime.timedelta(weeks=11), "clicks": 0, "conversions": 1}
    assert sum(w["clicks"] for w in weeks) == 5


SAVEPOINTS = ("SAVEPOINT", "RELEASE SAVEPOINT")  # the cache's own transaction around its counter


def test_portal_is_cheap_with_many_clicks(client, org, mine):
    aff, raw = mine
    programme_for(org)
    now = timezone.now()
    f.clicks(aff, [now - datetime.timedelta(hours=i * 7) for i in range(2000)])
    # link, programme, the clicks' roll-up mark, days and clicks since by week, orders by week, balance,
    # payouts, materials, last seen; the rate limit's counter is not the portal's work (in the database
    # cache without Redis, in Redis in production).
    with CaptureQueriesContext(connection) as queries:
        response = client.get(portal_url(raw))
    portal_queries = [
        query["sql"]
        for query in queries.captured_queries
        if "partnerhub_ratelimit" not in query["sql"] and not query["sql"].startswith(SAVEPOINTS)
    ]
    assert len(portal_queries) <= 10, "\n".join(portal_queries)
    first = week_start(timezone.localdate()) - datetime.timedelta(weeks=11)
    moments = [now - datetime.timedelta(hours=i * 7) for i in range(2000)]
    assert response.context["totals"]["clicks"] == sum(1 for m in moments if timezone.localdate(m) >= first)


# --- the chart helper --------------------------------------------------------------------------------------


def test_chart_scales_to_a_round_top_and_never_localises_coordinates(settings):
    settings.LANGUAGE_CODE = "nl"
    context = chart_context(
        [("Klikken", [("1 mrt", 3), ("8 mrt", 17.5)]), ("Orders", [("1 mrt", 1), ("8 mrt", 0)])], title="T"
    )
    assert [line["label"] for line in context["grid"]] == ["0", "10", "20"]
    bars = context["series"][0]["marks"]
    assert all("," not in bar[key] for bar in bars for key in ("x", "y", "width", "height"))
    assert float(bars[1]["height"]) > float(bars[0]["height"])
    assert (
        nice_ceiling(0) == 2 and nice_ceiling(101) == 200 and nice_ceiling(7) == 10 and nice_ceiling(3) == 4
    )


def test_chart_svg_draws_every_point_with_its_value():
    svg = chart_svg([("Klikken", [(f"w{i}", i) for i in range(12)])], title="Twaalf weken", kind="line")
    assert svg.startswith("{% comment %}") is False and "<svg" in svg
    assert svg.count("<circle") == 12 and "<polyline" in svg
    assert "Klikken, w11: 11" in svg
    assert 'aria-label="Twaalf weken"' in svg
