"""Issue 9 point 4: every U.S.-citizenship claim or indication opens a finding, besides the STOP (DOMAIN.md R5.1).

The finding is linked to the record, closed only by the supervisor's recorded resolution
(incidents.citizenship.claim_finding), and shows on the custody board's row, not only when
someone tries an action.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from compliance.core import findings
from compliance.core.models import Finding
from incidents.citizenship import services as citizenship
from incidents.citizenship.claim_finding import ONLY_BY_RESOLUTION_MESSAGE
from incidents.custody.views import STOP_MARKS
from incidents.detainers.models import Detainer
from tests.base import BaseTestCase, sign_in
from tests.incidents.helpers import make_detainer

NOW = datetime(2026, 5, 4, 15, 0, tzinfo=UTC)
SIGNS = (
    "uscitizenship_claimed",
    "citizenship_sign_us_birthplace",
    "citizenship_sign_us_id",
    "citizenship_sign_us_parent",
    "citizenship_sign_derived",
)


class CitizenshipFindingTests(BaseTestCase):
    def setUp(self):
        traveller = time_machine.travel(NOW, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)
        self.detainer = make_detainer(
            self.agency_a,
            actor=self.staff_a,
            subject_last_name="Wexcombe",
            booking_number="AC-5150",
            received_at=NOW - timedelta(hours=2),
            would_be_released_at=NOW + timedelta(hours=6),
        )

    def claim(self, detainer=None, **signs):
        with self.captureOnCommitCallbacks(execute=True):
            return citizenship.citizenship_claim_record(
                detainer=detainer or self.detainer, actor=self.staff_a, **(signs or {"uscitizenship_claimed": True})
            )

    def finding(self, detainer=None) -> Finding:
        return Finding.objects.get(object_id=(detainer or self.detainer).pk, kind=Finding.Kind.CITIZENSHIP_CLAIM)

    def resolve(self):
        citizenship.citizenship_escalation_record(
            detainer=self.detainer,
            actor=self.supervisor_a,
            escalated_at=NOW,
            escalated_to="ICE ERO duty officer (invented)",
            category=Detainer.Category.NO_PROBATIVE,
        )
        return citizenship.citizenship_resolve(
            detainer=self.detainer,
            actor=self.supervisor_a,
            resolution=Detainer.Resolution.NO_PROBATIVE_CONTINUE,
            note="Birth record checked: no U.S. birth (invented).",
        )

    def test_point_4_a_claim_opens_a_critical_finding_linked_to_the_record_besides_the_stop(self):
        self.claim()
        finding = self.finding()
        self.assertEqual(
            (finding.record, finding.agency, finding.severity, finding.status, finding.opened_at),
            (self.detainer, self.agency_a, Finding.Severity.CRITICAL, Finding.Status.OPEN, NOW),
        )
        self.assertIn("R5.1", finding.rule)
        self.assertEqual(finding.history.get().history_user, self.staff_a)
        self.assertEqual(
            citizenship.stop_reason(Detainer.objects.get(pk=self.detainer.pk)), citizenship.STOPPED_MESSAGE
        )

    def test_point_4_each_sign_alone_opens_it_too(self):
        for number, sign in enumerate(SIGNS, start=10):
            with self.subTest(sign=sign):
                detainer = make_detainer(self.agency_a, actor=self.staff_a, number=number)
                self.claim(detainer, **{sign: True})
                self.assertEqual(self.finding(detainer).status, Finding.Status.OPEN)

    def test_point_4_more_signs_later_open_no_second_finding_and_alert_once(self):
        self.claim()
        self.claim(uscitizenship_claimed=True, citizenship_sign_us_id=True)
        self.assertEqual(Finding.objects.filter(object_id=self.detainer.pk).count(), 1)
        [message] = mail.outbox
        self.assertIn(f"/findings/{self.finding().public_id}/", message.body)
        for secret in ("Wexcombe", "AC-5150"):
            self.assertNotIn(secret, message.body)

    def test_point_4_the_findings_page_cannot_close_it_while_the_claim_is_unresolved(self):
        self.claim()
        finding = self.finding()
        with self.assertRaises(ValidationError) as caught:
            findings.finding_resolve(finding=finding, actor=self.supervisor_a, note="Looked into it.")
        self.assertEqual(caught.exception.message_dict, {"note": [ONLY_BY_RESOLUTION_MESSAGE]})
        with self.assertRaises(ValidationError) as caught:
            findings.finding_mark_false_positive(finding=finding, actor=self.supervisor_a, reason="Said in jest.")
        self.assertEqual(caught.exception.message_dict, {"reason": [ONLY_BY_RESOLUTION_MESSAGE]})
        sign_in(self.client, self.supervisor_a)
        page = self.client.get(reverse("findings:detail", args=[finding.public_id]))
        self.assertContains(page, 'data-testid="finding-closed-on-record"')
        self.assertContains(page, escape(ONLY_BY_RESOLUTION_MESSAGE))
        self.assertNotContains(page, reverse("findings:resolve", args=[finding.public_id]))
        response = self.client.post(reverse("findings:resolve", args=[finding.public_id]), {"note": "Done."})
        self.assertContains(response, escape(ONLY_BY_RESOLUTION_MESSAGE))
        self.assertEqual(self.finding().status, Finding.Status.OPEN)
        # Acknowledging it (seen, being handled) stays possible.
        findings.finding_acknowledge(finding=finding, actor=self.supervisor_a)
        self.assertEqual(self.finding().status, Finding.Status.ACKNOWLEDGED)

    def test_point_4_the_supervisors_recorded_resolution_closes_it_attributed_to_them(self):
        self.claim()
        self.resolve()
        finding = self.finding()
        self.assertEqual(
            (finding.status, finding.resolved_by, finding.resolved_at),
            (Finding.Status.RESOLVED, self.supervisor_a, NOW),
        )
        self.assertEqual(
            finding.resolution_note,
            "Claim resolved on the detainer: No probative evidence: the process continues (documented) (R5.2)",
        )
        self.assertEqual(finding.history.first().history_user, self.supervisor_a)

    def test_point_4_the_escalation_alone_does_not_close_it(self):
        self.claim()
        citizenship.citizenship_escalation_record(
            detainer=self.detainer,
            actor=self.supervisor_a,
            escalated_at=NOW,
            escalated_to="ICE ERO duty officer (invented)",
            category=Detainer.Category.PROBATIVE,
        )
        self.assertEqual(self.finding().status, Finding.Status.OPEN)

    def test_point_4_the_custody_board_row_carries_the_open_claim_and_the_stop(self):
        other = make_detainer(
            self.agency_a, actor=self.staff_a, number=2, would_be_released_at=NOW + timedelta(hours=7)
        )
        self.claim()
        sign_in(self.client, self.staff_a)
        response = self.client.get(reverse("incidents:custody_board"))
        rows = {row["detainer"].pk: row for row in response.context["board"]}
        self.assertEqual(rows[self.detainer.pk]["citizenship_finding"], self.finding())
        self.assertEqual(rows[self.detainer.pk]["stop"], STOP_MARKS[citizenship.STOPPED_MESSAGE])
        self.assertIsNone(rows[other.pk]["citizenship_finding"])
        self.assertEqual(rows[other.pk]["stop"], "")
        # Once the supervisor resolves the claim the row no longer carries it.
        self.resolve()
        response = self.client.get(reverse("incidents:custody_board"))
        rows = {row["detainer"].pk: row for row in response.context["board"]}
        self.assertIsNone(rows[self.detainer.pk]["citizenship_finding"])

    def test_point_4_the_board_reads_the_claims_in_one_query_whatever_the_number_of_rows(self):
        sign_in(self.client, self.staff_a)
        self.claim()
        self.client.get(reverse("incidents:custody_board"))  # warm up session and content types
        with CaptureQueriesContext(connection) as few:
            self.client.get(reverse("incidents:custody_board"))
        for number in range(2, 6):
            detainer = make_detainer(
                self.agency_a, actor=self.staff_a, number=number, would_be_released_at=NOW + timedelta(hours=number)
            )
            self.claim(detainer)
        with CaptureQueriesContext(connection) as many:
            response = self.client.get(reverse("incidents:custody_board"))
        self.assertEqual(sum(1 for row in response.context["board"] if row["citizenship_finding"]), 5)
        self.assertEqual(len(few), len(many))
