"""Agency-local calendar days as UTC-comparable instants, and the calendar the app accepts."""

from __future__ import annotations

from datetime import date, datetime, time

#: The calendar a typed or imported date must fall in (every form, filter and import). Wide enough for any
#: birth date, record or expiry the app keeps; narrow enough that adding a day, a hold's 48 hours, 600 months
#: of course validity or a zone's offset never leaves Python's calendar (years 1 to 9999), which was a server
#: error: ``9999-12-31`` plus one day, or ``0001-01-01`` read on a clock east of UTC. Our figures.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2199, 12, 31)
DAY_OUT_OF_RANGE_MESSAGE = f"Enter a date from {EARLIEST_DAY.isoformat()} to {LATEST_DAY.isoformat()}."


def day_in_range(day: date) -> bool:
    """Whether ``day`` (a date, or a datetime's date) lies from ``EARLIEST_DAY`` to ``LATEST_DAY``, both included."""
    if isinstance(day, datetime):
        day = day.date()
    return EARLIEST_DAY <= day <= LATEST_DAY


def local_day_start(day: date, zone) -> datetime:
    """The aware instant the agency-local ``day`` begins in ``zone`` (a ZoneInfo).

    Compare it with UTC-stored datetimes: ``[local_day_start(d), local_day_start(d + 1 day))``
    holds exactly the instants whose local date is ``d``, so a 23- or 25-hour DST day stays whole.
    Callers pass a day inside ``EARLIEST_DAY``–``LATEST_DAY`` (forms refuse others), so the day after
    it exists too.
    """
    return datetime.combine(day, time.min, tzinfo=zone)
