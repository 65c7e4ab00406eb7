"""Pure rules for detainers: the 48-hour hold limit and reading local clock times.

No database access here; every function takes and returns plain values so the
rules can be tested on their own and reused by forms, imports and the sweep.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

#: DOMAIN.md R4.7–R4.8: the hold may not exceed 48 consecutive real hours after
#: the time the person would otherwise have been released; no weekend or holiday
#: exclusion, whatever the form version (the stricter, current I-247A reading).
HOLD_LIMIT = timedelta(hours=48)

#: Fold values of ``local_to_utc`` by name: on the night daylight time ends the
#: hour 01:00–02:00 happens twice; the first (earlier) is daylight time.
EARLIER = 0
LATER = 1


class LocalTimeError(ValueError):
    """A local clock time that cannot be turned into one instant without help."""

    def __init__(self, naive: datetime, zone: ZoneInfo, message: str):
        super().__init__(message)
        self.naive = naive
        self.zone = zone


class NonexistentLocalTime(LocalTimeError):
    """The clock skipped this time (spring-forward gap), e.g. 2026-03-08 02:30 in America/Chicago.

    ``before`` and ``after`` name the clock on either side of the jump, as
    ``(abbreviation, UTC offset)`` pairs, e.g. ``("CST", -6 h)`` and ``("CDT", -5 h)``.
    """

    def __init__(self, naive: datetime, zone: ZoneInfo, *, before: tuple[str, timedelta], after: tuple[str, timedelta]):
        super().__init__(naive, zone, f"{naive:%Y-%m-%d %H:%M} does not exist in {zone.key}.")
        self.before = before
        self.after = after


class AmbiguousLocalTime(LocalTimeError):
    """The clock showed this time twice (fall-back), e.g. 2026-11-01 01:30 in America/Chicago.

    ``earlier`` (daylight time, fold 0) and ``later`` (standard time, fold 1) are
    the two aware local instants it can mean.
    """

    def __init__(self, naive: datetime, zone: ZoneInfo, *, earlier: datetime, later: datetime):
        super().__init__(naive, zone, f"{naive:%Y-%m-%d %H:%M} happens twice in {zone.key}.")
        self.earlier = earlier
        self.later = later


#: Every time typed on the agency\'s clock that must already have happened (received, served, notified, …).
FUTURE_MESSAGE = "This cannot be in the future."


def hold_deadline(would_be_released_at: datetime) -> datetime:
    """The moment the detainer hold must end: release time + 48 real elapsed hours.

    Args:
        would_be_released_at: aware datetime (any zone) when state custody would
            otherwise have ended (bail posted, charges dismissed, sentence served,
            release ordered). Not the booking time, not when the detainer arrived.

    Returns:
        An aware datetime in UTC. Adding the hours in UTC counts real elapsed
        hours, so a DST change in between does not shift it: case D1 (released
        2026-03-07 09:00 CST → 2026-03-09 15:00 UTC = 10:00 CDT) and case D2
        (2026-10-31 09:00 CDT → 2026-11-02 14:00 UTC = 08:00 CST).

    Raises:
        ValueError: ``would_be_released_at`` is naive (no time zone).

    Source: DOMAIN.md R4.7–R4.8 (ICE I-247A guidance: "not to exceed 48 hours
    beyond the time he or she would otherwise have been released"; no weekend
    or holiday exclusion).
    """
    if would_be_released_at.tzinfo is None or would_be_released_at.utcoffset() is None:
        raise ValueError("would_be_released_at must be an aware datetime.")
    return would_be_released_at.astimezone(UTC) + HOLD_LIMIT


def hold_alert_at(deadline: datetime, *, lead_hours: int) -> datetime:
    """When supervisors are warned of a coming hold deadline: ``lead_hours`` real hours before it.

    Args:
        deadline: aware hold deadline (``hold_deadline``'s result).
        lead_hours: hours of warning, one of ``settings.HOLD_DEADLINE_ALERT_HOURS``
            (default 6 and 2; our figures, not a rule from a source).

    Returns:
        Aware UTC datetime. Case D4: deadline 2026-04-12 15:00 UTC, 4 hours →
        2026-04-12 11:00 UTC.
    """
    return deadline.astimezone(UTC) - timedelta(hours=lead_hours)


def local_to_utc(naive: datetime, zone: ZoneInfo, *, fold: int | None) -> datetime:
    """The UTC instant a wall-clock time typed in ``zone`` means.

    Args:
        naive: a naive datetime as read off a clock in ``zone`` (as typed in a form
            or found in an import file).
        zone: the agency's IANA zone.
        fold: which of two repeated times is meant, ``EARLIER`` (0, daylight
            time) or ``LATER`` (1, standard time); ``None`` when the user did
            not say. Ignored for times that happen only once.

    Returns:
        An aware datetime in UTC. Case D3: 2026-11-01 01:30 America/Chicago with
        fold 0 → 06:30 UTC (01:30 CDT); fold 1 → 07:30 UTC (01:30 CST).

    Raises:
        NonexistentLocalTime: the clock skipped that time (2026-03-08 02:30 in
            America/Chicago), whatever ``fold`` says.
        AmbiguousLocalTime: the time happened twice and ``fold`` is None.
        ValueError: ``naive`` already carries a time zone, or it is so near year 1 or
            year 9999 that UTC falls outside the calendar (forms and imports refuse such
            dates first: ``compliance.core.local_days.day_in_range``).

    Source: cases D3 (CASES.md); US DST rules as held in the IANA tz database.
    """
    if naive.tzinfo is not None:
        raise ValueError("local_to_utc expects a naive datetime (a wall-clock reading).")
    earlier = naive.replace(tzinfo=zone, fold=EARLIER)
    later = naive.replace(tzinfo=zone, fold=LATER)
    try:
        round_trip = earlier.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        later.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{naive:%Y-%m-%d %H:%M} in {zone.key} is outside the calendar.") from None
    # A time inside a gap does not survive the round trip through UTC.
    if round_trip != naive:
        # Inside a gap, fold 0 carries the offset in force before the jump, fold 1 the one after.
        raise NonexistentLocalTime(
            naive,
            zone,
            before=(earlier.tzname() or "", earlier.utcoffset() or timedelta(0)),
            after=(later.tzname() or "", later.utcoffset() or timedelta(0)),
        )
    if earlier.utcoffset() == later.utcoffset():
        return earlier.astimezone(UTC)
    if fold is None:
        raise AmbiguousLocalTime(naive, zone, earlier=earlier, later=later)
    if fold not in (EARLIER, LATER):
        raise ValueError("fold must be EARLIER (0), LATER (1) or None.")
    return (earlier if fold == EARLIER else later).astimezone(UTC)


def utc_to_local(value: datetime, zone: ZoneInfo) -> tuple[datetime, int | None]:
    """The wall-clock reading of an aware instant in ``zone``, and its fold if that reading repeats.

    Returns:
        ``(naive local datetime, fold)`` where ``fold`` is ``EARLIER``/``LATER``
        when the reading happens twice that night, else None. Used to show a
        stored time back in a form so that saving it unchanged gives the same
        instant (the inverse of ``local_to_utc``).
    """
    local = value.astimezone(zone)
    naive = local.replace(tzinfo=None, fold=0)
    try:
        local_to_utc(naive, zone, fold=None)
    except AmbiguousLocalTime:
        return naive, local.fold
    return naive, None
