"""API keys in the settings (shown once, kept hashed, revoked with confirmation; owners and managers only)
and the tracking help page."""

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from affiliates.models import ApiKey
from partnerhub.models import AuditEntry
from partnerhub.tokens import token_hash
from tests.affiliates.factories_tracking import affiliate_for, api_key_for, programme_with_landings


def list_url(org):
    return reverse("affiliates:api_key_list", args=[org.slug])


def revoke_url(org, api_key):
    return reverse("affiliates:api_key_revoke", args=[org.slug, api_key.pk])


def test_a_new_key_is_shown_once_and_kept_hashed(manager_client, org, manager):
    response = manager_client.post(list_url(org), {"name": "Webshop"})
    assert response.status_code == 302
    api_key = ApiKey.objects.get()
    page = manager_client.get(list_url(org)).content.decode()
    raw = page.split('id="api-key-value"')[0].rsplit('value="', 1)[1].split('"')[0]
    assert raw.startswith(api_key.prefix) and token_hash(raw) == api_key.key_hash
    assert (api_key.name, api_key.organisation, api_key.created_by) == ("Webshop", org, manager)
    assert raw not in manager_client.get(list_url(org)).content.decode()  # once
    assert AuditEntry.objects.filter(object_type="affiliates.apikey", object_id=api_key.pk).exists()


def test_the_key_works_for_the_api_right_away(manager_client, client, org):
    manager_client.post(list_url(org), {"name": "Webshop"})
    page = manager_client.get(list_url(org)).content.decode()
    raw = page.split('id="api-key-value"')[0].rsplit('value="', 1)[1].split('"')[0]
    response = client.get("/api/v1/conversions/onbekend", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 404  # authenticated; the order does not exist


def test_a_key_needs_a_name(manager_client, org):
    response = manager_client.post(list_url(org), {"name": "   "})
    assert response.status_code == 422
    assert "Geef de sleutel een naam" in response.content.decode()
    assert not ApiKey.objects.exists()


def test_the_list_shows_prefixes_never_hashes(viewer_client, org):
    api_key, raw = api_key_for(org, name="CRM")
    page = viewer_client.get(list_url(org)).content.decode()
    assert "CRM" in page and f"{api_key.prefix}…" in page
    assert api_key.key_hash not in page and raw not in page
    assert 'name="name"' not in page  # a viewer gets no form


def test_the_list_takes_the_same_queries_for_many_keys(manager_client, org, django_assert_max_num_queries):
    api_key_for(org)
    manager_client.get(list_url(org))
    with django_assert_max_num_queries(12) as few:
        manager_client.get(list_url(org))
    for n in range(30):
        api_key_for(org, name=f"Sleutel {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        manager_client.get(list_url(org))


def test_a_viewer_cannot_make_or_revoke_keys(viewer_client, org):
    api_key, _raw = api_key_for(org)
    assert viewer_client.post(list_url(org), {"name": "Webshop"}).status_code == 403
    assert viewer_client.post(revoke_url(org, api_key)).status_code == 403
    assert ApiKey.objects.count() == 1
    assert ApiKey.objects.get().revoked_at is None


def test_revoking_asks_first_then_revokes(manager_client, client, org):
    api_key, raw = api_key_for(org)
    confirm = manager_client.get(revoke_url(org, api_key))
    assert confirm.status_code == 200 and "Ja, intrekken" in confirm.content.decode()
    assert ApiKey.objects.get().revoked_at is None
    response = manager_client.post(revoke_url(org, api_key))
    assert response.status_code == 302
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    assert client.get("/api/v1/conversions/x", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    first = api_key.revoked_at
    manager_client.post(revoke_url(org, api_key))  # twice: nothing changes
    api_key.refresh_from_db()
    assert api_key.revoked_at == first


def test_another_organisations_key_is_404(manager_client, org, other_org):
    foreign, _raw = api_key_for(other_org)
    assert manager_client.get(revoke_url(org, foreign)).status_code == 404
    assert manager_client.post(revoke_url(org, foreign)).status_code == 404
    foreign.refresh_from_db()
    assert foreign.revoked_at is None


def test_revoke_rejects_put(manager_client, org):
    api_key, _raw = api_key_for(org)
    assert manager_client.put(revoke_url(org, api_key)).status_code == 405


# ------------------------------------------------------------------------------------------ help page


def test_the_help_page_explains_link_snippet_and_api(viewer_client, org):
    programme_with_landings(org)
    affiliate_for(org, code="blogger-anna", coupon_code="ANNA10")
    response = viewer_client.get(reverse("affiliates:tracking_help", args=[org.slug]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "http://testserver/r/blogger-anna" in page
    assert "utm_source=blog" in page
    assert "http://testserver/static/affiliates/ph-click-1.0.0.js" in page
    assert 'data-days="90"' in page
    assert "PartnerHub.consent()" in page and "PartnerHub.clickId()" in page
    assert "curl -X POST http://testserver/api/v1/conversions" in page
    assert "Idempotency-Key" in page and "ANNA10" in page
    assert "http://testserver/api/v1/docs" in page
    assert "https://shop.voorbeeld.nl/acties/" in page
    assert finders.find("affiliates/ph-click-1.0.0.js")


def test_the_help_page_warns_without_landing_pages(manager_client, org):
    page = manager_client.get(reverse("affiliates:tracking_help", args=[org.slug])).content.decode()
    assert "/r/voorbeeld" in page
    assert reverse("affiliates:programme_settings", args=[org.slug]) in page


@pytest.mark.parametrize("name", ["affiliates:tracking_help", "affiliates:api_key_list"])
def test_strangers_get_404(client, stranger, org, name):
    client.force_login(stranger, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse(name, args=[org.slug])).status_code == 404
