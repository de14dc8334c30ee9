"""Rate limits on what anyone can ask for over and over, and the 429 page.

Limited: password reset and sign-up (each sends a mail to an address typed in), member invitations (mail sent
on an organisation's behalf), the public token pages (/s/, /q/, /sign/, /p/, /nps/: opened without an account)
and failed API keys (`affiliates.api`). Not limited: the affiliate redirect /r/<code>, which must stay one
lookup and one insert.

django-ratelimit counts in the shared cache `ratelimit` (Redis when REDIS_URL is set, the database otherwise),
per visitor's address behind the trusted proxies (`partnerhub.client_ip`) unless a limit names another key;
the rates are `settings.RATELIMITS`. A Redis that does not answer lets requests through (and logs it): a
missing count is better than no password reset while Redis restarts.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable, Collection, Iterable
from functools import wraps
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string
from django.urls import URLPattern, URLResolver
from django_ratelimit.core import get_usage
from redis.exceptions import RedisError

from partnerhub.client_ip import client_ip

if TYPE_CHECKING:
    from partnerhub.tenancy import OrganisationRequest, View

logger = logging.getLogger(__name__)

# A limit's key: (group, request) -> who is counted.
Key = Callable[[str, HttpRequest], str]

SAFE_AND_UNSAFE = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def rate(group: str, request: HttpRequest) -> str:
    """The rate of a limit, read when counting (so that a changed setting applies at once)."""
    return settings.RATELIMITS[group]


def visitor_address(group: str, request: HttpRequest) -> str:
    """Key: the visitor's address behind the trusted proxies; an IPv6 visitor by its /64 network, which one
    household or server gets whole. Requests without an address (a Unix socket) count as one visitor."""
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def posted_email(group: str, request: HttpRequest) -> str:
    """Key: the e-mail address a form was posted for, as it is stored (lower case)."""
    return request.POST.get("email", "").strip().lower()


def organisation_key(group: str, request: HttpRequest) -> str:
    """Key: the organisation of an organisation view (after `organisation_view` resolved it)."""
    return str(cast("OrganisationRequest", request).organisation.pk)


def seconds_to_wait(
    request: HttpRequest, group: str, *, key: Key = visitor_address, increment: bool = True
) -> int:
    """Count this request toward `group` (unless increment=False) and return how many seconds the visitor
    must wait because the limit is reached, or 0 when the request may go on."""
    try:
        usage = get_usage(request, group=group, key=key, rate=rate, increment=increment)
    except (RedisError, OSError) as error:
        logger.warning("Rate limit %s not counted, its cache is unavailable: %s", group, error)
        return 0
    if usage is None:  # RATELIMIT_ENABLE = False
        return 0
    # Counting the request itself, `count` may reach `limit`; only checking, the next one would pass it.
    over = usage["count"] > usage["limit"] if increment else usage["count"] >= usage["limit"]
    return max(usage["time_left"], 1) if over else 0


def too_many_requests(
    request: HttpRequest, exception: Exception | None = None, *, retry_after: int = 60
) -> HttpResponse:
    """The 429 page, in the visitor's language (also usable as RATELIMIT_VIEW)."""
    response = HttpResponse(render_to_string("429.html"), status=429)
    response["Retry-After"] = str(retry_after)
    return response


def rate_limit(
    group: str, *, key: Key = visitor_address, methods: Collection[str] = ("POST",)
) -> Callable[[View], View]:
    """View decorator: a request of one of `methods` past the rate of `group` is answered with the 429 page
    (and the view does not run)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def limited_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method in methods:
                wait = seconds_to_wait(request, group, key=key)
                if wait:
                    return too_many_requests(request, retry_after=wait)
            return view(request, *args, **kwargs)

        return limited_view

    return decorator


def rate_limited_patterns(urlpatterns: Iterable[URLPattern | URLResolver], group: str) -> list[URLPattern]:
    """`urlpatterns` with every view counted toward `group`, by any method (a public URLconf module:
    `urlpatterns = rate_limited_patterns(survey.urlpatterns, "public_token")`)."""
    patterns = []
    for pattern in urlpatterns:
        if not isinstance(pattern, URLPattern):
            raise TypeError(f"rate_limited_patterns takes plain views, not includes ({pattern!r}).")
        view = rate_limit(group, methods=SAFE_AND_UNSAFE)(pattern.callback)
        patterns.append(URLPattern(pattern.pattern, view, pattern.default_args, pattern.name))
    return patterns
