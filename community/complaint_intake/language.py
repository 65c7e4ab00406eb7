"""The language of a page: the visitor's choice on the public pages, English on the staff pages.

``PublicPagesLocaleMiddleware`` is Django's ``LocaleMiddleware`` (the switcher's cookie, else the
browser's ``Accept-Language``, else ``LANGUAGE_CODE``) for paths under
``settings.PUBLIC_LANGUAGE_PATHS`` (the complaint pages), and English everywhere else: the staff
pages are written in English, and a Spanish browser must not get them half translated (Django's
and allauth's own messages in Spanish inside English pages).
"""

from __future__ import annotations

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


def is_public_path(path: str) -> bool:
    """True for a URL path under one of ``settings.PUBLIC_LANGUAGE_PATHS``."""
    return any(path.startswith(prefix) for prefix in settings.PUBLIC_LANGUAGE_PATHS)


class PublicPagesLocaleMiddleware(LocaleMiddleware):
    """Negotiates the language on the public pages only; the staff pages are always ``settings.LANGUAGE_CODE``."""

    def process_request(self, request):
        if is_public_path(request.path_info):
            return super().process_request(request)
        translation.activate(settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
        return None

    def process_response(self, request, response):
        if is_public_path(request.path_info):
            return super().process_response(request, response)
        return response
