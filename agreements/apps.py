from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "agreements"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The agreement PDFs' renderers and the sign-off's e-mail task, in web and worker processes alike
        # (Celery discovers only modules called tasks.py).
        from agreements import documents, sign_tasks  # noqa: F401

        # Erasing a partner's personal data erases its question sheets' and signing links' copies too.
        from agreements.erasure import agreements_erase_personal_data
        from partnerhub.erasure import register_personal_data_eraser

        register_personal_data_eraser(agreements_erase_personal_data)
