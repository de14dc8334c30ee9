from django.apps import AppConfig


class MatrixConfig(AppConfig):
    name = "matrix"
    default_auto_field = "django.db.models.BigAutoField"
