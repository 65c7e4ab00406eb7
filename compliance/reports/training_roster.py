"""Report "Training roster and certification status": its template context."""

from __future__ import annotations

from compliance.reports.periods import cover_context, report_period
from training.roster.selectors import roster_for_report, roster_status_counts

TEMPLATE = "reports/training_roster.html"
TITLE = "Training roster and certification status"


def training_roster_context(*, report, generated_at) -> dict:
    """Template context for ``reports/training_roster.html``.

    Args:
        report: the ``compliance.Report`` (agency and requester loaded).
        generated_at: aware datetime the rendering started; shown in the agency's zone.

    Returns:
        ``agency``, ``as_of`` (the agency-local date the statuses are computed for),
        ``generated_at``, ``generated_by``, ``title``, ``rows`` (``RosterRow`` list,
        ``training.roster.selectors.roster_for_report``) and ``counts``
        (``roster_status_counts``). Four queries whatever the roster size.
    """
    agency = report.agency
    period = report_period(report=report, generated_at=generated_at)
    return {
        **cover_context(report=report, title=TITLE, period=period, generated_at=generated_at),
        "rows": roster_for_report(agency=agency, today=report.as_of),
        "counts": roster_status_counts(agency=agency, today=report.as_of),
    }
