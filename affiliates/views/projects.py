"""Projects (orders) per partner: entry and CSV import."""

urlpatterns = []
