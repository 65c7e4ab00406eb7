"""PDF report "Outreach and steering committee": real figures read back from the PDF with pypdf, the period in the
agency's days, meetings held against required, no contact's name, a fixed number of queries, requested and rendered."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import time_machine
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from community.commitments.models import Commitment
from community.organisations.models import Contact, Organisation
from community.outreach.models import EventParticipant, OutreachEvent
from community.steering_committee.models import (
    CommitteeMeeting,
    CommitteeMember,
    CommitteeRequirement,
    MeetingAttendance,
)
from compliance.core.models import Report
from compliance.reports.catalog import KINDS
from compliance.reports.outreach import outreach_context
from compliance.reports.pdf import pdf_render
from compliance.reports.services import report_request
from tests.base import BaseTestCase

AS_OF = date(2026, 3, 31)  # the period: 2026-01-01 to 2026-03-31, Chicago days
GENERATED_AT = datetime(2026, 4, 1, 15, 0, tzinfo=UTC)
CHECKED_AT = datetime(2026, 4, 1, 5, 0, tzinfo=UTC)  # the end of 31 March in Chicago
CONTACT_NAME = "Zelda Sentinelova"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def event(agency, title, held_on, **fields):
    return OutreachEvent.objects.create(
        agency=agency,
        kind=fields.pop("kind", OutreachEvent.Kind.COMMUNITY_MEETING),
        title=title,
        held_on=held_on,
        **fields,
    )


def commitment(agency, owner, description, due_on, status="open", **fields):
    closed = {} if status == "open" else {"closed_at": utc(2026, 3, 20, 15), "closed_by": owner}
    return Commitment.objects.create(
        agency=agency, owner=owner, description=description, due_on=due_on, status=status, **closed, **fields
    )


def meeting(agency, starts_at, status, **fields):
    return CommitteeMeeting.objects.create(agency=agency, starts_at=starts_at, status=status, **fields)


def build(case):
    a, actor = case.agency_a, case.supervisor_a
    case.town_hall = event(
        a,
        "Town hall on detainers (invented)",
        date(2026, 2, 10),
        languages="English, Spanish",
        interpretation_provided=True,
        attendance=40,
    )
    consulate = event(
        a, "Consulate meeting (invented)", date(2026, 3, 5), kind=OutreachEvent.Kind.CONSULATE_MEETING, attendance=6
    )
    before = event(a, "Before the period (invented)", date(2025, 12, 31))
    event(case.agency_b, "Birch forum (invented)", date(2026, 2, 10))
    legal_aid = Organisation.objects.create(agency=a, name="Alder Legal Aid (invented)", kind="legal_aid")
    school = Organisation.objects.create(agency=a, name="Alder High School (invented)", kind="school")
    gone = Organisation.objects.create(agency=a, name="Removed Group (invented)", kind="community_group")
    later = Organisation.objects.create(agency=a, name="Added Later (invented)", kind="community_group")
    contact = Contact.objects.create(agency=a, name=CONTACT_NAME, email="zelda@example.org")
    added = utc(2026, 2, 10, 20)
    for party in ({"organisation": legal_aid}, {"organisation": school}, {"contact": contact}, {"staff": actor}):
        EventParticipant.objects.create(event=case.town_hall, added_at=added, added_by=actor, **party)
    EventParticipant.objects.create(
        event=case.town_hall,
        organisation=gone,
        added_at=added,
        added_by=actor,
        removed_at=utc(2026, 3, 1),
        removed_by=actor,
    )
    EventParticipant.objects.create(
        event=case.town_hall, organisation=later, added_at=utc(2026, 4, 1, 10), added_by=actor
    )

    # Commitments made at the town hall: done, dropped, open and overdue, open and not yet due.
    commitment(
        a,
        actor,
        "Publish monthly detainer figures",
        date(2026, 3, 1),
        "done",
        event=case.town_hall,
        evidence="Posted on the county site",
        completed_on=date(2026, 2, 28),
    )
    commitment(
        a,
        actor,
        "Open a walk-in clinic",
        date(2026, 3, 1),
        "dropped",
        event=case.town_hall,
        drop_reason="Funding withdrawn by the county",
    )
    commitment(a, actor, "Translate the complaint form into Vietnamese", date(2026, 3, 15), event=consulate)
    commitment(a, actor, "Second town hall in the north", date(2026, 4, 15), event=case.town_hall)
    # Made before the period: one still open (listed apart), one done (not listed).
    commitment(a, actor, "Old promise still open", date(2026, 1, 10), event=before)
    commitment(
        a,
        actor,
        "Old promise done",
        date(2026, 1, 10),
        "done",
        event=before,
        evidence="x",
        completed_on=date(2026, 1, 5),
    )
    commitment(case.agency_b, case.supervisor_b, "Birch promise", date(2026, 3, 1))

    # The committee: required monthly by agreement A (in force all period) → 3 meetings required.
    CommitteeRequirement.objects.create(agreement=case.agreement_a, required=True, meeting_interval_months=1)
    case.feb = meeting(
        a,
        utc(2026, 2, 12, 23),
        "held",
        minutes="Invented minutes",
        minutes_approved_on=date(2026, 2, 20),
        minutes_approved_by=actor,
    )
    meeting(a, utc(2026, 3, 5, 23), "cancelled", cancel_reason="Snow")
    meeting(a, utc(2026, 4, 1, 1), "held")  # 31 March, 20:00 in Chicago: in the period; minutes not approved
    meeting(a, utc(2026, 1, 1, 5, 30), "held")  # 31 December, 23:30 in Chicago: before the period
    meeting(case.agency_b, utc(2026, 2, 12, 23), "held")
    chair = CommitteeMember.objects.create(
        agency=a, name="Chair Person (invented)", role="chair", organisation=legal_aid, term_start=date(2025, 6, 1)
    )
    member = CommitteeMember.objects.create(
        agency=a,
        name="Member Newcomer (invented)",
        role="community",
        voting=False,
        term_start=date(2026, 3, 1),
        term_end=date(2027, 2, 28),
    )
    CommitteeMember.objects.create(
        agency=a, name="Member Departed (invented)", term_start=date(2024, 1, 1), term_end=date(2025, 12, 15)
    )
    MeetingAttendance.objects.create(meeting=case.feb, member=chair, present=True)
    MeetingAttendance.objects.create(meeting=case.feb, member=member, present=False)


class OutreachReportTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.supervisor_a.first_name, cls.supervisor_a.last_name = "Pat", "Quillfeather"
        cls.supervisor_a.save()
        with time_machine.travel(utc(2026, 3, 1, 15), tick=False):
            build(cls)
        report = Report(agency=cls.agency_a, kind=Report.Kind.OUTREACH, as_of=AS_OF, requested_by=cls.supervisor_a)
        cls.context = outreach_context(report=report, generated_at=GENERATED_AT)
        cls.text = pdf_text(pdf_render(render_to_string(KINDS[Report.Kind.OUTREACH].templates[0], cls.context)).content)

    def test_the_period_is_the_90_agency_local_days_ending_on_the_report_date(self):
        self.assertEqual((self.context["period_start"], self.context["period_end"]), (date(2026, 1, 1), AS_OF))
        self.assertEqual(self.context["checked_at"], CHECKED_AT)
        self.assertEqual(
            [row.event.title for row in self.context["events"]],
            ["Town hall on detainers (invented)", "Consulate meeting (invented)"],
        )

    def test_events_with_organisations_as_of_the_end_languages_interpretation_attendance(self):
        [town_hall, consulate] = self.context["events"]
        self.assertEqual(town_hall.organisations, ["Alder High School (invented)", "Alder Legal Aid (invented)"])
        self.assertEqual((town_hall.people, town_hall.staff), (1, 1))
        text = squeeze(self.text)
        for shown in (
            "Townhallondetainers(invented)",
            "AlderLegalAid(invented)",
            "English,Spanish",
            "Consulatemeeting",
        ):
            self.assertIn(shown, text)
        self.assertNotIn("RemovedGroup", text)
        self.assertNotIn("AddedLater", text)
        # The event before the period is named only as the origin of a commitment still open.
        self.assertEqual(text.count("Beforetheperiod"), 1)
        self.assertNotIn("Birch", text)
        counts = self.context["counts"]
        self.assertEqual((counts.events, counts.attendance, counts.with_interpretation), (2, 46, 1))
        self.assertIn("Outreachevents:2", text)

    def test_no_contact_is_named(self):
        self.assertNotIn("Sentinelova", self.text)
        self.assertNotIn("zelda@", self.text)

    def test_commitments_with_their_status(self):
        counts = self.context["counts"]
        self.assertEqual(
            (counts.made, counts.open, counts.done, counts.dropped, counts.overdue, counts.earlier_open),
            (4, 2, 1, 1, 1, 1),
        )
        self.assertEqual(
            [row.commitment.description for row in self.context["commitments"]],
            [
                "Old promise still open",
                "Publish monthly detainer figures",
                "Open a walk-in clinic",
                "Translate the complaint form into Vietnamese",
                "Second town hall in the north",
            ],
        )
        text = squeeze(self.text)
        self.assertIn("Commitmentsmadeintheperiod:4", text)
        self.assertIn("Done2026-02-28", text)
        self.assertIn("Postedonthecountysite", text)
        self.assertIn("Fundingwithdrawnbythecounty", text)
        self.assertIn("Overdue", text)
        self.assertNotIn("Oldpromisedone", text)
        self.assertNotIn("Birchpromise", text)

    def test_meetings_held_against_required_and_minutes(self):
        [row] = self.context["committee"]
        self.assertEqual((row.required, row.held, row.short), (3, 2, 1))
        self.assertEqual(
            [(m.day, m.meeting.status) for m in self.context["meetings"]],
            [(date(2026, 2, 12), "held"), (date(2026, 3, 5), "cancelled"), (date(2026, 3, 31), "held")],
        )
        text = squeeze(self.text)
        self.assertIn("Meetingsheldintheperiod2", text)
        self.assertIn("1shortoftheJailEnforcementModelagreement'srequirement", text.replace("’", "'"))
        self.assertIn("Approved2026-02-20", text)
        self.assertIn("Notapproved", text)
        self.assertIn("1of2recorded", text)
        self.assertEqual(
            [
                (m.quorum.present_voting, m.quorum.voting_members, m.quorum.met) if m.quorum else None
                for m in self.context["meetings"]
            ],
            [(1, 1, True), None, (0, 1, False)],
        )
        self.assertIn("Met(1of1voting)", text)
        self.assertIn("Notmet(0of1voting,1needed)", text)

    def test_members_serving_in_the_period(self):
        self.assertEqual(
            [m.name for m in self.context["members"]], ["Chair Person (invented)", "Member Newcomer (invented)"]
        )
        text = squeeze(self.text)
        self.assertIn("ChairPerson(invented)", text)
        self.assertNotIn("MemberDeparted", text)

    def test_the_query_count_does_not_grow_with_the_data(self):
        report = Report(agency=self.agency_a, kind=Report.Kind.OUTREACH, as_of=AS_OF, requested_by=self.supervisor_a)
        with CaptureQueriesContext(connection) as small:
            outreach_context(report=report, generated_at=GENERATED_AT)
        self.assertEqual(len(small.captured_queries), 9)  # 8, and the commitments' history rows (issue #13)
        for n in range(15):
            extra = event(self.agency_a, f"Extra {n}", date(2026, 2, 1 + n))
            EventParticipant.objects.create(
                event=extra,
                organisation=Organisation.objects.create(agency=self.agency_a, name=f"Org {n}", kind="other"),
                added_at=utc(2026, 2, 1),
                added_by=self.staff_a,
            )
            commitment(self.agency_a, self.staff_a, f"Extra {n}", date(2026, 3, 1), event=extra)
            meeting(self.agency_a, utc(2026, 2, 1 + n, 18), "held")
        with self.assertNumQueries(len(small.captured_queries)):
            context = outreach_context(report=report, generated_at=GENERATED_AT)
        self.assertEqual(context["counts"].events, 17)

    def test_a_supervisor_requests_it_and_it_renders(self):
        with time_machine.travel(GENERATED_AT, tick=False), self.captureOnCommitCallbacks(execute=True):
            report = report_request(
                actor=self.supervisor_a, agency=self.agency_a, kind=Report.Kind.OUTREACH, as_of=AS_OF
            )
        report.refresh_from_db()
        self.assertEqual(report.status, Report.Status.READY, report.error)
        with report.file.open("rb") as handle:
            text = pdf_text(handle.read())
        self.assertIn("Outreach and steering committee", text)
        self.assertIn("Page 1 of", text)
