"""No copy of a signed-in page in any cache (SECURITY.md F3).

Every page and file a signed-in user receives may show personal data (a detainee's name, an
officer's roster, a certificate), so each such response says ``Cache-Control: no-store``:
neither the browser nor a proxy keeps it, and the Back button after signing out shows nothing.
Static files are served by WhiteNoise above this middleware and keep their long caching.
"""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers


class NoStoreForSignedInMiddleware:
    """Adds Django's ``never_cache`` headers (``no-cache, no-store, must-revalidate, private``) for a signed-in user.

    The check is made after the view, so a response to a request that signed someone in is covered
    too; a request that signed out (the user is anonymous afterwards) is covered when it began signed in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        began_signed_in = bool(user is not None and user.is_authenticated)
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if began_signed_in or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
        return response
