"""The periods the transparency page publishes: calendar quarters and years, on the agency's clock.

A period is named in the URL as ``2026-Q3`` or ``2026``; ``period_parse`` reads that (bad input →
None, never an exception), ``period_bounds`` turns it into the UTC instants its agency-local days
begin and end, and ``periods_available`` lists what a visitor may choose (nothing in the future).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils.translation import gettext_lazy as _

from compliance.core.local_days import EARLIEST_DAY, LATEST_DAY, local_day_start

QUARTER = "quarter"
YEAR = "year"

#: How many quarters and years ``periods_available`` offers (the current one included).
QUARTERS_OFFERED = 8
YEARS_OFFERED = 3

_PATTERN = re.compile(r"^(\d{4})(?:-Q([1-4]))?$")


@dataclass(frozen=True, order=True)
class Period:
    """A calendar quarter (``kind="quarter"``, ``quarter`` 1–4) or year (``kind="year"``, ``quarter`` 0)."""

    kind: str
    year: int
    quarter: int = 0

    @property
    def key(self) -> str:
        """How the period is named in URLs and the CSV: ``"2026-Q3"`` or ``"2026"``."""
        return f"{self.year}-Q{self.quarter}" if self.kind == QUARTER else str(self.year)

    @property
    def label(self) -> str:
        """The period as a visitor reads it, e.g. "Q3 2026" or "2026" (translated)."""
        if self.kind == QUARTER:
            return _("Q%(quarter)s %(year)s") % {"quarter": self.quarter, "year": self.year}
        return str(self.year)

    @property
    def first_day(self) -> date:
        """The period's first agency-local day."""
        return date(self.year, 3 * self.quarter - 2 if self.kind == QUARTER else 1, 1)

    @property
    def last_day(self) -> date:
        """The period's last agency-local day (inclusive)."""
        if self.kind == YEAR or self.quarter == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.quarter + 1, 1) - timedelta(days=1)

    def __str__(self) -> str:
        return self.key


def period_parse(text: str | None) -> Period | None:
    """The period named ``"2026-Q3"`` or ``"2026"``, or None for anything else (never raises).

    The year must lie in the app's calendar (``compliance.core.local_days``: 1900–2199); whether the
    period is offered (not in the future) is ``periods_available``'s answer, not this one's.
    """
    match = _PATTERN.match((text or "").strip())
    if not match:
        return None
    year = int(match.group(1))
    if not EARLIEST_DAY.year <= year <= LATEST_DAY.year - 1:
        return None
    if match.group(2):
        return Period(QUARTER, year, int(match.group(2)))
    return Period(YEAR, year)


def period_bounds(period: Period, zone) -> tuple[datetime, datetime]:
    """``(start, end)``: the instants the period's first agency-local day begins and the day after its last begins.

    Args:
        period: a ``Period``.
        zone: the agency's ``ZoneInfo`` (``agency.zone``).

    Returns:
        Two aware datetimes; a stored UTC time ``t`` is in the period when ``start <= t < end`` (a 23- or
        25-hour DST day stays whole: ``compliance.core.local_days.local_day_start``).
    """
    return local_day_start(period.first_day, zone), local_day_start(period.last_day + timedelta(days=1), zone)


def period_containing(day: date, kind: str = QUARTER) -> Period:
    """The quarter (or year) that contains the agency-local ``day``."""
    if kind == YEAR:
        return Period(YEAR, day.year)
    return Period(QUARTER, day.year, (day.month - 1) // 3 + 1)


def periods_available(agency, today: date) -> list[Period]:
    """The periods a visitor may choose: the last ``QUARTERS_OFFERED`` quarters, then the last ``YEARS_OFFERED`` years.

    Args:
        agency: the ``compliance.Agency`` (unused today beyond the caller's "today"; kept so a later rule, e.g. from
            the first agreement's date, has it).
        today: the agency-local date (``timezone.localdate(timezone=agency.zone)``).

    Returns:
        Newest first within each kind; the current quarter and year are included (in progress), nothing later.
    """
    current = period_containing(today)
    quarters = []
    year, quarter = current.year, current.quarter
    for _index in range(QUARTERS_OFFERED):
        quarters.append(Period(QUARTER, year, quarter))
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    years = [Period(YEAR, today.year - offset) for offset in range(YEARS_OFFERED)]
    return quarters + years
