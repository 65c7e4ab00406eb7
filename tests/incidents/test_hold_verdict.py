"""The detainer page: one hold summary on top, the checks list the single place for rule results."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import time_machine
from django.urls import reverse

from incidents.citizenship import services as citizenship
from incidents.detainers import checks, services
from incidents.detainers.choices import PCBasis
from incidents.detainers.hold_verdict import hold_verdict
from incidents.detainers.models import Detainer
from tests.base import BaseTestCase, sign_in
from tests.incidents.helpers import make_detainer

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
RECEIVED = datetime(2026, 11, 19, 13, 0, tzinfo=UTC)
READY = {  # an I-247A in order: probable cause, signed warrant, local authority (served by ``ready``)
    "box_1_probable_cause": True,
    "pc_basis": [PCBasis.FINAL_ORDER],
    "issued_at": RECEIVED - timedelta(hours=1),
    "received_at": RECEIVED,
    "local_hold_authority": "State statute on holds (invented)",
}


def ready(agency, actor, **fields) -> Detainer:
    """A detainer in order, a copy served on the subject an hour after receipt (R4.5)."""
    detainer = make_detainer(agency, actor=actor, **{**READY, **fields})
    return services.detainer_record_service(
        detainer=detainer,
        actor=actor,
        served_on_subject_at=RECEIVED + timedelta(hours=1),
        served_by="B-12",
        service_language="English",
    )


def failed_rows(html: str) -> list[str]:
    """Names of the failed rows of the legal-checks table."""
    return re.findall(r'<tr data-check="failed">\s*<th scope="row">([^<]+)</th>', html)


def blocking(response) -> list[str]:
    """Names of the failed checks that block a hold, from the page's context, in display order."""
    return [check.name for check in response.context["checks"] if check.failed and check.blocks_hold]


@time_machine.travel(NOW, tick=False)
class HoldSummaryTests(BaseTestCase):
    def setUp(self):
        sign_in(self.client, self.staff_a)

    def page(self, detainer):
        response = self.client.get(reverse("incidents:detainer_detail", args=[detainer.public_id]))
        self.assertEqual(response.status_code, 200)
        return response

    def test_a_detainer_in_order_says_hold_authorized_once(self):
        detainer = ready(self.agency_a, self.staff_a, would_be_released_at=NOW + timedelta(hours=2))
        response = self.page(detainer)
        self.assertTrue(response.context["hold_verdict"].authorized)
        self.assertEqual(blocking(response), [])
        self.assertContains(response, 'data-testid="hold-verdict"', count=1)
        self.assertContains(response, "<strong>Hold authorized until 2026-11-22 08:00 CST</strong>")
        self.assertNotContains(response, "No hold authorized")
        self.assertNotContains(response, "usa-alert--warning")

    def test_an_i247n_is_said_once_in_the_summary_and_once_in_the_checks(self):
        detainer = make_detainer(self.agency_a, actor=self.staff_a, form=Detainer.Form.I247N, received_at=RECEIVED)
        response = self.page(detainer)
        message = "An I-247N asks only for notification of release; it never authorizes a hold."
        [form_check] = [c for c in response.context["checks"] if c.name == "Form valid on its issue date"]
        # Issue 9 point 3: no "authorized" verdict either way on a notification-only form — the summary
        # says what the form is; the form's check says it never authorizes a hold.
        self.assertEqual((form_check.passed, form_check.message), (True, f"I-247N. {message}"))
        self.assertNotIn("Form valid on its issue date", failed_rows(response.content.decode()))
        verdict = response.context["hold_verdict"]
        self.assertEqual((verdict.authorized, verdict.notification_only), (False, True))
        self.assertContains(response, 'data-authorized="notification-only"')
        self.assertNotContains(response, "Hold authorized")
        self.assertNotContains(response, "No hold authorized")
        self.assertContains(response, message, count=1)  # the check's row; the summary names the form's purpose

    def test_a_missing_warrant_is_said_once_in_the_summary_and_once_in_the_checks(self):
        detainer = ready(self.agency_a, self.staff_a, warrant_type="", warrant_signed=False)
        response = self.page(detainer)
        self.assertEqual(blocking(response), ["Signed I-200 or I-205 attached"])
        self.assertIn("Signed I-200 or I-205 attached", failed_rows(response.content.decode()))
        self.assertContains(response, "no I-200 or I-205 warrant is attached", count=2)
        self.assertNotContains(response, "No signed I-200 or I-205 warrant is recorded")  # the old alert box
        self.assertNotContains(response, "more failed check")

    def test_a_passed_hold_deadline_leads_the_summary_before_earlier_failures(self):
        detainer = ready(
            self.agency_a,
            self.staff_a,
            warrant_type="",
            warrant_signed=False,
            would_be_released_at=NOW - timedelta(hours=49),
        )
        response = self.page(detainer)
        verdict = response.context["hold_verdict"]
        self.assertEqual(blocking(response), ["Signed I-200 or I-205 attached", "Within the 48-hour hold limit"])
        self.assertEqual(verdict.reason.name, "Within the 48-hour hold limit")  # though listed second
        self.assertEqual(verdict.others, 1)
        rows = failed_rows(response.content.decode())
        self.assertLess(rows.index("Signed I-200 or I-205 attached"), rows.index("Within the 48-hour hold limit"))
        self.assertContains(response, "has passed. Release the person or record the transfer now.", count=2)
        self.assertContains(response, "1 more failed check also blocks the hold: see the legal checks below.")

    def test_a_legacy_form_keeps_its_48_hour_note_beside_the_deadline(self):
        detainer = make_detainer(
            self.agency_a,
            actor=self.staff_a,
            form=Detainer.Form.I247D,
            issued_at=datetime(2016, 5, 2, 14, 0, tzinfo=UTC),
            received_at=datetime(2016, 5, 2, 15, 0, tzinfo=UTC),
            would_be_released_at=datetime(2016, 5, 3, 15, 0, tzinfo=UTC),
        )
        response = self.page(detainer)
        self.assertContains(response, 'data-testid="legacy-form-note"', count=1)
        self.assertContains(response, "Legacy form: its text excluded weekends and holidays", count=1)
        self.assertRegex(
            response.content.decode(), r'data-testid="hold-deadline">[^\n]*data-testid="legacy-form-note"'
        )  # beside the deadline it explains, not an alert box of its own

    def test_the_stop_banner_stays_with_the_summary(self):
        detainer = ready(self.agency_a, self.staff_a)
        citizenship.citizenship_claim_record(
            detainer=detainer, actor=self.staff_a, uscitizenship_claimed=True, recorded_at=NOW - timedelta(hours=1)
        )
        response = self.page(detainer)
        self.assertContains(response, 'data-testid="citizenship-stop"', count=1)
        self.assertContains(response, "STOP: U.S.-citizenship claim")
        verdict = response.context["hold_verdict"]
        self.assertFalse(verdict.authorized)
        self.assertEqual(verdict.reason.name, "No unresolved U.S.-citizenship claim")
        self.assertTrue(verdict.text.startswith("No hold authorized: "))
        self.assertIn("No unresolved U.S.-citizenship claim", failed_rows(response.content.decode()))

    def test_other_agency_gets_404(self):
        detainer = make_detainer(self.agency_a, actor=self.staff_a)
        sign_in(self.client, self.staff_b)
        self.assertEqual(
            self.client.get(reverse("incidents:detainer_detail", args=[detainer.public_id])).status_code, 404
        )


class HoldVerdictFunctionTests(BaseTestCase):
    def test_no_failure_blocking_a_hold_means_authorized(self):
        detainer = ready(self.agency_a, self.staff_a)
        advisory = checks.Check("Flag", "R4.4", "source", False, "Flagged for review.", blocks_hold=False)
        verdict = hold_verdict(detainer, [advisory], at=NOW)
        self.assertEqual((verdict.authorized, verdict.text, verdict.reason, verdict.others), (True, "", None, 0))

    def test_the_first_blocker_in_display_order_and_a_prefix_when_missing(self):
        detainer = ready(self.agency_a, self.staff_a)
        first = checks.Check("A", "R1.6", "source", False, "No agreement recorded for this action.")
        second = checks.Check("B", "R4.3", "source", False, "No hold authorized: second.")
        verdict = hold_verdict(detainer, [first, second], at=NOW)
        self.assertEqual(verdict.text, "No hold authorized: No agreement recorded for this action.")
        self.assertEqual((verdict.reason, verdict.others), (first, 1))
