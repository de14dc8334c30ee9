"""The programme's views, one module per part of the product; each keeps its own `urlpatterns`.

Organisation pages live under /o/<org_slug>/programme/ (namespace `affiliates`); the public pages (the
redirect /r/, the portal /p/, the NPS question /nps/) and the API (/api/v1/) have their own urlconfs.
"""
