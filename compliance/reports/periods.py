"""The period a report covers and the cover facts every report shows (title, agency, period, basis).

A report's period runs from its ``period_start`` to its ``as_of`` date, agency-local days, both ends
included; a report without a chosen start covers the ``PERIOD_DAYS`` (90) days ending on ``as_of`` —
about a quarter, the span an ICE or internal inspection reviews. Its facts are asked at
``Report.checked_at``: the end of the ``as_of`` day in the agency's zone, or the moment the report was
requested if that is earlier (fixed at request time, so rendering the same report twice answers the same).
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


def checked_at_for(*, as_of: date, zone, requested_at: datetime) -> datetime:
    """The instant a report as of ``as_of`` (agency-local date in ``zone``) answers at, requested at
    ``requested_at`` (aware): the end of that day, or ``requested_at`` if earlier (a report of today)."""
    return min(local_day_start(as_of + timedelta(days=1), zone), requested_at)


def report_period(*, report, generated_at: datetime) -> ReportPeriod:
    """The period of ``report`` (a ``compliance.Report`` with its agency).

    ``report.checked_at`` when set (every report requested since issue #13); otherwise the end of the
    ``as_of`` day or ``generated_at`` (aware), whichever is earlier.
    """
    zone = report.agency.zone
    first_day = report.period_start or report.as_of - timedelta(days=PERIOD_DAYS - 1)
    ends_at = local_day_start(report.as_of + timedelta(days=1), zone)
    checked_at = report.checked_at or min(ends_at, generated_at)
    return ReportPeriod(
        first_day=first_day,
        last_day=report.as_of,
        starts_at=local_day_start(first_day, zone),
        ends_at=ends_at,
        checked_at=checked_at,
    )


def cover_context(*, report, title: str, period: ReportPeriod, generated_at: datetime) -> dict:
    """The template context every report's cover reads: ``title``, ``agency``, ``as_of``, ``period_start``,
    ``period_end``, ``period_days``, ``checked_at``, ``basis`` (its label: "As effective on" / "As recorded
    by"), ``generated_at``, ``generated_by`` (a name) and ``report``.

    The PDF itself prints neither who asked nor when it was rendered (issue #13 item 3: the same report
    rendered twice is byte-identical); the reports page and the verify page say who and when.
    """
    user = report.requested_by
    return {
        "basis": report.get_basis_display(),
        "title": title,
        "agency": report.agency,
        "as_of": report.as_of,
        "period_start": period.first_day,
        "period_end": period.last_day,
        "period_days": (period.last_day - period.first_day).days + 1,
        "checked_at": period.checked_at,
        "generated_at": generated_at,
        "generated_by": user.get_full_name() or user.username,
        "report": report,
    }
