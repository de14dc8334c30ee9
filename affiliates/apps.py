from django.apps import AppConfig


class AffiliatesConfig(AppConfig):
    name = "affiliates"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Partner and affiliate programme"
