"""Report "Detainer log": every detainer an agency received in a period, checked, for auditors.

Period: the ``PERIOD_DAYS`` (90) agency-local days ending on the report's
``as_of`` date, both ends included — about a quarter, the span an ICE or
internal inspection reviews, and long enough that a hold still running at the
start of a month is seen through to its outcome. A detainer belongs to the
period by the agency-local date it was *received*.

Per detainer: booking and subject, received, the checks' verdict (hold
authorized, or the failing rules), the outcome, the hold deadline against the
actual end of custody (late marked), open findings, and the narratives
recorded about it (``incidents.detainer_log.rows``: the U.S.-citizenship
claim's details and resolution, then each linked incident's description,
findings and corrective action). The checks are asked at the end of the
``as_of`` day (or when rendering started, if earlier); findings are counted
as they stand when the report is rendered.
"""

from __future__ import annotations

from dataclasses import dataclass

from compliance.reports.periods import cover_context, report_period
from incidents.detainer_log.rows import HELD_PAST_DEADLINE, RELEASE_LATE, detainer_log_entries, detainer_log_queryset

TEMPLATE = "reports/detainer_log.html"
TITLE = "Detainer log"


@dataclass(frozen=True)
class DetainerLogCounts:
    """The summary at the top of the report."""

    received: int
    holds_authorized: int
    released_after_deadline: int
    held_past_deadline: int
    open_findings: int


def detainer_log_context(*, report, generated_at) -> dict:
    """Template context for ``reports/detainer_log.html``.

    Args:
        report: the ``compliance.Report`` (agency and requester loaded); its
            agency was permission-checked by ``report_request`` (``export_reports``).
        generated_at: aware datetime the rendering started; shown in the agency's zone.

    Returns:
        ``title``, ``agency``, ``as_of``, ``period_start``/``period_end`` (agency-local
        dates, inclusive), ``checked_at`` (aware instant the checks are asked at),
        ``generated_at``, ``generated_by``, ``report``, ``rows`` (``LogEntry`` list,
        oldest received first, with ``notes``) and ``counts`` (``DetainerLogCounts``).
        Queries: a fixed number per 2,000 detainers, never per detainer.
    """
    period = report_period(report=report, generated_at=generated_at)
    checked_at = period.checked_at
    queryset = detainer_log_queryset(
        agencies=[report.agency], received_from=period.first_day, received_to=period.last_day
    )
    rows = list(detainer_log_entries(queryset, at=checked_at, with_notes=True))
    counts = DetainerLogCounts(
        received=len(rows),
        holds_authorized=sum(1 for row in rows if row.hold_authorized),
        released_after_deadline=sum(1 for row in rows if row.release == RELEASE_LATE),
        held_past_deadline=sum(1 for row in rows if row.release == HELD_PAST_DEADLINE),
        open_findings=sum(row.open_findings for row in rows),
    )
    return {
        **cover_context(report=report, title=TITLE, period=period, generated_at=generated_at),
        "rows": rows,
        "counts": counts,
    }
