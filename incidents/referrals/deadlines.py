"""A case's deadlines: the ICE notice (R3.5), the investigation target, time to close, and the sweep that records them.

* **ICE notice.** A complaint that concerns immigration authority (``immigration_related``
  "yes") is to be referred to ICE OPR / the Joint Intake Center within the agency's
  ``ice_referral_hours`` (default 48; check against your MOA) of ``received_at``. Real
  elapsed hours: a daylight-saving change in between does not move the deadline (stored
  UTC + hours; shown in the agency's zone). ``ice_referral_status`` says whether the first
  ICE referral was on time, late (and by how long), or is still pending or overdue.
* **Investigation target.** A case is to be closed within ``investigation_target_days``
  (default 90) days of ``received_at`` (as real time: days × 24 hours).
* **The sweep** (``incident_deadlines_sweep``, hourly by beat and by ``run_jobs``) records
  what happened: one ``REFERRAL_OVERDUE`` finding per case whose ICE referral is missing at
  its deadline or was recorded late, one ``INVESTIGATION_OVERDUE`` finding per case not
  closed by its target (still open past it, or closed after it). Each finding is linked to
  the case with a ``FINDING_LINKED`` timeline row. Exactly once however often it runs or in
  how many workers (``finding_open_once``: one finding per (case, kind) under a unique
  constraint; the link and the timeline row are written only by the call that opened it).
  A fixed number of reads per run whatever the number of cases; writes only for newly
  overdue cases. Findings' summaries hold no personal data (kind, hours, dates only).
* **Time to close**: ``case_time_to_close`` for one case, ``with_time_to_close`` for a queryset.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import DurationField, Exists, ExpressionWrapper, F, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from compliance.core.agency_time import in_zone
from compliance.core.audit import acting_as
from compliance.core.findings import finding_open_once
from compliance.core.models import Finding, Severity
from compliance.core.system_account import system_user
from incidents.incident_log.models import CaseEvent, Incident, IncidentSettings, case_event_record
from incidents.referrals.case_settings import incident_settings_by_agency
from incidents.referrals.models import Referral

logger = logging.getLogger(__name__)

RULE = "R3.5"
SWEEP_REASON = "Case deadlines sweep"


def duration_text(value: timedelta | None) -> str:
    """``3 d 4 h`` from 48 hours on, else ``5 h 07 min``; '' for None. Real elapsed time."""
    if value is None:
        return ""
    seconds = int(abs(value.total_seconds()))
    if seconds >= 48 * 3600:
        return f"{seconds // 86400} d {seconds % 86400 // 3600} h"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def ice_deadline(incident: Incident, settings: IncidentSettings) -> datetime:
    """``received_at`` + ``settings.ice_referral_hours`` real hours (aware UTC; DST-proof)."""
    return incident.received_at + timedelta(hours=settings.ice_referral_hours)


def investigation_deadline(incident: Incident, settings: IncidentSettings) -> datetime:
    """``received_at`` + ``settings.investigation_target_days`` × 24 hours (aware UTC)."""
    return incident.received_at + timedelta(days=settings.investigation_target_days)


@dataclass(frozen=True)
class IceReferralStatus:
    """Where a case stands against its ICE-notice deadline.

    ``state``: ``not_required`` (does not concern immigration authority), ``pending`` (no referral
    yet, deadline ahead), ``overdue`` (none and the deadline passed), ``on_time``, ``late``.
    ``by``: how late (``late``/``overdue``) or how long is left (``pending``); else None.
    ``required``: False when the complainant said no; "not sure" counts as possibly required.
    """

    state: str
    deadline: datetime
    referred_at: datetime | None
    by: timedelta | None
    required: bool

    @property
    def by_text(self) -> str:
        return duration_text(self.by)


NOT_REQUIRED, PENDING, OVERDUE, ON_TIME, LATE = "not_required", "pending", "overdue", "on_time", "late"


def ice_referral_status(
    *, incident: Incident, settings: IncidentSettings, first_ice_referral_at: datetime | None, now: datetime
) -> IceReferralStatus:
    """The case's ICE-notice status at ``now`` given its first ICE OPR referral's time (None if none). No query."""
    deadline = ice_deadline(incident, settings)
    required = incident.immigration_related != Incident.Immigration.NO
    if first_ice_referral_at is not None:
        late = first_ice_referral_at > deadline
        return IceReferralStatus(
            state=LATE if late else ON_TIME,
            deadline=deadline,
            referred_at=first_ice_referral_at,
            by=first_ice_referral_at - deadline if late else None,
            required=required,
        )
    if not required:
        return IceReferralStatus(state=NOT_REQUIRED, deadline=deadline, referred_at=None, by=None, required=False)
    if now > deadline:
        return IceReferralStatus(state=OVERDUE, deadline=deadline, referred_at=None, by=now - deadline, required=True)
    return IceReferralStatus(state=PENDING, deadline=deadline, referred_at=None, by=deadline - now, required=True)


def case_time_to_close(incident: Incident, *, at: datetime | None = None) -> timedelta | None:
    """Received → closed as real elapsed time; None while the case is open (or was never closed).

    Args:
        incident: the case (``status``, ``received_at``, ``closed_at``).
        at: aware datetime; a case closed after it counts as still open then (a report's end of period).
    """
    if incident.status != Incident.Status.CLOSED or incident.closed_at is None:
        return None
    if at is not None and incident.closed_at > at:
        return None
    return incident.closed_at - incident.received_at


def with_time_to_close(queryset: QuerySet[Incident]) -> QuerySet[Incident]:
    """Annotate ``time_to_close`` (a ``timedelta``; None while open) on a queryset of cases. No extra query."""
    return queryset.annotate(
        time_to_close=ExpressionWrapper(F("closed_at") - F("received_at"), output_field=DurationField())
    )


def first_ice_referral_subquery():
    """The earliest ICE OPR referral time of the outer case (a correlated subquery, for annotations)."""
    return Subquery(
        Referral.objects.filter(incident=OuterRef("pk"), recipient=Referral.Recipient.ICE_OPR)
        .order_by()
        .values("incident")
        .annotate(first=Min("referred_at"))
        .values("first")[:1]
    )


def _has_finding(kind: str):
    return Exists(
        Finding.objects.filter(
            content_type=ContentType.objects.get_for_model(Incident), object_id=OuterRef("pk"), kind=kind
        )
    )


def _past(now: datetime, settings: dict[int, IncidentSettings], attr: str, unit: str) -> Q:
    """Cases received at least their agency's ``attr`` (hours or days) before ``now``: one Q per agency with a row,
    the default for the rest."""
    custom = {pk: row for pk, row in settings.items() if row.pk is not None}
    default = getattr(IncidentSettings(), attr)
    condition = ~Q(agency_id__in=list(custom)) & Q(received_at__lte=now - timedelta(**{unit: default}))
    for pk, row in custom.items():
        condition |= Q(agency_id=pk, received_at__lte=now - timedelta(**{unit: getattr(row, attr)}))
    return condition


def _within(settings: dict[int, IncidentSettings], attr: str, unit: str, annotation: str) -> Q:
    """Cases whose ``annotation`` (a duration from receipt) is within their agency's ``attr``: done in time."""
    custom = {pk: row for pk, row in settings.items() if row.pk is not None}
    default = getattr(IncidentSettings(), attr)
    condition = ~Q(agency_id__in=list(custom)) & Q(**{f"{annotation}__lte": timedelta(**{unit: default})})
    for pk, row in custom.items():
        condition |= Q(agency_id=pk, **{f"{annotation}__lte": timedelta(**{unit: getattr(row, attr)})})
    return condition


def _link(incident: Incident, *, kind: str, summary: str, severity: str, now: datetime, actor) -> bool:
    with transaction.atomic():
        finding, created = finding_open_once(
            record=incident, kind=kind, severity=severity, rule=RULE, summary=summary, opened_at=now
        )
        if created:
            incident.linked_findings.add(finding)
            case_event_record(
                incident=incident, kind=CaseEvent.Kind.FINDING_LINKED, actor=actor, text=str(summary), at=now
            )
    return created


def incident_deadlines_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Open the REFERRAL_OVERDUE and INVESTIGATION_OVERDUE findings due at ``now``, exactly once each.

    Args:
        now: an aware datetime (tests); default the current time.

    Returns:
        Counts, no personal data: ``{"referral_findings", "investigation_findings"}`` opened by this run.

    Rules (DOMAIN.md R3.5; issue #11 item 5): see the module docstring. Acts as the system account.
    Reads: settings, the system account, and one query per kind, whatever the number of cases.
    """
    now = now or timezone.now()
    result = {"referral_findings": 0, "investigation_findings": 0}
    settings = {row.agency_id: row for row in IncidentSettings.objects.all()}
    # Any agency without a row: an unsaved default (pk None) through the `_past` default branch.
    referral_candidates = list(
        Incident.objects.filter(immigration_related=Incident.Immigration.YES)
        .filter(_past(now, settings, "ice_referral_hours", "hours"))
        .exclude(_has_finding(Finding.Kind.REFERRAL_OVERDUE))
        .annotate(first_ice=first_ice_referral_subquery())
        .annotate(referred_after=ExpressionWrapper(F("first_ice") - F("received_at"), output_field=DurationField()))
        # Referred in time: nothing to record, ever (keeps the rows read from growing with history).
        .exclude(Q(first_ice__isnull=False) & _within(settings, "ice_referral_hours", "hours", "referred_after"))
        .select_related("agency")
        .order_by("pk")
    )
    investigation_candidates = list(
        with_time_to_close(Incident.objects.filter(_past(now, settings, "investigation_target_days", "days")))
        .exclude(_has_finding(Finding.Kind.INVESTIGATION_OVERDUE))
        # Closed in time: nothing to record, ever.
        .exclude(
            Q(status=Incident.Status.CLOSED, closed_at__isnull=False)
            & _within(settings, "investigation_target_days", "days", "time_to_close")
        )
        .select_related("agency")
        .order_by("pk")
    )
    if not referral_candidates and not investigation_candidates:
        return result
    by_agency = incident_settings_by_agency(
        {case.agency_id for case in referral_candidates} | {case.agency_id for case in investigation_candidates}
    )
    actor = system_user()
    with acting_as(actor, reason=SWEEP_REASON):
        for case in referral_candidates:
            row = by_agency[case.agency_id]
            deadline = ice_deadline(case, row)
            if case.first_ice is not None and case.first_ice <= deadline:
                continue  # referred on time
            if case.first_ice is None and now <= deadline:
                continue
            hours = row.ice_referral_hours
            if case.first_ice is None:
                summary = (
                    f"Complaint concerning immigration authority not referred to ICE OPR within {hours} hours of "
                    f"receipt (deadline {in_zone(deadline, case.agency)})."
                )
            else:
                late_by = duration_text(case.first_ice - deadline)
                summary = (
                    f"Complaint concerning immigration authority referred to ICE OPR {late_by} after the "
                    f"{hours}-hour deadline ({in_zone(deadline, case.agency)})."
                )
            result["referral_findings"] += _link(
                case, kind=Finding.Kind.REFERRAL_OVERDUE, summary=summary, severity=Severity.HIGH, now=now, actor=actor
            )
        for case in investigation_candidates:
            row = by_agency[case.agency_id]
            deadline = investigation_deadline(case, row)
            closed_in_time = case.status == Incident.Status.CLOSED and case.closed_at and case.closed_at <= deadline
            if closed_in_time or now <= deadline:
                continue
            days = row.investigation_target_days
            if case.status == Incident.Status.CLOSED:
                summary = (
                    f"Case closed {duration_text(case.closed_at - deadline)} past the {days}-day investigation target."
                )
            else:
                summary = (
                    f"Case still open past the {days}-day investigation target ({in_zone(deadline, case.agency)})."
                )
            result["investigation_findings"] += _link(
                case,
                kind=Finding.Kind.INVESTIGATION_OVERDUE,
                summary=summary,
                severity=Severity.MEDIUM,
                now=now,
                actor=actor,
            )
    return result
