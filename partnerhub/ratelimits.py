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

import ipaddress
import logging
from functools import wraps

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import URLPattern
from django_ratelimit.core import get_usage
from redis.exceptions import RedisError

from partnerhub.client_ip import client_ip

logger = logging.getLogger(__name__)

SAFE_AND_UNSAFE = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def rate(group, request):
    """The rate of a limit, read when counting (so that a changed setting applies at once)."""
    return settings.RATELIMITS[group]


def visitor_address(group, request):
    """Key: the visitor's address behind the trusted proxies; an IPv6 visitor by its /64 network, which one
    household or server gets whole. Requests without an address (a Unix socket) count as one visitor."""
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def posted_email(group, request):
    """Key: the e-mail address a form was posted for, as it is stored (lower case)."""
    return request.POST.get("email", "").strip().lower()


def organisation_key(group, request):
    """Key: the organisation of an organisation view (after `organisation_view` resolved it)."""
    return str(request.organisation.pk)


def seconds_to_wait(request, group, *, key=visitor_address, increment=True):
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


def too_many_requests(request, exception=None, *, retry_after=60):
    """The 429 page, in the visitor's language (also usable as RATELIMIT_VIEW)."""
    response = HttpResponse(render_to_string("429.html"), status=429)
    response["Retry-After"] = str(retry_after)
    return response


def rate_limit(group, *, key=visitor_address, methods=("POST",)):
    """View decorator: a request of one of `methods` past the rate of `group` is answered with the 429 page
    (and the view does not run)."""

    def decorator(view):
        @wraps(view)
        def limited_view(request, *args, **kwargs):
            if request.method in methods:
                wait = seconds_to_wait(request, group, key=key)
                if wait:
                    return too_many_requests(request, retry_after=wait)
            return view(request, *args, **kwargs)

        return limited_view

    return decorator


def rate_limited_patterns(urlpatterns, group):
    """`urlpatterns` with every view counted toward `group`, by any method (a public URLconf module:
    `urlpatterns = rate_limited_patterns(survey.urlpatterns, "public_token")`)."""
    patterns = []
    for pattern in urlpatterns:
        if not isinstance(pattern, URLPattern):
            raise TypeError(f"rate_limited_patterns takes plain views, not includes ({pattern!r}).")
        view = rate_limit(group, methods=SAFE_AND_UNSAFE)(pattern.callback)
        patterns.append(URLPattern(pattern.pattern, view, pattern.default_args, pattern.name))
    return patterns
