"""Objects of one organisation for the isolation walk: one per URL parameter of the ledger views."""

import datetime

from affiliates.ledger import payouts
from affiliates.models import CommissionStatus
from tests.affiliates import factories_ledger as f


def objects(organisation, partner):
    affiliate = f.affiliate(organisation)
    line = f.line(affiliate.partner, "60.00", status=CommissionStatus.APPROVED)
    f.line(affiliate.partner, "5.00", status=CommissionStatus.PENDING)
    batch = payouts.payout_batch_create(organisation=organisation, month=datetime.date(2026, 1, 1)).batch
    portal_link, _raw = f.portal_link(affiliate)
    return {
        "affiliate_id": affiliate.pk,
        "commission_id": line.pk,
        "batch_id": batch.pk,
        "portal_link_id": portal_link.pk,
    }
