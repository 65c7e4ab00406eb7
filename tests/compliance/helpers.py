"""Invented records for the compliance tests, written straight to the models.

Dates come from the one expiry rule and the one hold-deadline rule, so these
rows look like what the services write.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from django.core.files.base import ContentFile

from community.models import OutreachEvent
from compliance.core.models import Finding, Report
from incidents.detainers.models import Detainer
from incidents.detainers.rules import hold_deadline
from incidents.incident_log.models import Incident
from tests.training.helpers import officer_fields
from training.roster.models import Certification, Course, Officer
from training.roster.rules import certification_expires_on

RECEIVED = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)


def make_course(agency, code: str = "IADP", *, months: int = 24, required: bool = True) -> Course:
    return Course.objects.create(
        agency=agency, code=code, name=f"{code} course (invented)", validity_months=months, required=required
    )


def make_officer(agency, number: int, *, last_name: str | None = None, **fields) -> Officer:
    """A test officer, designated and qualified unless told otherwise (``tests.training.helpers.officer_fields``)."""
    return Officer.objects.create(
        agency=agency,
        first_name=fields.pop("first_name", "Robin"),
        last_name=last_name or f"Officerton{number}",
        badge_number=f"{agency.pk}-{number:04d}",
        **officer_fields(agency, **fields),
    )


def make_certification(officer, course, completed_on: date) -> Certification:
    return Certification.objects.create(
        agency=officer.agency,
        officer=officer,
        course=course,
        completed_on=completed_on,
        expires_on=certification_expires_on(completed_on, course.validity_months),
    )


def make_detainer(agency, number: int, *, released_at: datetime | None = None, **fields) -> Detainer:
    return Detainer.objects.create(
        agency=agency,
        subject_last_name=fields.pop("subject_last_name", f"Subjectson{number}"),
        subject_first_name="Kim",
        booking_number=fields.pop("booking_number", f"BK-{agency.pk}-{number:05d}"),
        underlying_charge="Burglary (invented)",
        received_at=fields.pop("received_at", RECEIVED),
        warrant_type=Detainer.Warrant.I200,
        warrant_signed=True,
        would_be_released_at=released_at,
        hold_deadline=hold_deadline(released_at) if released_at else None,
        **fields,
    )


def make_incident(
    agency, number: int, *, severity=Incident.Severity.LOW, status=Incident.Status.RECEIVED, reported_by=None
) -> Incident:
    """A case written straight to the table (a closed one says it was reviewed), for reads and counts."""
    closed = status == Incident.Status.CLOSED
    return Incident.objects.create(
        reported_by=reported_by,
        agency=agency,
        kind=Incident.Kind.OTHER,
        severity=severity,
        status=status,
        closure=Incident.Closure.REVIEWED if closed else "",
        closed_at=RECEIVED if closed else None,
        title=f"Invented incident {number}",
        occurred_at=RECEIVED,
        received_at=RECEIVED,
    )


def make_outreach(agency, held_on: date, number: int = 1) -> OutreachEvent:
    return OutreachEvent.objects.create(
        agency=agency, kind=OutreachEvent.Kind.COMMUNITY_MEETING, title=f"Invented meeting {number}", held_on=held_on
    )


def make_finding(agency, record) -> Finding:
    from django.contrib.contenttypes.models import ContentType

    return Finding.objects.create(
        agency=agency,
        kind=Finding.Kind.OTHER,
        severity=Finding.Severity.LOW,
        rule="Invented rule",
        summary="Invented finding.",
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        opened_at=RECEIVED,
    )


def make_ready_report(agency, user, *, content: bytes = b"%PDF-1.4\n% invented\n") -> Report:
    report = Report.objects.create(
        agency=agency, kind=Report.Kind.TRAINING_ROSTER, as_of=date(2026, 1, 5), requested_by=user
    )
    report.file.save(f"test-{report.public_id}.pdf", ContentFile(content), save=False)
    report.status = Report.Status.READY
    report.page_count = 1
    report.save()
    return report


def figure(response, testid: str) -> str:
    """The text of the element carrying ``data-testid="<testid>"`` (first match)."""
    html = response.content.decode()
    match = re.search(rf'data-testid="{re.escape(testid)}"[^>]*>([^<]*)<', html)
    assert match, f"no element with data-testid={testid!r}"
    return match.group(1).strip()


def days(n: int) -> timedelta:
    return timedelta(days=n)
