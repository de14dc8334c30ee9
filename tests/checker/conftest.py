"""Checker fixtures: a collaboration of two partners with contact persons, and a round built by the service
(so tests start from what the product makes, not from hand-made rows)."""

import datetime

import pytest
from django.utils import timezone

from checker import services
from tests.factories import ContactFactory, PartnerFactory


@pytest.fixture
def collaboration(org, owner):
    sennheiser = PartnerFactory(organisation=org, name="Sennheiser")
    fonds = PartnerFactory(organisation=org, name="Innovatiefonds")
    ContactFactory(partner=sennheiser, name="Katrin Vogel", email="katrin@sennheiser.example")
    ContactFactory(partner=sennheiser, name="Jonas Becker", email="jonas@sennheiser.example")
    ContactFactory(partner=fonds, name="Pieter de Groot", email="pieter@fonds.example")
    return services.collaboration_create(
        organisation=org, actor=owner, name="Tinnitracks-alliantie", partners=[sennheiser, fonds]
    )


def make_round(collaboration, actor, *, anonymous=False, days=14, **kwargs):
    today = timezone.localdate()
    return services.round_create(
        collaboration=collaboration,
        actor=actor,
        name=kwargs.pop("name", "Ronde 1"),
        opens_on=kwargs.pop("opens_on", today),
        deadline=kwargs.pop("deadline", today + datetime.timedelta(days=days)),
        anonymous=anonymous,
        **kwargs,
    )


@pytest.fixture
def checker_round(collaboration, owner):
    """An open round: 17 statements; invitations for 3 contact persons and every member of the org."""
    return make_round(collaboration, owner)
