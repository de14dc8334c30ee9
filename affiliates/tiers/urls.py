"""The organisation URLs of tiers, projects, KPIs and quarterly reviews."""

from affiliates.tiers.views import kpis, projects, reviews, standings

urlpatterns = [*projects.urlpatterns, *standings.urlpatterns, *kpis.urlpatterns, *reviews.urlpatterns]
