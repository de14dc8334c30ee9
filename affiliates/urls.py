"""The programme's organisation URLs, under /o/<org_slug>/programme/ (namespace `affiliates`): one urlconf per
sub-package, each collecting its view modules' `urlpatterns`. The public pages are in each sub-package's
`public_urls.py` (the redirect /r/, the portal /p/, the NPS question /nps/), the API in `tracking/api.py`."""

from affiliates.ledger import urls as ledger
from affiliates.people import urls as people
from affiliates.programme import urls as programme
from affiliates.tiers import urls as tiers
from affiliates.tracking import urls as tracking

app_name = "affiliates"

urlpatterns = [
    *programme.urlpatterns,
    *tracking.urlpatterns,
    *ledger.urlpatterns,
    *tiers.urlpatterns,
    *people.urlpatterns,
]
