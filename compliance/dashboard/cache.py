"""The dashboard's expensive figures in Django's cache: per agency, agency-local day and data version.

What is cached (``dashboard_figures``' "slow" part): the 12-month trends and their SVG charts, the
detainers' offense-level shares (all time), the training currency per course and the case deadlines
(cases past the investigation target, ICE referrals overdue). Each entry's key carries the agency, its
local date (so a new day, and with it a new month, builds afresh) and the agency's **version**, bumped by
every save or delete of a detainer, finding, case, referral, case settings, officer, certification,
course, training requirement or agreement (``dashboard_changed``; connected by ``ComplianceConfig.ready`` through
``connect_invalidation``). What no signal sees (a bulk ``update()``, the clock passing a hold deadline)
shows within ``CACHE_SECONDS``. The cache is ``django.core.cache.cache``: Redis in production
(``REDIS_URL``), local memory otherwise. Entries hold plain values (numbers, strings, dates), no model.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db.models.signals import post_delete, post_save

from compliance.core.versioned_cache import AgencyVersions

#: The longest a cached dashboard figure is served: 5 minutes.
CACHE_SECONDS = 5 * 60

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
    return VERSIONS.cached(VERSIONS.key(agency.pk, today.isoformat(), variant), builder, seconds=CACHE_SECONDS)


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
