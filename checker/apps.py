from django.apps import AppConfig


class CheckerConfig(AppConfig):
    name = "checker"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the round report renderer with the document pipeline, in web and worker processes alike.
        from checker import documents  # noqa: F401
