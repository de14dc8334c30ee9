"""The start page and an organisation's dashboard."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from partnerhub import selectors
from partnerhub.models import Membership
from partnerhub.sections import dashboard_panels
from partnerhub.tenancy import SESSION_KEY, organisation_view


@login_required
def home(request):
    """Send a member to the organisation they last worked in, else the one they joined first; none yet:
    make one."""
    memberships = list(
        Membership.objects.filter(user=request.user)
        .select_related("organisation")
        .order_by("created_at", "pk")
    )
    last = request.session.get(SESSION_KEY)
    chosen = next((m for m in memberships if m.organisation.slug == last), None) or next(
        iter(memberships), None
    )
    if chosen is None:
        return redirect("organisation_create")
    return redirect("dashboard", chosen.organisation.slug)


@organisation_view
def dashboard(request):
    counts = selectors.partner_counts(organisation=request.organisation)
    return render(
        request,
        "partnerhub/dashboard.html",
        {
            "panels": dashboard_panels(request, request.organisation),
            "counts": counts,
            "status_chart": _bar_chart(counts["status"]),
            "category_chart": _bar_chart([row for row in counts["category"] if row[2]]),
            "recent_changes": selectors.recent_changes(organisation=request.organisation),
            "key_partners": selectors.partner_search(organisation=request.organisation, sort="radar")[:5],
        },
    )


BAR_HEIGHT, BAR_GAP, LABEL_WIDTH, CHART_WIDTH = 22, 8, 150, 460


def _bar_chart(rows):
    """Geometry for a horizontal SVG bar chart (drawn by templates/partials/bar_chart.svg)."""
    top = max((count for _value, _label, count in rows), default=0) or 1
    bars = []
    for index, (value, label, count) in enumerate(rows):
        y = index * (BAR_HEIGHT + BAR_GAP)
        width = round((CHART_WIDTH - LABEL_WIDTH - 40) * count / top)
        bars.append({"value": value, "label": label, "count": count, "y": y, "width": width})
    return {
        "bars": bars,
        "height": max(len(rows) * (BAR_HEIGHT + BAR_GAP), BAR_HEIGHT),
        "width": CHART_WIDTH,
        "label_width": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
        "text_y": BAR_HEIGHT // 2 + 4,
    }
