"""The organisation URLs of referrals, onboarding, NPS, co-marketing and the toolkit."""

from affiliates.people.views import comarketing, nps, onboarding, referrals, toolkit

urlpatterns = [
    *referrals.urlpatterns,
    *onboarding.urlpatterns,
    *comarketing.urlpatterns,
    *toolkit.urlpatterns,
    *nps.urlpatterns,
]
