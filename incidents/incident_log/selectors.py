"""Reads for the incident log, scoped through ``compliance.core.access``.

Each selector does its joins here so templates cannot cause a query per row.
"""

from __future__ import annotations

from django.db.models import QuerySet

from compliance.core import access
from incidents.incident_log.models import Incident


def incidents_for(user, *, perm: str = access.VIEW, status: str | None = None) -> QuerySet[Incident]:
    """Incidents of every agency where ``user`` holds ``perm``, newest first; optionally one status."""
    queryset = access.scope(Incident.objects.all(), user, perm).select_related("agency", "detainer")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-occurred_at", "-pk")


def incident_or_404(user, public_id, perm: str = access.VIEW) -> Incident:
    """The case ``public_id`` if ``user`` holds ``perm`` in its agency, else 404 (existence not leaked, C1)."""
    return access.get_scoped_or_404(
        Incident.objects.select_related("agency", "detainer", "reported_by", "investigator", "closed_by"),
        user,
        perm,
        public_id=public_id,
    )
