"""The steering-committee pages: access, the forms end to end, the overview's figures and its query count."""

from __future__ import annotations

from datetime import date

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community.steering_committee.models import CommitteeMeeting, CommitteeMember, CommitteeRequirement
from compliance.core.models import AccessLog
from tests.base import BaseTestCase, sign_in
from tests.community.committee_data import add_member, at, hold, require_committee, schedule
from tests.community.helpers import pdf_bytes, png_bytes, upload

NOW = at(2026, 5, 20, 18)


def url(name: str, record=None) -> str:
    return reverse(f"community:{name}", args=[record.public_id] if record is not None else [])


@time_machine.travel(NOW, tick=False)
class CommitteeAccessTests(BaseTestCase):
    def setUp(self):
        self.member = add_member(self.agency_a, self.staff_a, "Invented Member A")
        self.meeting = schedule(self.agency_a, self.staff_a, at(2026, 5, 1))

    def test_another_agencys_records_answer_404(self):
        sign_in(self.client, self.staff_b)
        for name, record in (
            ("committee_member_edit", self.member),
            ("committee_member_end", self.member),
            ("committee_meeting", self.meeting),
            ("committee_meeting_edit", self.meeting),
            ("committee_meeting_held", self.meeting),
            ("committee_meeting_cancel", self.meeting),
            ("committee_minutes_download", self.meeting),
            ("committee_decision_add", self.meeting),
        ):
            with self.subTest(name=name):
                self.assertEqual(self.client.get(url(name, record)).status_code, 404)
                self.assertEqual(self.client.post(url(name, record), {"reason": "x"}).status_code, 404)
        self.assertEqual(self.client.get(url("committee_requirement", self.agreement_a)).status_code, 404)
        self.assertEqual(self.client.get(url("committee") + f"?agency={self.agency_a.public_id}").status_code, 404)

    def test_auditors_read_but_never_write(self):
        sign_in(self.client, self.auditor_a)
        overview = self.client.get(url("committee"))
        self.assertContains(overview, "Invented Member A")
        self.assertNotContains(overview, "Add a member")
        self.assertEqual(self.client.get(url("committee_meeting", self.meeting)).status_code, 200)
        for name, record in (
            ("committee_member_create", None),
            ("committee_meeting_create", None),
            ("committee_member_edit", self.member),
            ("committee_meeting_held", self.meeting),
            ("committee_meeting_cancel", self.meeting),
            ("committee_minutes_approve", self.meeting),
        ):
            with self.subTest(name=name):
                self.assertEqual(self.client.post(url(name, record), {"reason": "x", "name": "y"}).status_code, 403)
        self.meeting.refresh_from_db()
        self.assertEqual(self.meeting.status, "scheduled")

    def test_only_administrators_edit_the_requirement(self):
        for user in (self.staff_a, self.supervisor_a, self.auditor_a):
            sign_in(self.client, user)
            self.assertEqual(self.client.get(url("committee_requirement", self.agreement_a)).status_code, 404)
        sign_in(self.client, self.admin_a)
        page = self.client.get(url("committee_requirement", self.agreement_a))
        self.assertContains(page, "Check against your signed MOA.", count=4)  # every field
        self.assertContains(page, "Check every value against your signed MOA")
        response = self.client.post(
            url("committee_requirement", self.agreement_a),
            {"required": "on", "meeting_interval_months": "3", "minutes_approval_days": "30", "quorum": ""},
        )
        self.assertEqual(response.status_code, 302)
        requirement = CommitteeRequirement.objects.get(agreement=self.agreement_a)
        self.assertEqual(
            (requirement.required, requirement.meeting_interval_months, requirement.quorum), (True, 3, None)
        )
        refused = self.client.post(
            url("committee_requirement", self.agreement_a),
            {"required": "on", "meeting_interval_months": "99", "minutes_approval_days": "30"},
        )
        self.assertEqual(refused.status_code, 200)
        self.assertIn("meeting_interval_months", refused.context["form"].errors)
        requirement.refresh_from_db()
        self.assertEqual(requirement.meeting_interval_months, 3)

    def test_only_supervisors_approve_minutes(self):
        hold(self.meeting, self.staff_a, [self.member])
        sign_in(self.client, self.staff_a)
        self.assertEqual(self.client.post(url("committee_minutes_approve", self.meeting)).status_code, 403)
        sign_in(self.client, self.supervisor_a)
        response = self.client.post(url("committee_minutes_approve", self.meeting))
        self.assertRedirects(response, url("committee_meeting", self.meeting))
        self.meeting.refresh_from_db()
        self.assertEqual(
            (self.meeting.minutes_approved_on, self.meeting.minutes_approved_by), (date(2026, 5, 20), self.supervisor_a)
        )


@time_machine.travel(NOW, tick=False)
class CommitteeFlowTests(BaseTestCase):
    def test_a_meeting_is_scheduled_on_the_agencys_clock_recorded_held_and_its_minutes_downloaded(self):
        require_committee(self.agreement_a, self.admin_a)
        members = [add_member(self.agency_a, self.staff_a, f"Invented Voter {n}") for n in range(3)]
        sign_in(self.client, self.staff_a)
        response = self.client.post(
            url("committee_meeting_create"),
            {"starts_at_0": "2026-05-12", "starts_at_1": "18:30", "location": "Room 2", "agenda": "Invented agenda"},
        )
        meeting = CommitteeMeeting.objects.get(agency=self.agency_a)
        self.assertRedirects(response, url("committee_meeting", meeting))
        self.assertEqual(meeting.starts_at, at(2026, 5, 12, 23, 30))  # 18:30 CDT
        refused = self.client.post(
            url("committee_meeting_held", meeting),
            {"attendance": [str(members[0].public_id)], "minutes_file": upload("minutes.pdf", png_bytes())},
        )
        self.assertEqual(refused.status_code, 200)
        self.assertIn("minutes_file", refused.context["form"].errors)
        meeting.refresh_from_db()
        self.assertEqual(meeting.status, "scheduled")
        response = self.client.post(
            url("committee_meeting_held", meeting),
            {
                "attendance": [str(members[0].public_id), str(members[1].public_id)],
                "public_attendance": "12",
                "minutes": "Invented minutes.",
                "minutes_file": upload("minutes.pdf", pdf_bytes()),
            },
        )
        self.assertRedirects(response, url("committee_meeting", meeting))
        page = self.client.get(url("committee_meeting", meeting))
        self.assertContains(page, "Quorum: 2 of 3 voting members present, 2 needed — met")
        download = self.client.get(url("committee_minutes_download", meeting))
        self.assertEqual(download["Content-Type"], "application/pdf")
        self.assertEqual(b"".join(download.streaming_content), pdf_bytes())
        self.assertTrue(
            AccessLog.objects.filter(action=AccessLog.Action.EXPORT, object_id=meeting.pk, user=self.staff_a).exists()
        )

    def test_a_meeting_in_the_future_cannot_be_recorded_held_from_the_page(self):
        meeting = schedule(self.agency_a, self.staff_a, at(2026, 6, 1))
        sign_in(self.client, self.staff_a)
        response = self.client.post(url("committee_meeting_held", meeting), {"minutes": "Invented"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "can be recorded held only once it has started")
        meeting.refresh_from_db()
        self.assertEqual(meeting.status, "scheduled")

    def test_members_are_added_and_their_terms_ended_with_the_changes_listed(self):
        sign_in(self.client, self.staff_a)
        response = self.client.post(
            url("committee_member_create"),
            {"name": "Invented Chair", "role": "chair", "voting": "on", "term_start": "2026-01-01"},
        )
        self.assertEqual(response.status_code, 302)
        member = CommitteeMember.objects.get(name="Invented Chair")
        self.client.post(url("committee_member_end", member), {"term_end": "2026-05-01"})
        overview = self.client.get(url("committee"))
        changes = [(c["name"], c["what"], c["who"]) for c in overview.context["changes"]]
        self.assertEqual(
            changes,
            [
                ("Invented Chair", "Term ended on 2026-05-01", self.staff_a),
                ("Invented Chair", "Added as chair", self.staff_a),
            ],
        )
        self.assertEqual(overview.context["past_members"], [member])
        bad = self.client.post(
            url("committee_member_create"),
            {"name": "Invented", "role": "member", "term_start": "2026-02-01", "term_end": "2026-01-01"},
        )
        self.assertIn("term_end", bad.context["form"].errors)

    def test_the_overview_shows_the_next_meeting_due_from_the_last_held(self):
        require_committee(self.agreement_a, self.admin_a)
        sign_in(self.client, self.staff_a)
        overview = self.client.get(url("committee"))
        row = overview.context["required_rows"][0]
        self.assertEqual((row["due"], row["missed"]), (date(2026, 4, 15), True))
        hold(schedule(self.agency_a, self.staff_a, at(2026, 5, 2)), self.staff_a, [])
        row = self.client.get(url("committee")).context["required_rows"][0]
        self.assertEqual((row["due"], row["missed"]), (date(2026, 8, 2), False))

    def test_the_overview_costs_the_same_number_of_queries_at_any_size(self):
        require_committee(self.agreement_a, self.admin_a)
        first = add_member(self.agency_a, self.staff_a, "First")
        hold(schedule(self.agency_a, self.staff_a, at(2026, 3, 2)), self.staff_a, [first])
        sign_in(self.client, self.admin_a)
        self.client.get(url("committee"))
        with CaptureQueriesContext(connection) as small:
            self.client.get(url("committee"))
        for n in range(25):
            member = add_member(self.agency_a, self.staff_a, f"Bulk {n}", end=date(2026, 5, 1) if n % 2 else None)
            hold(schedule(self.agency_a, self.staff_a, at(2026, 4, 1 + n % 20)), self.staff_a, [member])
            schedule(self.agency_a, self.staff_a, at(2026, 6, 1 + n % 20))
        with self.assertNumQueries(len(small.captured_queries)):
            response = self.client.get(url("committee"))
        self.assertEqual(len(response.context["earlier"]), 20)
