from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnerhubConfig(AppConfig):
    name = "partnerhub"
    verbose_name = _("PartnerHub")
    default_auto_field = "django.db.models.BigAutoField"
