"""Issue 9 point 2: past facts are always recordable; future steps are gated (incidents.detainers.rule_breaks).

A detainer or a 287(g) action that already happened and broke a rule is saved, its check fails,
one finding per record and rule opens, the supervisors are e-mailed (links only) and the person
recording it explains (required, stored, kept in the history). What the system gates before it
happens — a 287(g) step or a transfer under a U.S.-citizenship STOP — is still refused with the reason.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from django.core import mail
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.urls import reverse
from django.utils.html import escape

from compliance.core.findings import finding_resolve
from compliance.core.models import Finding
from incidents.actions import services as actions
from incidents.actions.models import DetainerAction
from incidents.citizenship import services as citizenship
from incidents.detainers import checks, rule_breaks, services
from incidents.detainers.choices import Action, InterpreterType
from incidents.detainers.models import Detainer
from incidents.incident_log.models import Incident
from tests.base import BaseTestCase, sign_in
from tests.incidents.helpers import RECEIVED, local_datetime_post, make_detainer
from tests.incidents.test_forms import detainer_post
from tests.incidents.test_hold_verdict import failed_rows
from tests.training.helpers import make_certification, make_course, make_officer

NOW = datetime(2026, 1, 20, 12, 0, tzinfo=UTC)
BOOKED = datetime(2026, 1, 4, 12, 0, tzinfo=UTC)
#: The refresher lapsed at the end of 2026-01-10 (agency-local): not authorized from 2026-01-11 00:00 CST.
LAPSED_AFTER = date(2026, 1, 10)
EXPLAINED = "Entered after the fact from the jail's paper log; the refresher was booked late (invented)."


def rule_break_findings(detainer) -> list[tuple[str, str, str]]:
    """(kind, severity, status) of the detainer's findings, by kind."""
    rows = Finding.objects.filter(object_id=detainer.pk).exclude(kind=Finding.Kind.NO_WARRANT).order_by("kind")
    return list(rows.values_list("kind", "severity", "status"))


class RecordedRuleBreakTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        course = make_course(cls.agency_a)
        cls.lapsed = make_officer(cls.agency_a, "L-1", last="Lapsedrefresher")
        make_certification(cls.lapsed, course, date(2024, 1, 10), expires_on=LAPSED_AFTER)
        cls.current = make_officer(cls.agency_a, "C-1", last="Currentofficer")
        make_certification(cls.current, course, date(2025, 6, 1))

    def setUp(self):
        traveller = time_machine.travel(NOW, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)

    def log_lapsed(self, **fields):
        """A detainer whose serving officer's refresher had lapsed on the day of the action (2026-01-12)."""
        values = {
            "booked_at": BOOKED,
            "handling_officer": self.lapsed,
            "action": Action.SERVE_WARRANT,
            "action_at": datetime(2026, 1, 12, 9, 0, tzinfo=self.agency_a.zone),
            "received_at": datetime(2026, 1, 12, 8, 0, tzinfo=self.agency_a.zone),
        }
        values.update(fields)
        with self.captureOnCommitCallbacks(execute=True):
            return make_detainer(self.agency_a, actor=self.staff_a, **values)


class DetainerRecordTests(RecordedRuleBreakTestCase):
    def test_point_2_a_detainer_handled_by_an_officer_not_authorized_that_day_is_saved_with_a_finding_and_an_alert(
        self,
    ):
        detainer = self.log_lapsed(explanation=EXPLAINED, subject_last_name="Quistgaard", booking_number="AC-4411")
        detainer = Detainer.objects.get(pk=detainer.pk)
        self.assertEqual(detainer.handling_officer, self.lapsed)
        # The failed check, as the detainer page shows it.
        [check] = [c for c in checks.detainer_checks(detainer, at=NOW) if c.name == "Handling officer authorized"]
        self.assertFalse(check.passed)
        self.assertIn("not authorized to use 287(g) authority on 2026-01-12", check.message)
        # One finding on the record, opened by the person who recorded it.
        [finding] = Finding.objects.filter(object_id=detainer.pk, kind=Finding.Kind.OFFICER_NOT_AUTHORIZED)
        self.assertEqual(
            (finding.agency, finding.status, finding.severity, finding.opened_at),
            (self.agency_a, Finding.Status.OPEN, Finding.Severity.HIGH, NOW),
        )
        self.assertIn("R2.4, R2.7", finding.rule)
        self.assertEqual(finding.history.get().history_user, self.staff_a)
        self.assertNotIn("Lapsedrefresher", finding.summary)
        # The supervisors' alert: links only, no name, no booking number.
        [message] = mail.outbox
        self.assertEqual(sorted(message.to), sorted([self.supervisor_a.email, self.admin_a.email]))
        self.assertEqual(message.subject, rule_breaks.EMAIL_SUBJECT)
        self.assertIn(f"/findings/{finding.public_id}/", message.body)
        self.assertIn(f"/detainers/{detainer.public_id}/", message.body)
        for secret in ("Quistgaard", "AC-4411", "Lapsedrefresher", EXPLAINED):
            self.assertNotIn(secret, message.body)
            self.assertNotIn(secret, message.subject)

    def test_point_2_without_an_explanation_nothing_is_saved_and_the_message_names_the_failed_rule(self):
        with self.assertRaises(ValidationError) as caught:
            self.log_lapsed()
        [message] = caught.exception.message_dict["explanation"]
        self.assertIn("What you are recording broke a rule", message)
        self.assertIn(f"{self.lapsed} was not authorized to use 287(g) authority on 2026-01-12", message)
        self.assertFalse(Detainer.objects.exists())
        self.assertFalse(Finding.objects.exists())
        self.assertEqual(mail.outbox, [])

    def test_point_2_the_explanation_is_stored_and_kept_in_the_history_with_the_rules_named(self):
        detainer = self.log_lapsed(explanation=f"  {EXPLAINED}  ")
        self.assertEqual(Detainer.objects.get(pk=detainer.pk).explanation, EXPLAINED)
        [row] = detainer.history.all()
        self.assertEqual((row.explanation, row.history_user), (EXPLAINED, self.staff_a))
        self.assertEqual(row.history_change_reason, "Recorded as it happened, breaking R2.4, R2.7")

    def test_point_2_an_edit_that_keeps_the_same_rule_break_asks_nothing_again_and_opens_nothing_more(self):
        detainer = self.log_lapsed(explanation=EXPLAINED)
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            saved = services.detainer_update(detainer=detainer, actor=self.staff_a, booking_number="AC-9999")
        self.assertEqual(saved.recorded_rule_breaks, [])
        self.assertEqual(saved.explanation, EXPLAINED)
        self.assertEqual(Finding.objects.filter(object_id=detainer.pk).count(), 1)
        self.assertEqual(mail.outbox, [])

    def test_point_2_an_edit_that_introduces_a_rule_break_asks_for_it_then_opens_its_finding(self):
        detainer = make_detainer(self.agency_a, actor=self.staff_a, booked_at=BOOKED, handling_officer=self.current)
        values = {"action": Action.INTERVIEW, "action_at": datetime(2026, 1, 12, 9, 0, tzinfo=self.agency_a.zone)}
        with self.assertRaises(ValidationError) as caught:
            services.detainer_update(detainer=detainer, actor=self.staff_a, handling_officer=self.lapsed, **values)
        self.assertEqual(list(caught.exception.message_dict), ["explanation"])
        self.assertIsNone(Detainer.objects.get(pk=detainer.pk).action_at)
        with self.captureOnCommitCallbacks(execute=True):
            services.detainer_update(
                detainer=detainer, actor=self.staff_a, handling_officer=self.lapsed, explanation=EXPLAINED, **values
            )
        self.assertEqual(
            rule_break_findings(detainer),
            [(Finding.Kind.OFFICER_NOT_AUTHORIZED, Finding.Severity.HIGH, Finding.Status.OPEN)],
        )
        self.assertEqual(len(mail.outbox), 1)

    def test_point_2_an_action_outside_the_agreement_is_recorded_with_its_own_finding(self):
        with self.captureOnCommitCallbacks(execute=True):
            detainer = make_detainer(
                self.agency_b, actor=self.staff_b, action=Action.INTERVIEW, action_at=RECEIVED, explanation=EXPLAINED
            )
        [check] = [c for c in checks.detainer_checks(detainer, at=NOW) if c.rule == "R1.6"]
        self.assertFalse(check.passed)
        self.assertIn("outside the Warrant Service Officer agreement", check.message)
        self.assertEqual(
            rule_break_findings(detainer),
            [(Finding.Kind.ACTION_OUTSIDE_AGREEMENT, Finding.Severity.HIGH, Finding.Status.OPEN)],
        )
        self.assertEqual([m.to for m in mail.outbox], [[self.supervisor_b.email]])


class ActionLogTests(RecordedRuleBreakTestCase):
    def record(self, detainer, **values):
        fields = {
            "actor": self.staff_a,
            "kind": Action.PROCESS,
            "performed_at": datetime(2026, 1, 12, 9, 0, tzinfo=self.agency_a.zone),
            "officer": self.lapsed,
            "language": "",
            "interpreter_used": False,
            "interpreter_type": InterpreterType.NONE,
        }
        fields.update(values)
        with self.captureOnCommitCallbacks(execute=True):
            return actions.detainer_action_record(detainer=detainer, **fields)

    def test_point_2_two_bad_actions_on_one_detainer_open_one_finding_per_rule_and_alert_once(self):
        detainer = make_detainer(self.agency_a, actor=self.staff_a, booked_at=BOOKED)
        first = self.record(detainer, explanation=EXPLAINED)
        self.assertEqual(first.explanation, EXPLAINED)
        self.assertEqual([b.kind for b in first.recorded_rule_breaks], [Finding.Kind.OFFICER_NOT_AUTHORIZED])
        self.record(detainer, kind=Action.FIELD_ARREST, explanation="A second entry from the same log (invented).")
        self.assertEqual(DetainerAction.objects.filter(detainer=detainer).count(), 2)
        self.assertEqual(
            rule_break_findings(detainer),
            [
                (Finding.Kind.ACTION_OUTSIDE_AGREEMENT, Finding.Severity.HIGH, Finding.Status.OPEN),
                (Finding.Kind.OFFICER_NOT_AUTHORIZED, Finding.Severity.HIGH, Finding.Status.OPEN),
            ],
        )
        # The first save opened the officer finding; the second opened only the agreement one.
        self.assertEqual(len(mail.outbox), 2)
        self.assertIn("287(g) action outside the agreement", mail.outbox[1].body)
        self.assertNotIn("not authorized that day", mail.outbox[1].body)

    def test_point_2_the_rule_broken_again_after_the_supervisor_resolved_it_reopens_the_finding(self):
        detainer = make_detainer(self.agency_a, actor=self.staff_a, booked_at=BOOKED)
        self.record(detainer, explanation=EXPLAINED)
        finding = Finding.objects.get(object_id=detainer.pk, kind=Finding.Kind.OFFICER_NOT_AUTHORIZED)
        finding_resolve(finding=finding, actor=self.supervisor_a, note="Officer retrained; entry reviewed.")
        mail.outbox.clear()
        self.record(detainer, performed_at=datetime(2026, 1, 13, 9, 0, tzinfo=self.agency_a.zone), explanation="x")
        finding.refresh_from_db()
        self.assertEqual(finding.status, Finding.Status.OPEN)
        self.assertIn("The rule was broken again", finding.reopen_reason)
        self.assertEqual(len(mail.outbox), 1)

    def test_point_2_gated_no_287g_action_under_a_citizenship_stop_even_with_an_explanation(self):
        detainer = make_detainer(self.agency_a, actor=self.staff_a, booked_at=BOOKED)
        citizenship.citizenship_claim_record(detainer=detainer, actor=self.staff_a, uscitizenship_claimed=True)
        with self.assertRaises(ValidationError) as caught:
            self.record(detainer, officer=self.current, explanation=EXPLAINED)
        self.assertEqual(caught.exception.message_dict[NON_FIELD_ERRORS], [citizenship.STOPPED_MESSAGE])
        self.assertFalse(DetainerAction.objects.exists())


class OutcomeTests(RecordedRuleBreakTestCase):
    def setUp(self):
        super().setUp()
        # Would be released 2026-01-10 09:00 CST: hold deadline 2026-01-12 09:00 CST (15:00 UTC).
        self.detainer = make_detainer(
            self.agency_a, actor=self.staff_a, would_be_released_at=datetime(2026, 1, 10, 15, 0, tzinfo=UTC)
        )
        sign_in(self.client, self.staff_a)
        self.url = reverse("incidents:detainer_outcome", args=[self.detainer.public_id])
        self.data = {"outcome": "released", **local_datetime_post("outcome_at", "2026-01-12", "11:00")}

    def test_point_2_a_hold_past_48_hours_is_recorded_after_its_explanation_with_finding_incident_and_alert(self):
        asked = self.client.post(self.url, self.data)
        self.assertEqual(asked.status_code, 200)
        [message] = asked.context["outcome_form"].errors["explanation"]
        self.assertIn("2 h 00 min after the hold deadline 2026-01-12 09:00 CST", message)
        self.assertContains(asked, 'id="id_explanation-error"')
        self.assertEqual(Detainer.objects.get(pk=self.detainer.pk).outcome, Detainer.Outcome.PENDING)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url, {**self.data, "explanation": EXPLAINED})
        self.assertRedirects(response, reverse("incidents:detainer_detail", args=[self.detainer.public_id]))
        detainer = Detainer.objects.get(pk=self.detainer.pk)
        self.assertEqual((detainer.outcome, detainer.explanation), (Detainer.Outcome.RELEASED, EXPLAINED))
        self.assertEqual(
            rule_break_findings(detainer),
            [(Finding.Kind.HOLD_DEADLINE_PASSED, Finding.Severity.CRITICAL, Finding.Status.OPEN)],
        )
        self.assertEqual(Incident.objects.filter(detainer=detainer).count(), 1)
        [message] = mail.outbox
        self.assertIn("Hold past the 48-hour deadline", message.body)

    def test_point_2_gated_no_transfer_under_a_citizenship_stop_even_with_an_explanation(self):
        citizenship.citizenship_claim_record(detainer=self.detainer, actor=self.staff_a, uscitizenship_claimed=True)
        response = self.client.post(self.url, {**self.data, "outcome": "transferred", "explanation": EXPLAINED})
        self.assertEqual(response.status_code, 200)
        self.assertIn(citizenship.STOPPED_MESSAGE, response.context["outcome_form"].non_field_errors())
        self.assertEqual(Detainer.objects.get(pk=self.detainer.pk).outcome, Detainer.Outcome.PENDING)


class DetainerPageTests(RecordedRuleBreakTestCase):
    def test_point_2_the_form_asks_for_the_explanation_keeps_what_was_typed_then_saves_and_says_what_followed(self):
        sign_in(self.client, self.staff_a)
        data = detainer_post(
            handling_officer=str(self.lapsed.pk),
            **local_datetime_post("booked_at", "2026-01-11", "08:00"),
            **local_datetime_post("received_at", "2026-01-12", "08:00"),
            **local_datetime_post("would_be_released_at", "2026-01-21", "08:00"),
        )
        asked = self.client.post(reverse("incidents:detainer_create"), data)
        self.assertEqual(asked.status_code, 200)
        self.assertContains(asked, 'id="id_explanation-error"')
        self.assertContains(asked, 'value="Testperson"')  # nothing typed is lost
        self.assertFalse(Detainer.objects.exists())
        response = self.client.post(
            reverse("incidents:detainer_create"), {**data, "explanation": EXPLAINED}, follow=True
        )
        detainer = Detainer.objects.get()
        self.assertRedirects(response, reverse("incidents:detainer_detail", args=[detainer.public_id]))
        self.assertContains(response, "It records a fact that broke a rule (R2.4, R2.7)")
        self.assertIn("Handling officer authorized", failed_rows(response.content.decode()))
        self.assertContains(response, f'<p data-testid="rule-break-explanation">{escape(EXPLAINED)}</p>')
        self.assertContains(response, "287(g) action by an officer not authorized that day")
