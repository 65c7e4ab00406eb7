"""Keyset ("cursor") pages: the one answer for every long list (detainer log, access log, findings, incidents,
outreach events, commitments).

A list is one or more *segments* shown one after the other (the detainer log: open detainers, then
closed ones; every other list: one segment). Each segment is a queryset and its sort keys (``Key``); the
last key is unique (the tie-breaker), so the order is total and every row is on exactly one page
whichever way the user walks. A page is read with a keyset predicate on the position of the row
at its edge, ``k1 <= v1 AND (k1 < v1 OR (k1 = v1 AND k2 < v2) OR ...)``: the first conjunct is the
index range PostgreSQL reads, so each page is an index scan that stops after ``size + 1`` rows,
never a sort of the list nor an ``OFFSET`` walk. "Last" reads the same index backwards (reversed
order, LIMIT, then the rows are turned round in Python), so the last page costs what the first does.

Cursors travel in the URL (``?cursor=``). They are encrypted and authenticated (Fernet, a key
derived from ``SECRET_KEY`` and the list's name), so a cursor reveals no sort value nor integer
key (DESIGN.md "records are addressed in URLs by a random public id", SECURITY.md F7), cannot be
forged, and a cursor of one list is meaningless on another. A missing, tampered, malformed, stale
or foreign cursor gives the first page (``cursor_decode`` never raises).

Query count per page: one query per segment read (the segments from the cursor's one onward, or
back to the first), never more as the list grows; two more when an empty page (rows deleted, a
position past the end) falls back to the first page. ``count_capped`` is one more when a page shows
a count.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import reduce
from operator import or_
from urllib.parse import urlencode

from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet
from django.utils.crypto import salted_hmac
from django.utils.dateparse import parse_date, parse_datetime

FIRST, NEXT, PREVIOUS, LAST = "first", "next", "previous", "last"
DIRECTIONS = (FIRST, NEXT, PREVIOUS, LAST)

#: Rows counted at most by ``count_capped``; above it a page says "more than".
COUNT_CAP = 10_000

#: Format of the cursor's plaintext; a cursor of another version gives the first page.
CURSOR_VERSION = 2

_NOTHING = Q(pk__in=[])
#: A Fernet token as ``cursor_encode`` writes it (URL-safe base64); anything else is refused before decoding.
_TOKEN = re.compile(r"[A-Za-z0-9_-]+={0,2}")


@dataclass(frozen=True)
class Key:
    """One sort key of a segment: a model field (``"received_at"``, ``"pk"``), its direction, and whether NULLs
    occur (a nullable key has its NULLs after every value, in the list's order, e.g. a detainer with no hold
    deadline yet)."""

    field: str
    descending: bool = False
    nullable: bool = False

    def order(self, *, reverse: bool = False):
        """The ``order_by`` expression of this key in list order, or reversed (``reverse``)."""
        expression = F(self.field)
        descending = self.descending != reverse
        if not self.nullable:  # plain ASC/DESC: the form the indexes are built in
            return expression.desc() if descending else expression.asc()
        # NULLs last in list order, so first when reversed.
        if descending:
            return expression.desc(nulls_last=True) if not reverse else expression.desc(nulls_first=True)
        return expression.asc(nulls_last=True) if not reverse else expression.asc(nulls_first=True)

    def beyond(self, value, *, later: bool) -> Q:
        """Rows strictly after (``later``) or before ``value`` on this key alone, in list order."""
        smaller = self.descending == later  # going later on a descending key means smaller values
        lookup = f"{self.field}__lt" if smaller else f"{self.field}__gt"
        if not self.nullable:
            return Q(**{lookup: value})
        if value is None:  # NULLs are last: nothing is later; every non-NULL is earlier
            return _NOTHING if later else Q(**{f"{self.field}__isnull": False})
        return Q(**{lookup: value}) | Q(**{f"{self.field}__isnull": True}) if later else Q(**{lookup: value})

    def equal(self, value) -> Q:
        if value is None:
            return Q(**{f"{self.field}__isnull": True})
        return Q(**{self.field: value})

    def bound(self, value, *, later: bool) -> Q:
        """The non-strict range on this key (``<=`` / ``>=``) that lets PostgreSQL read an index range; Q() when
        NULLs make it wrong."""
        if self.nullable:
            return Q()
        smaller = self.descending == later
        return Q(**{f"{self.field}__lte" if smaller else f"{self.field}__gte": value})


@dataclass(frozen=True)
class Segment:
    """One part of a list: ``rows`` (None: filtered out) in the order of ``keys`` (the last one unique)."""

    rows: QuerySet | None
    keys: tuple[Key, ...]


@dataclass(frozen=True)
class Position:
    """Where a row sits in a list: its segment's index and its values of that segment's keys."""

    segment: int
    values: tuple


@dataclass(frozen=True)
class Cursor:
    """A page request: ``direction`` FIRST/LAST, or NEXT/PREVIOUS from ``position`` (exclusive)."""

    direction: str
    position: Position | None = None


@dataclass
class KeysetPage:
    """One page: its rows in list order, whether pages exist before and after it, and the cursors to them."""

    rows: list
    has_previous: bool
    has_next: bool
    previous: Cursor | None = None
    next: Cursor | None = None
    #: The segment of each row (same length as ``rows``).
    segments: list[int] = field(default_factory=list)

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next


# --- cursors in URLs ---------------------------------------------------------------------------------------


def _fernet(salt: str) -> Fernet:
    digest = salted_hmac("compliance.core.keyset", salt, algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _value_dump(value):
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, datetime):
        return ["t", value.isoformat()]
    if isinstance(value, date):
        return ["d", value.isoformat()]
    if isinstance(value, uuid.UUID):
        return ["u", value.hex]
    if isinstance(value, int):
        return ["i", value]
    if isinstance(value, str):
        return ["s", value]
    raise TypeError(f"A keyset cursor cannot hold a {type(value).__name__}.")


def _value_load(data):
    if data is None:
        return None
    tag, raw = data
    if tag == "t":
        value = parse_datetime(raw)
        if value is None or value.tzinfo is None:
            raise ValueError("not an aware datetime")
        return value
    if tag == "d":
        value = parse_date(raw)
        if value is None:
            raise ValueError("not a date")
        return value
    if tag == "u":
        return uuid.UUID(hex=raw)
    if tag == "i" and isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if tag == "s" and isinstance(raw, str):
        return raw
    raise ValueError("unknown value")


def cursor_encode(cursor: Cursor, *, salt: str) -> str:
    """An encrypted, authenticated, URL-safe token for ``cursor`` on the list named ``salt``.

    Args:
        cursor: the page request.
        salt: the list's name (e.g. ``"compliance.access_log"``): a token made for one list is refused by another.

    Returns:
        ASCII text (about 150–250 characters) to put in ``?cursor=``.
    """
    data: dict = {"v": CURSOR_VERSION, "d": cursor.direction}
    if cursor.position is not None:
        data["s"] = cursor.position.segment
        data["k"] = [_value_dump(value) for value in cursor.position.values]
    plain = zlib.compress(json.dumps(data, separators=(",", ":")).encode())
    return _fernet(salt).encrypt(plain).decode("ascii")


def cursor_decode(token: str | None, *, salt: str) -> Cursor:
    """The cursor in ``token`` for the list named ``salt``; the first page for anything else.

    Missing, tampered, malformed, of another list or another format version: ``Cursor(FIRST)``.
    Whether the position fits the list's segments is checked by ``keyset_page``. Never raises.
    """
    if not token or len(token) > 2000 or not _TOKEN.fullmatch(token):
        return Cursor(FIRST)
    try:
        data = json.loads(zlib.decompress(_fernet(salt).decrypt(token.encode("ascii")), bufsize=4096))
        if data.get("v") != CURSOR_VERSION or data.get("d") not in DIRECTIONS:
            return Cursor(FIRST)
        if data["d"] in (FIRST, LAST):
            return Cursor(data["d"])
        segment = data["s"]
        if not isinstance(segment, int) or isinstance(segment, bool) or not isinstance(data["k"], list):
            return Cursor(FIRST)
        return Cursor(data["d"], Position(segment, tuple(_value_load(value) for value in data["k"])))
    except (InvalidToken, KeyError, TypeError, ValueError, AttributeError, UnicodeError, binascii.Error, zlib.error):
        return Cursor(FIRST)


def page_links(page: KeysetPage, params: dict[str, str], *, salt: str) -> dict[str, str | None]:
    """The URLs (``?`` + query) of the first, previous, next and last pages, None where there is none.

    ``params``: the page's filters (never personal data: SECURITY.md F6), kept in every link.
    """

    def link(cursor: Cursor | None) -> str:
        query = dict(params)
        if cursor is not None:
            query["cursor"] = cursor_encode(cursor, salt=salt)
        return "?" + urlencode(query)

    return {
        "first": link(None) if page.has_previous else None,
        "previous": link(page.previous) if page.previous else None,
        "next": link(page.next) if page.next else None,
        "last": link(Cursor(LAST)) if page.has_next else None,
    }


# --- reading a page --------------------------------------------------------------------------------------


def beyond(keys: Sequence[Key], values: Sequence, *, later: bool) -> Q:
    """Rows strictly after (``later``) or before the position ``values`` in the order of ``keys``.

    ``k1 <= v1 AND (k1 < v1 OR (k1 = v1 AND k2 < v2) OR ...)`` for descending keys (mirrored for
    ascending ones, NULLs last for nullable ones): the first conjunct is an index range.
    """
    clauses, equal = [], Q()
    for key, value in zip(keys, values, strict=True):
        clauses.append(equal & key.beyond(value, later=later))
        equal &= key.equal(value)
    return keys[0].bound(values[0], later=later) & reduce(or_, clauses)


def _take(queryset: QuerySet | None, keys: Sequence[Key], size: int, *, reverse: bool = False) -> list:
    if queryset is None:
        return []
    return list(queryset.order_by(*(key.order(reverse=reverse) for key in keys))[: size + 1])


def position_of(row, segment: int, keys: Iterable[Key]) -> Position:
    """The position of ``row`` (a model instance of segment ``segment``) on ``keys``."""
    return Position(segment, tuple(getattr(row, key.field) for key in keys))


def _read(segments: Sequence[Segment], cursor: Cursor, size: int) -> tuple[list[tuple[int, object]], bool, bool]:
    """((segment, row) pairs in list order, has previous, has next) for ``cursor``: one query per segment read."""
    count = len(segments)
    pos = cursor.position
    found: list[tuple[int, object]] = []
    if cursor.direction in (FIRST, NEXT):
        start = 0
        if cursor.direction == NEXT:
            segment = segments[pos.segment]
            after = None if segment.rows is None else segment.rows.filter(beyond(segment.keys, pos.values, later=True))
            found += [(pos.segment, row) for row in _take(after, segment.keys, size)]
            start = pos.segment + 1
        for index in range(start, count):
            found += [(index, row) for row in _take(segments[index].rows, segments[index].keys, size)]
        return found[:size], cursor.direction == NEXT, len(found) > size
    # PREVIOUS and LAST read the reversed order with LIMIT, then turn the rows round.
    start = count - 1
    if cursor.direction == PREVIOUS:
        segment = segments[pos.segment]
        before = None if segment.rows is None else segment.rows.filter(beyond(segment.keys, pos.values, later=False))
        found += [(pos.segment, row) for row in _take(before, segment.keys, size, reverse=True)]
        start = pos.segment - 1
    for index in range(start, -1, -1):
        found += [(index, row) for row in _take(segments[index].rows, segments[index].keys, size, reverse=True)]
    return found[:size][::-1], len(found) > size, cursor.direction == PREVIOUS


def _fits(segments: Sequence[Segment], cursor: Cursor) -> bool:
    """Whether ``cursor``'s position names a segment of this list and holds one value per key of it."""
    if cursor.direction in (FIRST, LAST):
        return True
    pos = cursor.position
    if pos is None or not 0 <= pos.segment < len(segments):
        return False
    keys = segments[pos.segment].keys
    if len(pos.values) != len(keys):
        return False
    return all(value is not None or key.nullable for key, value in zip(keys, pos.values, strict=True))


def keyset_page(segments: Sequence[Segment], cursor: Cursor, *, size: int) -> KeysetPage:
    """One page of the list made of ``segments``, from ``cursor``.

    Args:
        segments: the list's parts in order (querysets already scoped through ``compliance.core.access`` and
            filtered; None for a part the filters exclude), each with its sort keys, the last one unique.
        cursor: from ``cursor_decode``. A position that does not fit these segments, or whose page is empty
            (rows deleted, a position past the end), gives the first page. Going back to the start of the
            list may give a short page (fewer than ``size`` rows, no "previous" link): pages are not aligned to
            the start, so every row is shown exactly once whichever way the user walks.
        size: rows per page.

    Returns:
        ``KeysetPage``. Queries: one per segment read; two more for the fallback to the first page. A value of
        the wrong type in a position (a cursor of an older format of the same list) is refused by the database
        as ``ValueError``/``ValidationError`` in Django and also gives the first page.
    """
    if not _fits(segments, cursor):
        cursor = Cursor(FIRST)
    try:
        found, has_previous, has_next = _read(segments, cursor, size)
    except (ValueError, TypeError, ValidationError):  # a value Django cannot put in the lookup
        if cursor.direction in (FIRST, LAST):
            raise
        found, has_previous, has_next = [], False, False
    if not found and cursor.direction != FIRST:
        found, has_previous, has_next = _read(segments, Cursor(FIRST), size)
    page = KeysetPage([row for _, row in found], has_previous, has_next, segments=[index for index, _ in found])
    if found:
        first_segment, first_row = found[0]
        last_segment, last_row = found[-1]
        if has_previous:
            page.previous = Cursor(PREVIOUS, position_of(first_row, first_segment, segments[first_segment].keys))
        if has_next:
            page.next = Cursor(NEXT, position_of(last_row, last_segment, segments[last_segment].keys))
    return page


def count_capped(queryset: QuerySet | None, cap: int = COUNT_CAP) -> int:
    """The number of rows of ``queryset``, counted up to ``cap + 1`` (one query; 0 for None, no query).

    A list of a million rows is never counted whole: above ``cap`` the page says "more than {cap}".
    """
    if queryset is None:
        return 0
    return queryset.order_by().values("pk")[: cap + 1].count()
