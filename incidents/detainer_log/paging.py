"""The detainer log page (``incidents:detainer_list``): keyset ("cursor") pages, capped counts, filters.

Order of the log (a total order, so every row is on exactly one page):

1. Open detainers (outcome pending): nearest ``hold_deadline`` first, those with no
   deadline yet (release time unknown) last; ties newest ``received_at`` first, then
   ``public_id`` descending. A jail holds a few thousand open detainers at most, so this
   segment stays small whatever the size of the log; the partial index
   ``detainer_open_list_idx`` holds it in this exact order.
2. Closed detainers (transferred, released, lifted): newest ``received_at`` first, then
   ``public_id`` descending. This is the segment that grows without bound (1,000,000 rows
   in the benchmark). It is read with a keyset predicate
   ``received_at <= r AND (received_at < r OR public_id < p)``, which PostgreSQL turns into
   an index range on the partial indexes ``detainer_closed_agency_idx``
   ``(agency, -received_at, -public_id) WHERE outcome <> 'pending'`` (one agency) and
   ``detainer_closed_recv_idx`` ``(-received_at, -public_id)`` (an auditor of several
   agencies): each page is an index scan that stops after 26 rows, never a sort of the log
   nor an ``OFFSET`` walk. "Oldest" reads the same index backwards (reversed order, LIMIT,
   then the rows are reversed in Python).

The paging itself is the shared ``compliance.core.keyset`` (the one answer for every long list):
the two segments are its ``Segment`` objects, "newer"/"older" its PREVIOUS/NEXT, and the cursor its
encrypted token (``CURSOR_SALT``).

Why ``public_id`` and not the integer key as the tie-breaker: the partial indexes of migration
0011 are built on it (and the cursor, though encrypted now, was once only signed). UUIDs compare
the same way in PostgreSQL (bytes), SQLite (32 lower-case hex digits) and Python (integer).

Why not "pending first" as one expression index (migration 0008): it served the first pages,
but ``Paginator`` still counted every row and walked ``OFFSET`` to deep pages (2 to 5 s for
the last page at 1,000,000 detainers; docs/performance.md).

Query count per page: it depends on the kind of cursor (first page, older, newer, oldest) and
the filters in the URL, never on the data: both segments are read whenever the page may start
in the open segment, even if the open rows alone fill it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from compliance.core import keyset
from compliance.core.local_days import local_day_start
from incidents.detainers.models import Detainer
from incidents.detainers.selectors import held_past_deadline_q
from incidents.detainers.subject_index import a_number_q

#: Rows per page (as every other list page; compliance.core.pages.PAGE_SIZE).
PAGE_SIZE = 25
#: Closed detainers are counted up to this many; above it the page says "more than".
COUNT_CAP = 10_000

#: The log's directions: "newer" and "older" are the keyset's previous and next pages.
FIRST, OLDER, NEWER, LAST = keyset.FIRST, keyset.NEXT, keyset.PREVIOUS, keyset.LAST
OPEN, CLOSED = 0, 1

#: Outcome filter values → the outcome shown (None: both segments).
OUTCOME_FILTERS = {
    "all": None,
    "open": Detainer.Outcome.PENDING,
    "transferred": Detainer.Outcome.TRANSFERRED,
    "released": Detainer.Outcome.RELEASED,
    "lifted": Detainer.Outcome.LIFTED,
}

CURSOR_SALT = "incidents.detainer_log"

#: The two segments' sort keys (module docstring); the last one of each is unique.
OPEN_KEYS = (
    keyset.Key("hold_deadline", nullable=True),
    keyset.Key("received_at", descending=True),
    keyset.Key("public_id", descending=True),
)
CLOSED_KEYS = (keyset.Key("received_at", descending=True), keyset.Key("public_id", descending=True))

Cursor = keyset.Cursor
Position = keyset.Position


def position_of(detainer: Detainer) -> Position:
    """Where ``detainer`` sits in the log order: its segment (by outcome) and its values of that segment's keys."""
    if detainer.outcome == Detainer.Outcome.PENDING:
        return keyset.position_of(detainer, OPEN, OPEN_KEYS)
    return keyset.position_of(detainer, CLOSED, CLOSED_KEYS)


def cursor_encode(cursor: Cursor) -> str:
    """Encrypted, URL-safe token for ``cursor`` (``compliance.core.keyset.cursor_encode``: tampering is detected)."""
    return keyset.cursor_encode(cursor, salt=CURSOR_SALT)


def cursor_decode(token: str | None) -> Cursor:
    """The cursor in ``token``; the first page for a missing, tampered, malformed, stale or foreign token.

    A cursor whose row has since moved (e.g. its outcome was recorded) is still a valid position.
    Never raises (``compliance.core.keyset.cursor_decode``).
    """
    return keyset.cursor_decode(token, salt=CURSOR_SALT)


@dataclass(frozen=True)
class LogFilters:
    """Filters of the log page. ``received_from``/``received_to``: agency-local dates, inclusive."""

    outcome: str = "all"
    received_from: date | None = None
    received_to: date | None = None
    number: str = ""  # booking number as typed, exact
    a_number: str = ""  # stored form (A + 9 digits) when the lookup text reads as an A-number
    # The subject's name keys (compliance.core.names.name_key; incidents.detainer_log.name_search), equal; "" for any.
    last_name_key: str = ""  # the blind indexes (compliance.core.names.name_index) of the name looked up
    first_name_key: str = ""
    # Only holds that ran past the 48-hour deadline, judged now (incidents.detainers.selectors.held_past_deadline_q).
    held_past_deadline: bool = False

    @property
    def narrowed(self) -> bool:
        return bool(
            self.outcome != "all"
            or self.received_from
            or self.received_to
            or self.number
            or self.last_name_key
            or self.held_past_deadline
        )


@dataclass
class LogPage:
    """One page of the log, the cursors of its neighbours and the counts shown above it."""

    rows: list[Detainer]
    has_newer: bool
    has_older: bool
    open_count: int
    closed_count: int  # capped at COUNT_CAP + 1
    older: Cursor | None = None
    newer: Cursor | None = None

    @property
    def closed_count_capped(self) -> bool:
        return self.closed_count > COUNT_CAP


def _received_between(queryset: QuerySet, agencies: list, filters: LogFilters) -> QuerySet:
    """Detainers received between the two agency-local dates (inclusive), each agency in its own zone.

    A day runs from local midnight to the next local midnight in the detainer's agency's
    zone (``Agency.time_zone``), so a 23- or 25-hour DST day is whole. With agencies in
    different zones the widest UTC range is added too, so PostgreSQL still reads an
    index range and checks each agency's exact range on the rows in it.
    """
    if not (filters.received_from or filters.received_to):
        return queryset
    per_agency, starts, ends = Q(), [], []
    for agency in agencies:
        bounds = Q(agency=agency)
        if filters.received_from:
            starts.append(local_day_start(filters.received_from, agency.zone))
            bounds &= Q(received_at__gte=starts[-1])
        if filters.received_to:
            ends.append(local_day_start(filters.received_to + timedelta(days=1), agency.zone))
            bounds &= Q(received_at__lt=ends[-1])
        per_agency |= bounds
    if starts:
        queryset = queryset.filter(received_at__gte=min(starts))
    if ends:
        queryset = queryset.filter(received_at__lt=max(ends))
    if len({agency.time_zone for agency in agencies}) <= 1:
        return queryset  # one zone: the range above is every agency's exact range
    return queryset.filter(per_agency)


def _segments(agencies: list, filters: LogFilters) -> tuple[QuerySet | None, QuerySet | None]:
    """The open and the closed detainers of ``agencies`` matching ``filters`` (None: filtered out)."""
    base = Detainer.objects.filter(agency__in=[agency.pk for agency in agencies])
    base = _received_between(base, agencies, filters)
    if filters.number:
        # Booking numbers are usually printed upper-case; "qb-0002" finds "QB-0002" (both stay indexed lookups).
        lookup = Q(booking_number=filters.number) | Q(booking_number=filters.number.upper())
        if filters.a_number:
            lookup |= a_number_q(filters.a_number)
        base = base.filter(lookup)
    if filters.last_name_key:
        # Equal stored blind indexes of the name keys (index detainer_subject_name_idx; subject_index): case and
        # Unicode form never depend on the database.
        base = base.filter(subject_last_name_key=filters.last_name_key)
        if filters.first_name_key:
            base = base.filter(subject_first_name_key=filters.first_name_key)
    if filters.held_past_deadline:
        base = base.filter(held_past_deadline_q(timezone.now()))
    outcome = OUTCOME_FILTERS.get(filters.outcome)
    open_rows = base.filter(outcome=Detainer.Outcome.PENDING)
    closed_rows = base.exclude(outcome=Detainer.Outcome.PENDING)
    if outcome == Detainer.Outcome.PENDING:
        return open_rows, None
    if outcome is not None:
        return None, closed_rows.filter(outcome=outcome)
    return open_rows, closed_rows


def detainer_log_page(*, agencies: list, filters: LogFilters, cursor: Cursor) -> LogPage:
    """One page of the detainer log of ``agencies`` (already scoped by ``compliance.core.access``).

    Args:
        agencies: ``compliance.Agency`` rows the user may view (after any ``?agency=``
            narrowing); each one's ``time_zone`` reads the date filter for its detainers.
        filters: outcome, agency-local received dates (inclusive), booking/A-number (exact), the
            subject's name keys (equal; ``compliance.core.names.name_key``), held past the deadline.
        cursor: from ``cursor_decode``. A cursor whose page is empty (rows deleted, a
            cursor past the end) gives the first page. Going newer up to the start of the
            log may give a short page (fewer than ``PAGE_SIZE`` rows, no "newer" link):
            pages are not aligned to the start, so every row is shown exactly once whichever
            way the user walks.

    Returns:
        ``LogPage``: up to ``PAGE_SIZE`` detainers in log order (``agency`` not joined: the
        caller has the agencies), the neighbours' cursors, the exact number of open
        detainers and the number of closed ones capped at ``COUNT_CAP + 1`` (both under the
        same filters). Four queries (two counts, two reads; three going older deep in the
        closed segment), two more when an empty page falls back to the first page; never
        more as the log grows.
    """
    open_rows, closed_rows = _segments(agencies, filters)
    open_count = open_rows.order_by().count() if open_rows is not None else 0
    closed_count = keyset.count_capped(closed_rows, COUNT_CAP)
    segments = [keyset.Segment(open_rows, OPEN_KEYS), keyset.Segment(closed_rows, CLOSED_KEYS)]
    page = keyset.keyset_page(segments, cursor, size=PAGE_SIZE)
    return LogPage(
        page.rows, page.has_previous, page.has_next, open_count, closed_count, older=page.next, newer=page.previous
    )
