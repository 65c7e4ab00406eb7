"""Commitment rules by name (community.commitments.services and selectors): who may make, finish, drop and reopen
one; the owner; dates on the agency's calendar; history attributed; nothing saved on a refusal. Real database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from community.commitments import selectors, services
from community.commitments.models import Commitment
from community.outreach import services as outreach_services
from community.outreach.models import OutreachEvent
from community.steering_committee.models import CommitteeMeeting
from compliance.core.roles import Role
from tests.base import BaseTestCase, make_user

# 2026-06-01 03:00 UTC: 31 May in Chicago (agency A), 31 May in Phoenix (agency B).
NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
class CommitmentRuleTests(BaseTestCase):
    def setUp(self):
        self.event = outreach_services.outreach_event_create(
            agency=self.agency_a,
            actor=self.staff_a,
            kind=OutreachEvent.Kind.COMMUNITY_MEETING,
            title="Invented town hall",
            held_on=date(2026, 5, 10),
        )

    def make(self, **overrides):
        values = {
            "agency": self.agency_a,
            "actor": self.staff_a,
            "description": "Publish the figures",
            "owner": self.staff_a,
            "due_on": date(2026, 6, 15),
            "event": self.event,
        }
        values.update(overrides)
        return services.commitment_create(**values)

    def test_make_needs_change_rights(self):
        for actor in (self.auditor_a, self.staff_b, self.outsider):
            with self.subTest(actor=actor.username), self.assertRaises(PermissionDenied):
                self.make(actor=actor)
        self.assertFalse(Commitment.objects.exists())

    def test_the_owner_is_an_active_user_with_change_rights_in_the_agency(self):
        inactive = make_user("gone_a", agency=self.agency_a, role=Role.STAFF)
        inactive.is_active = False
        inactive.save()
        for owner in (None, self.auditor_a, self.staff_b, inactive):
            with self.subTest(owner=getattr(owner, "username", None)), self.assertRaises(ValidationError) as caught:
                self.make(owner=owner)
            self.assertEqual(caught.exception.message_dict, {"owner": [services.OWNER_MESSAGE]})
        self.assertFalse(Commitment.objects.exists())

    def test_the_due_date_is_not_before_the_origin_day(self):
        with self.assertRaises(ValidationError) as caught:
            self.make(due_on=date(2026, 5, 9))
        self.assertIn("due_on", caught.exception.message_dict)
        # A commitment logged late may already be overdue: recorded, not refused.
        self.assertEqual(self.make(due_on=date(2026, 5, 10)).due_on, date(2026, 5, 10))

    def test_a_meetings_day_is_its_agency_local_day(self):
        # 2026-05-02 03:00 UTC is 1 May, 22:00 in Chicago: a due date of 1 May is allowed.
        meeting = CommitteeMeeting.objects.create(
            agency=self.agency_a, starts_at=datetime(2026, 5, 2, 3, 0, tzinfo=UTC), status="held"
        )
        commitment = self.make(event=None, meeting=meeting, due_on=date(2026, 5, 1))
        self.assertEqual(commitment.meeting, meeting)
        self.assertEqual(selectors.origin_label(commitment), "Steering-committee meeting (2026-05-01)")

    def test_an_event_and_a_meeting_at_once_or_of_another_agency_is_a_programming_error(self):
        meeting = CommitteeMeeting.objects.create(agency=self.agency_a, starts_at=NOW, status="scheduled")
        with self.assertRaises(ValueError):
            self.make(meeting=meeting)
        other = outreach_services.outreach_event_create(
            agency=self.agency_b, actor=self.staff_b, kind="other", title="Invented", held_on=date(2026, 5, 1)
        )
        with self.assertRaises(ValueError):
            self.make(event=other)

    def test_history_is_attributed_to_the_actor(self):
        commitment = self.make()
        self.assertEqual(commitment.history.get().history_user, self.staff_a)
        services.commitment_update(commitment=commitment, actor=self.supervisor_a, due_on=date(2026, 6, 20))
        self.assertEqual(commitment.history.first().history_user, self.supervisor_a)
        # No change, no history row.
        services.commitment_update(commitment=commitment, actor=self.supervisor_a, due_on=date(2026, 6, 20))
        self.assertEqual(commitment.history.count(), 2)

    def test_update_refuses_unknown_fields(self):
        commitment = self.make()
        with self.assertRaises(TypeError):
            services.commitment_update(commitment=commitment, actor=self.staff_a, status="done")

    def test_done_by_its_owner_or_a_supervisor_only(self):
        commitment = self.make()
        other = make_user("staff_a2", agency=self.agency_a, role=Role.STAFF)
        self.assertFalse(services.may_complete(other, commitment))
        self.assertFalse(services.may_complete(self.auditor_a, commitment))
        self.assertTrue(services.may_complete(self.staff_a, commitment))
        self.assertTrue(services.may_complete(self.supervisor_a, commitment))
        with self.assertRaises(PermissionDenied):
            services.commitment_complete(
                commitment=commitment, actor=other, evidence="x", completed_on=date(2026, 5, 31)
            )

    def test_done_needs_evidence_a_day_not_after_the_agencys_today_nor_before_the_event(self):
        commitment = self.make()
        cases = {
            "evidence": {"evidence": " ", "completed_on": date(2026, 5, 31)},
            "completed_on": {"evidence": "x", "completed_on": date(2026, 6, 1)},  # UTC's today, not Chicago's
        }
        for field, values in cases.items():
            with self.subTest(field=field), self.assertRaises(ValidationError) as caught:
                services.commitment_complete(commitment=commitment, actor=self.staff_a, **values)
            self.assertIn(field, caught.exception.message_dict)
        with self.assertRaises(ValidationError):
            services.commitment_complete(
                commitment=commitment, actor=self.staff_a, evidence="x", completed_on=date(2026, 5, 9)
            )
        done = services.commitment_complete(
            commitment=commitment, actor=self.staff_a, evidence="Posted", completed_on=date(2026, 5, 31)
        )
        self.assertEqual((done.status, done.closed_by, done.closed_at), ("done", self.staff_a, NOW))

    def test_drop_and_reopen_are_for_supervisors_with_a_reason(self):
        commitment = self.make()
        with self.assertRaises(PermissionDenied):
            services.commitment_drop(commitment=commitment, actor=self.staff_a, reason="x")
        with self.assertRaises(ValidationError):
            services.commitment_drop(commitment=commitment, actor=self.supervisor_a, reason="  ")
        dropped = services.commitment_drop(commitment=commitment, actor=self.supervisor_a, reason="Withdrawn")
        self.assertEqual(dropped.history.first().history_change_reason, "Withdrawn")
        with self.assertRaises(ValidationError):
            services.commitment_update(commitment=dropped, actor=self.staff_a, description="x")
        with self.assertRaises(PermissionDenied):
            services.commitment_reopen(commitment=dropped, actor=self.staff_a, reason="x")
        reopened = services.commitment_reopen(commitment=dropped, actor=self.supervisor_a, reason="Asked again")
        self.assertEqual((reopened.status, reopened.drop_reason, reopened.closed_at), ("open", "", None))
        with self.assertRaises(ValidationError):
            services.commitment_reopen(commitment=reopened, actor=self.supervisor_a, reason="again")

    def test_owner_choices_are_active_users_with_change_rights(self):
        names = set(selectors.owner_choices([self.agency_a]).values_list("username", flat=True))
        self.assertEqual(names, {"staff_a", "supervisor_a", "admin_a"})

    def test_the_counts_are_by_the_agencys_date(self):
        self.make(due_on=date(2026, 5, 30))  # overdue
        self.make(due_on=date(2026, 5, 31))  # due today in Chicago: due soon
        self.make(due_on=date(2026, 6, 7))  # the 7th day: due soon
        self.make(due_on=date(2026, 6, 8))  # later
        counts = selectors.commitment_counts(agency=self.agency_a, today=services.agency_today(self.agency_a))
        self.assertEqual(counts, {"overdue": 1, "due_soon": 2})
