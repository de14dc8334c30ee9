"""Factories of projects, NPS scores and reviews for the tiers, KPI and review tests."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from affiliates.models import NpsScore, Project, QuarterlyReview
from tests.factories import PartnerFactory


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = Project

    partner = factory.SubFactory(PartnerFactory)
    organisation = factory.SelfAttribute("partner.organisation")
    customer_reference = factory.Sequence(lambda n: f"K-{n:05d}")
    value = Decimal("800.00")
    date = factory.LazyFunction(datetime.date.today)


class NpsScoreFactory(DjangoModelFactory):
    class Meta:
        model = NpsScore

    partner = factory.SubFactory(PartnerFactory)
    organisation = factory.SelfAttribute("partner.organisation")
    score = 9
    date = factory.LazyFunction(datetime.date.today)


class QuarterlyReviewFactory(DjangoModelFactory):
    class Meta:
        model = QuarterlyReview

    partner = factory.SubFactory(PartnerFactory)
    organisation = factory.SelfAttribute("partner.organisation")
    quarter_start = datetime.date(2026, 1, 1)
