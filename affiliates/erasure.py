"""The programme's copies of a partner's personal data: the e-mail addresses of its customers, asked for an
NPS score. Registered with partnerhub.erasure in AffiliatesConfig.ready()."""

from affiliates.models import NpsRequest
from partnerhub.models import Partner, User


def nps_requests_erase_personal_data(*, partner: Partner, values: set[str], actor: User | None) -> int:
    """The partner's NPS requests lose the customer's e-mail address (an unsent link is then never sent);
    the scores stay, as they say nothing about whom they came from. Returns the number of requests changed."""
    requests = NpsRequest.objects.select_for_update().filter(partner=partner).exclude(email="").order_by("pk")
    emails = dict(requests.values_list("pk", "email"))
    values.update(emails.values())
    return NpsRequest.objects.filter(pk__in=emails).update(email="")
