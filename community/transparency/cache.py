"""The transparency figures in Django's cache: per agency and period, at most 15 minutes old (issue #12 item 5).

Each agency has a **version number** in the cache; every cached entry's key carries it. A save or
delete of any row a figure is read from (detainers, cases, allegations, referrals, outreach events,
committee meetings, agreements, officers, certifications, the publication settings) bumps its
agency's version (``figures_changed``), so the next read builds afresh; the old entries simply
expire. What no signal sees (a bulk ``update()``, the clock passing a hold deadline, the nightly
training facts) shows within ``CACHE_SECONDS``. The signal handlers are connected by
``CommunityConfig.ready`` (``connect_invalidation``), so the lower apps never import this one.

The cache is ``django.core.cache.cache``: Redis in production (``REDIS_URL``), local memory otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, is_dataclass, replace
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.utils.functional import Promise
from django.utils.translation import get_language

from community.transparency.periods import Period
from compliance.core.versioned_cache import AgencyVersions

#: The longest a cached figure is served: 15 minutes (issue #12 item 5).
CACHE_SECONDS = 15 * 60

VERSIONS = AgencyVersions("transparency")


def _version_key(agency_id: int) -> str:
    return VERSIONS.version_key(agency_id)


def figures_version(agency_id: int) -> int:
    """The agency's current figures version (created on first use). No database query."""
    return VERSIONS.version(agency_id)


def figures_changed(agency_id: int | None) -> None:
    """Mark every cached figure of agency ``agency_id`` stale (its next read builds afresh). None: nothing."""
    VERSIONS.changed(agency_id)


def cache_key(agency_id: int, period: Period, variant: str = "") -> str:
    """The cache key of one agency's figures for ``period`` (``variant``: e.g. the language of rendered HTML)."""
    return VERSIONS.key(agency_id, period.key, variant)


def cached_page_data(agency, period: Period, builder: Callable[[], Any], *, variant: str = "") -> Any:
    """``builder()``'s result for ``agency`` and ``period``, from the cache when fresh, else built and cached.

    Args:
        agency: the ``compliance.Agency``.
        period: the ``Period`` shown.
        builder: a function of no argument building what is cached (picklable: sections, tables, HTML).
        variant: anything else the result depends on (e.g. ``"es"`` for HTML rendered in Spanish, ``"csv"``).

    Returns:
        The cached or freshly built value; a second read within ``CACHE_SECONDS`` and with no figure
        changed in between costs no database query.
    """
    return VERSIONS.cached(cache_key(agency.pk, period, variant), builder, seconds=CACHE_SECONDS)


def published_figures(*, agency, period: Period, threshold: int, now=None) -> list:
    """The agency's sections for ``period`` after small-count suppression, cached (``cached_page_data``).

    Args:
        agency, period: as ``community.transparency.figures.transparency_sections``.
        threshold: the agency's ``TransparencySettings.suppression_threshold``.
        now: as ``transparency_sections`` (default now).

    Returns:
        ``community.transparency.suppression.published_sections``'s list, its labels already translated
        into the active language (plain ``str``: unpickling lazy strings costs milliseconds per read), so
        the entry is kept per language too (and per threshold, although a change of settings bumps the
        version anyway).
    """
    from community.transparency.figures import transparency_sections
    from community.transparency.suppression import published_sections

    def build() -> list:
        raw = transparency_sections(agency=agency, period=period, now=now, threshold=threshold)
        return plain_text(published_sections(raw, threshold=threshold))

    return cached_page_data(agency, period, build, variant=f"sections:{threshold}:{get_language() or ''}")


def plain_text(value):
    """``value`` with every lazily translated string inside it (dataclasses, tuples, lists) made a plain ``str``."""
    if isinstance(value, Promise):
        return str(value)
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{item.name: plain_text(getattr(value, item.name)) for item in fields(value)})
    if isinstance(value, tuple | list):
        return type(value)(plain_text(item) for item in value)
    return value


# --- Invalidation ------------------------------------------------------------------------------------------------


def _agency_of(instance) -> int | None:
    agency_id = getattr(instance, "agency_id", None)
    if agency_id is None and getattr(instance, "incident_id", None) is not None:  # an allegation
        from incidents.incident_log.models import Incident

        agency_id = Incident.objects.filter(pk=instance.incident_id).values_list("agency_id", flat=True).first()
    return agency_id


def _on_change(sender, instance, **kwargs) -> None:
    figures_changed(_agency_of(instance))


def invalidating_models() -> list:
    """The models whose saves and deletes change a published figure."""
    from community.outreach.models import OutreachEvent
    from community.steering_committee.models import CommitteeMeeting
    from community.transparency.models import TransparencySettings
    from compliance.core.models import Agreement
    from incidents.detainers.models import Detainer
    from incidents.incident_log.models import Allegation, Incident
    from incidents.referrals.models import Referral
    from training.roster.models import Certification, Officer

    return [
        Detainer,
        Incident,
        Allegation,
        Referral,
        OutreachEvent,
        CommitteeMeeting,
        Agreement,
        Officer,
        Certification,
        TransparencySettings,
    ]


def connect_invalidation() -> None:
    """Connect ``figures_changed`` to each ``invalidating_models`` save and delete (once: ``CommunityConfig.ready``)."""
    for model in invalidating_models():
        uid = f"transparency-figures-{model._meta.label_lower}"
        post_save.connect(_on_change, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"{uid}-delete")
