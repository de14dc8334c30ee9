from django.apps import AppConfig


class CheckerConfig(AppConfig):
    name = "checker"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the round report renderer with the document pipeline, in web and worker processes alike.
        from checker import documents  # noqa: F401

        # Erasing a partner's personal data erases its contact persons' invitations too.
        from checker.erasure import invitations_erase_personal_data
        from partnerhub.erasure import register_personal_data_eraser

        register_personal_data_eraser(invitations_erase_personal_data)

        # The dashboard shows the open rounds; the partner page the partner's latest scores.
        from partnerhub.sections import register_dashboard_panel, register_partner_section

        register_dashboard_panel(
            "checker.open_rounds", order=10, template="checker/sections/dashboard_rounds.html"
        )
        register_partner_section("checker.scores", order=20, template="checker/sections/partner_scores.html")
