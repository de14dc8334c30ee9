"""The partner page links a partner to its part of the programme: its affiliate link, leads and NPS."""

from django.urls import reverse

from affiliates.models import Affiliate
from tests.factories import PartnerFactory


def test_an_affiliate_shows_its_link_and_coupon(manager_client, org):
    partner = PartnerFactory(organisation=org, name="Verbouwblog")
    affiliate = Affiliate.objects.create(
        organisation=org, partner=partner, code="verbouwblog", coupon_code="BLOG10"
    )
    html = manager_client.get(reverse("partner_detail", args=[org.slug, partner.pk])).content.decode()
    assert "/r/verbouwblog" in html and "BLOG10" in html
    assert reverse("affiliates:affiliate_update", args=[org.slug, affiliate.pk]) in html
    assert reverse("affiliates:nps_list", args=[org.slug, partner.pk]) in html


def test_a_partner_without_a_link_is_offered_one(manager_client, org):
    partner = PartnerFactory(organisation=org, name="Makelaardij Bakker")
    offer = reverse("affiliates:affiliate_create", args=[org.slug]) + f"?partner={partner.pk}"
    assert (
        offer in manager_client.get(reverse("partner_detail", args=[org.slug, partner.pk])).content.decode()
    )


def test_a_viewer_is_not_offered_to_make_one(viewer_client, org):
    partner = PartnerFactory(organisation=org, name="Makelaardij Bakker")
    html = viewer_client.get(reverse("partner_detail", args=[org.slug, partner.pk])).content.decode()
    assert reverse("affiliates:affiliate_create", args=[org.slug]) not in html
    assert reverse("affiliates:referral_list", args=[org.slug]) in html
