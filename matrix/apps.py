from django.apps import AppConfig


class MatrixConfig(AppConfig):
    name = "matrix"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the matrix PDF renderers with the document pipeline, in web and worker processes alike.
        from matrix import documents  # noqa: F401

        # The partner page lists the partner's row in every matrix.
        from partnerhub.sections import register_partner_section

        register_partner_section("matrix.rows", order=10, template="matrix/sections/partner_rows.html")
