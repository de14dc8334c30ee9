from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerhub.models import Partner
from tests.factories import ContactFactory, PartnerFactory


def url(org, query=""):
    return f"/o/{org.slug}/partners/{query}"


def test_it_lists_the_organisations_partners_only(manager_client, org, other_org):
    PartnerFactory(organisation=org, name="Sennheiser")
    PartnerFactory(organisation=other_org, name="Geheim BV")
    html = manager_client.get(url(org)).content.decode()
    assert "Sennheiser" in html
    assert "Geheim BV" not in html


def test_it_searches_name_kvk_and_contacts(manager_client, org):
    PartnerFactory(organisation=org, name="Sennheiser", kvk_number="12345678")
    ContactFactory(partner=PartnerFactory(organisation=org, name="KNO arts"), name="Dr. Jansen")
    PartnerFactory(organisation=org, name="Zorgverzekeringen")
    assert _names(manager_client.get(url(org, "?q=senn"))) == ["Sennheiser"]
    assert _names(manager_client.get(url(org, "?q=345678"))) == ["Sennheiser"]
    assert _names(manager_client.get(url(org, "?q=jansen"))) == ["KNO arts"]


def test_htmx_search_returns_only_the_results_fragment(manager_client, org):
    PartnerFactory(organisation=org, name="Sennheiser")
    response = manager_client.get(url(org, "?q=senn"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "Sennheiser" in html
    assert "<html" not in html and 'role="search"' not in html


def test_it_filters_by_category_and_status(manager_client, org):
    PartnerFactory(organisation=org, name="Fonds", category="fund", status="active")
    PartnerFactory(organisation=org, name="Verzekeraar", category="insurer", status="prospect")
    assert _names(manager_client.get(url(org, "?category=fund"))) == ["Fonds"]
    assert _names(manager_client.get(url(org, "?status=prospect"))) == ["Verzekeraar"]
    assert _names(manager_client.get(url(org, "?category=nonsense"))) == ["Fonds", "Verzekeraar"]


def test_it_sorts(manager_client, org):
    PartnerFactory(organisation=org, name="A", influence=1)
    PartnerFactory(organisation=org, name="B", influence=5)
    assert _names(manager_client.get(url(org, "?sort=-name"))) == ["B", "A"]
    assert _names(manager_client.get(url(org, "?sort=radar"))) == ["B", "A"]


def test_it_paginates(manager_client, org, settings):
    settings.PARTNERS_PER_PAGE = 2
    for name in "ABCDE":
        PartnerFactory(organisation=org, name=name)
    assert _names(manager_client.get(url(org, "?page=2"))) == ["C", "D"]
    assert _names(manager_client.get(url(org, "?page=99"))) == ["E"]


def test_it_shows_an_empty_state(manager_client, org):
    html = manager_client.get(url(org)).content.decode()
    assert f"/o/{org.slug}/partners/new/" in html
    assert "<table" not in html


def test_same_number_of_queries_for_10_and_200_partners(manager_client, org, settings):
    settings.PARTNERS_PER_PAGE = 500
    counts = []
    for total in (10, 200):
        Partner.objects.filter(organisation=org).delete()
        for partner in PartnerFactory.create_batch(total, organisation=org):
            ContactFactory(partner=partner)
        manager_client.get(url(org))  # the first visit also stores the session; count a normal one
        with CaptureQueriesContext(connection) as queries:
            assert len(_names(manager_client.get(url(org)))) == total
        counts.append(len(queries))
    assert counts[0] == counts[1]


def _names(response):
    assert response.status_code == 200
    return [partner.name for partner in response.context["page"]]
