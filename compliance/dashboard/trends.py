"""The dashboard's monthly trends over the last 12 agency-local months: detainers, holds past 48 h, findings.

A month is a calendar month on the agency's clock: it runs from local midnight of its first day to
local midnight of the next month's first day in ``Agency.time_zone`` (``compliance.core.local_days``),
so a detainer received at 23:30 on 31 March in Chicago (04:30 UTC on 1 April) counts in March.

Three aggregate queries whatever the amount of data, each one index range on the agency and the
window (``detainer_agency_received_idx``, ``finding_agency_opened_idx``, ``finding_agency_resolved_idx``):

* detainers received per month, and of those the holds that ran past the 48-hour deadline
  (``incidents.detainers.selectors.held_past_deadline_q`` at ``now``: custody ended after the deadline,
  or no outcome yet and the deadline passed), both by the month the detainer was **received**, so each
  month's figure is exactly the detainer log filtered by that month's received dates and "held past
  the deadline" (the link of the figure);
* findings opened per month (``Finding.opened_at``);
* findings closed per month: resolved or false positive, by ``Finding.resolved_at``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count
from django.db.models.functions import TruncMonth

from compliance.core.findings import CLOSED_STATUSES
from compliance.core.local_days import local_day_start
from compliance.core.models import Finding
from incidents.detainers.models import Detainer
from incidents.detainers.selectors import held_past_deadline_q

#: How many agency-local months the trends cover, the current (partial) month included.
TREND_MONTHS = 12


@dataclass(frozen=True)
class MonthFigures:
    """One agency-local month of the trends; ``month`` is its first day, ``last_day`` its last (dates)."""

    month: date
    last_day: date
    detainers_received: int = 0
    holds_past_deadline: int = 0
    findings_opened: int = 0
    findings_closed: int = 0

    @property
    def label(self) -> str:
        """The month as ``YYYY-MM`` (the chart's axis and the data table)."""
        return self.month.strftime("%Y-%m")


def month_add(month: date, count: int) -> date:
    """The first day of the month ``count`` months after (negative: before) the month of ``month``."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def trend_months(today: date, count: int = TREND_MONTHS) -> list[tuple[date, date]]:
    """The ``count`` agency-local months ending with the month of ``today``, oldest first.

    Args:
        today: the agency-local date (``training.roster.rules.agency_today``).
        count: how many months.

    Returns:
        ``(first day, last day)`` of each month (dates, both inclusive).
    """
    current = today.replace(day=1)
    months = []
    for back in range(count - 1, -1, -1):
        first = month_add(current, -back)
        months.append((first, date.fromordinal(month_add(first, 1).toordinal() - 1)))
    return months


def _month_key(value) -> date:
    """A ``TruncMonth`` result (an aware datetime on PostgreSQL, a date or datetime on SQLite) as a date."""
    if isinstance(value, datetime):
        return value.date()
    return value


def monthly_trends(*, agency, today: date, now: datetime) -> list[MonthFigures]:
    """Detainers received, holds past 48 h, findings opened and closed per agency-local month. Three queries.

    Args:
        agency: a ``compliance.Agency`` the caller already checked the user may view.
        today: the agency-local date (``training.roster.rules.agency_today(agency, now)``).
        now: the aware instant a pending hold is judged at (past its deadline or not).

    Returns:
        ``TREND_MONTHS`` ``MonthFigures``, oldest month first, the current (partial) month last;
        months without data hold zeros. Rules: module docstring.
    """
    zone = agency.zone
    months = trend_months(today)
    start = local_day_start(months[0][0], zone)
    end = local_day_start(month_add(months[-1][0], 1), zone)

    detainers = (
        Detainer.objects.filter(agency=agency, received_at__gte=start, received_at__lt=end)
        .annotate(month=TruncMonth("received_at", tzinfo=zone))
        .order_by()
        .values("month")
        .annotate(received=Count("pk"), past=Count("pk", filter=held_past_deadline_q(now)))
    )
    opened = (
        Finding.objects.filter(agency=agency, opened_at__gte=start, opened_at__lt=end)
        .annotate(month=TruncMonth("opened_at", tzinfo=zone))
        .order_by()
        .values("month")
        .annotate(n=Count("pk"))
    )
    closed = (
        Finding.objects.filter(agency=agency, status__in=CLOSED_STATUSES, resolved_at__gte=start, resolved_at__lt=end)
        .annotate(month=TruncMonth("resolved_at", tzinfo=zone))
        .order_by()
        .values("month")
        .annotate(n=Count("pk"))
    )
    by_month: dict[date, dict[str, int]] = {first: {} for first, _ in months}
    for row in detainers:
        figures = by_month.get(_month_key(row["month"]))
        if figures is not None:
            figures.update(detainers_received=row["received"], holds_past_deadline=row["past"])
    for rows, key in ((opened, "findings_opened"), (closed, "findings_closed")):
        for row in rows:
            figures = by_month.get(_month_key(row["month"]))
            if figures is not None:
                figures[key] = row["n"]
    return [MonthFigures(month=first, last_day=last, **by_month[first]) for first, last in months]
