"""Objects of one organisation for the isolation walk: one per URL parameter of the tiers views."""

import datetime

from affiliates.models import Project
from affiliates.tiers.reviews import review_draft


def objects(organisation, partner):
    project = Project.objects.create(
        organisation=organisation,
        partner=partner,
        customer_reference="ISO-1",
        value="100.00",
        date=datetime.date(2025, 1, 15),
    )
    review, _created = review_draft(partner, datetime.date(2025, 1, 1))
    return {"project_id": project.pk, "review_id": review.pk}
