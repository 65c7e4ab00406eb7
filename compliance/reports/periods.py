"""The period a report covers and the cover facts every report shows (title, agency, period, who, when).

A report's period is the ``PERIOD_DAYS`` (90) agency-local days ending on its ``as_of`` date, both
ends included — about a quarter, the span an ICE or internal inspection reviews. Its facts are
asked at the end of the ``as_of`` day in the agency's zone, or when rendering started if that is earlier.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from compliance.core.local_days import local_day_start

PERIOD_DAYS = 90


@dataclass(frozen=True)
class ReportPeriod:
    """``first_day``/``last_day``: agency-local dates, inclusive; ``starts_at``/``ends_at``: aware instants
    (the start of the first day, the start of the day after the last); ``checked_at``: the instant asked at."""

    first_day: date
    last_day: date
    starts_at: datetime
    ends_at: datetime
    checked_at: datetime


def report_period(*, report, generated_at: datetime) -> ReportPeriod:
    """The period of ``report`` (a ``compliance.Report`` with its agency) rendered at ``generated_at`` (aware)."""
    zone = report.agency.zone
    first_day = report.as_of - timedelta(days=PERIOD_DAYS - 1)
    ends_at = local_day_start(report.as_of + timedelta(days=1), zone)
    return ReportPeriod(
        first_day=first_day,
        last_day=report.as_of,
        starts_at=local_day_start(first_day, zone),
        ends_at=ends_at,
        checked_at=min(ends_at, generated_at),
    )


def cover_context(*, report, title: str, period: ReportPeriod, generated_at: datetime) -> dict:
    """The template context every report's cover reads: ``title``, ``agency``, ``as_of``, ``period_start``,
    ``period_end``, ``period_days``, ``checked_at``, ``generated_at``, ``generated_by`` (a name) and ``report``."""
    user = report.requested_by
    return {
        "title": title,
        "agency": report.agency,
        "as_of": report.as_of,
        "period_start": period.first_day,
        "period_end": period.last_day,
        "period_days": PERIOD_DAYS,
        "checked_at": period.checked_at,
        "generated_at": generated_at,
        "generated_by": user.get_full_name() or user.username,
        "report": report,
    }
