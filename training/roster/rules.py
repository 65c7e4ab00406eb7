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


# Federal fiscal year: 1 October to 30 September, named after the year it ends in.
FISCAL_YEAR_FIRST_MONTH = 10


def fiscal_year_of(day: date) -> int:
    """The federal fiscal year ``day`` falls in: 2025-10-01 .. 2026-09-30 is FY2026."""
    return day.year + 1 if day.month >= FISCAL_YEAR_FIRST_MONTH else day.year


def fiscal_year_expires_on(completed_on: date) -> date:
    """Last valid day of an annual course due "each fiscal year" (DOMAIN.md R2.5). [U]

    R2.5 [C] says annual ICE courses are due each fiscal year; how a completion
    carries over is [U] (no source shows it), so this is our reading, editable
    per agreement by choosing another rule: a completion in FY N satisfies FY N,
    and FY N+1's completion is due by the end of FY N+1. The officer therefore
    stays current through 30 September of the *following* fiscal year, and
    lapses on 1 October if no completion was recorded in that year.

    Examples: completed 2025-10-01 (FY2026) → 2027-09-30; completed 2026-09-30
    (FY2026) → 2027-09-30; completed 2026-10-01 (FY2027) → 2028-09-30.

    Args:
        completed_on: the agency-local completion date.

    Returns:
        The last valid day (inclusive, case T1), a date.
    """
    return date(fiscal_year_of(completed_on) + 1, 9, 30)


def graduation_anniversary_expires_on(completed_on: date, graduated_on: date | None) -> date:
    """Last valid day of an annual course due "on the anniversary of academy graduation" (R2.5). [U]

    R2.5 [C] names the rule; its carry-over is [U] and read like the fiscal-year
    rule: the years run from one anniversary of ``graduated_on`` (the day the
    basic course was completed) to the next; a completion satisfies the year it
    falls in, and the next year's completion is due by the following
    anniversary. A completion on an anniversary counts for the year ending that
    day. Anniversaries of 29 February fall on 28 February in other years (the
    ``relativedelta`` clipping of case T3).

    Examples, graduated 2024-03-15: completed 2024-03-15 → 2025-03-15;
    completed 2025-03-15 → 2026-03-15; completed 2025-03-16 → 2027-03-15.

    Args:
        completed_on: the agency-local completion date.
        graduated_on: the officer's academy graduation (basic course completion)
            date. When unknown, the completion starts the yearly cycle (valid
            12 months). A completion before graduation (taken at the academy)
            counts for the first year: valid to the first anniversary.

    Returns:
        The last valid day (inclusive), a date.
    """
    if graduated_on is None:
        return certification_expires_on(completed_on, 12)
    if graduated_on > completed_on:
        return graduated_on + relativedelta(years=1)
    years = completed_on.year - graduated_on.year
    anniversary = graduated_on + relativedelta(years=years)
    if anniversary < completed_on:
        years += 1
    # The anniversary ending the year of the completion, then one year more.
    return graduated_on + relativedelta(years=years + 1)


def requirement_expires_on(
    *, due_rule: str, completed_on: date, validity_months: int | None = None, graduated_on: date | None = None
) -> date:
    """Last valid day of a completion under a training requirement's due rule.

    Args:
        due_rule: a ``TrainingRequirement.DueRule`` value: "months_after_completion"
            (``certification_expires_on``, the one months helper, T3),
            "fiscal_year" (``fiscal_year_expires_on``) or "graduation_anniversary"
            (``graduation_anniversary_expires_on``).
        completed_on: the completion date.
        validity_months: N for the months rule.
        graduated_on: the officer's basic-course completion, for the anniversary rule.

    Raises:
        ValueError: unknown rule, or the months rule without ``validity_months`` >= 1.
    """
    if due_rule == "months_after_completion":
        return certification_expires_on(completed_on, validity_months or 0)
    if due_rule == "fiscal_year":
        return fiscal_year_expires_on(completed_on)
    if due_rule == "graduation_anniversary":
        return graduation_anniversary_expires_on(completed_on, graduated_on)
    raise ValueError(f"Unknown due rule {due_rule!r}.")


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
    Never take the date part of the UTC instant (``timezone.now()``), which is the UTC date.
    """
    return timezone.localdate(now or timezone.now(), timezone=agency.zone)


# Expiry notices (DESIGN.md "Background work"): days before ``expires_on``.
REMINDER_THRESHOLDS_DAYS = (90, 60, 30, 7, 0)
# Catch-up window for certifications that already expired: the 0-day notice is
# still sent up to 30 days after the expiry day (the job was down, or the
# certification was recorded late), never later, so a first run over years of
# old data does not flood supervisors with notices about long-expired records.
EXPIRED_CATCH_UP_DAYS = 30


def reminder_threshold_due(
    expires_on: date, today: date, thresholds: Iterable[int] = REMINDER_THRESHOLDS_DAYS
) -> int | None:
    """The most urgent reminder threshold reached on ``today``, or None.

    Thresholds are 90, 60, 30, 7 and 0 days before ``expires_on``, counted on the
    agency-local date. After a gap only the most urgent reached threshold is
    due. Case T2, expiring 2026-06-30: 2026-04-01 → 90, 2026-04-30 → 90,
    2026-05-01 → 60, 2026-05-04 → 60 (the job was down 04-29 to 05-03),
    2026-05-31 → 30. The caller skips a threshold already sent. Past the expiry
    day the 0-day notice stays due for ``EXPIRED_CATCH_UP_DAYS`` (30) days, then
    nothing.

    ``thresholds`` are the agency's own (``training.reminders.thresholds``), the
    defaults above when it set none. The 0-day (expiry) notice is always part
    of them: an officer whose training lapses may no longer act (R2.4), so
    that notice cannot be switched off.

    Returns:
        The threshold in days, or None when no threshold is reached yet (more
        than the largest threshold left) or the expiry is older than the catch-up window.
    """
    days_left = (expires_on - today).days
    if days_left < -EXPIRED_CATCH_UP_DAYS:
        return None
    thresholds = {*thresholds, 0}
    reached = [threshold for threshold in thresholds if days_left <= threshold]
    return min(reached) if reached else None


# Exam and service-commitment rules (DOMAIN.md R2.2, R2.8).

# R2.2 [C]: each exam is passed with at least 70 %; one remediation re-test over
# the whole course; two failed exams (the remediation counted) disqualify.
EXAM_PASS_PERCENT = 70
EXAM_FAILURES_DISQUALIFY = 2
# R2.8 [C]: the trained officer serves in the 287(g) role for at least 2 years.
SERVICE_COMMITMENT_MONTHS = 24


def exam_passed(score_percent: int) -> bool:
    """True when an exam score (whole percent, 0–100) passes: 70 passes, 69 fails (R2.2)."""
    return score_percent >= EXAM_PASS_PERCENT


def separated_early(certified_on: date | None, separated_on: date) -> bool:
    """True when an officer left the role less than 24 months after certification (R2.8 flag).

    Certified 2024-01-15: separated 2026-01-14 → True (23 months and some
    days); separated 2026-01-15 → False (24 months). Months are calendar months,
    by ``certification_expires_on`` (2024-02-29 + 24 months = 2026-02-28).
    An unknown certification date (None) is never flagged.
    """
    if certified_on is None:
        return False
    return separated_on < certification_expires_on(certified_on, SERVICE_COMMITMENT_MONTHS)
