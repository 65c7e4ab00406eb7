"""Per-address rate limits of the public complaint pages (no account, so no user to count against).

Our figures (``settings.RATE_LIMITS_PER_ADDRESS``): 5 complaints and 20 status look-ups an hour
from one client address. The count is a sliding window kept in the cache (shared by every web
process in production: Redis). The address is the client's as the proxies report it
(``settings.PROXY_COUNT``: the last N entries of ``X-Forwarded-For`` are our proxies'); the cache
key holds a keyed hash of it, never the address itself.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

COMPLAINT = "complaint"
STATUS = "status"


def client_address(request) -> str:
    """The client's address: ``REMOTE_ADDR``, or behind ``settings.PROXY_COUNT`` proxies the one they report."""
    count = settings.PROXY_COUNT
    if count:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR") or "unknown"


def address_wait(request, kind: str, *, now: float | None = None) -> int:
    """Count one ``kind`` request from the client's address; seconds to wait if over the limit (not counted), else 0.

    Args:
        request: the request (its client address names the counter).
        kind: ``COMPLAINT`` or ``STATUS``; its limit is ``settings.RATE_LIMITS_PER_ADDRESS[kind]``
            as (requests, window in seconds).
        now: Unix seconds (the clock by default).

    Returns:
        0 when allowed; else whole seconds until the oldest counted request leaves the window.
    """
    limit, window = settings.RATE_LIMITS_PER_ADDRESS[kind]
    now = time.time() if now is None else now
    key = f"public-limit:{kind}:" + salted_hmac("complaint_intake.address", client_address(request)).hexdigest()
    recent = [stamp for stamp in cache.get(key, []) if stamp > now - window]
    if len(recent) >= limit:
        return max(1, math.ceil(recent[0] + window - now))
    recent.append(now)
    cache.set(key, recent, window)
    return 0
