"""KPIs per partner and NPS scores."""

urlpatterns = []
