"""Taking a party out of an agreement: the confirm page counts what goes with it (its own goals), and a
party that signed stays on record without a server error."""

from django.urls import reverse
from django.utils import timezone, translation

from agreements import services
from agreements.models import Goal, Party, Signature
from agreements.signing import versions
from tests.factories import PartnerFactory


def url(org, agreement, party):
    return reverse("agreements:party_remove", args=[org.slug, agreement.pk, party.pk])


def agreement_of_three(org, owner):
    partners = [PartnerFactory(organisation=org, name=name) for name in ("Sennheiser", "Innovatiefonds")]
    return services.agreement_create(
        organisation=org, actor=owner, title="Alliantie", partners=partners, kind="structural"
    )


def test_the_confirm_page_counts_the_partys_own_goals(manager_client, org, owner):
    agreement = agreement_of_three(org, owner)
    fonds = agreement.parties.get(partner__name="Innovatiefonds")
    Goal.objects.create(agreement=agreement, party=fonds, text="Tien pilots", position=1)
    Goal.objects.create(agreement=agreement, party=fonds, text="Een publicatie", position=2)
    page = manager_client.get(url(org, agreement, fonds))
    assert (Goal, 2) in [(d.model, d.count) for d in page.context["plan"].deleted]
    with translation.override("nl"):
        label = Goal._meta.verbose_name.capitalize()
    assert f'<th scope="row">{label}</th><td>2</td>' in page.text
    manager_client.post(url(org, agreement, fonds))
    assert (
        not Party.objects.filter(pk=fonds.pk).exists()
        and not Goal.objects.filter(party__isnull=False).exists()
    )


def test_a_party_that_signed_is_kept_without_a_server_error(manager_client, org, owner):
    agreement = agreement_of_three(org, owner)
    sennheiser = agreement.parties.get(partner__name="Sennheiser")
    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    Signature.objects.create(
        version=version,
        party=sennheiser,
        name="Katrin Vogel",
        signed_at=timezone.now(),
        version_sha256=version.sha256,
    )
    page = manager_client.get(url(org, agreement, sennheiser))
    assert page.context["plan"].blocked
    response = manager_client.post(url(org, agreement, sennheiser))
    assert response.status_code == 422
    assert (
        Party.objects.filter(pk=sennheiser.pk).exists()
        and Signature.objects.filter(party=sennheiser).exists()
    )
