from tests.factories import PartnerFactory


def test_it_draws_partners_by_status_and_category(manager_client, org):
    PartnerFactory.create_batch(3, organisation=org, status="active", category="fund")
    PartnerFactory(organisation=org, status="prospect", category="insurer")
    response = manager_client.get(f"/o/{org.slug}/")
    html = response.content.decode()
    assert "<svg" in html
    counts = response.context["counts"]
    assert ("active", 3) in [(value, n) for value, _label, n in counts["status"]]
    assert [bar["count"] for bar in response.context["category_chart"]["bars"]] == [1, 3]


def test_it_lists_recent_changes(manager_client, org):
    manager_client.post(
        f"/o/{org.slug}/partners/new/", {"name": "Sennheiser", "category": "supplier", "status": "active"}
    )
    html = manager_client.get(f"/o/{org.slug}/").content.decode()
    assert "Sennheiser" in html and "audit-list" in html


def test_a_new_organisation_gets_a_welcome(manager_client, org):
    html = manager_client.get(f"/o/{org.slug}/").content.decode()
    assert "empty-state" in html and "<svg" not in html


def test_home_sends_a_member_to_their_dashboard(manager_client, org):
    assert manager_client.get("/")["Location"] == f"/o/{org.slug}/"


def test_home_sends_visitors_to_login(client):
    assert client.get("/")["Location"].startswith("/accounts/login/")
