"""The steering committee's writes (community.steering_committee.services), each rule by name. Real database."""

from __future__ import annotations

from datetime import date

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from community.organisations.models import Organisation
from community.steering_committee import selectors, services
from community.steering_committee.models import (
    CommitteeDecision,
    CommitteeMeeting,
    CommitteeRequirement,
    MeetingAttendance,
)
from tests.base import BaseTestCase
from tests.community.committee_data import add_member, at, hold, require_committee, schedule
from tests.community.helpers import EICAR, pdf_bytes, png_bytes, upload

NOW = at(2026, 5, 20, 18)


@time_machine.travel(NOW, tick=False)
class RequirementTests(BaseTestCase):
    def test_only_an_administrator_saves_the_requirement_with_history(self):
        for user in (self.staff_a, self.supervisor_a, self.auditor_a, self.supervisor_b):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                services.requirement_save(agreement=self.agreement_a, actor=user, required=True)
        requirement = require_committee(self.agreement_a, self.admin_a, quorum=4)
        self.assertEqual((requirement.meeting_interval_months, requirement.quorum), (3, 4))
        services.requirement_save(agreement=self.agreement_a, actor=self.admin_a, meeting_interval_months=6)
        rows = list(requirement.history.order_by("history_date"))
        self.assertEqual([r.meeting_interval_months for r in rows], [3, 6])
        self.assertEqual({r.history_user for r in rows}, {self.admin_a})

    def test_a_value_out_of_range_is_refused_by_field_and_nothing_saved(self):
        with self.assertRaises(ValidationError) as caught:
            services.requirement_save(agreement=self.agreement_a, actor=self.admin_a, meeting_interval_months=0)
        self.assertIn("meeting_interval_months", caught.exception.message_dict)
        self.assertFalse(CommitteeRequirement.objects.filter(agreement=self.agreement_a).exists())

    def test_unknown_fields_are_a_programming_error(self):
        with self.assertRaises(TypeError):
            services.requirement_save(agreement=self.agreement_a, actor=self.admin_a, agreement_id=1)


@time_machine.travel(NOW, tick=False)
class MemberTests(BaseTestCase):
    def test_members_are_added_edited_and_their_term_ended_with_history(self):
        member = add_member(self.agency_a, self.staff_a, "Invented Person One")
        member = services.member_update(member=member, actor=self.staff_a, role="chair")
        member = services.member_end_term(member=member, actor=self.staff_a, term_end=date(2026, 5, 1))
        reasons = list(member.history.order_by("history_date").values_list("history_change_reason", flat=True))
        self.assertEqual(reasons, ["Member added", "Role changed", "Term ended"])
        self.assertEqual(member.term_end, date(2026, 5, 1))

    def test_a_term_cannot_end_before_it_starts_or_twice(self):
        member = add_member(self.agency_a, self.staff_a, "Invented Person Two", start=date(2026, 3, 1))
        with self.assertRaises(ValidationError) as caught:
            services.member_end_term(member=member, actor=self.staff_a, term_end=date(2026, 2, 1))
        self.assertIn("term_end", caught.exception.message_dict)
        services.member_end_term(member=member, actor=self.staff_a, term_end=date(2026, 4, 1))
        with self.assertRaises(ValidationError):
            services.member_end_term(member=member, actor=self.staff_a, term_end=date(2026, 4, 2))

    def test_an_organisation_of_another_agency_is_refused(self):
        other = Organisation.objects.create(agency=self.agency_b, name="Invented group B", kind="community")
        with self.assertRaises(ValidationError) as caught:
            services.member_create(
                agency=self.agency_a,
                actor=self.staff_a,
                name="Invented Person",
                role="member",
                organisation=other,
                contact=None,
                voting=True,
                term_start=date(2026, 1, 1),
                term_end=None,
            )
        self.assertIn("organisation", caught.exception.message_dict)

    def test_auditors_never_write(self):
        with self.assertRaises(PermissionDenied):
            add_member(self.agency_a, self.auditor_a, "Invented Person")

    def test_members_serving_on_a_day_count_the_last_day_of_the_term(self):
        serving = add_member(self.agency_a, self.staff_a, "Serving", start=date(2026, 1, 1), end=date(2026, 3, 31))
        add_member(self.agency_a, self.staff_a, "Later", start=date(2026, 4, 1))
        self.assertEqual(list(selectors.members_serving_on(self.agency_a, date(2026, 3, 31))), [serving])


@time_machine.travel(NOW, tick=False)
class MeetingTests(BaseTestCase):
    def setUp(self):
        require_committee(self.agreement_a, self.admin_a, quorum=None)
        self.voters = [add_member(self.agency_a, self.staff_a, f"Voter {n}") for n in range(7)]
        self.observer = add_member(self.agency_a, self.staff_a, "Observer", voting=False)
        self.past = add_member(self.agency_a, self.staff_a, "Former", start=date(2025, 1, 1), end=date(2025, 12, 31))

    def test_a_meeting_in_the_future_cannot_be_recorded_held(self):
        meeting = schedule(self.agency_a, self.staff_a, at(2026, 5, 21))
        with self.assertRaises(ValidationError) as caught:
            hold(meeting, self.staff_a, [])
        self.assertIn("only once it has started", caught.exception.messages[0])
        meeting.refresh_from_db()
        self.assertEqual(meeting.status, CommitteeMeeting.Status.SCHEDULED)

    def test_a_past_meeting_is_logged_after_the_fact_with_attendance_of_members_serving_that_day(self):
        meeting = schedule(self.agency_a, self.staff_a, at(2026, 4, 10))
        hold(meeting, self.staff_a, self.voters[:4] + [self.observer])
        rows = dict(MeetingAttendance.objects.filter(meeting=meeting).values_list("member__name", "present"))
        self.assertEqual(len(rows), 8)  # 7 voters + the observer; the former member was not serving
        self.assertNotIn("Former", rows)
        self.assertEqual(sum(rows.values()), 5)

    def test_quorum_is_a_majority_of_voting_members_serving_that_day(self):
        meeting = schedule(self.agency_a, self.staff_a, at(2026, 4, 10))
        hold(meeting, self.staff_a, self.voters[:4] + [self.observer])
        quorum = selectors.meeting_quorum(meeting, quorum=None)
        self.assertEqual(str(quorum), "Quorum: 4 of 7 voting members present, 4 needed — met")
        hold(meeting, self.staff_a, self.voters[:3] + [self.observer])
        quorum = selectors.meeting_quorum(meeting, quorum=None)
        self.assertEqual((quorum.present_voting, quorum.needed, quorum.met), (3, 4, False))
        self.assertTrue(selectors.meeting_quorum(meeting, quorum=3).met)

    def test_a_member_not_serving_that_day_cannot_be_marked_present(self):
        meeting = schedule(self.agency_a, self.staff_a, at(2026, 4, 10))
        with self.assertRaises(ValidationError) as caught:
            hold(meeting, self.staff_a, [self.past])
        self.assertIn("attendance", caught.exception.message_dict)
        self.assertFalse(MeetingAttendance.objects.filter(meeting=meeting).exists())

    def test_minutes_are_approved_by_a_supervisor_only_when_held_with_minutes(self):
        meeting = schedule(self.agency_a, self.staff_a, at(2026, 4, 10))
        with self.assertRaises(ValidationError):
            services.minutes_approve(meeting=meeting, actor=self.supervisor_a)
        hold(meeting, self.staff_a, [], minutes="")
        with self.assertRaises(ValidationError) as caught:
            services.minutes_approve(meeting=meeting, actor=self.supervisor_a)
        self.assertIn("no minutes", caught.exception.messages[0])
        hold(meeting, self.staff_a, [], minutes="Invented minutes.")
        with self.assertRaises(PermissionDenied):
            services.minutes_approve(meeting=meeting, actor=self.staff_a)
        approved = services.minutes_approve(meeting=meeting, actor=self.supervisor_a)
        self.assertEqual(
            (approved.minutes_approved_on, approved.minutes_approved_by), (date(2026, 5, 20), self.supervisor_a)
        )
        with self.assertRaises(ValidationError):
            hold(approved, self.staff_a, [])

    def test_decisions_are_numbered_on_a_held_meeting(self):
        meeting = schedule(self.agency_a, self.staff_a, at(2026, 4, 10))
        with self.assertRaises(ValidationError):
            services.decision_add(meeting=meeting, actor=self.staff_a, text="Invented decision")
        hold(meeting, self.staff_a, [])
        services.decision_add(meeting=meeting, actor=self.staff_a, text="First")
        services.decision_add(meeting=meeting, actor=self.staff_a, text="Second")
        self.assertEqual(
            list(CommitteeDecision.objects.filter(meeting=meeting).values_list("number", "text")),
            [(1, "First"), (2, "Second")],
        )

    def test_a_scheduled_meeting_is_cancelled_with_a_reason_and_then_frozen(self):
        meeting = schedule(self.agency_a, self.staff_a, at(2026, 6, 10))
        with self.assertRaises(ValidationError):
            services.meeting_cancel(meeting=meeting, actor=self.staff_a, reason="  ")
        meeting = services.meeting_cancel(meeting=meeting, actor=self.staff_a, reason="Room unavailable")
        self.assertEqual((meeting.status, meeting.cancel_reason), ("cancelled", "Room unavailable"))
        with self.assertRaises(ValidationError):
            services.meeting_update(meeting=meeting, actor=self.staff_a, agenda="New")
        with self.assertRaises(ValidationError):
            hold(meeting, self.staff_a, [])

    def test_the_minutes_file_must_be_a_pdf_within_10_mb(self):
        self.assertEqual(services.minutes_file_prepare(upload("m.pdf", pdf_bytes())).file_name, "m.pdf")
        for name, data in (("m.pdf", png_bytes()), ("m.pdf", b"%PDF-not really"), ("m.pdf", EICAR), ("m.pdf", b"")):
            with self.subTest(data=data[:8]), self.assertRaises(ValidationError) as caught:
                services.minutes_file_prepare(upload(name, data))
            self.assertIn("minutes_file", caught.exception.message_dict)
        big = upload("m.pdf", b"%PDF-" + b"0" * services.MINUTES_MAX_BYTES)
        with self.assertRaises(ValidationError) as caught:
            services.minutes_file_prepare(big)
        self.assertIn("at most 10 MB", caught.exception.messages[0])


@time_machine.travel(NOW, tick=False)
class SelectorTests(BaseTestCase):
    def test_next_meeting_is_the_next_scheduled_one(self):
        schedule(self.agency_a, self.staff_a, at(2026, 5, 19))
        later = schedule(self.agency_a, self.staff_a, at(2026, 7, 1))
        soon = schedule(self.agency_a, self.staff_a, at(2026, 6, 1))
        services.meeting_cancel(meeting=soon, actor=self.staff_a, reason="Invented")
        schedule(self.agency_b, self.staff_b, at(2026, 6, 2))
        self.assertEqual(selectors.next_meeting(self.agency_a, now=NOW), later)
        self.assertIsNone(selectors.next_meeting(self.agency_a, now=at(2026, 8, 1)))

    def test_meetings_held_counts_the_agency_local_day(self):
        # 2026-04-01 03:00 UTC is 2026-03-31 22:00 in Chicago: in the first quarter there.
        for starts in (at(2026, 4, 1, 3), at(2026, 4, 1, 6), at(2026, 1, 1, 7)):
            hold(schedule(self.agency_a, self.staff_a, starts), self.staff_a, [])
        schedule(self.agency_a, self.staff_a, at(2026, 2, 1))  # scheduled, never recorded held
        self.assertEqual(selectors.meetings_held(self.agency_a, date(2026, 1, 1), date(2026, 3, 31)), 2)
        self.assertEqual(selectors.meetings_held(self.agency_a, date(2026, 4, 1), date(2026, 6, 30)), 1)
        self.assertEqual(selectors.meetings_held(self.agency_b, date(2026, 1, 1), date(2026, 12, 31)), 0)
