"""The absolute session lifetime: signed out 12 hours after signing in, however active (SECURITY.md B2).

The idle limit (30 minutes, ``compliance.core.sessions``) moves with every request; this one does not.
The session records when its user signed in (``SIGNED_IN_AT``, seconds since the epoch, set by the
``user_logged_in`` signal, or by the first request of a session that lacks it); the first request
after ``SESSION_ABSOLUTE_LIFETIME`` signs the session out and goes to the sign-in page, which asks for
both factors again. An htmx request is answered with ``HX-Redirect`` by
``compliance.core.sessions.HtmxSignInRedirectMiddleware``, which sits above this middleware.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver

#: Session key holding when the session's user signed in (seconds since the epoch, a float).
SIGNED_IN_AT = "signed_in_at"


@receiver(user_logged_in, dispatch_uid="accounts.record_sign_in_time")
def record_sign_in_time(sender, request, user, **kwargs) -> None:
    """Store the sign-in instant in the new session (every sign-in starts a new 12 hours)."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = time.time()


def session_expired(request, *, now: float | None = None) -> bool:
    """True when ``request``'s signed-in session began more than ``SESSION_ABSOLUTE_LIFETIME`` ago.

    Args:
        request: a request whose user is signed in and whose session holds ``SIGNED_IN_AT``.
        now: seconds since the epoch (default: the current time).

    Returns:
        Whether the session has outlived its absolute lifetime (a session without a sign-in time has not).
    """
    started = request.session.get(SIGNED_IN_AT)
    if started is None:
        return False
    elapsed = (time.time() if now is None else now) - float(started)
    return elapsed > settings.SESSION_ABSOLUTE_LIFETIME.total_seconds()


class AbsoluteSessionLifetimeMiddleware:
    """Signs out a session older than ``SESSION_ABSOLUTE_LIFETIME`` and sends the request to sign in.

    Place after ``AuthenticationMiddleware``. A signed-in session without a sign-in time (one made
    before this middleware existed) gets the current time, so it too ends within 12 hours.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            if SIGNED_IN_AT not in request.session:
                request.session[SIGNED_IN_AT] = time.time()
            elif session_expired(request):
                logout(request)
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)
