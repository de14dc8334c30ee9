"""The organisation profile: everyone reads it, owners and managers edit it on the same page."""

from decimal import Decimal

from django.utils import translation

from partnerhub.models import Organisation
from tests.conftest import login

PROFILE = {
    "name": "Tinnitracks",
    "industry": "Medische technologie",
    "products_services": "App voor tinnitustherapie",
    "employees": "25",
    "revenue": "3560000",
    "location": "Hamburg",
}


def profile_url(org):
    return f"/o/{org.slug}/profile/"


def test_it_shows_the_profile_with_revenue_in_dutch(viewer_client, org):
    Organisation.objects.filter(pk=org.pk).update(revenue=Decimal("3560000"), industry="Medische technologie")
    with translation.override("nl"):
        response = viewer_client.get(profile_url(org), headers={"accept-language": "nl"})
    assert "€\u00a03.560.000" in response.text
    assert "Medische technologie" in response.text


def test_a_viewer_reads_without_a_form(viewer_client, org):
    response = viewer_client.get(profile_url(org))
    assert response.status_code == 200
    assert response.context["form"] is None
    assert '<form method="post" novalidate>' not in response.text


def test_a_viewer_cannot_post(viewer_client, org):
    assert viewer_client.post(profile_url(org), PROFILE).status_code == 403
    org.refresh_from_db()
    assert org.industry == ""


def test_a_manager_edits_the_profile(manager_client, org):
    response = manager_client.post(profile_url(org), PROFILE)
    assert response["Location"] == profile_url(org)
    org.refresh_from_db()
    assert (org.industry, org.employees, org.revenue, org.location) == (
        "Medische technologie",
        25,
        Decimal("3560000"),
        "Hamburg",
    )


def test_it_rejects_a_negative_revenue_and_changes_nothing(owner_client, org):
    response = owner_client.post(profile_url(org), {**PROFILE, "name": "Nieuwe naam", "revenue": "-1"})
    assert response.status_code == 200
    assert "kan niet negatief zijn" in str(response.context["form"].errors["revenue"])
    org.refresh_from_db()
    assert (org.name, org.revenue, org.industry) == ("Tinnitracks", None, "")
    assert "Nieuwe naam" not in response.text.split("<form")[0]  # the saved profile shows the old name


def test_it_checks_membership(client, stranger, org):
    login(client, stranger)
    assert client.get(profile_url(org)).status_code == 404
    assert client.post(profile_url(org), PROFILE).status_code == 404


def test_the_form_shows_whole_euros_as_the_help_text_asks(owner_client, org):
    Organisation.objects.filter(pk=org.pk).update(revenue=Decimal("3560000.00"))
    response = owner_client.get(profile_url(org))
    assert 'name="revenue" value="3560000"' in response.text


def test_the_form_keeps_cents_when_there_are_some(owner_client, org):
    Organisation.objects.filter(pk=org.pk).update(revenue=Decimal("1250.50"))
    response = owner_client.get(profile_url(org))
    assert 'name="revenue" value="1250.50"' in response.text
