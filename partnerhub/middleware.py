from django.conf import settings
from django.utils import translation


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
