"""The onboarding block of the partner page: `{% partner_onboarding partner %}`."""

from django import template
from django.utils import timezone

from affiliates.models import OnboardingTask
from affiliates.people import onboarding

register = template.Library()


@register.inclusion_tag("affiliates/people/partner_onboarding.html", takes_context=True)
def partner_onboarding(context, partner):
    """Progress of the partner's onboarding and its next open tasks (one query), or the offer to start."""
    tasks = list(
        OnboardingTask.objects.filter(
            partner=partner, organisation_id=partner.organisation_id
        ).select_related("owner")
    )
    progress = onboarding.progress(tasks)
    return {
        "organisation": context.get("organisation"),
        "can_write": context.get("can_write"),
        "partner": partner,
        "progress": progress,
        "next_tasks": progress["next"][:3],
        "today": timezone.localdate(),
    }
