"""The agreements app's views, one module per part of the product; each keeps its own `urlpatterns`."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django_htmx.middleware import HtmxDetails

from agreements.models import Agreement
from partnerhub.tenancy import OrganisationRequest


class HtmxRequest(HttpRequest):
    """The request of a public page (a link without an account). For the type checker only: django-htmx's
    middleware sets `htmx` on every request."""

    htmx: HtmxDetails


def agreement_or_404(request: OrganisationRequest, agreement_id: int) -> Agreement:
    """The agreement of the request's organisation (404 for any other), with what every page shows of it."""
    return get_object_or_404(
        Agreement.objects.select_related("collaboration", "organisation"),
        pk=agreement_id,
        organisation=request.organisation,
    )
