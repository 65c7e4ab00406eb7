"""Invented steering-committee records for the committee tests (no real person)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from community.steering_committee import services
from community.steering_committee.models import CommitteeMeeting, CommitteeMember

#: Agency A's agreement was signed on this day (agency-local); a 3-month interval makes 2026-04-15 the first due day.
SIGNED = date(2026, 1, 15)


def require_committee(agreement, actor, **fields):
    """Record the agreement as signed on ``SIGNED``, in force, with a committee required every 3 months."""
    agreement.signed_on = SIGNED
    agreement.status = agreement.Status.ACTIVE
    agreement.save()
    values = {"required": True, "meeting_interval_months": 3, "minutes_approval_days": 30, "quorum": None}
    values.update(fields)
    return services.requirement_save(agreement=agreement, actor=actor, **values)


def add_member(agency, actor, name: str, *, voting=True, start=date(2026, 1, 1), end=None, role="member"):
    return services.member_create(
        agency=agency,
        actor=actor,
        name=name,
        role=role,
        organisation=None,
        contact=None,
        voting=voting,
        term_start=start,
        term_end=end,
    )


def schedule(agency, actor, starts_at: datetime, agenda: str = "Invented agenda") -> CommitteeMeeting:
    return services.meeting_schedule(agency=agency, actor=actor, starts_at=starts_at, location="Room 1", agenda=agenda)


def hold(meeting, actor, present: list[CommitteeMember], *, minutes: str = "Invented minutes.", now=None):
    return services.meeting_record_held(
        meeting=meeting, actor=actor, present=present, public_attendance=3, minutes=minutes, now=now
    )


def at(year, month, day, hour=15, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)
