"""Ids past 999 stay plain digits in the HTML: Dutch number formatting (1.010) must never reach an id, a form
value or a link, or a form posts an id that does not exist and an htmx target is never found."""

import re

from django.urls import reverse

from affiliates.models import Referral
from tests.factories import PartnerFactory


def test_ids_above_a_thousand_are_not_grouped(manager_client, org):
    partner = PartnerFactory(pk=1_234_567, organisation=org, name="Sennheiser", influence=3, importance=4)
    Referral.objects.create(pk=7_654_321, organisation=org, partner=partner, lead_name="Familie Koster")
    pages = [
        reverse("partner_list", args=[org.slug]),
        reverse("partner_detail", args=[org.slug, partner.pk]),
        reverse("matrix:radar", args=[org.slug]),
        reverse("affiliates:referral_list", args=[org.slug]),
    ]
    for url in pages:
        html = manager_client.get(url).content.decode()
        assert not re.search(r"1\.234\.567|7\.654\.321", html), url
    assert "1234567" in manager_client.get(reverse("matrix:radar", args=[org.slug])).content.decode()
