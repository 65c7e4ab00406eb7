"""Evidence from the records the agency keeps: 287(g) actions, detainers, complaints and findings.

Every evaluator here answers as the records stood at ``period.as_of``: rows are read from their
history tables (``records_at``: the latest history row before ``as_of``, one query per table), so a
record entered, corrected or closed after ``as_of`` changes nothing, and a report is reproducible.
A fixed number of queries whatever the number of records.

Rules (their sources in ``compliance.moa.templates``):

* ``ice_supervision`` (R3.4): of the 287(g) actions under the agreement performed in the period, the
  share with the supervising ICE officer recorded: all → met; at least ``at_risk_percent`` → at risk;
  fewer → not met. No action in the period → met.
* ``detainer_outcomes`` (R3.7): detainers under the agreement received in the period and still
  "pending" more than ``pending_days`` days after they were received (by the period's end): none →
  met; at most one in ten → at risk; more → not met.
* ``language_access`` (R3.8): of the interviews and warrant services (actions) under the agreement and
  the detainers served on their subject in the period, the share with the language recorded;
  thresholds as ``ice_supervision``.
* ``complaint_referrals`` (R3.5): complaints received in the period that concern (or may concern)
  immigration authority, against the ICE-notice deadline (``incidents.referrals.deadlines``): any
  referred late or overdue at ``as_of`` → not met; any pending with under 12 hours left → at risk.
* ``open_findings``: findings of the ``kinds`` parameter in the agency open at ``as_of``: any open
  longer than ``grace_days`` (default 14) → not met; open but newer → at risk; none → met, with how
  many were opened in the period.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Min, Model, Q
from django.urls import reverse

from compliance.core.local_days import local_day_start
from compliance.core.models import AgreementRequirement, Finding
from compliance.moa.evidence import Evaluator, Evidence, EvidenceItem, Figure, Period, Status, register
from incidents.actions.models import DetainerAction
from incidents.detainers.choices import Action
from incidents.detainers.models import Detainer
from incidents.incident_log.models import Incident
from incidents.referrals import deadlines
from incidents.referrals.case_settings import incident_settings_by_agency
from incidents.referrals.models import Referral

#: A pending ICE referral with less than this left puts the complaint requirement at risk.
REFERRAL_WARNING = timedelta(hours=12)
#: How many findings an evidence list names at most.
LIST_LIMIT = 25


def period_bounds(requirement: AgreementRequirement, period: Period) -> tuple[datetime, datetime]:
    """The period as aware instants: the start of ``period.start`` and the end of ``period.end`` in the agency's
    zone, the end cut at ``period.as_of`` (nothing after the answer's instant counts)."""
    zone = requirement.agency.zone
    start = local_day_start(period.start, zone)
    end = min(local_day_start(period.end + timedelta(days=1), zone), period.as_of)
    return start, end


def records_at(model: type[Model], *, at: datetime, filters: Q, fields: tuple[str, ...]) -> list[dict]:
    """The ``fields`` of each ``model`` record as its latest history row before ``at`` said, for the records whose
    rows match ``filters`` (history column names); deleted by then: left out. One query.

    Only the columns asked for are read (no decryption of personal data), unlike
    ``compliance.core.as_of.records_as_of`` which builds whole instances.
    """
    history = model.history.model
    rows = (
        history.objects.filter(filters, history_date__lt=at)
        .order_by("id", "history_date", "history_id")
        .values("id", "history_type", *fields)
    )
    latest: dict[int, dict] = {}
    for row in rows:
        latest[row["id"]] = row
    return [row for row in latest.values() if row["history_type"] != "-"]


def _share(done: int, total: int) -> str:
    return f"{done} of {total} ({round(100 * done / total)} %)" if total else "0 of 0"


def _by_share(done: int, total: int, at_risk_percent: int, what: str) -> tuple[str, str]:
    if total == 0 or done == total:
        return Status.MET, f"Recorded on every {what} in the period." if total else f"No {what} in the period."
    missing = total - done
    reason = f"Not recorded on {missing} of {total} {what}{'s' if total != 1 else ''} in the period."
    if 100 * done >= at_risk_percent * total:
        return Status.AT_RISK, reason
    return Status.NOT_MET, reason


def _actions(requirement: AgreementRequirement, period: Period, fields: tuple[str, ...]) -> list[dict]:
    start, end = period_bounds(requirement, period)
    return records_at(
        DetainerAction,
        at=period.as_of,
        filters=Q(agreement_id=requirement.agreement_id, performed_at__gte=start, performed_at__lt=end),
        fields=fields,
    )


def _ice_supervision(requirement: AgreementRequirement, period: Period) -> Evidence:
    """R3.4: the supervising ICE officer recorded on each 287(g) action under the agreement in the period."""
    actions = _actions(requirement, period, ("ice_supervisor",))
    done = sum(1 for row in actions if (row["ice_supervisor"] or "").strip())
    status, reason = _by_share(
        done, len(actions), int(requirement.parameters.get("at_risk_percent", 95)), "287(g) action"
    )
    if status == Status.MET and actions:
        reason = "The supervising ICE officer is recorded on every 287(g) action in the period."
    figures = (
        Figure("287(g) actions", str(len(actions))),
        Figure("ICE supervisor recorded", _share(done, len(actions))),
    )
    return Evidence(status, reason, figures)


ICE_SUPERVISION = register(
    Evaluator(
        "ice_supervision",
        "The supervising ICE officer on each 287(g) action",
        _ice_supervision,
        defaults={"at_risk_percent": 95},
        finding_kinds=(Finding.Kind.ACTION_OUTSIDE_AGREEMENT,),
    )
)


def _detainer_outcomes(requirement: AgreementRequirement, period: Period) -> Evidence:
    """R3.7: no detainer received in the period left "pending" longer than ``pending_days`` days."""
    start, end = period_bounds(requirement, period)
    days = int(requirement.parameters.get("pending_days", 30))
    detainers = records_at(
        Detainer,
        at=period.as_of,
        filters=Q(agreement_id=requirement.agreement_id, received_at__gte=start, received_at__lt=end),
        fields=("received_at", "outcome"),
    )
    cutoff = end - timedelta(days=days)
    stale = [row for row in detainers if row["outcome"] == Detainer.Outcome.PENDING and row["received_at"] < cutoff]
    recorded = sum(1 for row in detainers if row["outcome"] != Detainer.Outcome.PENDING)
    figures = (
        Figure("Detainers received", str(len(detainers))),
        Figure("Outcome recorded", _share(recorded, len(detainers))),
        Figure(f"Pending over {days} days", str(len(stale))),
    )
    if not stale:
        return Evidence(Status.MET, f"No detainer of the period is pending over {days} days.", figures)
    reason = f"{len(stale)} detainer{'s' if len(stale) != 1 else ''} pending over {days} days without an outcome."
    status = Status.AT_RISK if 10 * len(stale) <= len(detainers) else Status.NOT_MET
    return Evidence(status, reason, figures)


DETAINER_OUTCOMES = register(
    Evaluator(
        "detainer_outcomes",
        "Detainers with their outcome recorded (the detainer log)",
        _detainer_outcomes,
        defaults={"pending_days": 30},
    )
)


def _language_access(requirement: AgreementRequirement, period: Period) -> Evidence:
    """R3.8: the language recorded on each interview and service (actions and detainers served) in the period."""
    start, end = period_bounds(requirement, period)
    actions = [
        row
        for row in _actions(requirement, period, ("kind", "language"))
        if row["kind"] in (Action.INTERVIEW, Action.SERVE_WARRANT)
    ]
    served = records_at(
        Detainer,
        at=period.as_of,
        filters=Q(agreement_id=requirement.agreement_id, served_on_subject_at__gte=start, served_on_subject_at__lt=end),
        fields=("service_language",),
    )
    total = len(actions) + len(served)
    done = sum(1 for row in actions if (row["language"] or "").strip())
    done += sum(1 for row in served if (row["service_language"] or "").strip())
    status, reason = _by_share(
        done, total, int(requirement.parameters.get("at_risk_percent", 95)), "interview or service"
    )
    if status == Status.MET and total:
        reason = "The language is recorded on every interview and service in the period."
    figures = (
        Figure("Interviews and warrant services (actions)", str(len(actions))),
        Figure("Detainers served on the subject", str(len(served))),
        Figure("Language recorded", _share(done, total)),
    )
    return Evidence(status, reason, figures)


LANGUAGE_ACCESS = register(
    Evaluator(
        "language_access",
        "The language and interpreter recorded on interviews and service",
        _language_access,
        defaults={"at_risk_percent": 95},
    )
)


def _complaint_referrals(requirement: AgreementRequirement, period: Period) -> Evidence:
    """R3.5: complaints about immigration authority referred to ICE OPR within the agency's ICE-notice hours."""
    start, end = period_bounds(requirement, period)
    agency = requirement.agency
    cases = records_at(
        Incident,
        at=period.as_of,
        filters=Q(agency_id=agency.pk, received_at__gte=start, received_at__lt=end),
        fields=("received_at", "immigration_related", "public_id"),
    )
    firsts = dict(
        Referral.objects.filter(
            incident_id__in=[row["id"] for row in cases],
            recipient=Referral.Recipient.ICE_OPR,
            created_at__lt=period.as_of,
        )
        .values("incident_id")
        .annotate(first=Min("referred_at"))
        .values_list("incident_id", "first")
    )
    settings = incident_settings_by_agency([agency.pk])[agency.pk]
    counts = dict.fromkeys((deadlines.ON_TIME, deadlines.LATE, deadlines.OVERDUE, deadlines.PENDING), 0)
    warning = 0
    items = []
    for row in cases:
        incident = Incident(received_at=row["received_at"], immigration_related=row["immigration_related"])
        state = deadlines.ice_referral_status(
            incident=incident, settings=settings, first_ice_referral_at=firsts.get(row["id"]), now=period.as_of
        )
        if state.state in counts:
            counts[state.state] += 1
        if state.state == deadlines.PENDING and state.by is not None and state.by < REFERRAL_WARNING:
            warning += 1
        if state.state in (deadlines.LATE, deadlines.OVERDUE) and len(items) < LIST_LIMIT:
            items.append(
                EvidenceItem(
                    label="Complaint referred late" if state.state == deadlines.LATE else "Complaint not referred",
                    detail=f"by {state.by_text}",
                    link=reverse("incidents:incident_detail", kwargs={"public_id": row["public_id"]}),
                )
            )
    required = sum(counts.values())
    figures = (
        Figure("Complaints concerning immigration authority", str(required)),
        Figure("Referred to ICE on time", f"{counts[deadlines.ON_TIME]} of {required}"),
        Figure("Referred late or overdue", str(counts[deadlines.LATE] + counts[deadlines.OVERDUE])),
        Figure("ICE-notice deadline", f"{settings.ice_referral_hours} hours"),
    )
    kinds = (Finding.Kind.REFERRAL_OVERDUE,)
    late = counts[deadlines.LATE] + counts[deadlines.OVERDUE]
    if late:
        hours = settings.ice_referral_hours
        reason = f"{late} complaint{'s' if late != 1 else ''} not referred to ICE within {hours} hours."
        return Evidence(Status.NOT_MET, reason, figures, tuple(items), kinds)
    if warning:
        reason = f"{warning} complaint{'s' if warning != 1 else ''} due to be referred to ICE within 12 hours."
        return Evidence(Status.AT_RISK, reason, figures, (), kinds)
    if not required:
        return Evidence(Status.MET, "No complaint about immigration authority in the period.", figures, (), kinds)
    return Evidence(Status.MET, "Every complaint due was referred to ICE on time.", figures, (), kinds)


COMPLAINT_REFERRALS = register(
    Evaluator(
        "complaint_referrals",
        "Complaints referred to ICE on time (the incident log)",
        _complaint_referrals,
        finding_kinds=(Finding.Kind.REFERRAL_OVERDUE,),
    )
)


def findings_open_at(*, agency_id: int, kinds: list[str], at: datetime) -> list[Finding]:
    """The agency's findings of ``kinds`` open at ``at``: opened by then, and not resolved (or marked a false
    positive) by then. One query."""
    return list(
        Finding.objects.filter(agency_id=agency_id, kind__in=kinds, opened_at__lt=at)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=at))
        .exclude(Q(resolved_at__isnull=True) & Q(status__in=(Finding.Status.RESOLVED, Finding.Status.FALSE_POSITIVE)))
        .order_by("opened_at", "pk")
    )


def _open_findings(requirement: AgreementRequirement, period: Period) -> Evidence:
    """Findings of the ``kinds`` parameter open at ``as_of``; older than ``grace_days`` → not met."""
    kinds = [str(kind) for kind in requirement.parameters.get("kinds", [])]
    grace = timedelta(days=int(requirement.parameters.get("grace_days", 14)))
    start, end = period_bounds(requirement, period)
    found = findings_open_at(agency_id=requirement.agency_id, kinds=kinds, at=period.as_of)
    opened = Finding.objects.filter(
        agency_id=requirement.agency_id, kind__in=kinds, opened_at__gte=start, opened_at__lt=end
    ).count()
    old = [finding for finding in found if finding.opened_at < period.as_of - grace]
    figures = (Figure("Findings opened in the period", str(opened)), Figure("Open now", str(len(found))))
    items = tuple(
        EvidenceItem(
            label=finding.get_kind_display(),
            detail=finding.get_status_display(),
            link=reverse("findings:detail", kwargs={"public_id": finding.public_id}),
            on=finding.opened_at.date(),
        )
        for finding in found[:LIST_LIMIT]
    )
    if old:
        reason = f"{len(old)} finding{'s' if len(old) != 1 else ''} open for more than {grace.days} days."
        return Evidence(Status.NOT_MET, reason, figures, items, tuple(kinds))
    if found:
        reason = f"{len(found)} finding{'s' if len(found) != 1 else ''} open, opened within {grace.days} days."
        return Evidence(Status.AT_RISK, reason, figures, items, tuple(kinds))
    return Evidence(Status.MET, "No finding of these kinds is open.", figures, (), tuple(kinds))


OPEN_FINDINGS = register(
    Evaluator("open_findings", "No open findings of the related kinds", _open_findings, defaults={"grace_days": 14})
)
