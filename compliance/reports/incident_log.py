"""Report "Incidents and complaints": an agency's cases of a period, for auditors (issue 11 item 6, DOMAIN.md R3.5).

Period: the report's period (``compliance.reports.periods.report_period``: from its
``period_start``, by default the 90 agency-local days ending on its ``as_of`` date, both ends
included). A case belongs to the period by the agency-local date it was *received*. Basis
"as recorded by" (issue #13 item 1): everything is asked at ``checked_at``, the end of the
``as_of`` day (or the request time, if earlier) — each case's stage, closure, narrative and
dates as its history row then said (``compliance.core.as_of.records_as_of``; a case recorded
after that instant counts with its values as now), referrals made by then.

Summary: cases by kind and by source; allegations of those cases by disposition; ICE
referral timeliness against the agency's ``ice_referral_hours`` (``IncidentSettings``, or
the default 48 h): of the cases that need a referral to ICE OPR / the Joint Intake
Center (``incidents.incident_log.selectors``: concerning immigration authority, not
closed as merged or not an agency matter) or have one, the first ICE referral made on
time, late, none yet with the deadline passed (overdue) or still to come; time to close
(received → closed, real elapsed time; this module's own ``time_to_close``) of the
cases *closed* in the period, whenever received: median and longest; the cases open at
the end of the period (received by then, not closed by then), by their stage at
``checked_at`` (a case recorded only afterwards and closed since is counted apart:
"closed since").

Per case: received, kind, source, stage, title, subject officers by badge number, the
allegations' dispositions, corrective actions (total / open), the referral status and
time to close, and the reviewer's signed-off narrative. Never the complainant's
contact details, the complainant's own account (``description``) or any complainant's
name: contact lives in ``incidents.complaints`` and is not read here.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import OuterRef, Prefetch, Q, Subquery

from compliance.core.as_of import records_as_of
from compliance.reports.periods import cover_context, report_period
from incidents.corrective_actions.models import CorrectiveAction
from incidents.incident_log.models import Allegation, Disposition, Incident, SubjectOfficer
from incidents.incident_log.selectors import NO_REFERRAL_CLOSURES, CaseDeadlines, case_deadlines_for, duration_text
from incidents.referrals.deadlines import case_time_to_close
from incidents.referrals.models import Referral

TEMPLATE = "reports/incident_log.html"
TITLE = "Incidents and complaints"
#: Cases read per batch (each batch: one query for the cases and one per related list).
BATCH = 2000

ON_TIME = "on_time"
LATE = "late"
OVERDUE = "overdue"
NOT_YET_DUE = "not_yet_due"
NOT_REQUIRED = "not_required"
NO_DISPOSITION = "none"


@dataclass
class CaseRow:
    """One case of the report."""

    incident: Incident
    officers: list[str]
    dispositions: list[tuple[str, int]]
    actions_total: int
    actions_open: int
    referral: str  # ON_TIME, LATE, OVERDUE, NOT_YET_DUE or NOT_REQUIRED
    referral_text: str
    other_referrals: list[str]
    time_to_close: timedelta | None

    @property
    def time_to_close_text(self) -> str:
        return duration_text(self.time_to_close) if self.time_to_close is not None else "Open"


@dataclass
class IncidentLogCounts:
    """The summary at the top of the report: (label, count) lists in the vocabulary's order."""

    received: int = 0
    by_kind: list[tuple[str, int]] = field(default_factory=list)
    by_source: list[tuple[str, int]] = field(default_factory=list)
    allegations: int = 0
    by_disposition: list[tuple[str, int]] = field(default_factory=list)
    referrals: dict[str, int] = field(default_factory=dict)
    closed_in_period: int = 0
    median_to_close: timedelta | None = None
    longest_to_close: timedelta | None = None
    open_at_end: int = 0
    open_by_stage: list[tuple[str, int]] = field(default_factory=list)
    open_closed_since: int = 0

    @property
    def median_to_close_text(self) -> str:
        return _duration_or_dash(self.median_to_close)

    @property
    def longest_to_close_text(self) -> str:
        return _duration_or_dash(self.longest_to_close)


def _duration_or_dash(span: timedelta | None) -> str:
    """``duration_text``, with hours kept on spans of a day or more (``3 days 4 hours``); "—" for None."""
    if span is None:
        return "—"
    if span < timedelta(days=1):
        return duration_text(span)
    hours = int((span - timedelta(days=span.days)).total_seconds() // 3600)
    return f"{duration_text(span)} {hours} hour{'s' if hours != 1 else ''}"


def referral_status(incident: Incident, first_ice: datetime | None, deadline: CaseDeadlines, *, at: datetime):
    """The case's ICE referral status at ``at``: a pair (``ON_TIME``, ``LATE``, ``OVERDUE``, ``NOT_YET_DUE``
    or ``NOT_REQUIRED``; the text the report prints).

    Args:
        incident: the case (``immigration_related``, ``closure``, ``received_at``).
        first_ice: when its first ICE OPR referral was made (up to ``at``), or None.
        deadline: its agency's ``CaseDeadlines`` (``ice_referral_hours``, real hours from ``received_at``).
        at: aware datetime the report is asked at.
    """
    due = incident.received_at + deadline.referral_window
    if first_ice is not None:
        if first_ice <= due:
            return ON_TIME, "ICE: on time"
        return LATE, f"ICE: late by {_duration_or_dash(first_ice - due)}"
    required = incident.immigration_related == Incident.Immigration.YES and incident.closure not in NO_REFERRAL_CLOSURES
    if not required:
        return NOT_REQUIRED, "Not required"
    if at > due:
        return OVERDUE, f"ICE: overdue by {_duration_or_dash(at - due)}"
    return NOT_YET_DUE, "ICE: not yet due"


def _cases(agency, start, end, at):
    """The agency's cases received in ``[start, end)``, oldest first, with what the rows need (batched)."""
    first_ice = (
        Referral.objects.filter(incident=OuterRef("pk"), recipient=Referral.Recipient.ICE_OPR, referred_at__lte=at)
        .order_by("referred_at")
        .values("referred_at")[:1]
    )
    return (
        Incident.objects.filter(agency=agency, received_at__gte=start, received_at__lt=end)
        .annotate(first_ice_referral=Subquery(first_ice))
        .prefetch_related(
            Prefetch(
                "subject_officers",
                queryset=SubjectOfficer.objects.select_related("officer").only("incident_id", "officer__badge_number"),
            ),
            Prefetch("allegations", queryset=Allegation.objects.only("incident_id", "disposition")),
            Prefetch(
                "corrective_actions",
                queryset=CorrectiveAction.objects.filter(agency=agency).only("incident_id", "status"),
            ),
            Prefetch(
                "referrals",
                queryset=Referral.objects.filter(agency=agency, referred_at__lte=at).only(
                    "incident_id", "recipient", "referred_at"
                ),
            ),
        )
        .order_by("received_at", "pk")
    )


def _row(incident: Incident, deadline: CaseDeadlines, at: datetime) -> CaseRow:
    dispositions = Counter(allegation.disposition or NO_DISPOSITION for allegation in incident.allegations.all())
    labels = dict(Disposition.choices) | {NO_DISPOSITION: "Not yet disposed"}
    referral, text = referral_status(incident, incident.first_ice_referral, deadline, at=at)
    actions = list(incident.corrective_actions.all())
    return CaseRow(
        incident=incident,
        officers=sorted(subject.officer.badge_number for subject in incident.subject_officers.all()),
        dispositions=[
            (labels[key], dispositions[key]) for key in [*Disposition.values, NO_DISPOSITION] if key in dispositions
        ],
        actions_total=len(actions),
        actions_open=sum(1 for action in actions if action.status == CorrectiveAction.Status.OPEN),
        referral=referral,
        referral_text=text,
        other_referrals=sorted(
            {r.get_recipient_display() for r in incident.referrals.all() if r.recipient != Referral.Recipient.ICE_OPR}
        ),
        time_to_close=case_time_to_close(incident, at=at),
    )


def incident_log_context(*, report, generated_at) -> dict:
    """Template context for ``reports/incident_log.html``.

    Args:
        report: the ``compliance.Report`` (agency and requester loaded); its agency was
            permission-checked by ``report_request`` (``export_reports``).
        generated_at: aware datetime the rendering started; shown in the agency's zone.

    Returns:
        ``title``, ``agency``, ``as_of``, ``period_start``/``period_end`` (agency-local dates,
        inclusive), ``period_days``, ``checked_at`` (aware instant everything is asked at),
        ``generated_at``, ``generated_by``, ``report``, ``deadline`` (``CaseDeadlines``),
        ``rows`` (``CaseRow`` list, oldest received first) and ``counts`` (``IncidentLogCounts``).
        Queries: a fixed number per ``BATCH`` cases (the cases, and one per related list), plus
        three (settings, cases closed in the period, cases open at its end), never per case.
    """
    agency = report.agency
    period = report_period(report=report, generated_at=generated_at)
    start, end_of_day, checked_at = period.starts_at, period.ends_at, period.checked_at
    deadline = case_deadlines_for([agency.pk])[agency.pk]

    # Each case as the records stood at ``checked_at`` (its history row then; a case recorded later: as now).
    # Only cases received by then and not closed before the period starts (closed in it, or open at its end).
    then = records_as_of(
        Incident,
        at=checked_at,
        filters=Q(agency_id=agency.pk, received_at__lt=checked_at)
        & (Q(closed_at__isnull=True) | Q(closed_at__gte=start)),
        later_as_now=True,
    )
    fields = [f.attname for f in Incident._meta.concrete_fields if f.attname not in ("id", "public_id")]
    rows = []
    for incident in _cases(agency, start, end_of_day, checked_at).iterator(chunk_size=BATCH):
        stood = then.get(incident.pk)
        if stood is not None:
            for name in fields:
                setattr(incident, name, getattr(stood, name))
        rows.append(_row(incident, deadline, checked_at))

    counts = IncidentLogCounts(received=len(rows))
    kinds = Counter(row.incident.kind for row in rows)
    counts.by_kind = [(label, kinds[value]) for value, label in Incident.Kind.choices]
    sources = Counter(row.incident.source for row in rows)
    counts.by_source = [(label, sources[value]) for value, label in Incident.Source.choices]
    dispositions: Counter = Counter()
    for row in rows:
        for label, number in row.dispositions:
            dispositions[label] += number
    counts.allegations = sum(dispositions.values())
    counts.by_disposition = [(label, dispositions[label]) for label in [*Disposition.labels, "Not yet disposed"]]
    referrals = Counter(row.referral for row in rows)
    counts.referrals = {key: referrals[key] for key in (ON_TIME, LATE, OVERDUE, NOT_YET_DUE)}

    # Closed in the period (whenever received): received → closed, as recorded at checked_at.
    closed = [
        case
        for case in then.values()
        if case.status == Incident.Status.CLOSED and case.closed_at is not None and start <= case.closed_at < checked_at
    ]
    spans = sorted(case.closed_at - case.received_at for case in closed)
    counts.closed_in_period = len(spans)
    if spans:
        counts.median_to_close = statistics.median(spans)
        counts.longest_to_close = spans[-1]

    # Open at the end of the period: received by then, and not closed by then, by their stage at checked_at.
    # "Closed since": a case recorded after checked_at and closed after it (its stage then is not on record).
    stages = Counter(
        case.status
        for case in then.values()
        if not (case.status == Incident.Status.CLOSED and case.closed_at is not None and case.closed_at < checked_at)
    )
    counts.open_closed_since = stages.pop(Incident.Status.CLOSED, 0)
    counts.open_at_end = sum(stages.values()) + counts.open_closed_since
    counts.open_by_stage = [
        (label, stages[value]) for value, label in Incident.Status.choices if value != Incident.Status.CLOSED
    ]
    return {
        **cover_context(report=report, title=TITLE, period=period, generated_at=generated_at),
        "deadline": deadline,
        "rows": rows,
        "counts": counts,
    }
