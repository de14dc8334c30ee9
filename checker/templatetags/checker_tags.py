"""Checker pieces on other pages: open rounds on the dashboard, a partner's latest scores on its page."""

from django import template
from django.db.models import Avg, Count, Q
from django.utils import timezone

from checker.models import Answer, CheckerRound, Invitation

register = template.Library()


@register.inclusion_tag("checker/partials/dashboard_rounds.html", takes_context=True)
def checker_open_rounds(context, organisation):
    rounds = (
        CheckerRound.objects.filter(organisation=organisation, deadline__gte=timezone.localdate())
        .select_related("collaboration")
        .annotate(
            invited=Count("invitations", filter=Q(invitations__revoked_at__isnull=True)),
            submitted=Count(
                "invitations",
                filter=Q(invitations__revoked_at__isnull=True, invitations__submitted_at__isnull=False),
            ),
        )
        .order_by("deadline")
    )
    return {"organisation": organisation, "rounds": rounds, "can_write": context.get("can_write")}


@register.inclusion_tag("checker/partials/partner_scores.html", takes_context=True)
def partner_checker_scores(context, partner):
    """The partner's scores in the latest round it answered. In an anonymised round a partner's own scores
    would tell who said what, so only its taking part is shown."""
    answered = Invitation.objects.filter(
        partner=partner, round__organisation_id=partner.organisation_id
    ).filter(Q(answers__isnull=False) | Q(grade__isnull=False))
    latest = (
        CheckerRound.objects.filter(invitations__in=answered).distinct().order_by("-opens_on", "-pk").first()
    )
    lines, grade = [], None
    if latest is not None and not latest.anonymous:
        theirs = dict(
            Answer.objects.filter(invitation__round=latest, invitation__partner=partner)
            .values("statement_id")
            .annotate(mean=Avg("score"))
            .values_list("statement_id", "mean")
        )
        everyone = dict(
            Answer.objects.filter(invitation__round=latest)
            .values("statement_id")
            .annotate(mean=Avg("score"))
            .values_list("statement_id", "mean")
        )
        for item in latest.round_statements.select_related("statement"):
            if item.statement_id in theirs:
                lines.append(
                    {
                        "statement": item.statement,
                        "score": theirs[item.statement_id],
                        "everyone": everyone.get(item.statement_id),
                        "gap": abs(theirs[item.statement_id] - everyone.get(item.statement_id, 0)) >= 1,
                    }
                )
        grade = latest.invitations.filter(partner=partner).aggregate(grade=Avg("grade"))["grade"]
    return {"organisation": context["organisation"], "round": latest, "lines": lines, "grade": grade}
