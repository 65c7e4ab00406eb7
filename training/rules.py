"""Pure training rules: when a certification expires and what its status is on a date.

No database access here. Every place that needs an expiry (the certification
form, the roster import, the reminder run, reports) calls these functions, so
the leap-day rule (case T3) and the inclusive expiry day (case T1) live in one
place.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from django.utils import timezone

# A certification is "expiring" from 90 days before its last valid day (the
# first reminder threshold, DESIGN.md "Background work": 90/60/30/7/0 days).
EXPIRING_WINDOW_DAYS = 90

CURRENT = "current"
EXPIRING = "expiring"
EXPIRED = "expired"
MISSING = "missing"

# Worst first: the roster status of an officer is the worst of its required courses.
STATUSES_WORST_FIRST = (MISSING, EXPIRED, EXPIRING, CURRENT)

STATUS_LABELS = {
    CURRENT: "Current",
    EXPIRING: "Expiring",
    EXPIRED: "Expired",
    MISSING: "Missing training",
}

# USWDS tag colour per status (classes defined in static/css/app.css).
STATUS_TAG_CLASSES = {status: f"app-status--{status}" for status in STATUS_LABELS}


def certification_expires_on(completed_on: date, validity_months: int) -> date:
    """The last valid day (inclusive) of a certification completed on ``completed_on``.

    Calendar months are added with ``dateutil.relativedelta``, which clips to the
    end of a shorter month: 2024-02-29 + 24 months = 2026-02-28, + 48 months =
    2028-02-29, + 12 months = 2025-02-28 (case T3). The certification is valid
    up to and including the returned day (case T1).

    Args:
        completed_on: the date the course was completed (a date, not a datetime).
        validity_months: the course's validity in whole months (DOMAIN.md R2.4:
            refresher every 24 months by default); must be >= 1.

    Returns:
        The expiry date.

    Raises:
        ValueError: ``validity_months`` is below 1, or the result is past year 9999.
    """
    if validity_months < 1:
        raise ValueError("validity_months must be at least 1.")
    return completed_on + relativedelta(months=validity_months)  # ValueError past year 9999


def certification_status(expires_on: date, today: date) -> str:
    """Status of one certification on the agency-local date ``today``.

    Returns:
        ``"expired"`` when ``today`` is after ``expires_on``; ``"expiring"`` when
        ``expires_on`` is within ``EXPIRING_WINDOW_DAYS`` (90) days, the expiry day
        itself included (on 2026-02-27 a certification expiring 2026-02-27 is still
        valid and "expiring", case T1); otherwise ``"current"``.

    ``today`` must be the agency's local date (``agency_today``), never the UTC date.
    """
    days_left = (expires_on - today).days
    if days_left < 0:
        return EXPIRED
    if days_left <= EXPIRING_WINDOW_DAYS:
        return EXPIRING
    return CURRENT


def worst_status(statuses: Iterable[str]) -> str:
    """The worst of ``statuses`` (missing > expired > expiring > current); "current" when empty."""
    present = set(statuses)
    for status in STATUSES_WORST_FIRST:
        if status in present:
            return status
    return CURRENT


def officer_roster_status(required_expiries: Iterable[date | None], today: date) -> str:
    """An officer's roster status from the expiries of the agency's *required* courses.

    Args:
        required_expiries: one entry per required course of the agency: the
            ``expires_on`` of the officer's latest certification in that course,
            or ``None`` when the officer never completed it.
        today: the agency's local date.

    Returns:
        ``"missing"`` if any required course was never completed, else the worst
        ``certification_status`` over the required courses; ``"current"`` when
        the agency requires no course. Source: DOMAIN.md R2.4 and R2.7 (only
        trained, certified officers may use the delegated authority).
    """
    statuses = [MISSING if expiry is None else certification_status(expiry, today) for expiry in required_expiries]
    return worst_status(statuses)


def agency_today(agency, now: datetime | None = None) -> date:
    """The agency's local date at ``now`` (default: the current time), e.g. for "expires today".

    At 2026-02-28 01:30 UTC it is still 2026-02-27 in America/Chicago (case T1).
    Never use ``now().date()``, which is the UTC date.
    """
    return timezone.localdate(now or timezone.now(), timezone=agency.zone)


# Expiry notices (DESIGN.md "Background work"): days before ``expires_on``.
REMINDER_THRESHOLDS_DAYS = (90, 60, 30, 7, 0)
# Catch-up window for certifications that already expired: the 0-day notice is
# still sent up to 30 days after the expiry day (the job was down, or the
# certification was recorded late), never later, so a first run over years of
# old data does not flood supervisors with notices about long-expired records.
EXPIRED_CATCH_UP_DAYS = 30


def reminder_threshold_due(expires_on: date, today: date) -> int | None:
    """The most urgent reminder threshold reached on ``today``, or None.

    Thresholds are 90, 60, 30, 7 and 0 days before ``expires_on``, counted on the
    agency-local date. After a gap only the most urgent reached threshold is
    due. Case T2, expiring 2026-06-30: 2026-04-01 → 90, 2026-04-30 → 90,
    2026-05-01 → 60, 2026-05-04 → 60 (the job was down 04-29 to 05-03),
    2026-05-31 → 30. The caller skips a threshold already sent. Past the expiry
    day the 0-day notice stays due for ``EXPIRED_CATCH_UP_DAYS`` (30) days, then
    nothing.

    Returns:
        The threshold in days, or None when no threshold is reached yet (more
        than 90 days left) or the expiry is older than the catch-up window.
    """
    days_left = (expires_on - today).days
    if days_left < -EXPIRED_CATCH_UP_DAYS:
        return None
    reached = [threshold for threshold in REMINDER_THRESHOLDS_DAYS if days_left <= threshold]
    return min(reached) if reached else None
