"""The programme's organisation URLs, under /o/<org_slug>/programme/."""

from affiliates.views import (
    affiliates,
    api_keys,
    comarketing,
    commissions,
    home,
    kpis,
    nps,
    onboarding,
    payouts,
    projects,
    referrals,
    reviews,
    tiers,
    toolkit,
    tracking,
)

app_name = "affiliates"

urlpatterns = [
    *home.urlpatterns,
    *api_keys.urlpatterns,
    *affiliates.urlpatterns,
    *commissions.urlpatterns,
    *payouts.urlpatterns,
    *projects.urlpatterns,
    *tiers.urlpatterns,
    *kpis.urlpatterns,
    *referrals.urlpatterns,
    *onboarding.urlpatterns,
    *reviews.urlpatterns,
    *comarketing.urlpatterns,
    *toolkit.urlpatterns,
    *tracking.urlpatterns,
    *nps.urlpatterns,
]
