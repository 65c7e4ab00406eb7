"""The language of a page: the visitor's choice on the public pages, English on the staff pages.

``PublicPagesLocaleMiddleware`` is Django's ``LocaleMiddleware`` (the switcher's cookie, else the
browser's ``Accept-Language``, else ``LANGUAGE_CODE``) for paths under
``settings.PUBLIC_LANGUAGE_PATHS`` (the complaint pages), and English everywhere else: the staff
pages are written in English, and a Spanish browser must not get them half translated (Django's
and allauth's own messages in Spanish inside English pages).

A link may ask for a language with ``?lang=es`` (e.g. the Spanish links on the sign-in page): on a
public page the middleware then uses it for that request and remembers it in the switcher's cookie,
exactly as the switcher would. Only a code of ``settings.LANGUAGES`` is honoured; anything else is
ignored (negotiated as usual). The parameter carries no personal data.
"""

from __future__ import annotations

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

#: The query parameter a link uses to open a public page in a language: ``?lang=es``.
LANGUAGE_PARAMETER = "lang"


def is_public_path(path: str) -> bool:
    """True for a URL path under one of ``settings.PUBLIC_LANGUAGE_PATHS``."""
    return any(path.startswith(prefix) for prefix in settings.PUBLIC_LANGUAGE_PATHS)


class PublicPagesLocaleMiddleware(LocaleMiddleware):
    """Negotiates the language on the public pages only; the staff pages are always ``settings.LANGUAGE_CODE``."""

    def process_request(self, request):
        if is_public_path(request.path_info):
            asked = requested_language(request)
            if asked:
                translation.activate(asked)
                request.LANGUAGE_CODE = translation.get_language()
                return None
            return super().process_request(request)
        translation.activate(settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
        return None

    def process_response(self, request, response):
        if is_public_path(request.path_info):
            response = super().process_response(request, response)
            asked = requested_language(request)
            if asked:
                response.set_cookie(
                    settings.LANGUAGE_COOKIE_NAME,
                    asked,
                    max_age=settings.LANGUAGE_COOKIE_AGE,
                    path=settings.LANGUAGE_COOKIE_PATH,
                    domain=settings.LANGUAGE_COOKIE_DOMAIN,
                    secure=settings.LANGUAGE_COOKIE_SECURE,
                    httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                    samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                )
            return response
        return response


def requested_language(request) -> str:
    """The language a link asked for with ``?lang=`` (a code of ``settings.LANGUAGES``), else ``""``."""
    asked = request.GET.get(LANGUAGE_PARAMETER, "")
    return asked if asked in dict(settings.LANGUAGES) else ""
