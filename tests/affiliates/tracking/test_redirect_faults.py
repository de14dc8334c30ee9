"""/r/<code> without the database: the visitor always lands (the link's last known landing page, else the
organisation's home, else the installation's fallback), quickly, and the click that could not be stored is
logged for a replay. Never an error page.

The project runs on gunicorn in another process (tests/database_faults.py). Without a working database
behind it (a socket that never answers, or a closed port) it runs on SQLite and Postgres alike; the last
known landing needs the server to meet a working database first, through a proxy that is then switched to
"never answers" and "refuses": that part needs Postgres.
"""

import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection

from affiliates.models import Click
from tests.affiliates.factories_tracking import HOME, affiliate_for, programme_with_landings
from tests.database_faults import FaultyDatabase, postgres_url, serving

FALLBACK = "https://www.partnerhub.example/geen-link"
BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"}
SHOP = "https://shop.voorbeeld.nl/acties/zomer"


def missed_clicks(server):
    """The missed clicks the server logged, as dicts."""
    marker = "Click not recorded: "
    lines = [line for line in server.log().splitlines() if marker in line]
    return [json.loads(line.split(marker, 1)[1]) for line in lines]


PAUSED = "database left alone"
# The redirect leaves an unavailable database alone for a moment (10 s by default); shorter here, where the
# installation reads it from the environment.
ENV = {"AFFILIATE_FALLBACK_URL": FALLBACK, "AFFILIATE_DATABASE_PAUSE_SECONDS": "2"}
# Each click inserted before the redirect answers, each link looked up on every click: the path of an
# installation without the click buffer and the link memory (those two are tested without the database in
# test_click_buffer.py).
AT_ONCE = {**ENV, "AFFILIATE_CLICK_WRITE_SECONDS": "0", "AFFILIATE_LINK_MEMORY_SECONDS": "0"}


def until_the_database_is_tried(server, target, code, *, within=60):
    """Follow `target` until the server tried the database again (its pause after a failure is over), and
    return that answer."""
    deadline = time.monotonic() + within
    while True:
        response = server.get(target, headers=BROWSER)
        latest = [click for click in missed_clicks(server) if click["code"] == code][-1]
        if PAUSED not in latest["error"] or time.monotonic() > deadline:
            return response
        time.sleep(0.5)


@pytest.mark.parametrize("fault", ["blackhole", "refuse"])
def test_unknown_link_leads_to_the_fallback_and_logs_the_click(fault, tmp_path):
    database = FaultyDatabase(mode=fault)
    url = f"postgres://postgres@127.0.0.1:{database.port}/partnerhub"
    try:
        with serving(database_url=url, log_path=tmp_path / "gunicorn.log", env=ENV) as server:
            first = server.get("/r/blogger-nieuw?to=/acties/&utm_source=blog", headers=BROWSER)
            second = server.get("/r/blogger-nieuw", headers={"User-Agent": "Mozilla/5.0 Safari/605"})
            bot = server.get("/r/blogger-nieuw", headers={"User-Agent": "Googlebot/2.1"})

            missed = missed_clicks(server)
    finally:
        database.close()

    assert [first.status, second.status, bot.status] == [302, 302, 302]
    assert {first.getheader("Location"), second.getheader("Location"), bot.getheader("Location")} == {
        FALLBACK
    }
    assert len(missed) == 2  # the bot is sent on, not counted
    assert [click["code"] for click in missed] == ["blogger-nieuw", "blogger-nieuw"]
    assert [click["landing"] for click in missed] == [FALLBACK, FALLBACK]
    assert all(click["at"] and click["source_hash"] for click in missed)
    assert missed[0]["source_hash"] != missed[1]["source_hash"]
    assert PAUSED not in missed[0]["error"]
    assert PAUSED in missed[1]["error"]  # the second visitor did not wait for the database


@pytest.fixture
def shop_link(org):
    programme_with_landings(org)
    return affiliate_for(org, code="blogger-anna")


@pytest.mark.django_db(transaction=True)
def test_link_leads_to_its_last_known_landing_while_the_database_is_away(shop_link, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the server process meets the test database through a proxy: needs Postgres")
    settings = connection.settings_dict
    proxy = FaultyDatabase(target=(settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432)))
    url = postgres_url(settings, port=proxy.port)
    try:
        with serving(database_url=url, log_path=tmp_path / "gunicorn.log", env=AT_ONCE) as server:
            # With the database: the click is stored and the landing page remembered.
            first = server.get(f"/r/blogger-anna?to={SHOP}", headers=BROWSER)
            assert first.status == 302
            assert first.getheader("Location").startswith(f"{SHOP}?ph_click=")
            assert Click.objects.count() == 1

            for fault in ("blackhole", "refuse"):
                proxy.switch(fault)

                to_shop = until_the_database_is_tried(
                    server, f"/r/blogger-anna?to={SHOP}&utm_source=blog", "blogger-anna"
                )
                home = server.get("/r/blogger-anna", headers=BROWSER)
                refused_page = server.get("/r/blogger-anna?to=https://elders.example/", headers=BROWSER)
                unknown = server.get("/r/blogger-onbekend", headers=BROWSER)

                assert to_shop.status == 302
                landing = urlsplit(to_shop.getheader("Location"))
                assert f"{landing.scheme}://{landing.netloc}{landing.path}" == SHOP
                assert parse_qs(landing.query) == {"utm_source": ["blog"]}  # no ph_click: nothing stored
                assert home.getheader("Location") == HOME
                assert refused_page.getheader("Location") == HOME
                assert unknown.getheader("Location") == FALLBACK
                missed = [click for click in missed_clicks(server) if click["code"] == "blogger-anna"]
                assert PAUSED not in missed[-3]["error"], missed[-3]
                assert missed[-3]["landing"] == SHOP
                assert missed[-3]["utm"] == {"utm_source": "blog"}
                assert [click["landing"] for click in missed[-2:]] == [HOME, HOME]

            assert Click.objects.count() == 1

            # The database is back: clicks are stored again.
            proxy.switch("forward")
            deadline = time.monotonic() + 60
            while True:
                back = server.get(
                    f"/r/blogger-anna?to={SHOP}", headers={"User-Agent": "Mozilla/5.0 Safari/605"}
                )
                if "ph_click=" in back.getheader("Location") or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            assert back.getheader("Location").startswith(f"{SHOP}?ph_click=")
            assert Click.objects.count() == 2
    finally:
        proxy.close()
