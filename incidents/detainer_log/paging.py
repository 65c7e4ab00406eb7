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

Why ``public_id`` and not the integer key as the tie-breaker: the cursor travels in the URL,
and ``django.core.signing`` signs it but does not encrypt it; DESIGN.md ("records are
addressed in URLs by a random public id") and SECURITY.md F7 keep the sequential key, which
would reveal how many detainers all agencies logged, out of URLs. UUIDs compare the same way
in PostgreSQL (bytes), SQLite (32 lower-case hex digits) and Python (integer).

Why not "pending first" as one expression index (migration 0008): it served the first pages,
but ``Paginator`` still counted every row and walked ``OFFSET`` to deep pages (2 to 5 s for
the last page at 1,000,000 detainers; docs/performance.md).

Query count per page: it depends on the kind of cursor (first page, older, newer, oldest) and
the filters in the URL, never on the data: both segments are read whenever the page may start
in the open segment, even if the open rows alone fill it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core import signing
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from compliance.core.local_days import local_day_start
from incidents.detainers.models import Detainer
from incidents.detainers.selectors import held_past_deadline_q

#: Rows per page (as every other list page; compliance.core.pages.PAGE_SIZE).
PAGE_SIZE = 25
#: Closed detainers are counted up to this many; above it the page says "more than".
COUNT_CAP = 10_000

FIRST, OLDER, NEWER, LAST = "first", "older", "newer", "last"
OPEN, CLOSED = 0, 1

#: Outcome filter values → the outcome shown (None: both segments).
OUTCOME_FILTERS = {
    "all": None,
    "open": Detainer.Outcome.PENDING,
    "transferred": Detainer.Outcome.TRANSFERRED,
    "released": Detainer.Outcome.RELEASED,
    "lifted": Detainer.Outcome.LIFTED,
}

CURSOR_SALT = "incidents.detainer_log.paging.cursor"
CURSOR_VERSION = 1

OPEN_ORDER = (F("hold_deadline").asc(nulls_last=True), F("received_at").desc(), F("public_id").desc())
OPEN_REVERSED = (F("hold_deadline").desc(nulls_first=True), F("received_at").asc(), F("public_id").asc())
CLOSED_ORDER = (F("received_at").desc(), F("public_id").desc())
CLOSED_REVERSED = (F("received_at").asc(), F("public_id").asc())


@dataclass(frozen=True)
class Position:
    """Where a row sits in the log order: its segment and sort key (aware UTC datetimes)."""

    segment: int
    hold_deadline: datetime | None
    received_at: datetime
    public_id: uuid.UUID

    @classmethod
    def of(cls, detainer: Detainer) -> Position:
        if detainer.outcome == Detainer.Outcome.PENDING:
            return cls(OPEN, detainer.hold_deadline, detainer.received_at, detainer.public_id)
        return cls(CLOSED, None, detainer.received_at, detainer.public_id)


@dataclass(frozen=True)
class Cursor:
    """A page request: ``direction`` FIRST/LAST, or OLDER/NEWER than ``position`` (exclusive)."""

    direction: str
    position: Position | None = None


def cursor_encode(cursor: Cursor) -> str:
    """Signed, URL-safe token for ``cursor`` (``django.core.signing``: tampering is detected)."""
    data: dict = {"v": CURSOR_VERSION, "d": cursor.direction}
    if cursor.position is not None:
        pos = cursor.position
        data |= {
            "s": pos.segment,
            "h": pos.hold_deadline.isoformat() if pos.hold_deadline else None,
            "r": pos.received_at.isoformat(),
            "p": pos.public_id.hex,
        }
    return signing.dumps(data, salt=CURSOR_SALT, compress=True)


def cursor_decode(token: str | None) -> Cursor:
    """The cursor in ``token``; the first page for a missing, tampered, malformed or stale token.

    Stale means written by another version of this format (``CURSOR_VERSION``). A cursor
    whose row has since moved (e.g. its outcome was recorded) is still a valid position.
    Never raises.
    """
    if not token:
        return Cursor(FIRST)
    try:
        data = signing.loads(token, salt=CURSOR_SALT)
        if data.get("v") != CURSOR_VERSION:
            return Cursor(FIRST)
        direction = data["d"]
        if direction in (FIRST, LAST):
            return Cursor(direction)
        if direction not in (OLDER, NEWER) or data["s"] not in (OPEN, CLOSED):
            return Cursor(FIRST)
        received_at = parse_datetime(data["r"])
        hold_deadline = parse_datetime(data["h"]) if data["h"] else None
        if received_at is None or received_at.tzinfo is None or (data["h"] and hold_deadline is None):
            return Cursor(FIRST)
        if hold_deadline is not None and hold_deadline.tzinfo is None:
            return Cursor(FIRST)
        if data["s"] == CLOSED:
            hold_deadline = None
        return Cursor(direction, Position(data["s"], hold_deadline, received_at, uuid.UUID(hex=data["p"])))
    except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError):
        return Cursor(FIRST)


@dataclass(frozen=True)
class LogFilters:
    """Filters of the log page. ``received_from``/``received_to``: agency-local dates, inclusive."""

    outcome: str = "all"
    received_from: date | None = None
    received_to: date | None = None
    number: str = ""  # booking number as typed, exact
    a_number: str = ""  # stored form (A + 9 digits) when the lookup text reads as an A-number
    # The subject's name keys (compliance.core.names.name_key; incidents.detainer_log.name_search), equal; "" for any.
    last_name_key: str = ""
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
            lookup |= Q(a_number=filters.a_number)
        base = base.filter(lookup)
    if filters.last_name_key:
        # Equal stored keys (index detainer_subject_name_idx): case and Unicode form never depend on the database.
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


def _open_after(queryset: QuerySet, pos: Position) -> QuerySet:
    tail = Q(received_at__lt=pos.received_at) | Q(received_at=pos.received_at, public_id__lt=pos.public_id)
    if pos.hold_deadline is None:
        return queryset.filter(Q(hold_deadline__isnull=True) & tail)
    later = Q(hold_deadline__gt=pos.hold_deadline) | Q(hold_deadline__isnull=True)
    return queryset.filter(later | (Q(hold_deadline=pos.hold_deadline) & tail))


def _open_before(queryset: QuerySet, pos: Position) -> QuerySet:
    head = Q(received_at__gt=pos.received_at) | Q(received_at=pos.received_at, public_id__gt=pos.public_id)
    if pos.hold_deadline is None:
        return queryset.filter(Q(hold_deadline__isnull=False) | (Q(hold_deadline__isnull=True) & head))
    return queryset.filter(Q(hold_deadline__lt=pos.hold_deadline) | (Q(hold_deadline=pos.hold_deadline) & head))


def _closed_after(queryset: QuerySet, pos: Position) -> QuerySet:
    # "received_at <= r AND (...)": the first conjunct is the index range PostgreSQL reads.
    return queryset.filter(
        Q(received_at__lte=pos.received_at) & (Q(received_at__lt=pos.received_at) | Q(public_id__lt=pos.public_id))
    )


def _closed_before(queryset: QuerySet, pos: Position) -> QuerySet:
    return queryset.filter(
        Q(received_at__gte=pos.received_at) & (Q(received_at__gt=pos.received_at) | Q(public_id__gt=pos.public_id))
    )


def _take(queryset: QuerySet | None, order) -> list[Detainer]:
    """At most PAGE_SIZE + 1 rows of ``queryset`` in ``order``: one query, none for a filtered-out segment."""
    if queryset is None:
        return []
    return list(queryset.order_by(*order)[: PAGE_SIZE + 1])


def _rows(open_rows, closed_rows, cursor: Cursor) -> tuple[list[Detainer], bool, bool]:
    """(rows in log order, has newer, has older) for ``cursor``: one or two queries."""
    pos = cursor.position
    if cursor.direction == FIRST:
        found = _take(open_rows, OPEN_ORDER) + _take(closed_rows, CLOSED_ORDER)
        return found[:PAGE_SIZE], False, len(found) > PAGE_SIZE
    if cursor.direction == OLDER:
        if pos.segment == OPEN:
            after = None if open_rows is None else _open_after(open_rows, pos)
            found = _take(after, OPEN_ORDER) + _take(closed_rows, CLOSED_ORDER)
        else:
            found = _take(None if closed_rows is None else _closed_after(closed_rows, pos), CLOSED_ORDER)
        return found[:PAGE_SIZE], True, len(found) > PAGE_SIZE
    # NEWER and LAST read the reversed order with LIMIT, then reverse the rows.
    if cursor.direction == LAST:
        found = _take(closed_rows, CLOSED_REVERSED) + _take(open_rows, OPEN_REVERSED)
        has_older = False
    elif pos.segment == CLOSED:
        before = None if closed_rows is None else _closed_before(closed_rows, pos)
        found = _take(before, CLOSED_REVERSED) + _take(open_rows, OPEN_REVERSED)
        has_older = True
    else:
        found = _take(None if open_rows is None else _open_before(open_rows, pos), OPEN_REVERSED)
        has_older = True
    return found[:PAGE_SIZE][::-1], len(found) > PAGE_SIZE, has_older


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
    closed_count = 0
    if closed_rows is not None:
        closed_count = closed_rows.order_by().values("pk")[: COUNT_CAP + 1].count()
    rows, has_newer, has_older = _rows(open_rows, closed_rows, cursor)
    if not rows and cursor.direction != FIRST:
        rows, has_newer, has_older = _rows(open_rows, closed_rows, Cursor(FIRST))
    page = LogPage(rows, has_newer, has_older, open_count, closed_count)
    if rows:
        page.newer = Cursor(NEWER, Position.of(rows[0])) if has_newer else None
        page.older = Cursor(OLDER, Position.of(rows[-1])) if has_older else None
    return page
