"""KPIs per partner: one row per partner with programme activity, five lights and trends."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from affiliates.programme.rules import programme_for
from affiliates.tiers import kpis
from partnerhub.tenancy import organisation_view

PAGE_SIZE = 50


@organisation_view
@require_safe
def kpi_overview(request):
    """The page's partners in a fixed number of queries, however many there are (see affiliates.kpis)."""
    organisation = request.organisation
    programme = programme_for(organisation)
    page = Paginator(kpis.kpi_partners(organisation), PAGE_SIZE).get_page(request.GET.get("page"))
    figures = kpis.kpis_for_partners(organisation, page.object_list, programme=programme)
    rows = [figures[partner.pk] for partner in page.object_list]
    return render(
        request,
        "affiliates/tiers/kpi_overview.html",
        {"page": page, "rows": rows, "programme": programme, "kpi_names": rows[0].kpis if rows else []},
    )


urlpatterns = [path("kpis/", kpi_overview, name="kpi_overview")]
