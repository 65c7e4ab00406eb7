"""U.S.-citizenship claim: STOP, escalation, resolution, metric (DOMAIN.md R5.1–R5.3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from incidents.citizenship import services as citizenship
from incidents.detainers import checks, services
from incidents.detainers.models import Detainer
from tests.base import BaseTestCase, sign_in
from tests.incidents.helpers import make_detainer

CLAIM_AT = datetime(2026, 2, 2, 15, 0, tzinfo=UTC)
NOW = datetime(2026, 2, 10, 12, 0, tzinfo=UTC)


class CitizenshipStopTests(BaseTestCase):
    def setUp(self):
        self.traveller = time_machine.travel(NOW, tick=False)
        self.traveller.start()
        self.addCleanup(self.traveller.stop)
        self.detainer = make_detainer(self.agency_a, actor=self.staff_a)

    def claim(self, **signs):
        values = signs or {"uscitizenship_claimed": True}
        return citizenship.citizenship_claim_record(
            detainer=self.detainer, actor=self.staff_a, recorded_at=CLAIM_AT, **values
        )

    def escalate(self, category=Detainer.Category.NO_PROBATIVE, actor=None, **extra):
        return citizenship.citizenship_escalation_record(
            detainer=self.detainer,
            actor=actor or self.supervisor_a,
            escalated_at=CLAIM_AT + timedelta(hours=1),
            escalated_to="ICE ERO duty officer (invented)",
            category=category,
            **extra,
        )

    def resolve(self, resolution=Detainer.Resolution.NO_PROBATIVE_CONTINUE, actor=None, **extra):
        return citizenship.citizenship_resolve(
            detainer=self.detainer,
            actor=actor or self.supervisor_a,
            resolution=resolution,
            note=extra.pop("note", "Birth record checked; no probative evidence (invented)."),
            **extra,
        )

    def transfer(self):
        return services.detainer_record_outcome(
            detainer=self.detainer, actor=self.staff_a, outcome=Detainer.Outcome.TRANSFERRED, outcome_at=NOW
        )

    def test_a_detainer_without_a_claim_is_not_stopped(self):
        self.assertFalse(citizenship.is_stopped(self.detainer))
        citizenship.ensure_not_stopped(self.detainer)  # no error

    def test_a_claim_puts_the_record_in_stop_and_blocks_the_transfer(self):
        self.claim()
        with self.assertRaises(ValidationError) as raised:
            self.transfer()
        self.assertIn("STOP", raised.exception.messages[0])
        self.detainer.refresh_from_db()
        self.assertEqual(self.detainer.outcome, Detainer.Outcome.PENDING)

    def test_each_sign_of_citizenship_puts_the_record_in_stop(self):
        for sign in Detainer.SIGN_FIELDS:
            with self.subTest(sign=sign):
                detainer = make_detainer(self.agency_a, actor=self.staff_a, number=hash(sign) % 10000)
                stopped = citizenship.citizenship_claim_record(detainer=detainer, actor=self.staff_a, **{sign: True})
                self.assertTrue(citizenship.is_stopped(stopped))
                with self.assertRaises(ValidationError):
                    citizenship.ensure_not_stopped(stopped)

    def test_release_is_still_allowed_in_stop(self):
        self.claim()
        done = services.detainer_record_outcome(
            detainer=self.detainer, actor=self.staff_a, outcome=Detainer.Outcome.RELEASED, outcome_at=NOW
        )
        self.assertEqual(done.outcome, Detainer.Outcome.RELEASED)

    def test_the_claim_clock_starts_at_the_first_claim(self):
        claimed = self.claim()
        self.assertEqual(claimed.citizenship_claim_at, CLAIM_AT)

    def test_a_recorded_sign_cannot_be_removed_by_staff(self):
        self.claim()
        with self.assertRaises(ValidationError) as raised:
            citizenship.citizenship_claim_record(detainer=self.detainer, actor=self.staff_a)
        self.assertIn("uscitizenship_claimed", raised.exception.message_dict)
        self.assertTrue(citizenship.is_stopped(Detainer.objects.get(pk=self.detainer.pk)))

    def test_escalation_by_staff_is_refused(self):
        self.claim()
        with self.assertRaises(PermissionDenied):
            self.escalate(actor=self.staff_a)

    def test_resolution_by_staff_or_auditor_is_refused(self):
        self.claim()
        self.escalate()
        for user in (self.staff_a, self.auditor_a, self.supervisor_b):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                self.resolve(actor=user)
        self.assertTrue(citizenship.is_stopped(Detainer.objects.get(pk=self.detainer.pk)))

    def test_resolution_before_escalation_is_refused(self):
        self.claim()
        with self.assertRaises(ValidationError) as raised:
            self.resolve()
        self.assertEqual(raised.exception.messages, [citizenship.NOT_ESCALATED_MESSAGE])

    def test_resolution_needs_a_note(self):
        self.claim()
        self.escalate()
        with self.assertRaises(ValidationError) as raised:
            self.resolve(note="  ")
        self.assertIn("note", raised.exception.message_dict)

    def test_no_probative_evidence_resolved_lets_the_transfer_go_ahead(self):
        self.claim()
        self.escalate()
        with self.assertRaises(ValidationError):
            self.transfer()  # escalated but not resolved: still STOP
        resolved = self.resolve()
        self.assertFalse(citizenship.is_stopped(resolved))
        self.assertEqual(resolved.citizenship_resolved_by, self.supervisor_a)
        self.assertEqual(self.transfer().outcome, Detainer.Outcome.TRANSFERRED)

    def test_probative_evidence_needs_opla_before_the_process_continues(self):
        self.claim()
        self.escalate(category=Detainer.Category.PROBATIVE)
        with self.assertRaises(ValidationError) as raised:
            self.resolve(resolution=Detainer.Resolution.OPLA_ADVISED_CONTINUE)
        self.assertIn("opla_consulted_at", raised.exception.message_dict)
        resolved = self.resolve(
            resolution=Detainer.Resolution.OPLA_ADVISED_CONTINUE, opla_consulted_at=CLAIM_AT + timedelta(hours=5)
        )
        self.assertEqual(resolved.citizenship_opla_consulted_at, CLAIM_AT + timedelta(hours=5))
        self.assertFalse(citizenship.is_stopped(resolved))

    def test_a_resolution_that_does_not_fit_the_triage_is_refused(self):
        self.claim()
        self.escalate(category=Detainer.Category.PROBATIVE)
        with self.assertRaises(ValidationError) as raised:
            self.resolve(resolution=Detainer.Resolution.NO_PROBATIVE_CONTINUE)
        self.assertIn("resolution", raised.exception.message_dict)

    def test_a_confirmed_citizen_can_never_be_transferred(self):
        self.claim()
        self.escalate(category=Detainer.Category.EVIDENCE_OF_CITIZENSHIP)
        self.resolve(resolution=Detainer.Resolution.CITIZEN_CONFIRMED, note="U.S. passport verified (invented).")
        with self.assertRaises(ValidationError) as raised:
            self.transfer()
        self.assertEqual(raised.exception.messages, [citizenship.CITIZEN_MESSAGE])
        lifted = services.detainer_record_outcome(
            detainer=self.detainer,
            actor=self.staff_a,
            outcome=Detainer.Outcome.LIFTED,
            outcome_at=NOW,
            lift_reason="USC or Presumptive Claim to US Citizenship",
        )
        self.assertEqual(lifted.outcome, Detainer.Outcome.LIFTED)

    def test_case_galarza_claim_to_resolution_metric(self):
        """R5.3: a citizen with ID held about 3 days; the record shows the time from claim to resolution."""
        self.claim(uscitizenship_claimed=True, citizenship_sign_us_id=True)
        self.escalate(category=Detainer.Category.EVIDENCE_OF_CITIZENSHIP)
        self.assertEqual(
            citizenship.claim_to_resolution(Detainer.objects.get(pk=self.detainer.pk)), NOW - CLAIM_AT
        )  # still running
        resolved = self.resolve(
            resolution=Detainer.Resolution.CITIZEN_CONFIRMED,
            note="Pennsylvania driver's licence and birth certificate (invented).",
            resolved_at=CLAIM_AT + timedelta(days=3, hours=2, minutes=5),
        )
        elapsed = citizenship.claim_to_resolution(resolved)
        self.assertEqual(elapsed, timedelta(days=3, hours=2, minutes=5))
        self.assertEqual(citizenship.duration_text(elapsed), "3 d 2 h 05 min")

    def test_the_claim_is_a_failed_check_and_no_hold_is_authorized(self):
        stopped = self.claim()
        found = {check.name: check for check in checks.detainer_checks(stopped, at=NOW)}
        self.assertIs(found["No unresolved U.S.-citizenship claim"].passed, False)
        self.assertFalse(checks.hold_authorized(stopped, at=NOW))

    def test_supervisors_are_emailed_a_link_without_the_name(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.claim()
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertIn("supervisor_a@example.test", message.to)
        self.assertIn(str(self.detainer.public_id), message.body)
        self.assertNotIn(self.detainer.subject_last_name, message.body + message.subject)
        self.assertNotIn(self.detainer.booking_number, message.body + message.subject)

    def test_every_step_is_in_history_with_its_author(self):
        self.claim()
        self.escalate()
        self.resolve()
        authors = [row.history_user for row in self.detainer.history.order_by("history_date", "history_id")]
        self.assertEqual(authors[-3:], [self.staff_a, self.supervisor_a, self.supervisor_a])


class CitizenshipViewTests(BaseTestCase):
    def setUp(self):
        self.detainer = make_detainer(self.agency_a, actor=self.staff_a)
        self.url = reverse("incidents:detainer_citizenship", args=[self.detainer.public_id])

    def test_the_detainer_page_shows_the_red_stop_banner(self):
        citizenship.citizenship_claim_record(detainer=self.detainer, actor=self.staff_a, uscitizenship_claimed=True)
        sign_in(self.client, self.staff_a)
        response = self.client.get(reverse("incidents:detainer_detail", args=[self.detainer.public_id]))
        self.assertContains(response, 'data-testid="citizenship-stop"')
        self.assertContains(response, "usa-alert--error")

    def test_no_banner_without_a_claim(self):
        sign_in(self.client, self.staff_a)
        response = self.client.get(reverse("incidents:detainer_detail", args=[self.detainer.public_id]))
        self.assertNotContains(response, 'data-testid="citizenship-stop"')

    def test_staff_records_a_claim_and_the_supervisor_escalates_and_resolves(self):
        sign_in(self.client, self.staff_a)
        response = self.client.post(self.url, {"citizenship_sign_us_birthplace": "on"})
        self.assertRedirects(response, self.url)
        self.assertTrue(citizenship.is_stopped(Detainer.objects.get(pk=self.detainer.pk)))
        # Staff do not see, and cannot use, the supervisor's forms.
        self.assertNotContains(self.client.get(self.url), "Record escalation")
        escalate = reverse("incidents:detainer_citizenship_escalate", args=[self.detainer.public_id])
        self.assertEqual(self.client.post(escalate, {}).status_code, 403)

        sign_in(self.client, self.supervisor_a)
        self.assertContains(self.client.get(self.url), "Record escalation")
        response = self.client.post(
            escalate,
            {
                "escalated_at_0": "2026-01-05",
                "escalated_at_1": "10:00",
                "escalated_to": "ICE ERO (invented)",
                "category": Detainer.Category.NO_PROBATIVE,
            },
        )
        self.assertRedirects(response, self.url)
        resolve = reverse("incidents:detainer_citizenship_resolve", args=[self.detainer.public_id])
        response = self.client.post(resolve, {"resolution": Detainer.Resolution.NO_PROBATIVE_CONTINUE, "note": ""})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "This field is required")
        response = self.client.post(
            resolve, {"resolution": Detainer.Resolution.NO_PROBATIVE_CONTINUE, "note": "Checked (invented)."}
        )
        self.assertRedirects(response, reverse("incidents:detainer_detail", args=[self.detainer.public_id]))
        self.assertFalse(citizenship.is_stopped(Detainer.objects.get(pk=self.detainer.pk)))

    def test_removing_a_sign_shows_the_reason_at_the_field(self):
        citizenship.citizenship_claim_record(detainer=self.detainer, actor=self.staff_a, uscitizenship_claimed=True)
        sign_in(self.client, self.staff_a)
        response = self.client.post(self.url, {})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, citizenship.CANNOT_WITHDRAW_MESSAGE)

    def test_other_agency_gets_404(self):
        for user in (self.staff_b, self.supervisor_b):
            sign_in(self.client, user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_the_auditor_may_not_record_a_claim(self):
        sign_in(self.client, self.auditor_a)
        self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_a_transfer_in_stop_is_refused_at_the_form_with_the_reason(self):
        citizenship.citizenship_claim_record(detainer=self.detainer, actor=self.staff_a, uscitizenship_claimed=True)
        sign_in(self.client, self.staff_a)
        response = self.client.post(
            reverse("incidents:detainer_outcome", args=[self.detainer.public_id]),
            {"outcome": Detainer.Outcome.TRANSFERRED, "outcome_at_0": "2026-01-05", "outcome_at_1": "10:00"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "STOP: a U.S.-citizenship claim")
        self.assertEqual(Detainer.objects.get(pk=self.detainer.pk).outcome, Detainer.Outcome.PENDING)
