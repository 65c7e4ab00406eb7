"""Idle sessions: what counts as activity (SECURITY.md B1), and an ended session met by an htmx request.

A session ends after ``SESSION_COOKIE_AGE`` (30 minutes) without activity:
``SESSION_SAVE_EVERY_REQUEST`` saves the session on every request, and each save
moves its expiry (in the session store and the cookie) to now + 30 minutes.

At most one such save a minute: a request that changed nothing in the session
and comes less than ``SESSION_SAVE_INTERVAL`` seconds (60) after the save that
set its stored expiry leaves the row and the cookie as they are (each save is an
``UPDATE`` in its own transaction: three statements on every page otherwise). The
session therefore ends between 29 and 30 minutes after the last request, never
later: the idle limit errs by less than that minute on the safe side (SECURITY.md
B1). ``SessionStore`` (``SESSION_ENGINE``) is Django's database store that
remembers the expiry the row had when it was read, to tell.

A page that refreshes itself (the custody board polls its rows every minute) must
not keep an unattended screen signed in for ever. Its refresh view is decorated
with ``passive_request``: ``SessionMiddleware`` below then leaves the session
untouched (no save, no new cookie), so the expiry stays where the person's last
real request put it, and the first poll after it answers as signed out.

An htmx request that finds the session ended gets ``HX-Redirect`` to the sign-in
page (``HtmxSignInRedirectMiddleware``), instead of htmx swapping the sign-in form
into the part of the page it was refreshing; after signing in, the person comes
back to the page they were on (``HX-Current-URL``), not to the fragment's URL.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

#: The request attribute ``passive_request`` sets.
PASSIVE_ATTRIBUTE = "is_passive_request"


def passive_request(view):
    """Mark a view's requests as not being activity: they do not extend the idle session.

    For requests a page makes by itself (polling), never for anything a person
    does. The view still needs its own ``login_required``; a passive request
    that changes the session (it should not) is saved as usual.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        setattr(request, PASSIVE_ATTRIBUTE, True)
        return view(request, *args, **kwargs)

    return wrapped


def is_passive(request) -> bool:
    """True for a request whose view is decorated with ``passive_request``."""
    return getattr(request, PASSIVE_ATTRIBUTE, False)


class SessionStore(DatabaseSessionStore):
    """Django's database session store that remembers the expiry its row had when read (``stored_expiry``).

    ``stored_expiry`` is an aware UTC datetime, or None for a session not read from the database (new,
    missing or expired). After a save it is the expiry just written. Keep the class name: Django signs session
    data with a salt made from it (``SessionBase.key_salt``), so sessions written by Django's own database store
    (before this class, and ``Session.get_decoded``) read alike.
    """

    stored_expiry: datetime | None = None

    def _get_session_from_db(self):
        stored = super()._get_session_from_db()
        self.stored_expiry = stored.expire_date if stored is not None else None
        return stored

    def save(self, must_create: bool = False) -> None:
        super().save(must_create=must_create)
        self.stored_expiry = self.get_expiry_date()


def saved_recently(session, *, now: datetime | None = None) -> bool:
    """True when saving ``session`` now would move its stored expiry forward by less than
    ``SESSION_SAVE_INTERVAL`` seconds (so the save that stored it was less than that long ago).

    Args:
        session: a ``SessionStore`` above (any other store: False, it is always saved).
        now: aware datetime (default: the current time).

    Returns:
        False when the stored expiry is unknown, or when a save would move it back (a shorter expiry
        set on purpose is always saved).
    """
    stored = getattr(session, "stored_expiry", None)
    if stored is None:
        return False
    wanted = (now or timezone.now()) + timedelta(seconds=session.get_expiry_age())
    moved = (wanted - stored).total_seconds()
    return 0 <= moved < settings.SESSION_SAVE_INTERVAL


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's session middleware, except that an unchanged session is saved at most once a minute and a
    passive request leaves an unchanged session as it is.

    Django saves the session on every request (``SESSION_SAVE_EVERY_REQUEST``),
    which moves its expiry; for a request whose session was not modified and
    either is passive (``passive_request``) or comes within ``SESSION_SAVE_INTERVAL``
    seconds of the last save (``saved_recently``), nothing is saved and no cookie is
    set, so its expiry does not move. Everything else is Django's behaviour.
    """

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is not None and not session.modified and (is_passive(request) or saved_recently(session)):
            if session.accessed:
                patch_vary_headers(response, ("Cookie",))
            return response
        return super().process_response(request, response)


class HtmxSignInRedirectMiddleware:
    """An htmx request sent to the sign-in page is told to load it as a whole page (``HX-Redirect``).

    ``login_required`` answers a signed-out request with a redirect to
    ``LOGIN_URL``; htmx would follow it and swap the sign-in form into the page's
    fragment. Instead the response becomes ``204`` with ``HX-Redirect`` to the
    sign-in page, whose ``next`` is the page the browser shows (``HX-Current-URL``,
    when it is of this site), so the person returns to it after signing in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.headers.get("HX-Request") != "true" or response.status_code not in (301, 302, 303, 307, 308):
            return response
        target = urlsplit(response.get("Location", ""))
        if target.path != urlsplit(resolve_url(settings.LOGIN_URL)).path:
            return response
        redirect = HttpResponse(status=204)
        redirect["HX-Redirect"] = _sign_in_url(request, fallback=response["Location"])
        patch_vary_headers(redirect, ["HX-Request"])
        return redirect


def _sign_in_url(request, *, fallback: str) -> str:
    """The sign-in URL whose ``next`` is the page the browser shows, or ``fallback`` when that is unknown or foreign."""
    current = request.headers.get("HX-Current-URL", "")
    if not current or not url_has_allowed_host_and_scheme(
        current, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return fallback
    parts = urlsplit(current)
    page = parts.path + (f"?{parts.query}" if parts.query else "")
    return redirect_to_login(page, settings.LOGIN_URL, REDIRECT_FIELD_NAME)["Location"]
