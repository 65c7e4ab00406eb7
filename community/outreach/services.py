"""Writes for outreach events: keyword-only, the acting user, one transaction each.

Callers check permissions first (``compliance.core.access``).
"""

from __future__ import annotations

from django.db import transaction

from community.outreach.models import OutreachEvent
from compliance.core.audit import acting_as
from compliance.core.models import Agency
from compliance.core.writes import locked_update, refuse_unknown_fields

OUTREACH_FIELDS = frozenset(
    {
        "kind",
        "title",
        "held_on",
        "location",
        "attendance",
        "languages",
        "interpretation_provided",
        "topics",
        "summary",
    }
)


def outreach_event_create(*, agency: Agency, actor, reason: str | None = None, **fields) -> OutreachEvent:
    """Log a community meeting, steering-committee session or presentation (DOMAIN.md R3.6).

    Args:
        agency: the agency that held it.
        actor: the user logging it (history author).
        reason: optional history change reason.
        **fields: keyword-only values, any of ``OUTREACH_FIELDS``; ``held_on`` is a date
            (agency-local calendar day).

    Raises:
        TypeError: a field outside ``OUTREACH_FIELDS`` was passed.
    """
    refuse_unknown_fields(fields, OUTREACH_FIELDS, "outreach_event_create")
    event = OutreachEvent(agency=agency, **fields)
    with transaction.atomic(), acting_as(actor, reason=reason):
        event.save()
    return event


def outreach_event_update(*, event: OutreachEvent, actor, reason: str | None = None, **fields) -> OutreachEvent:
    """Change an outreach event's values; no history row when nothing changed (case H2).

    Raises:
        TypeError: a field outside ``OUTREACH_FIELDS`` was passed.
    """
    refuse_unknown_fields(fields, OUTREACH_FIELDS, "outreach_event_update")
    # Locked: two people editing the minutes at once must not silently overwrite each other.
    return locked_update(instance=event, actor=actor, reason=reason, fields=fields)
