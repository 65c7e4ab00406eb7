"""Per-agency data versions in Django's cache: the one answer for "is this cached figure still fresh".

A cache user (the dashboard, the public transparency page) names a namespace; each agency has a version
number under it, and every cached entry's key carries that number. A save or delete the figures are read
from bumps the agency's version (``changed``), so the next read builds afresh and the old entries simply
expire. The cache is ``django.core.cache.cache``: Redis in production (``REDIS_URL``), local memory
otherwise. No database query.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache

_MISSING = object()


class AgencyVersions:
    """The version numbers of one namespace (e.g. ``"dashboard"``), one per agency."""

    def __init__(self, namespace: str):
        self.namespace = namespace

    def version_key(self, agency_id: int) -> str:
        """The cache key holding agency ``agency_id``'s version."""
        return f"{self.namespace}:version:{agency_id}"

    def version(self, agency_id: int) -> int:
        """The agency's current version (created on first use)."""
        key = self.version_key(agency_id)
        version = cache.get(key)
        if version is None:
            # A fresh number, not 1: after an eviction of the version, entries cached under an old number are not
            # reused.
            version = time.time_ns()
            cache.add(key, version, timeout=None)
            version = cache.get(key, version)
        return version

    def changed(self, agency_id: int | None) -> None:
        """Mark everything cached for agency ``agency_id`` stale (its next read builds afresh). None: nothing."""
        if agency_id is None:
            return
        try:
            cache.incr(self.version_key(agency_id))
        except ValueError:  # no version yet (or evicted): a fresh one
            cache.set(self.version_key(agency_id), time.time_ns(), timeout=None)

    def key(self, agency_id: int, *parts: str) -> str:
        """A cache key for agency ``agency_id`` at its current version, made of ``parts``."""
        return ":".join([self.namespace, str(agency_id), str(self.version(agency_id)), *parts])

    def cached(self, key: str, builder: Callable[[], Any], *, seconds: int) -> Any:
        """The value cached under ``key`` (from ``self.key``), else ``builder()``'s, cached for ``seconds``."""
        value = cache.get(key, _MISSING)
        if value is _MISSING:
            value = builder()
            cache.set(key, value, timeout=seconds)
        return value
