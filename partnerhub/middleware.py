import logging
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)

# What the 503 page and its Retry-After header ask a visitor to wait before trying again.
RETRY_AFTER_SECONDS = 30


class LanguageMiddleware:
    """Activate the language the user chose (the language cookie), else Dutch.

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language on purpose: PartnerHub is a
    Dutch product whose users switch to English by choice, not by the language their browser happens to have.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


class DatabaseUnavailableMiddleware:
    """A database that refuses connections, does not answer in time or drops the connection: the 503 page
    (with Retry-After) instead of a 500, for every page of the web app.

    Caught from the view and its template (`process_exception`) and from the middleware inside this one (the
    session saved on the way out, the user loaded by the authentication middleware): Django turns those into a
    500 response before it gets here, so `got_request_exception` marks the request first and the 500 is
    replaced. The page is rendered without a request context: it runs no query and reads no session or user.
    Place it after SecurityMiddleware and WhiteNoise, before SessionMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        got_request_exception.connect(
            _mark_database_unavailable, dispatch_uid="partnerhub.database_unavailable"
        )

    def __call__(self, request):
        response = self.get_response(request)
        error = getattr(request, "database_unavailable", None)
        if error is not None and response.status_code >= 500 and response.status_code != 503:
            return database_unavailable_response(request, error)
        return response

    def process_exception(self, request, exception):
        if database_unavailable(exception):
            return database_unavailable_response(request, exception)
        return None


def database_unavailable(error):
    """Whether an exception means the database cannot be reached or did not answer in time (connect
    timeout, statement or lock timeout, connection refused or dropped), rather than a fault in our code;
    or the same of the media storage when it is object storage (MEDIA_STORAGE=s3): a download then gets the
    503 page too, not a 500."""
    return isinstance(error, OperationalError | InterfaceError) or storage_unavailable(error)


def storage_unavailable(error):
    """Whether an exception means the object storage cannot be reached or did not answer in time."""
    try:
        from botocore.exceptions import ConnectionError as StorageConnectionError
        from botocore.exceptions import HTTPClientError
    except ImportError:  # without django-storages' S3 extra there is no object storage to miss
        return False
    return isinstance(error, StorageConnectionError | HTTPClientError)


def _mark_database_unavailable(sender, request=None, **kwargs):
    # Sent while Django handles the exception, so it is the one in sys.exc_info().
    error = sys.exc_info()[1]
    if request is not None and database_unavailable(error):
        request.database_unavailable = error


def database_unavailable_response(request, error):
    logger.warning("Database unavailable for %s %s: %s", request.method, request.path, error)
    language = getattr(request, "LANGUAGE_CODE", None) or settings.LANGUAGE_CODE
    with translation.override(language):
        content = render_to_string("503.html")
    response = HttpResponse(content, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    response["Content-Language"] = language
    return response
