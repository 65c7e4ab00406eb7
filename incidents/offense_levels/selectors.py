"""Detainers by offense level, and those for a minor offense only: one agency's counts (R3.3; GAO-09-109).

The caller checks the agency through ``compliance.core.access``; one aggregate query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q

from compliance.core.local_days import local_day_start
from incidents.detainers.choices import OffenseLevel
from incidents.detainers.models import Detainer

#: Key of the bucket for detainers with no offense level recorded.
UNKNOWN_LEVEL = "unknown"


@dataclass(frozen=True)
class LevelShare:
    """One row of the offense-level table: ``key`` is "1", "2", "3" or ``UNKNOWN_LEVEL``."""

    key: str
    label: str
    count: int
    share: float  # 0.0–1.0 of all detainers in the period; 0.0 when there are none

    @property
    def percent(self) -> float:
        return round(self.share * 100, 1)


@dataclass(frozen=True)
class OffenseLevelShares:
    """Detainers of one agency in a period, by offense level, and those for a minor offense only."""

    agency: object
    start: date | None
    end: date | None
    total: int
    levels: list[LevelShare]
    minor_count: int
    minor_share: float

    @property
    def minor_percent(self) -> float:
        return round(self.minor_share * 100, 1)


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0


def offense_level_shares(*, agency, start: date | None = None, end: date | None = None) -> OffenseLevelShares:
    """Counts and shares of ``agency``'s detainers by offense level, and of minor-offense-only ones.

    Args:
        agency: a ``compliance.Agency`` the caller already checked the user may view.
        start, end: optional agency-local dates (not datetimes), both inclusive, on the
            detainer's ``received_at``; a day runs from local midnight to local
            midnight in ``agency.time_zone`` (so a 23- or 25-hour DST day is whole).

    Returns:
        ``OffenseLevelShares``: one ``LevelShare`` per level 1, 2, 3 then "unknown"
        (no level recorded), each with its count and share of the total (0.0 when
        the period has no detainers), and the count/share of detainers whose only
        charge is a traffic or other minor offense (``minor_offense_only``).
        One aggregate query whatever the number of detainers.

    Raises:
        ValueError: ``start`` is after ``end``.

    Source: DOMAIN.md R3.3 (priority levels; the distribution must show use against
    minor offenses) and GAO-09-109 finding 1 ("4 of the 29 agencies used 287(g)
    authority for minor crimes such as speeding").
    """
    if start and end and start > end:
        raise ValueError("The start date is after the end date.")
    detainers = Detainer.objects.filter(agency=agency)
    if start:
        detainers = detainers.filter(received_at__gte=local_day_start(start, agency.zone))
    if end:
        detainers = detainers.filter(received_at__lt=local_day_start(end + timedelta(days=1), agency.zone))
    counts = detainers.order_by().aggregate(
        total=Count("pk"),
        minor=Count("pk", filter=Q(minor_offense_only=True)),
        **{f"level_{level.value}": Count("pk", filter=Q(offense_level=level.value)) for level in OffenseLevel},
    )
    total = counts["total"]
    rows = [(str(level.value), level.label, counts[f"level_{level.value}"]) for level in OffenseLevel]
    rows.append((UNKNOWN_LEVEL, "Not recorded", total - sum(count for _, _, count in rows)))
    levels = [LevelShare(key, label, count, _share(count, total)) for key, label, count in rows]
    return OffenseLevelShares(
        agency=agency,
        start=start,
        end=end,
        total=total,
        levels=levels,
        minor_count=counts["minor"],
        minor_share=_share(counts["minor"], total),
    )
