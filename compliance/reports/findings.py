"""Report "Findings and their resolution": an agency's findings of a period with their resolution times (issue #13).

Which findings: those opened in the period (``opened_at`` from the start of its first agency-local day to the
report's instant) and those opened earlier that were open at some time in it: open at its start, or reopened in
it (then open at its end, or closed again in it). Everything is answered at
the report's instant ``checked_at`` (``compliance.reports.periods``), in one of two meanings (``Report.Basis``):

* **As effective on** (the default): a finding's state at an instant follows the times it carries — it is
  open from ``opened_at``, closed from a ``resolved_at`` (resolved, or marked a false positive), open again
  from a ``reopened_at``. Every closure and reopening the finding ever had is read from its history rows
  (a reopened finding's earlier closure lives only there), by the time it *happened*, whenever recorded.
* **As recorded by**: the finding as its history table held it at ``checked_at`` (the last history row
  written before then): what the system said at that moment; findings recorded later are not in it.

Per finding: kind, severity, record type, opened, its state at ``checked_at``, when and by whom it was closed
(staff names: they act in an official capacity), the resolution time (``resolved_at − opened_at``, real elapsed
time, not working days). Summary: per kind and severity, the findings closed in the period with the median and
the longest resolution time; the findings still open at ``checked_at`` by age (``checked_at − opened_at``, from
the first opening, a reopened finding included) in buckets (``AGE_BUCKETS``).
The finding's summary text is shown (rules write it without personal data).

Queries: a fixed number whatever the number of findings (the findings, their history rows, the users named).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q

from compliance.core.findings import CLOSED_STATUSES, OPEN_STATUSES
from compliance.core.models import Finding, Report, User
from compliance.reports.kinds import Part, ReportKind, ReportRun
from incidents.incident_log.selectors import duration_text

TEMPLATE = "reports/findings.html"
TITLE = "Findings and their resolution"

#: Ages of open findings, in whole days since opening: (label, lowest day, highest day or None).
AGE_BUCKETS = (
    ("Under 7 days", 0, 6),
    ("7 to 30 days", 7, 30),
    ("31 to 90 days", 31, 90),
    ("Over 90 days", 91, None),
)


@dataclass
class FindingState:
    """A finding at one instant: its status (``Finding.Status`` value), and, when closed, when and by whom."""

    status: str
    resolved_at: datetime | None = None
    resolved_by_id: int | None = None
    resolved_by: object = None

    @property
    def closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def label(self) -> str:
        return Finding.Status(self.status).label


@dataclass
class FindingRow:
    """One finding of the report: the finding (its current row, for kind, severity, opened) and its state then."""

    finding: Finding
    state: FindingState
    open_at_start: bool
    record_type: str

    @property
    def resolution_time(self) -> timedelta | None:
        if not self.state.closed or self.state.resolved_at is None:
            return None
        return self.state.resolved_at - self.finding.opened_at

    @property
    def resolution_time_text(self) -> str:
        span = self.resolution_time
        return duration_text(span) if span is not None else "—"


@dataclass
class ResolutionLine:
    """Findings of one kind and severity closed in the period: how many, median and longest resolution time."""

    kind: str
    severity: str
    closed: int
    median: timedelta
    longest: timedelta

    @property
    def median_text(self) -> str:
        return duration_text(self.median)

    @property
    def longest_text(self) -> str:
        return duration_text(self.longest)


@dataclass
class FindingsSummary:
    opened_in_period: int = 0
    open_at_start: int = 0
    closed_in_period: int = 0
    open_at_end: int = 0
    resolution: list[ResolutionLine] = field(default_factory=list)
    #: (label, count) per ``AGE_BUCKETS`` entry, of the findings open at ``checked_at``.
    open_by_age: list[tuple[str, int]] = field(default_factory=list)


def _candidates(agency, starts_at: datetime, checked_at: datetime):
    """Findings that may have been opened in the period or open at its start (a superset; states decide)."""
    return (
        Finding.objects.filter(agency=agency, opened_at__lt=checked_at)
        .filter(
            Q(opened_at__gte=starts_at)
            | Q(resolved_at__isnull=True)
            | Q(resolved_at__gte=starts_at)
            | Q(reopened_at__gte=starts_at)
            | Q(status__in=OPEN_STATUSES)
        )
        .select_related("content_type")
        .order_by("opened_at", "pk")
    )


def _effective_events(finding: Finding, rows: list) -> list[tuple[datetime, int, FindingState | None]]:
    """Closures (a state) and reopenings (None) of ``finding``, by the time they happened, from every version."""
    events: dict[tuple, tuple] = {}
    for version in [*rows, finding]:
        if version.status in CLOSED_STATUSES and version.resolved_at is not None:
            state = FindingState(version.status, version.resolved_at, version.resolved_by_id)
            events[("closed", version.resolved_at)] = (version.resolved_at, 1, state)
        if version.reopened_at is not None:
            events[("reopened", version.reopened_at)] = (version.reopened_at, 0, None)
    return sorted(events.values(), key=lambda event: (event[0], event[1]))


def _state_effective(finding: Finding, rows: list, at: datetime) -> FindingState | None:
    if finding.opened_at >= at:
        return None
    state = FindingState(Finding.Status.OPEN)
    for when, _order, closure in _effective_events(finding, rows):
        if when >= at:
            break
        state = closure or FindingState(Finding.Status.OPEN)
    return state


def _state_recorded(rows: list, at: datetime) -> FindingState | None:
    before = [row for row in rows if row.history_date < at]
    if not before:
        return None
    last = before[-1]
    if last.status in CLOSED_STATUSES:
        return FindingState(last.status, last.resolved_at, last.resolved_by_id)
    return FindingState(last.status)


def findings_rows(*, agency, starts_at: datetime, checked_at: datetime, basis: str) -> list[FindingRow]:
    """The findings of a period: opened in it (``starts_at`` ≤ opened < ``checked_at``) or open at some time in it.

    Args:
        agency: the ``compliance.Agency``.
        starts_at, checked_at: aware instants (the period's first instant, the instant the report answers at).
        basis: ``Report.Basis`` value: "effective" (the times the findings carry) or "recorded" (their history
            rows written before each instant).

    Returns:
        ``FindingRow`` list, oldest opened first, each with its state at ``checked_at`` (the closing user
        loaded). Three queries (findings, their history rows, the closing users), whatever the number.
    """
    findings = list(_candidates(agency, starts_at, checked_at))
    history: dict[int, list] = defaultdict(list)
    if findings:
        versions = Finding.history.filter(id__in=[finding.pk for finding in findings], history_date__lt=checked_at)
        for row in versions.order_by("history_date", "history_id"):
            history[row.id].append(row)
    rows = []
    for finding in findings:
        versions = history[finding.pk]
        if basis == Report.Basis.RECORDED:
            state, at_start = _state_recorded(versions, checked_at), _state_recorded(versions, starts_at)
        else:
            state = _state_effective(finding, versions, checked_at)
            at_start = _state_effective(finding, versions, starts_at)
        if state is None:
            continue
        open_at_start = at_start is not None and not at_start.closed
        closed_before = state.closed and (state.resolved_at is None or state.resolved_at < starts_at)
        if finding.opened_at < starts_at and not open_at_start and closed_before:
            continue  # opened before the period and closed all through it
        rows.append(
            FindingRow(
                finding=finding,
                state=state,
                open_at_start=open_at_start,
                record_type=finding.content_type.name.capitalize(),
            )
        )
    users = User.objects.in_bulk({row.state.resolved_by_id for row in rows if row.state.resolved_by_id})
    for row in rows:
        row.state.resolved_by = users.get(row.state.resolved_by_id)
    return rows


def findings_summary(rows: list[FindingRow], *, starts_at: datetime, checked_at: datetime) -> FindingsSummary:
    """Counts, resolution times per kind and severity, and open findings by age (``AGE_BUCKETS``) of ``rows``."""
    summary = FindingsSummary()
    summary.opened_in_period = sum(1 for row in rows if row.finding.opened_at >= starts_at)
    summary.open_at_start = sum(1 for row in rows if row.open_at_start)
    closed = [row for row in rows if row.state.closed and row.state.resolved_at and row.state.resolved_at >= starts_at]
    summary.closed_in_period = len(closed)
    spans: dict[tuple[str, str], list[timedelta]] = defaultdict(list)
    for row in closed:
        spans[(row.finding.kind, row.finding.severity)].append(row.resolution_time)
    severity_order = {value: index for index, (value, _label) in enumerate(reversed(Finding.Severity.choices))}
    for (kind, severity), values in sorted(spans.items(), key=lambda item: (item[0][0], severity_order[item[0][1]])):
        summary.resolution.append(
            ResolutionLine(
                kind=Finding.Kind(kind).label,
                severity=Finding.Severity(severity).label,
                closed=len(values),
                median=statistics.median_low(values),
                longest=max(values),
            )
        )
    open_rows = [row for row in rows if not row.state.closed]
    summary.open_at_end = len(open_rows)
    for label, low, high in AGE_BUCKETS:
        count = sum(
            1
            for row in open_rows
            if (checked_at - row.finding.opened_at).days >= low
            and (high is None or (checked_at - row.finding.opened_at).days <= high)
        )
        summary.open_by_age.append((label, count))
    return summary


def open_findings(rows: list[FindingRow], *, checked_at: datetime) -> list[tuple[FindingRow, int]]:
    """The findings of ``rows`` open at ``checked_at``, oldest first, each with its age in whole days."""
    open_rows = [row for row in rows if not row.state.closed]
    return [(row, (checked_at - row.finding.opened_at).days) for row in open_rows]


def findings_context(run: ReportRun) -> dict:
    """Template context of ``reports/findings.html`` for ``run``: ``rows`` (``FindingRow`` list) and ``summary``."""
    period = run.period
    rows = findings_rows(
        agency=run.report.agency, starts_at=period.starts_at, checked_at=period.checked_at, basis=run.report.basis
    )
    return {"rows": rows, "summary": findings_summary(rows, starts_at=period.starts_at, checked_at=period.checked_at)}


def _plan(run: ReportRun) -> list[Part]:
    return [Part(template=TEMPLATE, landscape=True)]


def _part_context(run: ReportRun, part: Part) -> dict:
    return findings_context(run)


KIND = ReportKind(
    title=TITLE,
    plan=_plan,
    part_context=_part_context,
    templates=(TEMPLATE,),
    bases=(Report.Basis.EFFECTIVE.value, Report.Basis.RECORDED.value),
)
