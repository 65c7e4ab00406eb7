"""Writes to the incident log: open a case (staff or a rule) and change its details.

The incident pages call these, and ``incidents.detainers.services`` opens a case
for a hold past its deadline (R4.8), from a request or the deadline sweep, linked
to the finding that opened it. A case always starts "received": nobody creates one
closed (the review workflow in ``incidents.case_review.services`` moves it on).
A public complaint is opened by ``incidents.complaints.services.complaint_submit``.

Each function takes keyword-only arguments and the acting user (``actor``), runs
in one transaction, writes one timeline row (``CaseEvent``) and attributes every
history row it writes to ``actor`` (``acting_as``), inside a request or not.
Callers check permissions first (``compliance.core.access``); these functions do
not, so the deadline sweep can act as the system account.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from compliance.core.audit import acting_as
from compliance.core.models import Agency, Finding
from compliance.core.writes import locked_update, refuse_unknown_fields
from incidents.detainers.models import Detainer
from incidents.incident_log.models import CaseEvent, Incident, case_event_record

#: What staff may change on a case's details page, in the form's order (never its stage: that is the
#: workflow's). ``IncidentForm`` shows exactly these.
INCIDENT_FIELDS = (
    "kind",
    "severity",
    "title",
    "description",
    "occurred_at",
    "location",
    "officer_description",
    "immigration_related",
)


def incident_create(
    *,
    agency: Agency,
    actor,
    kind: str,
    severity: str,
    title: str,
    occurred_at: datetime,
    description: str = "",
    location: str = "",
    officer_description: str = "",
    immigration_related: str = Incident.Immigration.UNSURE,
    detainer: Detainer | None = None,
    finding: Finding | None = None,
    reason: str | None = None,
) -> Incident:
    """Open a case in ``agency`` logged by ``actor`` (staff), or by a rule when ``finding`` is given.

    Args:
        agency: the agency it belongs to; a linked ``detainer`` or ``finding`` must be of the same agency.
        actor: the reporting user (``reported_by``, timeline and history author; the system account for a sweep).
        kind, severity: ``Incident.Kind`` / ``Severity`` values.
        title, description: free text (the title is shown in lists and e-mails; keep names out of it).
        occurred_at: aware datetime (UTC stored).
        location, officer_description, immigration_related: as on the form.
        detainer: the detainer the case is about.
        finding: the rule's finding that opens the case; the case's source is then "rule" and it is linked.

    Returns:
        The new case, stage "received", received now.

    Raises:
        ValueError: ``detainer`` or ``finding`` belongs to another agency.
    """
    if detainer is not None and detainer.agency_id != agency.pk:
        raise ValueError("An incident can only be linked to a detainer of its own agency.")
    if finding is not None and finding.agency_id != agency.pk:
        raise ValueError("An incident can only be linked to a finding of its own agency.")
    now = timezone.now()
    incident = Incident(
        agency=agency,
        kind=kind,
        severity=severity,
        status=Incident.Status.RECEIVED,
        source=Incident.Source.RULE if finding is not None else Incident.Source.STAFF,
        title=title,
        description=description,
        occurred_at=occurred_at,
        location=location,
        officer_description=officer_description,
        immigration_related=immigration_related,
        received_at=now,
        detainer=detainer,
        reported_by=actor,
    )
    with transaction.atomic(), acting_as(actor, reason=reason):
        incident.save()
        if finding is not None:
            incident.linked_findings.add(finding)
            case_event_record(
                incident=incident, kind=CaseEvent.Kind.OPENED_FROM_FINDING, actor=actor, text=str(finding), at=now
            )
        else:
            case_event_record(incident=incident, kind=CaseEvent.Kind.LOGGED, actor=actor, at=now)
    return incident


def incident_update(*, incident: Incident, actor, reason: str | None = None, **fields) -> Incident:
    """Change a case's details (any of ``INCIDENT_FIELDS``); a save that changes nothing writes nothing (case H2).

    Raises:
        TypeError: a field outside ``INCIDENT_FIELDS`` was passed (the stage moves only through the workflow).
    """
    refuse_unknown_fields(fields, INCIDENT_FIELDS, "incident_update")
    changed = sorted(name for name, value in fields.items() if getattr(incident, name) != value)
    with transaction.atomic():
        # Locked: two people saving at once must not overwrite each other silently.
        updated = locked_update(instance=incident, actor=actor, reason=reason, fields=fields)
        if changed:
            labels = ", ".join(str(Incident._meta.get_field(name).verbose_name) for name in changed)
            case_event_record(incident=updated, kind=CaseEvent.Kind.EDITED, actor=actor, text=f"Changed: {labels}.")
    return updated
