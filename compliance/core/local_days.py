"""Agency-local calendar days as UTC-comparable instants."""

from __future__ import annotations

from datetime import date, datetime, time


def local_day_start(day: date, zone) -> datetime:
    """The aware instant the agency-local ``day`` begins in ``zone`` (a ZoneInfo).

    Compare it with UTC-stored datetimes: ``[local_day_start(d), local_day_start(d + 1 day))``
    holds exactly the instants whose local date is ``d``, so a 23- or 25-hour DST day stays whole.
    """
    return datetime.combine(day, time.min, tzinfo=zone)
