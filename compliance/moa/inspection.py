"""Inspection readiness: one agreement's requirements over a period, with their evidence (issue #15 item 2).

ICE's Office of Professional Responsibility inspects a 287(g) agency against its MOA, clause by clause
(DOMAIN.md §6.4 item 7, §6.2 OIG-11-119, GAO-21-186): is each obligation met, what shows it, what went wrong
and what was done about it. ``inspection_context`` answers that for one agreement and one period, and is the
ONE builder of both the inspection page (``compliance.views.inspection``) and the PDF
(``compliance.reports.inspection_readiness``), so the two say the same.

Per requirement (active, in ``position`` order, grouped by clause):

* its status at the end of the period and the reason: the evaluator's answer
  (``compliance.moa.evidence.requirement_evidence`` — the one entry point — at ``Period(start, end, as_of)``);
* its evidence: the evaluator's figures and lists, the attached documents valid on the last day;
* its recorded status at the start of the period and every recorded change of status in the period, from its
  history rows (who, when, from → to, the reason stored then), and the last day it was met;
* whether it was confirmed against the signed MOA (``confirmed_at``), or is still the shipped template's text;
* the findings against it: the agency's findings whose kind is one of the evidence's ``finding_kinds``, opened in
  the period or open at some time in it (``compliance.reports.findings.findings_rows``, in the report's basis),
  with what was done — acknowledged, resolved or marked a false positive (who, when, the note), reopened — and
  the corrective actions of the case when the finding is on an incident (``incidents.corrective_actions``: they
  are linked to cases, not to findings).

Reproducible: everything is read as it stood at ``period.as_of`` (the report's ``checked_at``): the agreement,
its requirements, the findings' notes and the corrective actions from their history tables
(``compliance.core.as_of.records_as_of``); nothing written after that instant changes the answer. "As effective
on" (the default) counts requirements entered later as well (the MOA's clauses bound the agency from its
signature, whenever they were typed in) — but one entered after the period ended (``period_ends_at``) is shown
as "Added after the period", neither evaluated nor counted (it did not exist in the period: counting it "Not
met" would mis-state the period); "as recorded by" only those recorded by the instant.

Queries: a fixed number (agreement, requirements, their history, findings and their history, users, corrective
actions), plus the evaluators' own queries per requirement (``requirement_evidence``); none per finding,
document or history row. No personal data: findings' summaries are written without it, names are staff names.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from compliance.core.as_of import records_as_of
from compliance.core.local_days import local_day_start
from compliance.core.models import (
    Agreement,
    AgreementRequirement,
    Clause,
    Finding,
    Report,
    RequirementStatus,
    User,
)
from compliance.moa.evidence import EVALUATORS, Evidence, Period, requirement_evidence
from compliance.reports.findings import FindingRow, findings_rows
from incidents.corrective_actions.models import CorrectiveAction
from incidents.models import Incident

#: The order statuses are counted and shown in on the cover.
#: The reason shown for a requirement entered after the period (not assessed, not counted).
ADDED_AFTER_REASON = "Added after the period: entered after the period ended, so not assessed or counted here."

STATUS_ORDER = (RequirementStatus.MET, RequirementStatus.AT_RISK, RequirementStatus.NOT_MET, RequirementStatus.UNKNOWN)


def _name(user) -> str:
    if user is None:
        return "the system"
    return user.get_full_name() or user.username


@dataclass(frozen=True)
class StatusChange:
    """A recorded change of a requirement's status: when (aware), from → to (labels), the reason stored, by whom."""

    at: datetime
    old: str
    new: str
    reason: str
    by: str


@dataclass(frozen=True)
class FindingAction:
    """One thing done about a finding: what (e.g. "Resolved"), when (aware; None if not recorded), by whom, note."""

    what: str
    at: datetime | None
    by: str
    note: str = ""


@dataclass
class FindingLine:
    """A finding against a requirement: the finding as it stood at the instant, its state then, what was done."""

    finding: Finding
    state: str
    open_at_end: bool
    record_type: str
    actions: list[FindingAction] = field(default_factory=list)
    corrective_actions: list[CorrectiveAction] = field(default_factory=list)


@dataclass
class RequirementSection:
    """One requirement of the report (module docstring): the requirement as of the instant and what shows it."""

    requirement: AgreementRequirement
    evaluator_label: str
    evidence: Evidence
    status_at_start: str
    changes: list[StatusChange]
    last_met_on: date | None
    confirmed_by: str
    findings: list[FindingLine]
    #: Entered after the period ended (``created_at`` at or after ``period_ends_at``): shown, not assessed, not
    #: counted (docs/decisions/inspection-readiness.md).
    added_after: bool = False

    @property
    def status(self) -> str:
        return self.evidence.status

    @property
    def status_label(self) -> str:
        return RequirementStatus(self.evidence.status).label

    @property
    def confirmed(self) -> bool:
        return self.requirement.confirmed_at is not None

    @property
    def open_findings(self) -> int:
        return sum(1 for line in self.findings if line.open_at_end)


@dataclass
class ClauseSection:
    """The requirements of one MOA clause, in ``position`` order."""

    clause: str
    label: str
    requirements: list[RequirementSection]


@dataclass
class InspectionSummary:
    """The cover's counts: requirements by status at the end (``STATUS_ORDER``: (value, label, count)), findings."""

    by_status: list[tuple[str, str, int]]
    requirements: int
    unconfirmed: int
    findings: int
    open_findings: int
    changes: int
    added_after: int = 0


@dataclass
class Inspection:
    """The whole answer: the agreement as of the instant, the period, the clauses, the summary."""

    agreement: Agreement
    agency: object
    period: Period
    starts_at: datetime
    basis: str
    clauses: list[ClauseSection]
    summary: InspectionSummary

    @property
    def period_days(self) -> int:
        return (self.period.end - self.period.start).days + 1

    @property
    def basis_label(self) -> str:
        return Report.Basis(self.basis).label


def inspection_clauses(*, agreement: Agreement, at: datetime, basis: str = Report.Basis.EFFECTIVE) -> list[str]:
    """The clause values of ``agreement``'s active requirements as they stood at ``at`` (aware), in report order.

    Used by the report's plan (one part per clause). One query (two "as effective on").
    """
    requirements = _requirements(agreement, at, basis)
    return list(dict.fromkeys(requirement.clause for requirement in requirements))


def _requirements(agreement: Agreement, at: datetime, basis: str) -> list[AgreementRequirement]:
    found = records_as_of(
        AgreementRequirement,
        at=at,
        filters=Q(agreement_id=agreement.pk),
        later_as_now=basis != Report.Basis.RECORDED,
    )
    active = [requirement for requirement in found.values() if requirement.active]
    return sorted(active, key=lambda requirement: (requirement.position, requirement.pk))


def _agreement_then(agreement: Agreement, at: datetime) -> Agreement:
    then = records_as_of(Agreement, at=at, filters=Q(id=agreement.pk)).get(agreement.pk)
    if then is None:
        return agreement  # recorded after the instant (or without history): as it is now
    then.agency = agreement.agency
    return then


def _history(requirements: list[AgreementRequirement], at: datetime) -> dict[int, list]:
    """Each requirement's history rows written before ``at``, oldest first (one query)."""
    rows: dict[int, list] = defaultdict(list)
    if requirements:
        history = AgreementRequirement.history.filter(
            id__in=[requirement.pk for requirement in requirements], history_date__lt=at
        ).order_by("history_date", "history_id")
        for row in history.only("id", "history_date", "history_id", "history_user_id", "status", "status_reason"):
            rows[row.id].append(row)
    return rows


def _status_story(rows: list, starts_at: datetime, users: dict) -> tuple[str, list[StatusChange]]:
    """(the status label recorded at ``starts_at``, the changes of status recorded from then on)."""
    status_at_start = RequirementStatus.UNKNOWN
    changes = []
    previous = None
    for row in rows:
        if previous is not None and row.status != previous and row.history_date >= starts_at:
            changes.append(
                StatusChange(
                    at=row.history_date,
                    old=RequirementStatus(previous).label,
                    new=RequirementStatus(row.status).label,
                    reason=row.status_reason,
                    by=_name(users.get(row.history_user_id)),
                )
            )
        if row.history_date < starts_at:
            status_at_start = row.status
        previous = row.status
    return RequirementStatus(status_at_start).label, changes


def _finding_lines(rows: list[FindingRow], at: datetime) -> dict[int, FindingLine]:
    """A ``FindingLine`` per finding of ``rows``: the finding as it stood at ``at`` (its notes then), what was done,
    and its case's corrective actions as they stood then. Three queries whatever the number of findings."""
    if not rows:
        return {}
    then = records_as_of(Finding, at=at, filters=Q(id__in=[row.finding.pk for row in rows]), later_as_now=True)
    user_ids = set()
    for finding in then.values():
        user_ids.update({finding.acknowledged_by_id, finding.resolved_by_id, finding.reopened_by_id})
    users = User.objects.in_bulk({user_id for user_id in user_ids if user_id})
    incident_type = ContentType.objects.get_for_model(Incident)
    incident_ids = {row.finding.object_id for row in rows if row.finding.content_type_id == incident_type.pk}
    actions_by_incident: dict[int, list[CorrectiveAction]] = defaultdict(list)
    if incident_ids:
        actions = records_as_of(CorrectiveAction, at=at, filters=Q(incident_id__in=sorted(incident_ids)))
        for action in sorted(actions.values(), key=lambda action: (action.due_on, action.pk)):
            actions_by_incident[action.incident_id].append(action)
    lines = {}
    for row in rows:
        finding = then.get(row.finding.pk, row.finding)
        finding.content_type = row.finding.content_type
        line = FindingLine(
            finding=finding,
            state=row.state.label,
            open_at_end=not row.state.closed,
            record_type=row.record_type,
        )
        if finding.acknowledged_at is not None:
            line.actions.append(
                FindingAction("Acknowledged", finding.acknowledged_at, _name(users.get(finding.acknowledged_by_id)))
            )
        if row.state.closed:
            what = Finding.Status(row.state.status).label
            by = _name(row.state.resolved_by or users.get(finding.resolved_by_id))
            line.actions.append(FindingAction(what, row.state.resolved_at, by, finding.resolution_note))
        if finding.reopened_at is not None and finding.reopened_at < at:
            line.actions.append(
                FindingAction(
                    "Reopened", finding.reopened_at, _name(users.get(finding.reopened_by_id)), finding.reopen_reason
                )
            )
        line.actions.sort(key=lambda action: action.at or finding.opened_at)
        if finding.content_type_id == incident_type.pk:
            line.corrective_actions = actions_by_incident.get(finding.object_id, [])
        lines[row.finding.pk] = line
    return lines


def inspection_context(
    *, agreement: Agreement, period: Period, basis: str = Report.Basis.EFFECTIVE, clauses: list[str] | None = None
) -> dict:
    """Everything the inspection page and PDF show for ``agreement`` over ``period`` (module docstring).

    Args:
        agreement: the ``compliance.Agreement`` (its ``agency`` loaded or loadable); the caller checked access.
        period: ``start``/``end`` agency-local dates (inclusive), ``as_of`` the aware instant answered at (the
            report's ``checked_at``; for the page the end of ``end`` or now, whichever is earlier).
        basis: ``Report.Basis`` value: how findings are read ("effective": the times they carry; "recorded": their
            history) and whether requirements recorded after the instant count ("effective" only).
        clauses: only these clauses' requirements are read and evaluated (a report part); None: all. The summary
            counts the requirements read.

    Returns:
        ``{"inspection": Inspection}``.

    Raises:
        ValueError: ``period.as_of`` is naive (``records_as_of``).
    """
    agency = agreement.agency
    at = period.as_of
    starts_at = local_day_start(period.start, agency.zone)
    ends_at = period_ends_at(period, agency)
    agreement_then = _agreement_then(agreement, at)
    requirements = [
        requirement
        for requirement in _requirements(agreement, at, basis)
        if clauses is None or requirement.clause in clauses
    ]
    history = _history(requirements, at)
    user_ids = {row.history_user_id for rows in history.values() for row in rows}
    user_ids.update(requirement.confirmed_by_id for requirement in requirements)
    users = User.objects.in_bulk({user_id for user_id in user_ids if user_id})

    evidences = {}
    added_after = set()
    for requirement in requirements:
        requirement.agreement = agreement_then
        requirement.agency = agency
        if requirement.created_at >= ends_at:
            added_after.add(requirement.pk)
            evidences[requirement.pk] = Evidence(RequirementStatus.UNKNOWN, ADDED_AFTER_REASON)
            continue
        evidences[requirement.pk] = requirement_evidence(requirement, period=period)
    kinds = {kind for evidence in evidences.values() for kind in evidence.finding_kinds}
    finding_rows = []
    if kinds:
        every = findings_rows(agency=agency, starts_at=starts_at, checked_at=at, basis=basis)
        finding_rows = [row for row in every if row.finding.kind in kinds]
    lines = _finding_lines(finding_rows, at)

    sections: list[RequirementSection] = []
    for requirement in requirements:
        evidence = evidences[requirement.pk]
        status_at_start, changes = _status_story(history.get(requirement.pk, []), starts_at, users)
        last_met_on = period.end if evidence.status == RequirementStatus.MET else requirement.last_met_on
        if last_met_on is not None and last_met_on > period.end:
            last_met_on = None  # the stored date is later than the period: not known within it
        evaluator = EVALUATORS.get(requirement.evidence)
        sections.append(
            RequirementSection(
                requirement=requirement,
                evaluator_label=evaluator.label if evaluator else f"'{requirement.evidence}' (not an evaluator)",
                evidence=evidence,
                status_at_start=status_at_start,
                changes=changes,
                last_met_on=last_met_on,
                confirmed_by=_name(users.get(requirement.confirmed_by_id)) if requirement.confirmed_by_id else "",
                findings=[lines[row.finding.pk] for row in finding_rows if row.finding.kind in evidence.finding_kinds],
                added_after=requirement.pk in added_after,
            )
        )

    counted = [section for section in sections if not section.added_after]
    counts = defaultdict(int)
    for section in counted:
        counts[section.status] += 1
    open_ids = {row.finding.pk for row in finding_rows if not row.state.closed}
    summary = InspectionSummary(
        by_status=[(status.value, status.label, counts[status.value]) for status in STATUS_ORDER],
        requirements=len(counted),
        unconfirmed=sum(1 for section in counted if not section.confirmed),
        findings=len(finding_rows),
        open_findings=len(open_ids),
        changes=sum(len(section.changes) for section in counted),
        added_after=len(added_after),
    )
    by_clause: dict[str, list[RequirementSection]] = defaultdict(list)
    for section in sections:
        by_clause[section.requirement.clause].append(section)
    clause_sections = [
        ClauseSection(clause=clause, label=clause_label(clause), requirements=items)
        for clause, items in by_clause.items()
    ]
    return {
        "inspection": Inspection(
            agreement=agreement_then,
            agency=agency,
            period=period,
            starts_at=starts_at,
            basis=basis,
            clauses=clause_sections,
            summary=summary,
        )
    }


def period_ends_at(period: Period, agency) -> datetime:
    """The instant the period stopped being answered: the start of the agency-local day after ``period.end``, or
    ``period.as_of`` if earlier (aware). A requirement entered at or after it did not exist in the period."""
    return min(local_day_start(period.end + timedelta(days=1), agency.zone), period.as_of)


def clause_label(clause: str) -> str:
    """The label of ``clause`` (a ``Clause`` value); an unknown value as it is."""
    try:
        return Clause(clause).label
    except ValueError:
        return clause


def default_period(today: date) -> tuple[date, date]:
    """The page's default period: the 12 months ending on ``today`` (agency-local), both days included."""
    try:
        start = today.replace(year=today.year - 1) + timedelta(days=1)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - 1, day=28) + timedelta(days=1)
    return start, today


def period_shortcuts(today: date) -> list[tuple[str, date, date]]:
    """Named periods offered on the page: (label, start, end), none ending after ``today``.

    The last 12 months; the last full calendar quarter; the current federal fiscal year so far (1 October to
    ``today``) and the last full one (OPR inspections and GAO-21-186 count by federal fiscal year).
    """
    shortcuts = [("Last 12 months", *default_period(today))]
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last_quarter_end = quarter_start - timedelta(days=1)
    last_quarter_start = date(last_quarter_end.year, 3 * ((last_quarter_end.month - 1) // 3) + 1, 1)
    shortcuts.append(("Last full quarter", last_quarter_start, last_quarter_end))
    fiscal_start = date(today.year if today.month >= 10 else today.year - 1, 10, 1)
    shortcuts.append((f"Fiscal year {fiscal_start.year + 1} so far", fiscal_start, today))
    previous_start = date(fiscal_start.year - 1, 10, 1)
    shortcuts.append((f"Fiscal year {fiscal_start.year}", previous_start, fiscal_start - timedelta(days=1)))
    return shortcuts
