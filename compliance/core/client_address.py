"""The client's address, one answer for the access log, account events and the public pages' rate limits.

Behind ``settings.PROXY_COUNT`` reverse proxies (nginx in docker-compose: 1), ``REMOTE_ADDR`` is the
nearest proxy's; the client is the entry the outermost of our proxies appended to ``X-Forwarded-For``
(the N-th from the right). Entries further left were sent by the client and are not trusted. django-axes
is configured to the same rule (``AXES_IPWARE_PROXY_COUNT``).
"""

from __future__ import annotations

from django.conf import settings


def client_address(request) -> str | None:
    """The client's IP address as text, or None when the request carries none.

    Args:
        request: a Django request.

    Returns:
        ``REMOTE_ADDR`` without proxies; with ``settings.PROXY_COUNT`` = N > 0, the N-th address from the
        right of ``X-Forwarded-For`` (``REMOTE_ADDR`` when the header has fewer than N entries).
    """
    count = getattr(settings, "PROXY_COUNT", 0)
    if count:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR") or None
