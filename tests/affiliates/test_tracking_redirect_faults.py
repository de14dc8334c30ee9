"""/r/<code> without the database: the visitor always lands (the link's last known landing page, else the
organisation's home, else the installation's fallback), quickly, and the click that could not be stored is
logged for a replay. Never an error page.

The project runs on gunicorn in another process (tests/database_faults.py). Without a working database
behind it (a socket that never answers, or a closed port) it runs on SQLite and Postgres alike; the last
known landing needs the server to meet a working database first, through a proxy that is then switched to
"never answers" and "refuses": that part needs Postgres.
"""

import json
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


@pytest.fixture(scope="module")
def database():
    database = FaultyDatabase(target=None, mode="blackhole")
    yield database
    database.close()


@pytest.fixture(scope="module")
def server(database, tmp_path_factory):
    url = f"postgres://postgres@127.0.0.1:{database.port}/partnerhub"
    log = tmp_path_factory.mktemp("server") / "gunicorn.log"
    with serving(database_url=url, log_path=log, env={"AFFILIATE_FALLBACK_URL": FALLBACK}) as server:
        yield server


@pytest.mark.parametrize("fault", ["blackhole", "refuse"])
def test_unknown_link_leads_to_the_fallback_and_logs_the_click(database, server, fault):
    database.switch(fault)

    response = server.get("/r/blogger-nieuw?to=/acties/&utm_source=blog", headers=BROWSER)

    assert response.status == 302
    assert response.getheader("Location") == FALLBACK
    missed = missed_clicks(server)[-1]
    assert missed["code"] == "blogger-nieuw"
    assert missed["landing"] == FALLBACK
    assert missed["at"]
    assert missed["source_hash"]


def test_a_bot_is_sent_on_without_a_missed_click(database, server):
    database.switch("refuse")
    before = len(missed_clicks(server))

    response = server.get("/r/blogger-bot", headers={"User-Agent": "Googlebot/2.1"})

    assert response.status == 302
    assert response.getheader("Location") == FALLBACK
    assert len(missed_clicks(server)) == before


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
        with serving(
            database_url=url, log_path=tmp_path / "gunicorn.log", env={"AFFILIATE_FALLBACK_URL": FALLBACK}
        ) as server:
            # With the database: the click is stored and the landing page remembered.
            first = server.get(f"/r/blogger-anna?to={SHOP}", headers=BROWSER)
            assert first.status == 302
            assert first.getheader("Location").startswith(f"{SHOP}?ph_click=")
            assert Click.objects.count() == 1

            for fault in ("blackhole", "refuse"):
                proxy.switch(fault)

                to_shop = server.get(f"/r/blogger-anna?to={SHOP}&utm_source=blog", headers=BROWSER)
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
                assert missed[-3]["landing"] == SHOP
                assert missed[-3]["utm"] == {"utm_source": "blog"}
                assert [click["landing"] for click in missed[-2:]] == [HOME, HOME]

            assert Click.objects.count() == 1

            # The database is back: clicks are stored again.
            proxy.switch("forward")
            back = server.get(f"/r/blogger-anna?to={SHOP}", headers={"User-Agent": "Mozilla/5.0 Safari/605"})
            assert back.getheader("Location").startswith(f"{SHOP}?ph_click=")
            assert Click.objects.count() == 2
    finally:
        proxy.close()
