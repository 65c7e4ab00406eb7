"""Show UTC-stored datetimes in an agency's time zone (the ``agency_time`` template filters call these).

``in_zone(detainer.hold_deadline, detainer.agency)`` renders e.g.
``2026-03-09 10:00 CDT``. Dates (expiries) are shown as they are.
"""

import zoneinfo
from datetime import datetime


def _zone(agency_or_name) -> zoneinfo.ZoneInfo:
    name = getattr(agency_or_name, "time_zone", agency_or_name)
    return zoneinfo.ZoneInfo(name)


def in_zone(value: datetime | None, agency_or_name) -> str:
    """Format an aware datetime as ``YYYY-MM-DD HH:MM TZ`` in the agency's zone ('' for None)."""
    if value is None:
        return ""
    local = value.astimezone(_zone(agency_or_name))
    return local.strftime("%Y-%m-%d %H:%M %Z")


def hours_until(value: datetime | None, now: datetime) -> str:
    """Signed time remaining until ``value``: ``H h MM min``, or ``D d H h`` from 48 hours on.

    Past ``value`` it reads ``overdue by …``. Elapsed real time, so a DST change
    in between does not shift it.
    """
    if value is None:
        return ""
    seconds = int((value - now).total_seconds())
    sign = seconds < 0
    seconds = abs(seconds)
    if seconds >= 48 * 3600:
        text = f"{seconds // 86400} d {seconds % 86400 // 3600} h"
    else:
        text = f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    return f"overdue by {text}" if sign else text
