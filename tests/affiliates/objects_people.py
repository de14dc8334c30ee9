"""Objects of one organisation for the isolation walk: one per URL parameter of the people views
(referrals, onboarding, NPS, co-marketing, toolkit)."""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from affiliates.models import Asset, AssetKind, CoMarketingAction, NpsRequest, OnboardingTask, Referral


def objects(organisation, partner):
    referral = Referral.objects.create(organisation=organisation, partner=partner, lead_name="Lead")
    task = OnboardingTask.objects.create(
        organisation=organisation,
        partner=partner,
        phase="Week 1",
        title="Intro",
        due_date=timezone.localdate(),
    )
    nps_request = NpsRequest(
        organisation=organisation, partner=partner, expires_at=timezone.now() + datetime.timedelta(days=30)
    )
    nps_request.issue_token()
    nps_request.save()
    action = CoMarketingAction.objects.create(
        organisation=organisation,
        partner=partner,
        action="Beursstand",
        investment="split",
        our_share_percent=50,
    )
    asset = Asset(
        organisation=organisation, kind=AssetKind.BROCHURE, title="Brochure", content_type="application/pdf"
    )
    asset.file.save("brochure.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    asset.size = asset.file.size
    asset.save()
    return {
        "referral_id": referral.pk,
        "task_id": task.pk,
        "nps_request_id": nps_request.pk,
        "comarketing_id": action.pk,
        "asset_id": asset.pk,
    }
