"""Corrective actions on a case: who may add, finish and cancel them, their dates, the pages (issue #11 item 4)."""

from datetime import UTC, date, datetime

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.core.roles import Role
from incidents.corrective_actions import services
from incidents.corrective_actions.models import CorrectiveAction
from incidents.incident_log.models import Allegation, CaseEvent, Incident
from incidents.incident_log.services import incident_create
from tests.base import BaseTestCase, make_user, sign_in

# 2026-03-10 03:30 UTC is still 2026-03-09 in Chicago (agency A): the agency's date counts, not UTC's.
NOW = datetime(2026, 3, 10, 3, 30, tzinfo=UTC)
AGENCY_TODAY = date(2026, 3, 9)


def make_case(agency, actor, **fields) -> Incident:
    return incident_create(
        agency=agency,
        actor=actor,
        kind=Incident.Kind.COMPLAINT,
        severity=Incident.Severity.MEDIUM,
        title="Invented complaint",
        occurred_at=datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
        **fields,
    )


@time_machine.travel(NOW, tick=False)
class CorrectiveActionServiceTests(BaseTestCase):
    def setUp(self):
        self.case = make_case(self.agency_a, self.staff_a)
        self.investigator = make_user("investigator_a", agency=self.agency_a, role=Role.STAFF)
        Incident.objects.filter(pk=self.case.pk).update(investigator=self.investigator)
        self.case.refresh_from_db()

    def add(self, actor=None, **fields):
        values = {
            "incident": self.case,
            "actor": actor or self.supervisor_a,
            "kind": CorrectiveAction.Kind.TRAINING,
            "description": "Refresher on the complaint procedure (invented).",
            "owner": self.staff_a,
            "due_on": date(2026, 3, 20),
        }
        values.update(fields)
        return services.corrective_action_add(**values)

    def test_a_supervisor_adds_an_open_action_with_a_timeline_row_and_history(self):
        action = self.add()
        self.assertEqual(
            (action.status, action.agency_id, action.created_by), ("open", self.agency_a.pk, self.supervisor_a)
        )
        event = CaseEvent.objects.filter(incident=self.case).last()
        self.assertEqual(
            (event.kind, event.actor, event.text), ("action_added", self.supervisor_a, "Training, due 2026-03-20.")
        )
        self.assertEqual(action.history.get().history_user, self.supervisor_a)

    def test_the_case_investigator_may_add_one(self):
        self.assertEqual(self.add(actor=self.investigator).created_by, self.investigator)

    def test_other_staff_and_auditors_may_not_add(self):
        for user in (self.staff_a, self.auditor_a, self.supervisor_b):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                self.add(actor=user)
        self.assertFalse(CorrectiveAction.objects.exists())

    def test_the_owner_must_be_an_active_user_who_may_change_the_agency_records(self):
        inactive = make_user("gone_a", agency=self.agency_a, role=Role.STAFF)
        inactive.is_active = False
        inactive.save()
        for owner in (self.auditor_a, self.staff_b, inactive):
            with self.subTest(owner=owner.username), self.assertRaises(ValidationError) as caught:
                self.add(owner=owner)
            self.assertEqual(caught.exception.message_dict, {"owner": [services.OWNER_MESSAGE]})

    def test_the_due_date_is_the_agency_date_and_may_be_today_but_not_before(self):
        self.assertEqual(self.add(due_on=AGENCY_TODAY).due_on, AGENCY_TODAY)
        with self.assertRaises(ValidationError) as caught:
            self.add(due_on=date(2026, 3, 8))
        self.assertEqual(
            caught.exception.message_dict["due_on"],
            ["The due date cannot be before today (2026-03-09, the agency's date)."],
        )

    def test_no_action_is_added_to_a_closed_case(self):
        Incident.objects.filter(pk=self.case.pk).update(status="closed", closure="reviewed", closed_at=NOW)
        with self.assertRaises(ValidationError) as caught:
            self.add()
        self.assertEqual(caught.exception.messages, [services.CASE_CLOSED_MESSAGE])
        self.assertFalse(CorrectiveAction.objects.exists())

    def test_an_allegation_of_another_case_is_refused(self):
        other = make_case(self.agency_a, self.staff_a)
        allegation = Allegation.objects.create(incident=other, text="Invented allegation", created_at=NOW)
        with self.assertRaises(ValidationError) as caught:
            self.add(allegation=allegation)
        self.assertEqual(caught.exception.message_dict, {"allegation": [services.ALLEGATION_MESSAGE]})

    def test_the_owner_records_it_done_with_evidence(self):
        action = self.add()
        done = services.corrective_action_complete(
            action=action, actor=self.staff_a, evidence="Attended on 9 March; roster signed.", completed_on=AGENCY_TODAY
        )
        self.assertEqual((done.status, done.completed_on, done.closed_by), ("done", AGENCY_TODAY, self.staff_a))
        self.assertEqual(CaseEvent.objects.filter(incident=self.case).last().kind, "action_done")

    def test_done_needs_evidence_and_a_day_not_in_the_future(self):
        action = self.add()
        with self.assertRaises(ValidationError) as caught:
            services.corrective_action_complete(
                action=action, actor=self.staff_a, evidence="  ", completed_on=date(2026, 3, 10)
            )
        self.assertEqual(
            caught.exception.message_dict,
            {
                "evidence": [services.EVIDENCE_MESSAGE],
                "completed_on": ["The day it was done cannot be after today (2026-03-09, the agency's date)."],
            },
        )
        action.refresh_from_db()
        self.assertEqual(action.status, "open")

    def test_only_the_owner_or_a_supervisor_records_it_done(self):
        action = self.add()
        with self.assertRaises(PermissionDenied):
            services.corrective_action_complete(
                action=action, actor=self.investigator, evidence="x", completed_on=AGENCY_TODAY
            )
        done = services.corrective_action_complete(
            action=action, actor=self.supervisor_a, evidence="x", completed_on=AGENCY_TODAY
        )
        self.assertEqual(done.status, "done")

    def test_a_supervisor_cancels_with_a_reason_and_nobody_else_may(self):
        action = self.add()
        with self.assertRaises(PermissionDenied):
            services.corrective_action_cancel(action=action, actor=self.staff_a, reason="No longer needed")
        with self.assertRaises(ValidationError) as caught:
            services.corrective_action_cancel(action=action, actor=self.supervisor_a, reason=" ")
        self.assertEqual(caught.exception.message_dict, {"reason": [services.REASON_MESSAGE]})
        cancelled = services.corrective_action_cancel(action=action, actor=self.supervisor_a, reason="Officer retired")
        self.assertEqual((cancelled.status, cancelled.cancel_reason), ("cancelled", "Officer retired"))
        event = CaseEvent.objects.filter(incident=self.case).last()
        self.assertEqual((event.kind, event.text), ("action_cancelled", "Officer retired"))

    def test_a_finished_action_cannot_be_finished_again(self):
        action = self.add()
        services.corrective_action_cancel(action=action, actor=self.supervisor_a, reason="Duplicate")
        with self.assertRaises(ValidationError) as caught:
            services.corrective_action_complete(
                action=action, actor=self.supervisor_a, evidence="x", completed_on=AGENCY_TODAY
            )
        self.assertEqual(caught.exception.messages, ["This corrective action is already cancelled."])

    def test_an_action_left_open_on_a_closed_case_can_still_be_recorded_done(self):
        action = self.add()
        Incident.objects.filter(pk=self.case.pk).update(
            status="closed", closure="reviewed", closed_at=NOW, open_actions_reason="Training scheduled next month"
        )
        done = services.corrective_action_complete(
            action=action, actor=self.staff_a, evidence="Done", completed_on=AGENCY_TODAY
        )
        self.assertEqual(done.status, "done")


@time_machine.travel(NOW, tick=False)
class CorrectiveActionPageTests(BaseTestCase):
    def setUp(self):
        self.case = make_case(self.agency_a, self.staff_a)

    def add_url(self):
        return reverse("incidents:corrective_action_add", kwargs={"public_id": self.case.public_id})

    def test_a_supervisor_adds_one_from_the_case_page(self):
        sign_in(self.client, self.supervisor_a)
        page = self.client.get(reverse("incidents:incident_detail", kwargs={"public_id": self.case.public_id}))
        self.assertContains(page, self.add_url())
        response = self.client.post(
            self.add_url(),
            {
                "kind": "counselling",
                "description": "Counselling (invented)",
                "owner": self.staff_a.pk,
                "due_on": "2026-03-09",
            },
        )
        self.assertRedirects(
            response,
            reverse("incidents:incident_detail", kwargs={"public_id": self.case.public_id}) + "#corrective-actions",
            fetch_redirect_response=False,
        )
        self.assertEqual(CorrectiveAction.objects.get().owner, self.staff_a)

    def test_a_past_due_date_is_refused_next_to_the_field_and_nothing_is_saved(self):
        sign_in(self.client, self.supervisor_a)
        response = self.client.post(
            self.add_url(),
            {"kind": "training", "description": "Typed text kept", "owner": self.staff_a.pk, "due_on": "2026-03-01"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "The due date cannot be before today (2026-03-09, the agency&#x27;s date).")
        self.assertContains(response, "Typed text kept")
        self.assertContains(response, 'data-testid="error-summary"')
        self.assertFalse(CorrectiveAction.objects.exists())

    def test_staff_who_is_not_the_investigator_gets_403_and_another_agency_404(self):
        sign_in(self.client, self.staff_a)
        self.assertEqual(self.client.get(self.add_url()).status_code, 403)
        sign_in(self.client, self.supervisor_b)
        self.assertEqual(self.client.get(self.add_url()).status_code, 404)

    def test_the_case_page_marks_an_overdue_action_in_words(self):
        action = services.corrective_action_add(
            incident=self.case,
            actor=self.supervisor_a,
            kind="training",
            description="Invented",
            owner=self.staff_a,
            due_on=AGENCY_TODAY,
        )
        with time_machine.travel(datetime(2026, 3, 11, 12, 0, tzinfo=UTC), tick=False):
            sign_in(self.client, self.staff_a)
            page = self.client.get(reverse("incidents:incident_detail", kwargs={"public_id": self.case.public_id}))
        self.assertContains(page, '<span class="usa-tag app-status--expired">Overdue</span>', html=True)
        self.assertContains(
            page, reverse("incidents:corrective_action_complete", kwargs={"public_id": action.public_id})
        )
        self.assertNotContains(
            page, reverse("incidents:corrective_action_cancel", kwargs={"public_id": action.public_id})
        )

    def test_the_owner_records_it_done_on_its_page(self):
        action = services.corrective_action_add(
            incident=self.case,
            actor=self.supervisor_a,
            kind="training",
            description="Invented",
            owner=self.staff_a,
            due_on=AGENCY_TODAY,
        )
        sign_in(self.client, self.staff_a)
        url = reverse("incidents:corrective_action_complete", kwargs={"public_id": action.public_id})
        response = self.client.post(url, {"evidence": "", "completed_on": "2026-03-09"})
        self.assertContains(response, services.EVIDENCE_MESSAGE)
        response = self.client.post(url, {"evidence": "Roster signed", "completed_on": "2026-03-09"})
        self.assertEqual(response.status_code, 302)
        action.refresh_from_db()
        self.assertEqual(action.status, "done")

    def test_my_actions_lists_overdue_first_and_supervisors_see_all(self):
        other_staff = make_user("staff_a2", agency=self.agency_a, role=Role.STAFF)
        later = services.corrective_action_add(
            incident=self.case,
            actor=self.supervisor_a,
            kind="training",
            description="x",
            owner=self.staff_a,
            due_on=date(2026, 3, 30),
        )
        soon = services.corrective_action_add(
            incident=self.case,
            actor=self.supervisor_a,
            kind="counselling",
            description="x",
            owner=self.staff_a,
            due_on=AGENCY_TODAY,
        )
        services.corrective_action_add(
            incident=self.case,
            actor=self.supervisor_a,
            kind="training",
            description="x",
            owner=other_staff,
            due_on=AGENCY_TODAY,
        )
        url = reverse("incidents:corrective_action_list")
        with time_machine.travel(datetime(2026, 3, 12, 12, 0, tzinfo=UTC), tick=False):
            sign_in(self.client, self.staff_a)
            mine = self.client.get(url)
            self.assertEqual([row.action for row in mine.context["rows"]], [soon, later])
            self.assertEqual([row.overdue for row in mine.context["rows"]], [True, False])
            self.assertEqual(self.client.get(url + "?show=all").context["rows"].__len__(), 2)  # staff: own only
            sign_in(self.client, self.supervisor_a)
            self.assertEqual(len(self.client.get(url + "?show=all").context["rows"]), 3)
            sign_in(self.client, self.supervisor_b)
            self.assertEqual(self.client.get(url + "?show=all").context["rows"], [])

    def test_the_list_query_count_does_not_grow_with_actions(self):
        sign_in(self.client, self.supervisor_a)
        url = reverse("incidents:corrective_action_list") + "?show=all"

        def add(n):
            for _ in range(n):
                services.corrective_action_add(
                    incident=self.case,
                    actor=self.supervisor_a,
                    kind="training",
                    description="x",
                    owner=self.staff_a,
                    due_on=AGENCY_TODAY,
                )

        add(1)
        with CaptureQueriesContext(connection) as small:
            self.client.get(url)
        add(20)
        with self.assertNumQueries(len(small.captured_queries)):
            self.assertEqual(len(self.client.get(url).context["rows"]), 21)

    def test_the_case_page_query_count_does_not_grow_with_actions(self):
        sign_in(self.client, self.supervisor_a)
        url = reverse("incidents:incident_detail", kwargs={"public_id": self.case.public_id})
        services.corrective_action_add(
            incident=self.case,
            actor=self.supervisor_a,
            kind="training",
            description="x",
            owner=self.staff_a,
            due_on=AGENCY_TODAY,
        )
        with CaptureQueriesContext(connection) as small:
            self.client.get(url)
        for _ in range(15):
            services.corrective_action_add(
                incident=self.case,
                actor=self.supervisor_a,
                kind="training",
                description="x",
                owner=self.staff_a,
                due_on=AGENCY_TODAY,
            )
        with self.assertNumQueries(len(small.captured_queries)):
            self.client.get(url)
