"""The address a request came from, the one answer for every part that counts or records visitors.

Login throttling (django-axes, `AXES_CLIENT_IP_CALLABLE`), rate limits (django-ratelimit,
`RATELIMIT_IP_META_KEY`), the de-duplication of affiliate clicks and the evidence kept with a signature all
read `client_ip(request)`, so that they agree on who a visitor is.

`TRUSTED_PROXIES` is how many proxies in front of the app append the address they saw to X-Forwarded-For
(the README's TLS proxy: 1). With 0 the header is ignored and the connection's address counts: a header a
visitor wrote never picks the address. With n the n-th address from the right is the visitor's, the one the
outermost trusted proxy appended; the entries left of it were written by the visitor and are ignored.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The visitor's address: REMOTE_ADDR, or the address the trusted proxies saw (`TRUSTED_PROXIES`)."""
    meta = request.META
    remote = meta.get("REMOTE_ADDR") or ""
    proxies = getattr(settings, "TRUSTED_PROXIES", 0)
    if proxies:
        forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        # Fewer entries than proxies: the request did not pass all of them, so the header is not theirs.
        if len(forwarded) >= proxies and _is_address(forwarded[-proxies]):
            return forwarded[-proxies]
    return remote


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
