"""/r/<code>: the landing page is always one of the organisation's (no open redirect for any value tried),
UTM passed on and recorded, ph_click appended, one click per source within seconds, frames and bots not
counted, unknown and inactive codes redirect without a click, and the whole costs two queries."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from affiliates.models import Click
from affiliates.tracking import clicks
from tests.affiliates.factories_tracking import HOME, affiliate_for, programme_with_landings

UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


@pytest.fixture
def affiliate(org):
    programme_with_landings(org)
    return affiliate_for(org, code="blogger-anna")


def follow(client, code="blogger-anna", ua=UA, **params):
    return client.get(reverse("affiliate_redirect", args=[code]), params, HTTP_USER_AGENT=ua)


def location(response):
    assert response.status_code == 302
    return response.headers["Location"]


def strip_click(url):
    parts = urlsplit(url)
    query = "&".join(pair for pair in parts.query.split("&") if not pair.startswith("ph_click="))
    return parts._replace(query=query).geturl()


OPEN_REDIRECTS = [
    "//evil.com",
    "//evil.com/acties/",
    "///evil.com",
    "////evil.com",
    "/\\evil.com",
    "\\\\evil.com",
    "\\/evil.com",
    "https:evil.com",
    "https:/evil.com",
    "https:///evil.com",
    "http://evil.com",
    "https://evil.com/",
    "https://www.voorbeeld.nl@evil.com/",
    "https://www.voorbeeld.nl:443@evil.com/",
    "https://user:pw@www.voorbeeld.nl/",
    "https://www.voorbeeld.nl.evil.com/",
    "https://evil.com/www.voorbeeld.nl/",
    "https://evil.com?https://www.voorbeeld.nl/",
    "https://evil.com#https://www.voorbeeld.nl/",
    "https://www.voorbeeld.nl\\@evil.com/",
    "https://www.voorbeeld.nl%40evil.com/",
    "https://www.voorbeeld.nl%2F@evil.com",
    "https://www.voorbeeld.nl%2eevil.com/",
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "javascript://www.voorbeeld.nl/%0aalert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "ftp://www.voorbeeld.nl/",
    "%2F%2Fevil.com",
    "/%2F%2Fevil.com",
    "/%2f%2fevil.com",
    "/%5Cevil.com",
    "/%5c%5cevil.com",
    "/acties/%2e%2e/%2e%2e/admin",
    "/\r\nLocation: https://evil.com",
    "/acties\r\nSet-Cookie: x=1",
    "/%0d%0aLocation:%20https://evil.com",
    "\t//evil.com",
    "/\t/evil.com",
    " //evil.com",
    "//evil.com ",
    "\x00//evil.com",
    "/\x00/evil.com",
    "https://evil。com/",
    "https://www.voorbeeld。nl/",
    "https://www.voorbeeld.nl。evil.com/",
    "//evil%E3%80%82com",
    "https://www.ｖoorbeeld.nl/",
    "/../evil.com",
    "/acties/../../evil",
    "/./evil",
    "https://shop.voorbeeld.nl/acties/../admin/",
    "https://shop.voorbeeld.nl/acties/%2e%2e/admin/",
    "https://shop.voorbeeld.nl/",
    "https://shop.voorbeeld.nl/actiesevil/",
    "https://shop.voorbeeld.nl/admin",
    "http://www.voorbeeld.nl/",
    "https://www.voorbeeld.nl:8443/",
    "https://[::1]/",
    "https://127.0.0.1/",
    "evil.com",
    "www.voorbeeld.nl/",
    "https://" + "a" * 3000 + ".com/",
    "/" + "a" * 3000,
    "https://www.voorbeeld.nl/" + "a" * 3000,
    "<script>alert(1)</script>",
    '/"><script>alert(1)</script>',
    "https://www.voorbeeld.nl/\\evil.com",
    "https://www.voorbeeld.nl//evil.com",
]


@pytest.mark.parametrize("landing", OPEN_REDIRECTS)
def test_no_open_redirect(client, affiliate, landing):
    target = location(follow(client, to=landing))
    parts = urlsplit(target)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.voorbeeld.nl", "/")
    assert set(parse_qs(parts.query)) == {"ph_click"}


@pytest.mark.parametrize(
    "landing, expected",
    [
        ("/", "https://www.voorbeeld.nl/"),
        ("/producten/koptelefoon?kleur=zwart", "https://www.voorbeeld.nl/producten/koptelefoon?kleur=zwart"),
        ("https://www.voorbeeld.nl/over-ons", "https://www.voorbeeld.nl/over-ons"),
        ("HTTPS://WWW.Voorbeeld.NL/over-ons", "https://www.voorbeeld.nl/over-ons"),
        ("https://shop.voorbeeld.nl/acties/", "https://shop.voorbeeld.nl/acties/"),
        ("https://shop.voorbeeld.nl/acties/zomer#kopen", "https://shop.voorbeeld.nl/acties/zomer#kopen"),
        ("/%C3%A9t%C3%A9", "https://www.voorbeeld.nl/%C3%A9t%C3%A9"),
    ],
)
def test_allowed_landing_pages(client, affiliate, landing, expected):
    target = location(follow(client, to=landing))
    assert len(parse_qs(urlsplit(target).query)["ph_click"][0]) == 32
    assert strip_click(target) == expected


def test_prefix_without_slash_matches_on_a_segment_boundary(org):
    programme = programme_with_landings(org, home="", landings="https://shop.voorbeeld.nl/acties")
    assert clicks.landing_check(programme, "https://shop.voorbeeld.nl/acties")
    assert clicks.landing_check(programme, "https://shop.voorbeeld.nl/acties/zomer")
    assert clicks.landing_check(programme, "/acties/zomer") == "https://shop.voorbeeld.nl/acties/zomer"
    assert clicks.landing_check(programme, "https://shop.voorbeeld.nl/actiesvoorbij") is None
    assert clicks.landing_default(programme) == "https://shop.voorbeeld.nl/acties"


def test_utm_is_passed_on_and_recorded(client, affiliate):
    utm = {
        "utm_source": "blog",
        "utm_medium": "affiliate",
        "utm_campaign": "voorjaar 2026",
        "utm_term": "koptelefoon",
        "utm_content": "banner-728",
    }
    target = location(follow(client, to="/acties/?utm_source=oud&kleur=rood", **utm))
    query = parse_qs(urlsplit(target).query)
    click = Click.objects.get()
    assert {name: query[name] for name in utm} == {name: [value] for name, value in utm.items()}
    assert query["kleur"] == ["rood"]  # the landing page's own parameters stay
    assert query["ph_click"] == [click.click_id]
    assert {name: getattr(click, name) for name in utm} == utm
    assert click.landing == "https://www.voorbeeld.nl/acties/?utm_source=oud&kleur=rood"
    assert (click.affiliate, click.organisation) == (affiliate, affiliate.organisation)


def test_click_keeps_no_ip_address(client, affiliate):
    client.get(
        reverse("affiliate_redirect", args=["blogger-anna"]), HTTP_USER_AGENT=UA, REMOTE_ADDR="203.0.113.99"
    )
    click = Click.objects.get()
    values = [str(getattr(click, field.attname)) for field in Click._meta.concrete_fields]
    assert not any("203.0.113.99" in value for value in values)
    assert (
        click.source_hash == clicks.source_hash("203.0.113.99", UA) != clicks.source_hash("203.0.113.98", UA)
    )
    assert click.user_agent == UA


def test_repeated_clicks_within_seconds_count_once(client, affiliate):
    first = parse_qs(urlsplit(location(follow(client))).query)["ph_click"]
    second = parse_qs(urlsplit(location(follow(client, utm_source="twee"))).query)["ph_click"]
    assert first == second
    assert Click.objects.count() == 1


def test_dedup_is_per_source_and_per_bucket(affiliate):
    moment = timezone.now().replace(microsecond=0)
    start = moment - datetime.timedelta(seconds=int(moment.timestamp()) % clicks.DEDUP_SECONDS)
    record = lambda ip, at: clicks.click_record(  # noqa: E731
        affiliate=affiliate, ip=ip, user_agent=UA, landing=HOME, utm={}, now=at
    )
    a = record("192.0.2.1", start)
    assert record("192.0.2.1", start + datetime.timedelta(seconds=clicks.DEDUP_SECONDS - 1)) == a
    assert Click.objects.count() == 1
    record("192.0.2.2", start)  # another visitor
    later = record("192.0.2.1", start + datetime.timedelta(seconds=clicks.DEDUP_SECONDS))  # the next bucket
    assert later != a
    assert Click.objects.count() == 3


def test_a_click_from_inside_a_frame_is_not_counted(client, affiliate):
    response = client.get(
        reverse("affiliate_redirect", args=["blogger-anna"]),
        {"to": "/acties/", "utm_source": "blog"},
        HTTP_USER_AGENT=UA,
        HTTP_SEC_FETCH_DEST="iframe",
    )
    target = location(response)
    assert "ph_click" not in target
    assert target == "https://www.voorbeeld.nl/acties/?utm_source=blog"
    assert Click.objects.count() == 0


@pytest.mark.parametrize("ua", ["", "Slackbot-LinkExpanding 1.0", "facebookexternalhit/1.1", "Googlebot/2.1"])
def test_link_previews_and_bots_are_not_counted(client, affiliate, ua):
    assert "ph_click" not in location(follow(client, ua=ua))
    assert Click.objects.count() == 0


def test_head_request_is_not_counted(client, affiliate):
    response = client.head(reverse("affiliate_redirect", args=["blogger-anna"]), HTTP_USER_AGENT=UA)
    assert response.status_code == 302
    assert Click.objects.count() == 0


def test_post_is_refused(client, affiliate):
    assert client.post(reverse("affiliate_redirect", args=["blogger-anna"])).status_code == 405


@pytest.mark.parametrize("code", ["onbekend", "x", "BLOGGER-ANNA-X", "..", "a" * 100, "%00"])
def test_unknown_code_redirects_to_the_fallback(client, affiliate, code, settings):
    assert location(follow(client, code=code)) == "/r/"  # PartnerHub's neutral page, not the login
    settings.AFFILIATE_FALLBACK_URL = "https://partnerhub.example/"
    assert location(follow(client, code=code, to="/acties/")) == "https://partnerhub.example/"
    assert Click.objects.count() == 0


def test_code_is_case_insensitive_and_takes_a_trailing_slash(client, affiliate):
    assert "ph_click" in location(client.get("/r/Blogger-Anna/", HTTP_USER_AGENT=UA))


def test_inactive_affiliate_goes_to_the_organisation_home_page(client, affiliate):
    affiliate.is_active = False
    affiliate.save()
    assert location(follow(client, to="/acties/")) == HOME
    assert Click.objects.count() == 0


def test_without_landing_pages_the_link_goes_to_the_fallback(client, org):
    affiliate_for(org, code="zonder-site")
    target = location(follow(client, code="zonder-site", to="https://evil.com/"))
    assert urlsplit(target).path == "/r/" and not urlsplit(target).netloc  # nowhere to land: the neutral page


def test_the_response_is_not_cached_and_hides_the_referrer_path(client, affiliate):
    response = follow(client)
    assert response.status_code == 302
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_a_click_costs_one_insert_once_its_link_is_known(client, affiliate, django_assert_num_queries):
    with django_assert_num_queries(2):  # the lookup, the insert (the clicks written at once, as in tests)
        follow(client, to="/acties/", utm_source="blog")
    with django_assert_num_queries(1):  # a duplicate, the link remembered by the process: the insert only
        follow(client, to="/acties/", utm_source="blog")
    with django_assert_num_queries(0):  # a frame: no click, and the link is known
        client.get(
            reverse("affiliate_redirect", args=["blogger-anna"]),
            HTTP_USER_AGENT=UA,
            HTTP_SEC_FETCH_DEST="iframe",
        )
    with django_assert_num_queries(0):  # a code that cannot exist is not even looked up
        follow(client, code="!")
    assert Click.objects.count() == 1


def test_without_the_link_memory_every_click_looks_its_link_up(
    client, affiliate, settings, django_assert_num_queries
):
    settings.AFFILIATE_LINK_MEMORY_SECONDS = 0
    for _ in range(2):
        with django_assert_num_queries(2):
            follow(client, to="/acties/", utm_source="blog")


def test_a_change_to_a_link_is_followed_at_once_by_the_process_that_made_it(client, affiliate):
    assert "ph_click=" in location(follow(client, to="/acties/"))
    affiliate.is_active = False
    affiliate.save()
    # An inactive affiliate: its default landing page, no click.
    assert location(follow(client, to="/acties/")) == "https://www.voorbeeld.nl/"
    affiliate.is_active = True
    affiliate.save()
    programme = affiliate.organisation.programme_settings
    programme.landing_urls = "https://www.voorbeeld.nl/"
    programme.save()
    # The shop's other landing page is no longer allowed: the default landing page instead.
    refused = follow(client, ua="Mozilla/5.0 Firefox/128.0", to="https://shop.voorbeeld.nl/acties/")
    assert location(refused).startswith("https://www.voorbeeld.nl/?ph_click=")
    assert Click.objects.count() == 2


def test_proxy_address_is_taken_from_the_trusted_proxies(client, affiliate, settings):
    def click_from(visitor):
        url = reverse("affiliate_redirect", args=["blogger-anna"])
        forwarded = f"1.2.3.4, {visitor}"
        client.get(url, HTTP_USER_AGENT=UA, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
        return Click.objects.order_by("-pk").first().source_hash

    assert click_from("198.51.100.7") == clicks.source_hash("10.0.0.1", UA)
    settings.TRUSTED_PROXIES = 1
    assert click_from("198.51.100.8") == clicks.source_hash("198.51.100.8", UA)


@pytest.mark.parametrize(
    ("landing", "utm"),
    [
        ("https://shop.voorbeeld.nl/a/?a=1&utm_source=oud#deel", {"utm_source": "x&y", "utm_medium": "é"}),
        ("https://www.voorbeeld.nl/", {}),
        ("/", {"utm_term": "a b"}),
        ("https://www.voorbeeld.nl/?ph_click=oud", {"utm_campaign": "0phclick0place0_"}),
    ],
)
def test_the_remembered_landing_url_is_the_one_built_the_long_way(landing, utm):
    """The click id goes into a landing URL remembered per landing page and UTM parameters: the same URL as
    the one parsed and encoded for every click."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    click_id = clicks.click_id_for(7, "bron", 42)
    parts = urlsplit(landing)
    ours = {**utm, "ph_click": click_id}
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ours]
    expected = urlunsplit(parts._replace(query=urlencode(kept + list(ours.items()))))
    for _ in range(2):  # built, then remembered
        assert clicks.landing_with(landing, utm=utm, click_id=click_id) == expected


def test_an_unknown_link_ends_on_a_neutral_page_not_the_login(client, affiliate, django_assert_num_queries):
    """A shop's visitor with a mistyped or retired link: a page that says so (in Dutch, PartnerHub's default),
    without PartnerHub's menu or login, made without the database (it is also where links lead while the
    database is away)."""
    with django_assert_num_queries(1):  # the code's lookup; the page asks nothing
        response = client.get(reverse("affiliate_redirect", args=["bestaat-niet"]), follow=True)
    assert response.redirect_chain == [("/r/", 302)]
    assert response.status_code == 404
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    page = response.text
    assert "Deze link werkt niet" in page
    assert reverse("login") not in page and 'name="password"' not in page
