"""Affiliate links: the public redirect `/r/<code>` and the programme's page that explains clicks.

/r/<code>                           public: a 302 to the landing page (a link remembered, its click held)
/r/                                 public: the page an unknown code leads to (unless configured otherwise)
/o/<slug>/programme/tracking/       how links, UTM, the snippet, consent and the conversions API work
"""

from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.encoding import iri_to_uri
from django.views.decorators.http import require_safe

from affiliates.models import Affiliate
from affiliates.programme.rules import programme_for
from affiliates.tracking import clicks
from partnerhub.client_ip import client_ip
from partnerhub.tenancy import organisation_view

SNIPPET_VERSION = "1.0.0"
SNIPPET = f"affiliates/ph-click-{SNIPPET_VERSION}.js"
EXAMPLE_QUERY = "to=/acties/&utm_source=blog&utm_medium=affiliate&utm_campaign=voorjaar"


class LinkRedirect(HttpResponseRedirect):
    """The 302 of a link: to a landing URL the link's rules allowed (absolute http(s), ASCII only) or the
    installation's fallback, set as it is, without HttpResponseRedirect's parsing of every new URL."""

    def __init__(self, url: str) -> None:
        HttpResponse.__init__(self, status=302)
        self["Location"] = url if url.isascii() else iri_to_uri(url)


@require_safe
def affiliate_redirect(request, code):
    meta = request.META  # two headers read straight: `request.headers` would parse them all
    target = clicks.follow_link(
        code=code,
        requested_landing=request.GET.get("to", ""),
        query=request.GET,
        ip=client_ip(request),
        user_agent=meta.get("HTTP_USER_AGENT", ""),
        in_frame=meta.get("HTTP_SEC_FETCH_DEST", "").lower() in ("iframe", "frame"),
        record=request.method == "GET",
    )
    response = LinkRedirect(target.url)
    response["Cache-Control"] = "no-store"
    # The shop may learn which site sent the visitor (its origin), never the full address of that page.
    response["Referrer-Policy"] = "strict-origin-when-cross-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_safe
def link_unknown(request):
    """/r/: where a link with an unknown code leads unless AFFILIATE_FALLBACK_URL names another page. A
    neutral page for a shop's visitor (never the members' login), made without the database."""
    response = render(request, "affiliates/tracking/link_unknown.html", status=404)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@organisation_view
@require_safe
def tracking_help(request):
    organisation = request.organisation
    programme = programme_for(organisation)
    example = Affiliate.objects.filter(organisation=organisation, is_active=True).order_by("code").first()
    code = example.code if example else "voorbeeld"
    link = request.build_absolute_uri(reverse("affiliate_redirect", args=[code]))
    return render(
        request,
        "affiliates/tracking/help.html",
        {
            "programme": programme,
            "example": example,
            "link": link,
            "link_with_landing": f"{link}?{EXAMPLE_QUERY}",
            "landings": clicks.allowed_origins(programme),
            "default_landing": clicks.landing_default(programme),
            "snippet_url": request.build_absolute_uri(static(SNIPPET)),
            "snippet_version": SNIPPET_VERSION,
            "api_url": request.build_absolute_uri(reverse("api:conversion_create")),
            "docs_url": request.build_absolute_uri(reverse("api:openapi-view")),
            "openapi_url": request.build_absolute_uri(reverse("api:openapi-json")),
            "window_days": programme.cookie_window_days,
        },
    )


urlpatterns = [
    path("tracking/", tracking_help, name="tracking_help"),
]
