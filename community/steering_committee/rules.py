"""Pure rules of the steering committee (DOMAIN.md R3.6): plain values in, plain values out, no database.

The MOA's meeting frequency is [U] in DOMAIN.md: the interval is a per-agreement setting marked
"check against your MOA" (``CommitteeRequirement``); these rules only count with it.
"""

from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """``day`` moved ``months`` calendar months on (negative: back), clamped to the month's last day.

    E.g. 2026-01-31 + 1 month → 2026-02-28.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_meeting_due(*, last_held: date | None, counted_from: date, interval_months: int) -> date:
    """The last agency-local day by which the committee must meet again.

    Args:
        last_held: the day of the last meeting held (agency-local date), or ``None`` if none yet.
        counted_from: the day the requirement started (the agreement's signed day, or the day the
            requirement was recorded): with no meeting since, the clock runs from it.
        interval_months: at least one meeting every this many months.

    Returns:
        ``max(last_held, counted_from)`` + ``interval_months`` months (clamped to month ends).
    """
    start = counted_from if last_held is None or last_held < counted_from else last_held
    return add_months(start, interval_months)


def meeting_missed(*, last_held: date | None, counted_from: date, interval_months: int, today: date) -> bool:
    """Whether the committee has gone past its required interval without a meeting held (``today`` agency-local).

    The due day itself still counts as in time: missed only from the day after ``next_meeting_due``.
    """
    return today > next_meeting_due(last_held=last_held, counted_from=counted_from, interval_months=interval_months)


def meetings_required(*, start: date, end: date, interval_months: int) -> int:
    """How many meetings a period needs at the required frequency: one per started interval.

    Args:
        start, end: the period's first and last day (inclusive, agency-local dates); ``end`` ≥ ``start``.
        interval_months: at least one meeting every this many months (≥ 1).

    Returns:
        The number of whole or partial intervals the period spans, e.g. a quarter at 3 months → 1,
        a year at 3 months → 4, a year at 12 → 1, 13 months at 12 → 2.

    Raises:
        ValueError: ``end`` before ``start`` or ``interval_months`` < 1.
    """
    if end < start or interval_months < 1:
        raise ValueError("The period must end on or after its start, and the interval be at least one month.")
    count, boundary = 0, start
    while boundary <= end:
        count += 1
        boundary = add_months(start, count * interval_months)
    return count


def quorum_needed(*, voting_members: int, quorum: int | None) -> int:
    """How many voting members must be present: the set quorum, or more than half of those serving.

    Args:
        voting_members: voting members serving on the meeting's day.
        quorum: the requirement's ``quorum`` setting, or ``None`` for a simple majority.
    """
    if quorum is not None:
        return quorum
    return voting_members // 2 + 1


def quorum_met(*, present_voting: int, voting_members: int, quorum: int | None) -> bool:
    """Whether a meeting had its quorum: at least ``quorum_needed`` voting members present (and at least one)."""
    return present_voting >= max(1, quorum_needed(voting_members=voting_members, quorum=quorum))
