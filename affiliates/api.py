"""The HTTP API (/api/v1/) for an organisation's webshop or CRM, with its OpenAPI description."""

from ninja import NinjaAPI

api = NinjaAPI(title="PartnerHub API", version="1", urls_namespace="api")
