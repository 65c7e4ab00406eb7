"""What the public status page may show of a complaint: its stage and dates, never notes, names or findings.

The tracking number is the complainant's key: whoever holds it sees this, and nothing else.
The look-up is by the number alone (not scoped to a user: the visitor has no account), which
is why the answer is this small value object and not the case: stage, the dates received /
investigation started / closed (agency-local dates), and for a complaint closed as not an
agency matter, the reason the supervisor wrote to the complainant. Never the description,
internal notes, officers, investigators, dispositions or the contact.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime

from incidents.complaints.tracking import tracking_number_normalise
from incidents.incident_log.models import Incident

RECEIVED = "received"
UNDER_INVESTIGATION = "under_investigation"
SUPERVISOR_REVIEW = "supervisor_review"
CLOSED = "closed"


@dataclass(frozen=True)
class ComplaintStatus:
    """The public view of one complaint (dates are the agency's local dates)."""

    tracking_number: str
    stage: str
    received_on: date
    investigation_started_on: date | None
    closed_on: date | None
    declined: bool
    decline_reason: str
    merged: bool


def complaint_status(typed_number: str) -> ComplaintStatus | None:
    """The status of the public complaint whose tracking number was typed, or None (unknown or malformed).

    Args:
        typed_number: as the visitor typed it (case, spaces and dashes do not matter).

    Returns:
        A ``ComplaintStatus``, or None: the page then says only "not found".
    """
    number = tracking_number_normalise(typed_number)
    if number is None:
        return None
    incident = (
        Incident.objects.filter(tracking_number=number, source=Incident.Source.PUBLIC)
        .select_related("agency")
        .only(
            "status",
            "closure",
            "closure_reason",
            "received_at",
            "triaged_at",
            "assigned_at",
            "closed_at",
            "tracking_number",
            "agency__time_zone",
        )
        .first()
    )
    if incident is None:
        return None
    zone = incident.agency
    declined = incident.closure == Incident.Closure.NOT_AGENCY_MATTER
    merged = incident.closure == Incident.Closure.MERGED
    started = incident.assigned_at or (incident.triaged_at if not (declined or merged) else None)
    closed = incident.closed_at if incident.status == Incident.Status.CLOSED else None
    return ComplaintStatus(
        tracking_number=number,
        stage=incident.status,
        received_on=_day(incident.received_at, zone),
        investigation_started_on=_day(started, zone),
        closed_on=_day(closed, zone),
        declined=declined,
        decline_reason=incident.closure_reason if declined else "",
        merged=merged,
    )


def _day(value: datetime | None, agency) -> date | None:
    return value.astimezone(zoneinfo.ZoneInfo(agency.time_zone)).date() if value is not None else None
