"""Per-agency data versions in Django's cache: the one answer for "is this cached figure still fresh".

A cache user (the dashboard, the public transparency page) names a namespace; each agency has a version
number under it, and every cached entry's key carries that number. A save or delete the figures are read
from bumps the agency's version (``changed``), so the next read builds afresh and the old entries simply
expire. The cache is ``django.core.cache.cache``: Redis in production (``REDIS_URL``), local memory
otherwise. No database query.

Stale-while-revalidate (``served``, the dashboard): one entry per agency and variant (no version in its key)
holds the value with the version and local day it was built for and when. A read within the freshness window
and at the same version is fresh; a stale one (the version moved, or older than the window) is still served
while a rebuild is handed to a worker (``refresh``), at most one at a time per agency and variant (a
``cache.add`` lock with a timeout: a lost task only delays the next rebuild); no entry, another day or an
entry past the hard maximum is built inline.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

_MISSING = object()

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Served:
    """A value read through ``AgencyVersions.served``, with when it was built and whether it is the latest."""

    value: Any
    #: When the value's build started (aware, UTC): the figures are true as of this moment.
    built_at: datetime
    #: True when the agency's data changed since the build, or the build is older than the freshness window.
    stale: bool = False
    #: True when a rebuild has been handed to a worker and has not finished yet.
    pending: bool = False


#: The lock's value while a rebuild is queued, and after a failed hand-over (the broker down).
LOCK_QUEUED = "queued"
LOCK_FAILED = "failed"


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

    # Stale-while-revalidate ------------------------------------------------------------------------------------

    def entry_key(self, agency_id: int, variant: str) -> str:
        """The cache key of agency ``agency_id``'s ``served`` entry of ``variant`` (no version: it outlives one)."""
        return f"{self.namespace}:entry:{agency_id}:{variant}"

    def lock_key(self, agency_id: int, variant: str) -> str:
        """The cache key of the rebuild lock of agency ``agency_id``'s ``variant`` (``LOCK_QUEUED``/``LOCK_FAILED``)."""
        return f"{self.namespace}:rebuild:{agency_id}:{variant}"

    def build(self, agency_id: int, *, day: str, variant: str, builder: Callable[[], Any], keep_seconds: int) -> Served:
        """Run ``builder()`` now and store its value as agency ``agency_id``'s entry of ``variant`` for ``day``.

        The version is read before the build, so a change during the build leaves the entry stale (rebuilt again).
        ``keep_seconds``: how long the cache keeps the entry (the hard maximum). Returns the fresh ``Served``.
        """
        version = self.version(agency_id)
        built_at = timezone.now()
        value = builder()
        entry = {"version": version, "day": day, "built_at": built_at, "value": value}
        cache.set(self.entry_key(agency_id, variant), entry, timeout=keep_seconds)
        return Served(value=value, built_at=built_at)

    def is_fresh(self, agency_id: int, *, day: str, variant: str, fresh_seconds: int) -> bool:
        """True when agency ``agency_id``'s entry of ``variant`` is for ``day``, at the current version and younger
        than ``fresh_seconds`` (a rebuild task skips the work then)."""
        entry = cache.get(self.entry_key(agency_id, variant))
        if entry is None or entry["day"] != day or entry["version"] != self.version(agency_id):
            return False
        return (timezone.now() - entry["built_at"]).total_seconds() < fresh_seconds

    def served(
        self,
        agency_id: int,
        *,
        day: str,
        variant: str,
        builder: Callable[[], Any],
        fresh_seconds: int,
        max_seconds: int,
        refresh: Callable[[], bool] | None,
        lock_seconds: int,
        retry_seconds: int,
        now: datetime | None = None,
    ) -> Served:
        """Agency ``agency_id``'s value of ``variant`` for local day ``day`` (an ISO date), served even when stale.

        Args:
            builder: builds the (picklable) value; run inline when there is no entry for ``day`` or it is at least
                ``max_seconds`` old (seconds), or when stale and ``refresh`` is None (no worker: eager mode).
            fresh_seconds: an entry younger than this (seconds) and at the current version is fresh.
            refresh: hands a rebuild to a worker, True if the broker took it (False: logged by the caller).
                Called on commit of the current transaction (at once outside one), at most once per
                ``lock_seconds`` per agency and variant; after a refused hand-over no new try for ``retry_seconds``.
            now: the moment of the read (aware; default the current time).

        Returns:
            ``Served``: the value, when its build started, whether it is ``stale`` and a rebuild ``pending``. Two cache
            reads when fresh (the version and the entry, one round trip), no database query.
        """
        now = now or timezone.now()
        version_key, entry_key, lock_key = (
            self.version_key(agency_id),
            self.entry_key(agency_id, variant),
            self.lock_key(agency_id, variant),
        )
        found = cache.get_many([version_key, entry_key, lock_key])
        version = found.get(version_key)
        if version is None:
            version = self.version(agency_id)
        entry = found.get(entry_key)
        age = None if entry is None else (now - entry["built_at"]).total_seconds()
        if entry is None or entry["day"] != day or age >= max_seconds or age < -max_seconds:
            return self.build(agency_id, day=day, variant=variant, builder=builder, keep_seconds=max_seconds)
        if entry["version"] == version and age < fresh_seconds:
            return Served(value=entry["value"], built_at=entry["built_at"])
        if refresh is None:
            return self.build(agency_id, day=day, variant=variant, builder=builder, keep_seconds=max_seconds)
        lock = found.get(lock_key)
        if lock is None:
            lock = self.rebuild_request(
                agency_id, variant, refresh, lock_seconds=lock_seconds, retry_seconds=retry_seconds
            )
        pending = lock == LOCK_QUEUED
        return Served(value=entry["value"], built_at=entry["built_at"], stale=True, pending=pending)

    def rebuild_request(
        self, agency_id: int, variant: str, refresh: Callable[[], bool], *, lock_seconds: int, retry_seconds: int
    ) -> str | None:
        """Take agency ``agency_id``'s rebuild lock of ``variant`` and call ``refresh`` on commit (at once outside a
        transaction); nothing when the lock is held already (a rebuild queued, or a refused hand-over less than
        ``retry_seconds`` ago).

        Returns the lock's value afterwards: ``LOCK_QUEUED`` (a rebuild is pending), ``LOCK_FAILED`` (the broker
        refused it), None (the rebuild ran already: eager mode).
        """
        lock_key = self.lock_key(agency_id, variant)
        if cache.add(lock_key, LOCK_QUEUED, timeout=lock_seconds):
            transaction.on_commit(lambda: self._hand_over(lock_key, refresh, retry_seconds))
        return cache.get(lock_key)  # outside a transaction the hand-over has run already

    def rebuilt(self, agency_id: int, variant: str) -> None:
        """Release agency ``agency_id``'s rebuild lock of ``variant`` (the rebuild task, when it has finished)."""
        cache.delete(self.lock_key(agency_id, variant))

    @staticmethod
    def _hand_over(lock_key: str, refresh: Callable[[], bool], retry_seconds: int) -> None:
        if not refresh():
            cache.set(lock_key, LOCK_FAILED, timeout=retry_seconds)
