"""Walk every URL pattern of a urlconf and prove that organisations cannot see each other's objects.

`url_patterns(urlconf)` lists every route with its parameters. `find_leaks()` requests each organisation
URL as a member of organisation A, once with A's slug and B's object in each object parameter in turn, and
once with B's slug; anything but 404 is a leak. It also requests every non-public URL anonymously; anything
but a redirect to the login page is a leak. A parameter it has no object for fails loudly, so a new view
cannot slip past by using a new parameter name.
"""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# URL names reachable without logging in: they carry a token or are the login flow itself.
# Parameters that name a kind of thing (the same in every organisation), not an object: never swapped.
NAME_PARAMS = {"key"}

PUBLIC_URL_NAMES = {
    "login",
    "logout",
    "signup",
    "signup_sent",
    "signup_confirm",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "invitation_accept",
    "set_language",
    "survey",
    "survey_answer",
    "survey_grade",
    "survey_submit",
    "sheet",
    "sheet_answer",
    "sheet_submit",
    "sign",
    "sign_pdf",
    "sign_signed_pdf",
    "nps_answer",
    # The affiliate redirect and the conversions API (its own API-key auth; test_tracking_api.py proves
    # one organisation's key never reaches another's clicks, coupons or orders).
    "affiliate_redirect",
    "affiliate_link_unknown",  # where an unknown code leads: the same words for everyone
    "api-root",
    "openapi-json",
    "openapi-view",
    "conversion_create",
    "conversion_detail",
    "conversion_refund",
    # The API's JSON answers for a method an endpoint does not take (405) and for an unknown path (404).
    "api_method_not_allowed",
    "api_unknown_endpoint",
    # The affiliate portal (a portal link's token; tests/affiliates/ledger/test_portal.py proves it shows only
    # its own affiliate and another organisation's materials are 404).
    "portal",
    "portal_asset",
    # Health checks for whoever runs the service: they say "ok" or "unavailable" per check, nothing else.
    "healthz",
    "readyz",
}
# Django's admin has its own staff-only login; it is not part of the organisation tenancy.
SKIPPED_PREFIXES = ("admin/",)

PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Route:
    route: str
    name: str

    @property
    def params(self):
        return [match["name"] for match in PARAM.finditer(self.route)]

    def build(self, values):
        return "/" + PARAM.sub(lambda match: str(values[match["name"]]), self.route)


def url_patterns(urlconf=None):
    routes = []

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if not route.startswith(SKIPPED_PREFIXES):
                    routes.append(Route(route=route.lstrip("^").rstrip("$"), name=pattern.name or route))

    walk(get_resolver(urlconf).url_patterns, "")
    return routes


class UnknownParameter(Exception):
    pass


def _values(objects, route):
    missing = [param for param in route.params if param not in objects]
    if missing:
        raise UnknownParameter(
            f"{route.name} ({route.route}) takes {missing}: add an object of each organisation for it to "
            "the isolation test's object map, so that the test can check the view."
        )
    return {param: objects[param] for param in route.params}


def organisation_routes(urlconf=None):
    return [r for r in url_patterns(urlconf) if r.name not in PUBLIC_URL_NAMES and "org_slug" in r.params]


def find_leaks(*, member_client, anonymous_client, objects_a, objects_b, urlconf=None):
    """Return a list of human-readable leaks; [] means every URL is scoped."""
    leaks = []
    for route in url_patterns(urlconf):
        if route.name in PUBLIC_URL_NAMES:
            continue
        own = _values(objects_a, route)
        anonymous_url = route.build(own)
        for method in ("get", "post"):
            response = getattr(anonymous_client, method)(anonymous_url)
            if response.status_code != 302 or "/accounts/login/" not in response.headers.get("Location", ""):
                leaks.append(f"anonymous {method.upper()} {anonymous_url} → {response.status_code}")
        if "org_slug" not in route.params:
            continue
        foreign_variants = [{**own, "org_slug": objects_b["org_slug"]}]
        for param in route.params:
            if param != "org_slug" and param not in NAME_PARAMS:
                foreign_variants.append({**own, param: objects_b[param]})
        for values in foreign_variants:
            url = route.build(values)
            for method in ("get", "post"):
                response = getattr(member_client, method)(url)
                if response.status_code not in (404, 405):
                    leaks.append(f"member of A {method.upper()} {url} → {response.status_code}")
    return leaks
