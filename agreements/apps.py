from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "agreements"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The agreement PDFs' renderers, in web and worker processes alike.
        from agreements import documents  # noqa: F401

        # Erasing a partner's personal data erases its question sheets' and signing links' copies too.
        from agreements.erasure import agreements_erase_personal_data
        from partnerhub.erasure import register_personal_data_eraser

        register_personal_data_eraser(agreements_erase_personal_data)

        # The dashboard shows the follow-up actions due soon; the partner page the partner's agreements.
        from agreements.questions import selectors as questions
        from partnerhub.sections import register_dashboard_panel, register_partner_section

        register_dashboard_panel(
            "agreements.actions_due",
            order=20,
            template="agreements/sections/dashboard_actions.html",
            context=lambda request, organisation, partner: questions.actions_due(organisation=organisation),
        )
        register_partner_section(
            "agreements.agreements", order=30, template="agreements/sections/partner_agreements.html"
        )
