"""Reads for outreach events, scoped through ``compliance.core.access``: the list with its counts, an event's
participants at any instant, its changes of participants, and the event as it stood at the end of a day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from community.commitments.models import Commitment
from community.outreach.models import EventMaterial, EventParticipant, OutreachEvent
from compliance.core import access, keyset
from compliance.core.local_days import local_day_start

#: The list's order (latest held first, the id breaking ties; indexes ``outreach_agency_held_id_idx``,
#: ``outreach_held_id_idx``) and its name in keyset cursors (``compliance.core.keyset``).
EVENT_ORDER = (keyset.Key("held_on", descending=True), keyset.Key("pk", descending=True))
EVENT_CURSOR_SALT = "community.outreach_events"


def _count_of(rows: QuerySet) -> Coalesce:
    """A correlated ``COUNT(*)`` of ``rows`` (already narrowed by ``OuterRef``), 0 when none: computed for the
    page's rows only (after LIMIT), never for the whole list."""
    counted = rows.order_by().annotate(n=Count("pk")).values("n")  # ``rows`` is ``.values(<the outer key>)``
    return Coalesce(Subquery(counted[:1], output_field=IntegerField()), 0)


def outreach_events_for(user, *, perm: str = access.VIEW) -> QuerySet[OutreachEvent]:
    """Outreach events of every agency where ``user`` holds ``perm``, most recent first (``EVENT_ORDER``), agency
    joined.

    Each row carries ``organisation_count`` (organisations taking part now) and ``open_commitment_count``
    (its commitments still open), each a correlated subquery in the same query: PostgreSQL computes them for
    the rows of the page only, so a keyset page costs the same at any size.
    """
    organisations = EventParticipant.objects.filter(
        event=OuterRef("pk"), removed_at__isnull=True, organisation__isnull=False
    )
    open_commitments = Commitment.objects.filter(event=OuterRef("pk"), status=Commitment.Status.OPEN)
    return (
        access.scope(OutreachEvent.objects.all(), user, perm)
        .select_related("agency")
        .annotate(
            organisation_count=_count_of(organisations.values("event")),
            open_commitment_count=_count_of(open_commitments.values("event")),
        )
        .order_by("-held_on", "-pk")
    )


def events_with_organisation(queryset: QuerySet[OutreachEvent], organisation) -> QuerySet[OutreachEvent]:
    """Events of ``queryset`` that ``organisation`` takes part in now (not removed)."""
    taking_part = EventParticipant.objects.filter(
        event=OuterRef("pk"), organisation=organisation, removed_at__isnull=True
    )
    return queryset.filter(Exists(taking_part))


def participants_at(event: OutreachEvent, instant: datetime | None = None) -> QuerySet[EventParticipant]:
    """The participants ``event`` had at ``instant``: added by then and not removed by then.

    The one answer to "who took part, as the record stood at T" (issue #12 item 1): rows with
    ``added_at <= instant`` and (``removed_at`` empty or ``removed_at > instant``). A party removed and
    added again has two rows; at any instant at most one of them counts.

    Args:
        event: the event (found through ``compliance.core.access``).
        instant: an aware datetime; None → now (the rows not removed).

    Returns:
        A queryset of ``EventParticipant`` with the party and who added it joined, in the order added.
    """
    rows = EventParticipant.objects.filter(event=event).select_related(
        "organisation", "contact", "staff", "added_by", "removed_by"
    )
    if instant is None:
        rows = rows.filter(removed_at__isnull=True)
    else:
        rows = rows.filter(added_at__lte=instant).filter(Q(removed_at__isnull=True) | Q(removed_at__gt=instant))
    return rows.order_by("added_at", "pk")


@dataclass(frozen=True)
class ParticipantGroups:
    """An event's participants split for the page: organisations, contacts, staff."""

    organisations: list
    contacts: list
    staff: list

    @property
    def empty(self) -> bool:
        """Whether there is no participant at all."""
        return not (self.organisations or self.contacts or self.staff)


def participant_groups(rows) -> ParticipantGroups:
    """Split participant rows (from ``participants_at``) into organisations, contacts and staff, keeping order."""
    rows = list(rows)
    return ParticipantGroups(
        organisations=[row for row in rows if row.organisation_id],
        contacts=[row for row in rows if row.contact_id],
        staff=[row for row in rows if row.staff_id],
    )


@dataclass(frozen=True)
class ParticipantChange:
    """One change to an event's participants: ``"added"`` or ``"removed"``, the row, by whom, when (UTC)."""

    kind: str
    participant: EventParticipant
    by: object
    at: datetime


def participant_changes(event: OutreachEvent, instant: datetime | None = None) -> list[ParticipantChange]:
    """Every addition and removal of ``event``'s participants, newest first (up to ``instant`` when given).

    Two rows per participant at most (added, removed); one query.
    """
    changes: list[ParticipantChange] = []
    rows = EventParticipant.objects.filter(event=event).select_related(
        "organisation", "contact", "staff", "added_by", "removed_by"
    )
    for row in rows:
        if instant is None or row.added_at <= instant:
            changes.append(ParticipantChange("added", row, row.added_by, row.added_at))
        if row.removed_at is not None and (instant is None or row.removed_at <= instant):
            changes.append(ParticipantChange("removed", row, row.removed_by, row.removed_at))
    return sorted(changes, key=lambda change: (change.at, change.kind == "removed"), reverse=True)


def event_materials(event: OutreachEvent, instant: datetime | None = None) -> QuerySet[EventMaterial]:
    """The materials shared at ``event`` (uploaded by ``instant`` when given), in the order uploaded."""
    rows = EventMaterial.objects.filter(event=event).select_related("uploaded_by")
    if instant is not None:
        rows = rows.filter(uploaded_at__lte=instant)
    return rows.order_by("uploaded_at", "pk")


def end_of_local_day(day: date, zone) -> datetime:
    """The last instant of the agency-local ``day`` in ``zone``: one microsecond before the next day begins.

    ``day`` lies inside the app's calendar (``compliance.core.local_days``), so the next day exists.
    """
    return local_day_start(day + timedelta(days=1), zone) - timedelta(microseconds=1)


def event_as_of(event: OutreachEvent, instant: datetime):
    """``event``'s values as they stood at ``instant`` (its history row then), or None if it did not exist yet.

    Returns:
        A historical instance with the event's fields (``title``, ``held_on``, ``get_kind_display()`` …),
        or None when its first history row is after ``instant``.
    """
    try:
        return event.history.as_of(instant)
    except OutreachEvent.DoesNotExist:
        return None
