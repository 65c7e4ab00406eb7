"""Report "Outreach and steering committee": an agency's outreach, its commitments and its committee, for auditors
and the county (issue #12 item 6, DOMAIN.md R3.6).

Period: the report's period (``compliance.reports.periods.report_period``: from its ``period_start``, by
default the 90 agency-local days ending on its ``as_of`` date, both ends included). Basis "as recorded by"
(issue #13 item 1): everything is asked at ``checked_at``, the end of the ``as_of`` day (or the request
time, if earlier), from the records as they stood then (history rows, ``compliance.core.as_of``).

* **Outreach events** held in the period (their agency-local ``held_on``): date, kind, title, the
  organisations taking part as of ``checked_at`` (added by then, not removed by then), how many people and
  agency staff took part (counts, never names: contacts are personal data), languages, interpretation,
  attendance.
* **Commitments** made in the period (at an event held in it, at a meeting whose agency-local day is in it,
  or on their own and recorded in it), and those made earlier still open at ``checked_at``: each with its
  origin, due date and status as recorded at ``checked_at`` (owner: as now); counts of those made in the period that are
  open, done, dropped, and overdue (open and due before the report's last day).
* **Steering committee**: per agreement whose committee requirement is recorded as required and whose
  life (signed → expiry) overlaps the period, the meetings required over the overlap
  (``community.steering_committee.rules.meetings_required`` at the agreement's interval) against the
  meetings held (status "held", agency-local day in the period: the committee is the agency's, so every
  agreement counts the same meetings); the meetings of the period with their status, members present,
  quorum (voting members present of those serving that day against the largest quorum the counted agreements
  set, else a majority; ``selectors.meeting_quorums``), and whether their minutes were approved (and on which
  day); the members serving at some time in the period (name, role, organisation, voting, term: committee
  members serve in a public capacity).

No description of a member of the public, no contact's name or details.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, Q
from django.utils import timezone

from community.commitments.models import Commitment
from community.outreach.models import EventParticipant, OutreachEvent
from community.steering_committee.models import (
    CommitteeMeeting,
    CommitteeMember,
    CommitteeRequirement,
)
from community.steering_committee.rules import meetings_required
from community.steering_committee.selectors import Quorum, meeting_quorums
from compliance.core.as_of import records_as_of
from compliance.core.models import Agreement
from compliance.reports.periods import cover_context, report_period

TEMPLATE = "reports/outreach.html"
TITLE = "Outreach and steering committee"


@dataclass
class EventRow:
    """One outreach event of the period."""

    event: OutreachEvent
    organisations: list[str]
    people: int
    staff: int

    @property
    def interpretation_text(self) -> str:
        return {True: "Yes", False: "No", None: "Not recorded"}[self.event.interpretation_provided]


@dataclass
class CommitmentRow:
    """One commitment of the report, with its status as recorded at the report's ``checked_at``."""

    commitment: Commitment
    made_on: date | None
    origin: str
    overdue: bool
    made_in_period: bool


@dataclass
class CommitteeRow:
    """Meetings required against held, for one agreement."""

    agreement: Agreement
    interval_months: int
    start: date
    end: date
    required: int
    held: int

    @property
    def short(self) -> int:
        return max(0, self.required - self.held)


@dataclass
class MeetingRow:
    meeting: CommitteeMeeting
    day: date
    present: int
    members_recorded: int
    #: The quorum of a held meeting (``community.steering_committee.selectors.Quorum``), None otherwise.
    quorum: Quorum | None = None


@dataclass
class OutreachCounts:
    events: int = 0
    attendance: int = 0
    with_interpretation: int = 0
    by_kind: list[tuple[str, int]] = field(default_factory=list)
    made: int = 0
    open: int = 0
    done: int = 0
    dropped: int = 0
    overdue: int = 0
    earlier_open: int = 0


def _events(agency, first_day: date, last_day: date, checked_at) -> list[EventRow]:
    taking_part = (
        EventParticipant.objects.filter(event__agency=agency, added_at__lt=checked_at)
        .filter(Q(removed_at__isnull=True) | Q(removed_at__gte=checked_at))
        .select_related("organisation")
        .only("event_id", "organisation__name", "organisation_id", "contact_id", "staff_id")
    )
    events = (
        OutreachEvent.objects.filter(agency=agency, held_on__gte=first_day, held_on__lte=last_day)
        .prefetch_related(Prefetch("participations", queryset=taking_part, to_attr="taking_part"))
        .order_by("held_on", "pk")
    )
    rows = []
    for event in events:
        parts = event.taking_part
        rows.append(
            EventRow(
                event=event,
                organisations=sorted({p.organisation.name for p in parts if p.organisation_id}),
                people=sum(1 for p in parts if p.contact_id),
                staff=sum(1 for p in parts if p.staff_id),
            )
        )
    return rows


def _commitments(agency, first_day: date, last_day: date, starts_at, ends_at, checked_at) -> list[CommitmentRow]:
    """Commitments made in the period, and those made earlier still open at ``checked_at``.

    Each with its values (status, due date, evidence…; the owner as now) as its history row said at
    ``checked_at`` (one recorded only later: as now). Two queries."""
    zone = agency.zone
    made_in_period = (
        Q(event__held_on__gte=first_day, event__held_on__lte=last_day)
        | Q(meeting__starts_at__gte=starts_at, meeting__starts_at__lt=ends_at)
        | Q(event__isnull=True, meeting__isnull=True, created_at__gte=starts_at, created_at__lt=ends_at)
    )
    # Open at checked_at by today's row: still open, or closed after that instant (history decides below).
    maybe_open = Q(created_at__lt=ends_at) & (
        Q(status=Commitment.Status.OPEN) | Q(closed_at__isnull=True) | Q(closed_at__gte=checked_at)
    )
    commitments = list(
        Commitment.objects.filter(agency=agency)
        .filter(made_in_period | maybe_open)
        .annotate(in_period=ExpressionWrapper(made_in_period, output_field=BooleanField()))
        .select_related("event", "meeting", "owner")
    )
    # Not ``later_as_now``: a commitment with no history row by then keeps the values just loaded.
    then = records_as_of(Commitment, at=checked_at, filters=Q(id__in=[c.pk for c in commitments]))
    fields = [f.attname for f in Commitment._meta.concrete_fields if f.attname not in ("id", "public_id", "owner_id")]
    rows = []
    for commitment in commitments:
        stood = then.get(commitment.pk)
        if stood is not None:
            for name in fields:
                setattr(commitment, name, getattr(stood, name))
        if not commitment.in_period and commitment.status != Commitment.Status.OPEN:
            continue
        if commitment.event_id:
            made_on, origin = commitment.event.held_on, f"Event: {commitment.event.title}"
        elif commitment.meeting_id:
            made_on = timezone.localdate(commitment.meeting.starts_at, timezone=zone)
            origin = "Steering-committee meeting"
        else:
            made_on, origin = timezone.localdate(commitment.created_at, timezone=zone), "On its own"
        rows.append(
            CommitmentRow(
                commitment=commitment,
                made_on=made_on,
                origin=origin,
                overdue=commitment.status == Commitment.Status.OPEN and commitment.due_on < last_day,
                made_in_period=bool(commitment.in_period),
            )
        )
    rows.sort(key=lambda row: (row.commitment.due_on, row.commitment.pk))
    return rows


def _committee(agency, first_day: date, last_day: date, starts_at, ends_at):
    zone = agency.zone
    meetings = list(
        CommitteeMeeting.objects.filter(agency=agency, starts_at__gte=starts_at, starts_at__lt=ends_at)
        .annotate(
            present=Count("attendance", filter=Q(attendance__present=True)),
            recorded=Count("attendance"),
        )
        .order_by("starts_at", "pk")
    )
    meeting_rows = [
        MeetingRow(
            meeting=m,
            day=timezone.localdate(m.starts_at, timezone=zone),
            present=m.present,
            members_recorded=m.recorded,
        )
        for m in meetings
    ]
    held = sum(1 for m in meetings if m.status == CommitteeMeeting.Status.HELD)
    rows = []
    requirements = (
        CommitteeRequirement.objects.filter(agreement__agency=agency, required=True)
        .exclude(agreement__status=Agreement.Status.PENDING)
        .select_related("agreement")
        .order_by("agreement__model", "agreement__signed_on", "pk")
    )
    quorums = []
    for requirement in requirements:
        agreement = requirement.agreement
        start = max(first_day, agreement.signed_on or first_day)
        end = min(last_day, agreement.expires_on or last_day)
        if end < start:
            continue
        if requirement.quorum is not None:
            quorums.append(requirement.quorum)
        rows.append(
            CommitteeRow(
                agreement=agreement,
                interval_months=requirement.meeting_interval_months,
                start=start,
                end=end,
                required=meetings_required(start=start, end=end, interval_months=requirement.meeting_interval_months),
                held=held,
            )
        )
    # The quorum as the committee pages apply it: the largest set among the agreements counted, else a majority.
    by_meeting = meeting_quorums(agency, meetings, quorum=max(quorums) if quorums else None)
    for row in meeting_rows:
        row.quorum = by_meeting.get(row.meeting.pk)
    members = list(
        CommitteeMember.objects.filter(agency=agency, term_start__lte=last_day)
        .filter(Q(term_end__isnull=True) | Q(term_end__gte=first_day))
        .select_related("organisation")
        .order_by("name", "term_start", "pk")
    )
    return rows, meeting_rows, held, members


def outreach_context(*, report, generated_at) -> dict:
    """Template context for ``reports/outreach.html``.

    Args:
        report: the ``compliance.Report`` (agency and requester loaded); its agency was permission-checked by
            ``report_request`` (``export_reports``).
        generated_at: aware datetime the rendering started; shown in the agency's zone.

    Returns:
        The cover (``compliance.reports.periods.cover_context``) and ``events`` (``EventRow`` list, oldest first),
        ``commitments`` (``CommitmentRow`` list, soonest due first), ``committee`` (``CommitteeRow`` per
        agreement), ``meetings`` (``MeetingRow`` list), ``meetings_held``, ``members`` (``CommitteeMember``
        list) and ``counts`` (``OutreachCounts``). Seven queries whatever the amount of data (events, their
        participants, commitments and their history rows, meetings, committee requirements, members).
    """
    agency = report.agency
    period = report_period(report=report, generated_at=generated_at)
    first_day, last_day = period.first_day, period.last_day
    events = _events(agency, first_day, last_day, period.checked_at)
    commitments = _commitments(agency, first_day, last_day, period.starts_at, period.ends_at, period.checked_at)
    committee, meetings, held, members = _committee(agency, first_day, last_day, period.starts_at, period.ends_at)

    counts = OutreachCounts(events=len(events))
    counts.attendance = sum(row.event.attendance or 0 for row in events)
    counts.with_interpretation = sum(1 for row in events if row.event.interpretation_provided)
    kinds = Counter(row.event.kind for row in events)
    counts.by_kind = [(label, kinds[value]) for value, label in OutreachEvent.Kind.choices]
    made = [row for row in commitments if row.made_in_period]
    statuses = Counter(row.commitment.status for row in made)
    counts.made = len(made)
    counts.open = statuses[Commitment.Status.OPEN]
    counts.done = statuses[Commitment.Status.DONE]
    counts.dropped = statuses[Commitment.Status.DROPPED]
    counts.overdue = sum(1 for row in made if row.overdue)
    counts.earlier_open = sum(1 for row in commitments if not row.made_in_period)
    return {
        **cover_context(report=report, title=TITLE, period=period, generated_at=generated_at),
        "events": events,
        "commitments": commitments,
        "committee": committee,
        "meetings": meetings,
        "meetings_held": held,
        "members": members,
        "counts": counts,
    }
