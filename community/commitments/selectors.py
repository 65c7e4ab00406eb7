"""Reads of commitments, scoped through ``compliance.core.access``; joins done here (no query per row).

The list page (``commitments_page``), one commitment's page (``commitment_or_404``), the panel of an
event's or a meeting's commitments (``origin_panel``), the dashboard's counts (``commitment_counts``)
and the owner choices (``owner_choices``). "Today" is always the agency's own date
(``services.agency_today``); a due date is an agency-local ``date``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from community.commitments.models import Commitment
from community.commitments.services import agency_today, may_change, may_complete, may_supervise
from compliance.core import access, keyset
from compliance.core.models import Agency, User
from incidents.corrective_actions.selectors import users_holding

#: Open commitments due within this many days of the agency's today count as "due soon" (list filter,
#: dashboard, reminders; the same 7 days as corrective actions: issue #12 item 2).
DUE_SOON_DAYS = 7

#: The committee meeting page a meeting's action items link to (built by the steering-committee topic);
#: while it is not there, the origin is named without a link.
MEETING_URL_NAME = "community:committee_meeting"

OPEN, OVERDUE, DUE_SOON, DONE, DROPPED, ALL = "open", "overdue", "due_soon", "done", "dropped", "all"
#: The list's status filter: value → label (``open`` is the default).
SHOW_CHOICES = [
    (OPEN, "Open"),
    (OVERDUE, "Overdue"),
    (DUE_SOON, f"Due within {DUE_SOON_DAYS} days"),
    (DONE, "Done"),
    (DROPPED, "Dropped"),
    (ALL, "All"),
]
EVENT, MEETING, STANDALONE = "event", "meeting", "none"
#: The list's origin filter: value → label ("" = any origin).
ORIGIN_CHOICES = [
    ("", "Any origin"),
    (EVENT, "Outreach events"),
    (MEETING, "Committee meetings"),
    (STANDALONE, "On its own"),
]


def commitment_or_404(user, public_id, perm: str = access.VIEW) -> Commitment:
    """The commitment ``public_id`` if ``user`` holds ``perm`` in its agency, else 404 (existence not leaked)."""
    return access.get_scoped_or_404(
        Commitment.objects.select_related("agency", "event", "meeting", "owner", "closed_by", "created_by"),
        user,
        perm,
        public_id=public_id,
    )


def owner_choices(agencies) -> QuerySet[User]:
    """Active users who may own a commitment in one of ``agencies`` (holding ``change_records`` there), by name.

    Two queries for the ids, and the returned lazy queryset. With several agencies (a standalone commitment
    whose agency is chosen on the form), the service checks the owner against the chosen one.
    """
    held = users_holding([agency.pk for agency in agencies], access.CHANGE)
    ids = set().union(*held.values()) if held else set()
    return User.objects.filter(pk__in=ids, is_active=True).order_by("last_name", "first_name", "username")


def origin_url(commitment: Commitment) -> str | None:
    """The page of the event or meeting ``commitment`` was made at, or None when it was made on its own."""
    if commitment.event_id:
        return reverse("community:outreach_detail", kwargs={"public_id": commitment.event.public_id})
    if commitment.meeting_id:
        return reverse(MEETING_URL_NAME, kwargs={"public_id": commitment.meeting.public_id})
    return None


def origin_label(commitment: Commitment, zone=None) -> str:
    """What the commitment was made at, in words: the event's title and day, the meeting's day, or "On its own"."""
    if commitment.event_id:
        return f"{commitment.event.title} ({commitment.event.held_on.isoformat()})"
    if commitment.meeting_id:
        day = timezone.localdate(commitment.meeting.starts_at, timezone=zone or commitment.agency.zone)
        return f"Steering-committee meeting ({day.isoformat()})"
    return "On its own"


@dataclass(frozen=True)
class CommitmentRow:
    """One commitment as a page shows it."""

    commitment: Commitment
    overdue: bool
    origin_label: str
    origin_url: str | None

    @property
    def no_owner(self) -> bool:
        return self.commitment.owner_id is None


def _row(commitment: Commitment, today: date, zone) -> CommitmentRow:
    return CommitmentRow(
        commitment=commitment,
        overdue=commitment.status == Commitment.Status.OPEN and commitment.due_on < today,
        origin_label=origin_label(commitment, zone),
        origin_url=origin_url(commitment),
    )


def commitments_filtered(*, user, agency: Agency, show: str = OPEN, mine: bool = False, origin: str = ""):
    """The commitments of ``agency`` the list shows, as a lazy queryset (owner, event, meeting joined).

    Args:
        user: the viewer (already known to hold VIEW in ``agency``); ``mine`` keeps those they own.
        agency: the agency listed.
        show: ``open`` (default), ``overdue`` (open, due before the agency's today), ``due_soon`` (open, due
            from today to ``DUE_SOON_DAYS`` days on), ``done``, ``dropped`` or ``all``; an unknown value is ``open``.
        origin: ``event``, ``meeting``, ``none`` (on its own) or "" (any).

    Returns:
        Open lists soonest due first; done and dropped ones most recently closed first; ``all``: by due date.
    """
    today = agency_today(agency)
    queryset = access.scope(Commitment.objects.all(), user).filter(agency=agency)
    if show in (DONE, DROPPED):
        queryset = queryset.filter(status=show)
    elif show != ALL:
        queryset = queryset.filter(status=Commitment.Status.OPEN)
        if show == OVERDUE:
            queryset = queryset.filter(due_on__lt=today)
        elif show == DUE_SOON:
            queryset = queryset.filter(due_on__gte=today, due_on__lte=today + timedelta(days=DUE_SOON_DAYS))
    if mine:
        queryset = queryset.filter(owner=user)
    if origin == EVENT:
        queryset = queryset.filter(event__isnull=False)
    elif origin == MEETING:
        queryset = queryset.filter(meeting__isnull=False)
    elif origin == STANDALONE:
        queryset = queryset.filter(event__isnull=True, meeting__isnull=True)
    keys = commitment_order(show)
    return queryset.select_related("agency", "owner", "event", "meeting").order_by(*(key.order() for key in keys))


#: The list's name in keyset cursors (``compliance.core.keyset``).
COMMITMENT_CURSOR_SALT = "community.commitments"


def commitment_order(show: str) -> tuple[keyset.Key, ...]:
    """The list's sort keys for ``show`` (the id breaking ties): ``done``/``dropped`` most recently closed first,
    every other soonest due first. Indexes ``commitment_agency_status_due_idx``, ``commitment_agency_due_id_idx``
    and ``commitment_agency_closed_idx`` hold these orders."""
    if show in (DONE, DROPPED):
        return (keyset.Key("closed_at", descending=True), keyset.Key("pk", descending=True))
    return (keyset.Key("due_on"), keyset.Key("pk"))


def commitment_rows(commitments, *, agency: Agency) -> list[CommitmentRow]:
    """Rows for ``commitments`` (already fetched with their owner, event and meeting) of ``agency``. No query."""
    today = agency_today(agency)
    return [_row(commitment, today, agency.zone) for commitment in commitments]


@dataclass(frozen=True)
class OriginPanel:
    """What ``templates/community/commitments/_for_origin.html`` reads."""

    commitments: list[CommitmentRow]
    origin_query: str
    can_add: bool

    def as_context(self) -> dict:
        return {"commitments": self.commitments, "origin_query": self.origin_query, "can_add": self.can_add}


def origin_panel(*, user, event=None, meeting=None) -> OriginPanel:
    """The commitments made at ``event`` or at ``meeting`` (the caller reached it through access), for ``user``.

    Returns:
        ``OriginPanel``: rows soonest due first (overdue marked by the agency's date), the query string the
        "add" link carries (``event=<uuid>`` / ``meeting=<uuid>``) and whether ``user`` may add one. Two queries.

    Raises:
        ValueError: neither or both of ``event`` and ``meeting``.
    """
    if (event is None) == (meeting is None):
        raise ValueError("Give an event or a meeting.")
    origin = event if event is not None else meeting
    agency = origin.agency
    lookup = {"event": event} if event is not None else {"meeting": meeting}
    commitments = (
        Commitment.objects.filter(agency=agency, **lookup)
        .select_related("agency", "owner", "event", "meeting")
        .order_by("due_on", "pk")
    )
    today = agency_today(agency)
    rows = [
        CommitmentRow(
            commitment=c,
            overdue=c.status == Commitment.Status.OPEN and c.due_on < today,
            origin_label="",
            origin_url=None,
        )
        for c in commitments
    ]
    kind = "event" if event is not None else "meeting"
    return OriginPanel(commitments=rows, origin_query=f"{kind}={origin.public_id}", can_add=may_change(user, agency))


@dataclass(frozen=True)
class CommitmentPermissions:
    """What ``user`` may do with one commitment (its page's buttons)."""

    can_edit: bool
    can_complete: bool
    can_drop: bool
    can_reopen: bool


def permissions_for(user, commitment: Commitment) -> CommitmentPermissions:
    """The steps ``user`` may take on ``commitment`` now (open or not). A few permission queries."""
    is_open = commitment.status == Commitment.Status.OPEN
    supervisor = may_supervise(user, commitment.agency)
    return CommitmentPermissions(
        can_edit=is_open and may_change(user, commitment.agency),
        can_complete=is_open and may_complete(user, commitment),
        can_drop=is_open and supervisor,
        can_reopen=not is_open and supervisor,
    )


def overdue_q(today: date) -> Q:
    """Of open commitments, the overdue ones: due before ``today`` (the agency's local date)."""
    return Q(due_on__lt=today)


def due_soon_q(today: date) -> Q:
    """Of open commitments, the ones due soon: from ``today`` (the agency's local date) to ``DUE_SOON_DAYS`` on."""
    return Q(due_on__gte=today, due_on__lte=today + timedelta(days=DUE_SOON_DAYS))


def commitment_counts(*, agency: Agency, today: date) -> dict[str, int]:
    """Open commitments of ``agency``: ``overdue`` (due before ``today``, its local date) and ``due_soon`` (due
    from ``today`` to ``DUE_SOON_DAYS`` days on). One query. (The dashboard counts the same with ``overdue_q``
    and ``due_soon_q`` inside its one query of plain counts.)"""
    return (
        Commitment.objects.open()
        .filter(agency=agency)
        .aggregate(overdue=Count("pk", filter=overdue_q(today)), due_soon=Count("pk", filter=due_soon_q(today)))
    )
