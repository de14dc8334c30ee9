"""Quarterly reviews."""

urlpatterns = []
