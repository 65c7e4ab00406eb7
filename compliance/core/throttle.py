"""Per-user rate limits on searches and exports (SECURITY.md F11; ASVS5 2.4.1).

Our figures (``settings.RATE_LIMITS_PER_USER``): at most 60 searches a minute and 10 exports
an hour per user. Beyond that the request is answered HTTP 429 with our page, which says when to
try again (and a ``Retry-After`` header), and one access-log row (the action, outcome
``throttled``) tells the user's agency's auditors. The counts live in the cache
(``django.core.cache``: LocMem in tests and ``make run``, Redis in production, so every web
process shares them); each is a sliding window of the user's last requests.
"""

from __future__ import annotations

import functools
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

from compliance.core.models import AccessLog, access_log_event

SEARCH = "search"
EXPORT = "export"
#: What a limit is about → the access-log action of its "throttled" row, and the page's wording.
KINDS = {
    SEARCH: (AccessLog.Action.SEARCH, "searches"),
    EXPORT: (AccessLog.Action.EXPORT, "exports"),
}


def throttle_wait(user, kind: str, *, now: float | None = None, count: bool = True) -> int:
    """Count one ``kind`` request of ``user``; the seconds to wait if it is over the limit (then not counted), else 0.

    Args:
        user: the signed-in user (their pk names the counter).
        kind: ``SEARCH`` or ``EXPORT``; its limit is ``settings.RATE_LIMITS_PER_USER[kind]``
            as (requests, window in seconds).
        now: Unix seconds (the clock by default).
        count: False to check only (the request is counted later, if it is accepted).

    Returns:
        0 when allowed; otherwise whole seconds until the oldest counted request leaves the window.
    """
    limit, window = settings.RATE_LIMITS_PER_USER[kind]
    return sliding_window_wait(f"throttle:{kind}:{user.pk}", limit=limit, window=window, now=now, count=count)


def throttle_remaining(user, kind: str, *, now: float | None = None) -> tuple[int, int]:
    """(requests of ``kind`` ``user`` may still make now, the limit) under ``settings.RATE_LIMITS_PER_USER``.

    Reads the same sliding window as ``throttle_wait`` (no count). ``now``: Unix seconds (the clock by default).
    """
    limit, window = settings.RATE_LIMITS_PER_USER[kind]
    recent = _recent(f"throttle:{kind}:{user.pk}", window=window, now=time.time() if now is None else now)
    return max(0, limit - len(recent)), limit


def _recent(key: str, *, window: int, now: float) -> list[float]:
    """The request times (Unix seconds) counted under ``key`` within the last ``window`` seconds, oldest first."""
    return [stamp for stamp in cache.get(key, []) if stamp > now - window]


def sliding_window_wait(key: str, *, limit: int, window: int, now: float | None = None, count: bool = True) -> int:
    """Count one request under the cache ``key``; seconds to wait if ``limit`` were passed in ``window``, else 0.

    A sliding window of request times kept in the default cache (Redis in production, shared by every
    web process). A refused request is not counted; with ``count=False`` nothing is counted (a check
    before work that is counted only if it succeeds).

    Args:
        key: the counter's cache key (no personal data in it: hash an address first).
        limit: requests allowed per window.
        window: seconds.
        now: Unix seconds (the clock by default).

    Returns:
        0 when allowed; otherwise whole seconds (at least 1) until the oldest counted request leaves the window.
    """
    now = time.time() if now is None else now
    recent = _recent(key, window=window, now=now)
    if len(recent) >= limit:
        return max(1, math.ceil(recent[0] + window - now))
    if count:
        recent.append(now)
        cache.set(key, recent, window)
    return 0


def throttled_response(request, kind: str, wait: int):
    """The 429 page (our layout; says when to try again) and its access-log row (outcome ``throttled``)."""
    action, noun = KINDS[kind]
    access_log_event(request, action=action, outcome=AccessLog.Outcome.THROTTLED)
    limit, window = settings.RATE_LIMITS_PER_USER[kind]
    minutes = math.ceil(wait / 60)
    response = render(
        request,
        "429.html",
        {
            "noun": noun,
            "limit": limit,
            "window_minutes": window // 60,
            "wait_minutes": minutes,
        },
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


def rate_limited(kind: str, *, when=None, accepted=None):
    """Decorate a view: each request of ``kind`` (or only those for which ``when(request)`` is true) counts.

    Put it below ``login_required`` (the counter is per user). Over the limit the view is not run:
    the answer is ``throttled_response``. ``accepted(request, response)``: count only the requests it says were
    accepted (e.g. a form that redirects once it did its work), so a refused form does not use up the allowance.
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            counting = request.user.is_authenticated and (when is None or when(request))
            if counting:
                wait = throttle_wait(request.user, kind, count=accepted is None)
                if wait:
                    return throttled_response(request, kind, wait)
            response = view(request, *args, **kwargs)
            if counting and accepted is not None and accepted(request, response):
                throttle_wait(request.user, kind)
            return response

        return wrapped

    return decorate
