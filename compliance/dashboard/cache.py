"""The dashboard's expensive figures in Django's cache: per agency and agency-local day, served while revalidated.

What is cached (``dashboard_figures``' "slow" part): the 12-month trends and their SVG charts, the
detainers' offense-level shares (all time), the training currency per course and the case deadlines
(cases past the investigation target, ICE referrals overdue). Each entry's key carries the agency, its
local date (so a new day, and with it a new month, builds afresh) and the agency's **version**, bumped by
every save or delete of a detainer, finding, case, referral, case settings, officer, certification,
course, training requirement or agreement (``dashboard_changed``; connected by ``ComplianceConfig.ready`` through
``connect_invalidation``). What no signal sees (a bulk ``update()``, the clock passing a hold deadline)
shows within ``CACHE_SECONDS``. The cache is ``django.core.cache.cache``: Redis in production
(``REDIS_URL``), local memory otherwise. Entries hold plain values (numbers, strings, dates), no model.

Stale-while-revalidate (``served_figures``, the page): after a change, or ``CACHE_SECONDS`` after the build,
the page still shows the last built figures, with the time they were built, and hands a rebuild to a worker
(``compliance.tasks.dashboard_rebuild_task``, the agency id only, on commit, at most one per agency per
``LOCK_SECONDS``; a broker that is down is logged and tried again after ``RETRY_SECONDS``). No entry, a new
local day, or figures ``MAX_STALE_SECONDS`` old or more: built inline (the first visit pays). Without a worker
(eager mode: ``make run``, tests) stale figures are rebuilt inline as before: there is nobody to hand them to.
``cached_figures`` (the review packet) never serves stale figures.

Pre-warming (``dashboard_prewarm``, beat every 5 minutes): the figures of every agency whose dashboard was shown
within ``VIEWED_SECONDS`` are rebuilt by a worker when they are not fresh (no entry, another local day, a change,
older than ``CACHE_SECONDS``), through the same lock, so the first visit of the morning finds them built.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from compliance.core.versioned_cache import LOCK_FAILED, AgencyVersions, Served

#: Cached figures younger than this (5 minutes) and with no change since are fresh.
CACHE_SECONDS = 5 * 60
#: The hard maximum: figures this old (15 minutes) or older are never served, the request builds them inline.
MAX_STALE_SECONDS = 15 * 60
#: At most one rebuild per agency is queued in this time (2 minutes): a task lost by the broker delays the next
#: rebuild by this much at most.
LOCK_SECONDS = 2 * 60
#: After the broker refused a rebuild, no new hand-over is tried for this long (1 minute): a down broker costs
#: one bounded connection attempt a minute, not one per request.
RETRY_SECONDS = 60
#: The task rebuilding one agency's figures, by name (``compliance.tasks`` imports this floor).
REBUILD_TASK = "compliance.tasks.dashboard_rebuild_task"
#: An agency whose dashboard was shown within this time (a day) is kept warm by ``dashboard_prewarm`` (beat).
VIEWED_SECONDS = 24 * 60 * 60

logger = logging.getLogger(__name__)

VERSIONS = AgencyVersions("dashboard")


def _version_key(agency_id: int) -> str:
    return VERSIONS.version_key(agency_id)


def dashboard_version(agency_id: int) -> int:
    """The agency's current dashboard data version (created on first use). No database query."""
    return VERSIONS.version(agency_id)


def dashboard_changed(agency_id: int | None) -> None:
    """Mark the cached dashboard figures of agency ``agency_id`` stale (the next read builds afresh). None: nothing."""
    VERSIONS.changed(agency_id)


def cached_figures(agency, today: date, builder: Callable[[], Any], *, variant: str) -> Any:
    """``builder()``'s result for ``agency`` on its local date ``today``, from the cache when fresh.

    Args:
        agency: the ``compliance.Agency``.
        today: its local date (a date, not a datetime).
        builder: a function of no argument building the (picklable) value.
        variant: what the value is (e.g. ``"slow"``), part of the key.

    Returns:
        The cached or freshly built value; a second read within ``CACHE_SECONDS``, on the same local day and
        with nothing changed in between, costs no database query.
    """
    return served_figures(agency, today, builder, variant=variant, stale_ok=False).value


def served_figures(
    agency, today: date, builder: Callable[[], Any], *, variant: str, stale_ok: bool, now: datetime | None = None
) -> Served:
    """``builder()``'s value for ``agency`` on its local date ``today``: cached, stale-while-revalidate.

    Args:
        agency: the ``compliance.Agency``.
        today: its local date (a date, not a datetime).
        builder: a function of no argument building the (picklable) value.
        variant: what the value is (e.g. ``"slow"``), part of the key.
        stale_ok: True (the page): stale figures (changed since, or older than ``CACHE_SECONDS``) younger than
            ``MAX_STALE_SECONDS`` are served while a worker rebuilds them; False (the review packet): built inline.
        now: the moment of the read (aware datetime; default the current time).

    Returns:
        ``compliance.core.versioned_cache.Served``: ``value``, ``built_at`` (aware UTC), ``stale``, ``pending``.
        Fresh or stale, no database query; built inline: ``builder``'s.
    """
    from compliance.celery import app

    refresh = None
    if stale_ok:
        cache.set(_viewed_key(agency.pk), True, timeout=VIEWED_SECONDS)
    if stale_ok and not app.conf.task_always_eager:

        def refresh() -> bool:
            return rebuild_request(agency.pk)

    return VERSIONS.served(
        agency.pk,
        day=today.isoformat(),
        variant=variant,
        builder=builder,
        fresh_seconds=CACHE_SECONDS,
        max_seconds=MAX_STALE_SECONDS,
        refresh=refresh,
        lock_seconds=LOCK_SECONDS,
        retry_seconds=RETRY_SECONDS,
        now=now,
    )


def rebuild_request(agency_id: int) -> bool:
    """Hand the rebuild of agency ``agency_id``'s figures to the broker; False (logged, with the agency id only)
    when it is down or refuses (bounded: ``CELERY_BROKER_TRANSPORT_OPTIONS``, no retry)."""
    from compliance.celery import app

    try:
        if REBUILD_TASK not in app.tasks:
            app.loader.import_default_modules()  # a web process loads the autodiscovered task modules on first use
        app.tasks[REBUILD_TASK].apply_async((agency_id,), retry=False)
    except Exception as exc:  # kombu OperationalError, redis ConnectionError, socket errors
        logger.warning(
            "Dashboard rebuild of agency %s not handed to the broker: %s: %s", agency_id, type(exc).__name__, exc
        )
        return False
    return True


def _viewed_key(agency_id: int) -> str:
    return f"{VERSIONS.namespace}:viewed:{agency_id}"


def dashboard_prewarm(*, variant: str = "slow", now: datetime | None = None) -> dict[str, int]:
    """Queue a rebuild of the figures of every agency whose dashboard was shown within ``VIEWED_SECONDS`` and
    whose figures are not fresh at ``now`` (aware; default the current time) on its local day: no entry, another
    day, a change since, or older than ``CACHE_SECONDS``. At most one rebuild per agency at a time (the page's
    lock). One query (the agencies) and one cache round trip, plus one per rebuild requested.

    Returns counts: ``queued`` (rebuilds handed over, or run at once in eager mode), ``fresh``, ``pending``
    (a rebuild already queued), ``broker_down``; agencies not shown within a day are not counted.
    """
    from compliance.core.models import Agency

    now = now or timezone.now()
    agencies = list(Agency.objects.only("pk", "time_zone").order_by("pk"))
    keys = {}
    for agency in agencies:
        keys[agency.pk] = (
            _viewed_key(agency.pk),
            VERSIONS.version_key(agency.pk),
            VERSIONS.entry_key(agency.pk, variant),
            VERSIONS.lock_key(agency.pk, variant),
        )
    found = cache.get_many([key for four in keys.values() for key in four])
    counts = {"queued": 0, "fresh": 0, "pending": 0, "broker_down": 0}
    for agency in agencies:
        viewed, version, entry_key, lock = keys[agency.pk]
        if not found.get(viewed):
            continue
        entry = found.get(entry_key)
        if (
            entry is not None
            and entry["day"] == timezone.localdate(now, timezone=agency.zone).isoformat()
            and entry["version"] == found.get(version)
            and (now - entry["built_at"]).total_seconds() < CACHE_SECONDS
        ):
            counts["fresh"] += 1
            continue
        if found.get(lock) is not None:
            counts["pending"] += 1
            continue
        agency_id = agency.pk
        lock = VERSIONS.rebuild_request(
            agency_id,
            variant,
            lambda agency_id=agency_id: rebuild_request(agency_id),
            lock_seconds=LOCK_SECONDS,
            retry_seconds=RETRY_SECONDS,
        )
        counts["broker_down" if lock == LOCK_FAILED else "queued"] += 1
    return counts


def rebuild_done(agency_id: int, variant: str) -> None:
    """Release agency ``agency_id``'s rebuild lock of ``variant`` (the rebuild task, when it has finished)."""
    VERSIONS.rebuilt(agency_id, variant)


def is_fresh(agency_id: int, today: date, variant: str) -> bool:
    """True when agency ``agency_id``'s ``variant`` figures for its local date ``today`` are fresh (no change since
    the build, younger than ``CACHE_SECONDS``): a duplicate rebuild task skips the work."""
    return VERSIONS.is_fresh(agency_id, day=today.isoformat(), variant=variant, fresh_seconds=CACHE_SECONDS)


def _on_change(sender, instance, **kwargs) -> None:
    dashboard_changed(getattr(instance, "agency_id", None))


def invalidating_models() -> list:
    """The models whose saves and deletes change a cached dashboard figure."""
    from compliance.core.models import Agreement, Finding
    from incidents.detainers.models import Detainer
    from incidents.incident_log.models import Incident, IncidentSettings
    from incidents.referrals.models import Referral
    from training.requirements.models import TrainingRequirement
    from training.roster.models import Certification, Course, Officer

    return [
        Detainer,
        Finding,
        Incident,
        Referral,
        IncidentSettings,
        Officer,
        Certification,
        Course,
        TrainingRequirement,
        Agreement,
    ]


def connect_invalidation() -> None:
    """Connect ``dashboard_changed`` to every ``invalidating_models`` save and delete (``ComplianceConfig.ready``)."""
    for model in invalidating_models():
        uid = f"dashboard-figures-{model._meta.label_lower}"
        post_save.connect(_on_change, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"{uid}-delete")
