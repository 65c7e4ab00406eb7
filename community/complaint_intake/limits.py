"""Per-address rate limits of the public complaint pages (no account, so no user to count against).

Our figures (``settings.RATE_LIMITS_PER_ADDRESS``): 5 complaints filed, 30 posts of the form
(refused ones included), 20 status look-ups an hour and 300 transparency pages or CSVs in 15 minutes from one
client address. A complaint counts once it is filed, so a resident who corrects a refused form is
not locked out by their mistakes. Each count is a sliding window kept in the cache (shared by every
web process in production: Redis). The address is the client's as the proxies report it
(``compliance.core.client_address``, the access log's rule too); the cache key holds a keyed hash
of it, never the address itself.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.crypto import salted_hmac

from compliance.core.client_address import client_address
from compliance.core.throttle import sliding_window_wait

#: Complaints filed (counted only when one is stored, or a bot's is swallowed).
COMPLAINT = "complaint"
#: Posts of the complaint form, valid or not (bounds the work of checking uploads).
ATTEMPT = "complaint_attempt"
STATUS = "status"
#: Views of the public transparency pages and their CSV (community.transparency.views).
TRANSPARENCY = "transparency"


def address_wait(request, kind: str, *, now: float | None = None, count: bool = True) -> int:
    """Count one ``kind`` request from the client's address; seconds to wait if over the limit (not counted), else 0.

    Args:
        request: the request (its client address names the counter).
        kind: ``COMPLAINT``, ``ATTEMPT``, ``STATUS`` or ``TRANSPARENCY``; its limit is
            ``settings.RATE_LIMITS_PER_ADDRESS[kind]`` as (requests, window in seconds).
        now: Unix seconds (the clock by default).
        count: False to only ask (a complaint is counted once it is filed: a resident who corrects a
            refused form is not locked out by their own mistakes).

    Returns:
        0 when allowed; else whole seconds until the oldest counted request leaves the window.
    """
    limit, window = settings.RATE_LIMITS_PER_ADDRESS[kind]
    address = client_address(request) or "unknown"
    key = f"public-limit:{kind}:" + salted_hmac("complaint_intake.address", address).hexdigest()
    return sliding_window_wait(key, limit=limit, window=window, now=now, count=count)
