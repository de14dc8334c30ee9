from django.apps import AppConfig


class AffiliatesConfig(AppConfig):
    name = "affiliates"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Partner and affiliate programme"

    def ready(self):
        # A web process remembers looked-up links for a moment; a change to one forgets them in this process.
        from django.db.models.signals import post_delete, post_save

        from affiliates.models import Affiliate, ProgrammeSettings
        from affiliates.tracking.clicks import links_forget

        for model in (Affiliate, ProgrammeSettings):
            post_save.connect(links_forget, sender=model, dispatch_uid=f"links_forget_{model.__name__}")
            post_delete.connect(links_forget, sender=model, dispatch_uid=f"links_forget_{model.__name__}")

        # The quarterly review's PDF renderer, and the project CSV import's background job, are registered by
        # their modules, in web and worker processes alike.
        from affiliates import documents  # noqa: F401

        # Erasing a partner's personal data erases its customers' addresses on NPS requests too.
        from affiliates.erasure import nps_requests_erase_personal_data
        from affiliates.tiers import projects  # noqa: F401
        from partnerhub.erasure import register_personal_data_eraser

        register_personal_data_eraser(nps_requests_erase_personal_data)

        # The partner page shows the partner's place in the programme and its onboarding.
        from partnerhub.sections import register_partner_section

        register_partner_section(
            "affiliates.programme", order=40, template="affiliates/sections/partner_programme.html"
        )
        register_partner_section(
            "affiliates.onboarding", order=50, template="affiliates/sections/partner_onboarding.html"
        )
