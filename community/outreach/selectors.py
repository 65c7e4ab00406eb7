"""Reads for outreach events, scoped through ``compliance.core.access``."""

from __future__ import annotations

from django.db.models import QuerySet

from community.outreach.models import OutreachEvent
from compliance.core import access


def outreach_events_for(user, *, perm: str = access.VIEW) -> QuerySet[OutreachEvent]:
    """Outreach events of every agency where ``user`` holds ``perm``, most recent first, agency joined."""
    return access.scope(OutreachEvent.objects.all(), user, perm).select_related("agency").order_by("-held_on", "-pk")
