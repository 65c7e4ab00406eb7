"""Reads of the steering committee (DOMAIN.md R3.6), every query narrowed to one agency.

The committee is the agency's; its requirement is per agreement (``CommitteeRequirement``). The
pages call these after finding the agency or record through ``compliance.core.access``; the sweep
and the transparency page call them for one agency at a time. Days are agency-local dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Min, Q, QuerySet
from django.utils import timezone

from community.steering_committee import rules
from community.steering_committee.models import (
    CommitteeMeeting,
    CommitteeMember,
    CommitteeRequirement,
    MeetingAttendance,
)
from compliance.core.local_days import local_day_start
from compliance.core.models import Agency, Agreement
from training.roster.rules import agency_today  # the one answer to "today" on an agency's calendar

#: The minutes of a held meeting should be approved within this many days when no agreement in force sets it.
DEFAULT_MINUTES_APPROVAL_DAYS = 30


def local_day(agency: Agency, instant: datetime) -> date:
    """The agency-local date of an aware datetime (a meeting's ``starts_at``)."""
    return timezone.localdate(instant, timezone=agency.zone)


def agreement_in_force_on(agreement: Agreement, day: date) -> bool:
    """In force on ``day`` for the committee rule: status "In force", signed on or before ``day``, not expired."""
    return (
        agreement.status == Agreement.Status.ACTIVE
        and agreement.signed_on is not None
        and agreement.signed_on <= day
        and (agreement.expires_on is None or agreement.expires_on >= day)
    )


def members_serving_on(agency: Agency, day: date) -> QuerySet[CommitteeMember]:
    """Members of ``agency``'s committee whose term covers ``day`` (term start ≤ day ≤ term end or open), by name."""
    return (
        CommitteeMember.objects.filter(agency=agency, term_start__lte=day)
        .filter(Q(term_end__isnull=True) | Q(term_end__gte=day))
        .select_related("organisation", "contact")
        .order_by("name", "pk")
    )


def last_held_day(agency: Agency, *, before: datetime | None = None) -> date | None:
    """The agency-local day of the latest meeting held (optionally starting before ``before``), or None. One query."""
    meetings = CommitteeMeeting.objects.filter(agency=agency, status=CommitteeMeeting.Status.HELD)
    if before is not None:
        meetings = meetings.filter(starts_at__lt=before)
    latest = meetings.order_by("-starts_at").values_list("starts_at", flat=True).first()
    return local_day(agency, latest) if latest else None


def requirements_of(agency: Agency) -> list[CommitteeRequirement]:
    """The committee requirements recorded for ``agency``'s agreements, agreement joined, with ``recorded_on``.

    ``recorded_on``: the agency-local day the requirement was first saved (its first history row), the
    clock's start for an unsigned agreement. Two queries.
    """
    requirements = list(
        CommitteeRequirement.objects.filter(agreement__agency=agency)
        .select_related("agreement")
        .order_by("agreement__model", "agreement__signed_on", "pk")
    )
    firsts = dict(
        CommitteeRequirement.history.filter(id__in=[r.pk for r in requirements])
        .values("id")
        .annotate(first=Min("history_date"))
        .values_list("id", "first")
    )
    today = agency_today(agency)
    for requirement in requirements:
        first = firsts.get(requirement.pk)
        requirement.recorded_on = local_day(agency, first) if first else today
    return requirements


def counted_from(requirement: CommitteeRequirement) -> date:
    """The day the requirement's clock starts: the agreement's signed day, else the day the requirement was recorded.

    ``requirement`` comes from ``requirements_of`` (which sets ``recorded_on``).
    """
    return requirement.agreement.signed_on or requirement.recorded_on


def next_due(requirement: CommitteeRequirement, last_held: date | None) -> date:
    """The last agency-local day by which the committee must meet again (``rules.next_meeting_due``)."""
    return rules.next_meeting_due(
        last_held=last_held, counted_from=counted_from(requirement), interval_months=requirement.meeting_interval_months
    )


def is_missed(requirement: CommitteeRequirement, last_held: date | None, today: date) -> bool:
    """Whether the committee went past ``requirement``'s interval without a meeting (rules.meeting_missed)."""
    return rules.meeting_missed(
        last_held=last_held,
        counted_from=counted_from(requirement),
        interval_months=requirement.meeting_interval_months,
        today=today,
    )


def required_in_force(requirements: list[CommitteeRequirement], today: date) -> list[CommitteeRequirement]:
    """The requirements that say "required" and whose agreement is in force on ``today``."""
    return [r for r in requirements if r.required and agreement_in_force_on(r.agreement, today)]


def minutes_approval_days(requirements: list[CommitteeRequirement], today: date) -> int:
    """Days within which minutes should be approved: the smallest setting among the required agreements in force.

    ``DEFAULT_MINUTES_APPROVAL_DAYS`` (30) when none is required.
    """
    days = [r.minutes_approval_days for r in required_in_force(requirements, today)]
    return min(days) if days else DEFAULT_MINUTES_APPROVAL_DAYS


def quorum_setting(requirements: list[CommitteeRequirement], today: date) -> int | None:
    """The quorum to apply: the largest set among the required agreements in force; None → a simple majority."""
    set_values = [r.quorum for r in required_in_force(requirements, today) if r.quorum is not None]
    return max(set_values) if set_values else None


@dataclass(frozen=True)
class Quorum:
    """A meeting's quorum: voting members serving that day, those present, those needed, and whether it was met."""

    voting_members: int
    present_voting: int
    needed: int
    met: bool

    def __str__(self) -> str:
        verdict = "met" if self.met else "not met"
        return (
            f"Quorum: {self.present_voting} of {self.voting_members} voting members present, "
            f"{self.needed} needed — {verdict}"
        )


def meeting_quorum(meeting: CommitteeMeeting, *, quorum: int | None) -> Quorum:
    """The quorum of a held ``meeting`` over the voting members serving on its agency-local day. Two queries.

    Args:
        meeting: the meeting (agency joined).
        quorum: the quorum setting (``quorum_setting``), or None for a simple majority.
    """
    day = local_day(meeting.agency, meeting.starts_at)
    voting = members_serving_on(meeting.agency, day).filter(voting=True)
    voting_ids = set(voting.values_list("pk", flat=True))
    present = set(
        MeetingAttendance.objects.filter(meeting=meeting, present=True, member__agency=meeting.agency).values_list(
            "member_id", flat=True
        )
    )
    present_voting = len(present & voting_ids)
    needed = max(1, rules.quorum_needed(voting_members=len(voting_ids), quorum=quorum))
    met = rules.quorum_met(present_voting=present_voting, voting_members=len(voting_ids), quorum=quorum)
    return Quorum(voting_members=len(voting_ids), present_voting=present_voting, needed=needed, met=met)


def meeting_quorums(agency: Agency, meetings: list[CommitteeMeeting], *, quorum: int | None) -> dict[int, Quorum]:
    """The quorum of each held meeting of ``meetings`` (all of ``agency``), by meeting pk. Two queries in all.

    The same answer as ``meeting_quorum`` for each, without one query per meeting: a list page's cost stays
    fixed. Meetings not held are left out of the result.

    Args:
        agency: the agency the meetings belong to.
        meetings: its meetings (a bounded page of them).
        quorum: the quorum setting (``quorum_setting``), or None for a simple majority.
    """
    held = [m for m in meetings if m.status == CommitteeMeeting.Status.HELD]
    if not held:
        return {}
    voting = list(
        CommitteeMember.objects.filter(agency=agency, voting=True).values_list("pk", "term_start", "term_end")
    )
    present: dict[int, set[int]] = {}
    for meeting_id, member_id in MeetingAttendance.objects.filter(
        meeting__in=held, present=True, member__agency=agency
    ).values_list("meeting_id", "member_id"):
        present.setdefault(meeting_id, set()).add(member_id)
    result = {}
    for meeting in held:
        day = local_day(agency, meeting.starts_at)
        serving = {pk for pk, start, end in voting if start <= day and (end is None or end >= day)}
        present_voting = len(present.get(meeting.pk, set()) & serving)
        result[meeting.pk] = Quorum(
            voting_members=len(serving),
            present_voting=present_voting,
            needed=max(1, rules.quorum_needed(voting_members=len(serving), quorum=quorum)),
            met=rules.quorum_met(present_voting=present_voting, voting_members=len(serving), quorum=quorum),
        )
    return result


def voting_members_serving(agency: Agency, day: date) -> int:
    """How many voting members of ``agency``'s committee serve on the agency-local ``day``. One query."""
    return members_serving_on(agency, day).filter(voting=True).count()


def quorum_unreachable(quorum: int | None, voting_members: int) -> bool:
    """Whether a set ``quorum`` exceeds the ``voting_members`` serving, so no meeting could reach it as things stand.

    A warning, not a refusal: members may be appointed later. None (a simple majority) is never unreachable.
    """
    return quorum is not None and quorum > voting_members


def settings_differ(requirements: list[CommitteeRequirement], today: date) -> bool:
    """Whether the required agreements in force on ``today`` carry different intervals, minutes days or quorums.

    When they do, the overview says which applies: the largest quorum (``quorum_setting``), the fewest days to
    approve minutes (``minutes_approval_days``), and each agreement's own interval (each one's next meeting due).
    """
    rows = required_in_force(requirements, today)
    return any(
        len({getattr(r, name) for r in rows}) > 1
        for name in ("meeting_interval_months", "minutes_approval_days", "quorum")
    )


def next_meeting(agency: Agency, *, now: datetime) -> CommitteeMeeting | None:
    """The agency's next scheduled steering-committee meeting at or after ``now``, or None. One query.

    For the transparency page ("next meeting" date) and the committee overview.

    Args:
        agency: the agency.
        now: an aware datetime; meetings starting at or after it count (cancelled and held ones do not).
    """
    return (
        CommitteeMeeting.objects.filter(agency=agency, status=CommitteeMeeting.Status.SCHEDULED, starts_at__gte=now)
        .order_by("starts_at", "pk")
        .first()
    )


def meetings_held(agency: Agency, start: date, end: date) -> int:
    """How many steering-committee meetings ``agency`` held whose agency-local day is within [``start``, ``end``].

    For the transparency page and reports (meetings held vs ``rules.meetings_required``). One query.

    Args:
        agency: the agency.
        start, end: the period's first and last day, inclusive, on the agency's calendar.
    """
    first = local_day_start(start, agency.zone)
    last = local_day_start(end + timedelta(days=1), agency.zone)
    return CommitteeMeeting.objects.filter(
        agency=agency, status=CommitteeMeeting.Status.HELD, starts_at__gte=first, starts_at__lt=last
    ).count()
