"""Bulk exports of personal data need both factors shown in the last 5 minutes (SECURITY.md B5).

django-allauth's ``reauthentication_required`` sends a request to its re-authentication page
(password, or the authenticator's code) unless the session re-authenticated within
``ACCOUNT_REAUTHENTICATION_TIMEOUT`` (300 s). Here signing in counts as well: a person who signed in
with both factors a minute ago has just shown them, and is not asked again. The check reads
allauth's own authentication records of the session (each step's time), so either a sign-in or a
re-authentication within the last 5 minutes lets the request through.
"""

from __future__ import annotations

import time

from allauth.account.authentication import get_authentication_records
from allauth.account.decorators import reauthentication_required
from django.conf import settings


def last_authenticated_at(request) -> float | None:
    """When ``request``'s session last proved a factor (sign-in or re-authentication), in seconds since the epoch.

    Returns:
        The latest ``at`` of allauth's authentication records for the signed-in user, or ``None`` when there are
        none (an anonymous request, or a session made some other way).
    """
    if not request.user.is_authenticated:
        return None
    times = [record.get("at") for record in get_authentication_records(request, request.user)]
    times = [float(at) for at in times if isinstance(at, int | float)]
    return max(times, default=None)


def needs_reauthentication(request) -> bool:
    """True when ``request``'s session showed no factor within ``ACCOUNT_REAUTHENTICATION_TIMEOUT`` seconds."""
    at = last_authenticated_at(request)
    return at is None or time.time() - at >= settings.ACCOUNT_REAUTHENTICATION_TIMEOUT


def recently_authenticated_required(view=None, *, allow_get: bool = False):
    """allauth's ``reauthentication_required``, satisfied by a sign-in within the timeout as well (SECURITY.md B5).

    Use under ``login_required``. ``allow_get=True`` lets a GET through (a form that shows no record) and asks
    only when it is submitted; allauth keeps the submitted POST and replays it after re-authentication.
    """
    decorator = reauthentication_required(allow_get=allow_get, enabled=needs_reauthentication)
    return decorator(view) if view is not None else decorator
