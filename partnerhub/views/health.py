"""Health checks for whoever runs PartnerHub (docker compose, a load balancer, an orchestrator).

- `/healthz` (liveness): the process answers. Touches nothing else, so a database outage never gets the
  web processes restarted.
- `/readyz` (readiness): the database, the broker and the media storage are reachable, each within about
  two seconds. 200 when all are, 503 when one is not.

Both are public and cheap, and say nothing but the names of the checks and "ok" / "unavailable": no
versions, hosts or error messages (those go to the log).
"""

import logging
import uuid

from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from partnerhub.celery import app as celery_app

logger = logging.getLogger(__name__)

OK, UNAVAILABLE = "ok", "unavailable"
BROKER_TIMEOUT = 2


@never_cache
@require_safe
def healthz(request):
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


@never_cache
@require_safe
def readyz(request):
    checks = {"database": _database(), "broker": _broker(), "storage": _storage()}
    ready = all(state == OK for state in checks.values())
    return JsonResponse(
        {"status": OK if ready else UNAVAILABLE, "checks": checks}, status=200 if ready else 503
    )


def _database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.warning("readiness: the database is unavailable", exc_info=True)
        connection.close_if_unusable_or_obsolete()
        return UNAVAILABLE
    return OK


def _broker():
    """Without a broker tasks run in the web process itself: nothing to reach."""
    if celery_app.conf.task_always_eager:
        return OK
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT)
    except Exception:
        logger.warning("readiness: the broker is unavailable", exc_info=True)
        return UNAVAILABLE
    return OK


def _storage():
    """Whether the media storage answers: asking for a name that does not exist reads nothing and writes
    nothing (a HEAD request on object storage, a stat on a disk)."""
    try:
        default_storage.exists(f"readyz/{uuid.uuid4().hex}")
    except Exception:
        logger.warning("readiness: the media storage is unavailable", exc_info=True)
        return UNAVAILABLE
    return OK


class HealthCheckMiddleware:
    """First in the chain: answers the two paths before the host check and the HTTPS redirect, so that a
    probe from inside the container (plain HTTP to 127.0.0.1, whatever DJANGO_ALLOWED_HOSTS says) is
    answered."""

    VIEWS = {"/healthz": healthz, "/readyz": readyz}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = self.VIEWS.get(request.path_info)
        if view is not None:
            return view(request)
        return self.get_response(request)
