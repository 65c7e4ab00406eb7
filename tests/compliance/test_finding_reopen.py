"""Reopening a closed finding: a supervisor, with a reason, in history; open again, never duplicated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from compliance.core import findings
from compliance.core.models import Finding
from incidents.consular import services as consular
from incidents.detainers.models import Detainer
from incidents.detainers.sweep import sweep_hold_deadlines
from tests.base import BaseTestCase, sign_in
from tests.compliance.helpers import RECEIVED, make_detainer
from tests.compliance.test_findings import make
from tests.incidents import helpers as incident_helpers

REASON = "The corrective action did not hold: the same hold ran past 48 hours again."
REOPENED_AT = datetime(2026, 2, 1, 15, 30, tzinfo=UTC)


def findings_of(record, kind) -> list[Finding]:
    return list(
        Finding.objects.filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk, kind=kind)
    )


class ReopenServiceTests(BaseTestCase):
    def setUp(self):
        self.detainer = make_detainer(self.agency_a, 1)
        self.finding = make(self.agency_a, self.detainer)

    def resolved(self) -> Finding:
        return findings.finding_resolve(finding=self.finding, actor=self.supervisor_a, note="Released; retrained.")

    @time_machine.travel(REOPENED_AT, tick=False)
    def test_a_supervisor_reopens_a_resolved_finding_with_a_reason(self):
        self.resolved()
        done = findings.finding_reopen(finding=self.finding, actor=self.supervisor_a, reason=f"  {REASON} ")
        self.assertEqual(done.status, Finding.Status.OPEN)
        self.assertEqual(
            (done.reopened_at, done.reopened_by, done.reopen_reason), (REOPENED_AT, self.supervisor_a, REASON)
        )
        self.assertEqual((done.resolved_at, done.resolved_by, done.resolution_note), (None, None, ""))
        stored = Finding.objects.get(pk=self.finding.pk)
        self.assertEqual((stored.status, stored.reopen_reason), (Finding.Status.OPEN, REASON))
        history = list(stored.history.order_by("history_id"))  # setUp ran outside the frozen clock
        self.assertEqual([row.status for row in history], ["open", "resolved", "open"])
        self.assertEqual(history[-1].history_user, self.supervisor_a)
        self.assertEqual(history[-1].history_change_reason, "Finding reopened (was resolved)")
        self.assertEqual(history[-1].reopen_reason, REASON)
        self.assertEqual(history[-2].resolution_note, "Released; retrained.")  # the earlier closure is kept
        self.assertEqual(findings.last_closure(stored).resolution_note, "Released; retrained.")

    def test_a_false_positive_can_be_reopened(self):
        findings.finding_mark_false_positive(finding=self.finding, actor=self.supervisor_a, reason="Logged on paper.")
        done = findings.finding_reopen(finding=self.finding, actor=self.admin_a, reason=REASON)
        self.assertEqual(done.status, Finding.Status.OPEN)
        self.assertEqual(done.history.first().history_change_reason, "Finding reopened (was false positive)")

    def test_a_reason_is_required(self):
        self.resolved()
        for blank in ("", "   \n "):
            with self.subTest(reason=blank), self.assertRaises(ValidationError) as raised:
                findings.finding_reopen(finding=self.finding, actor=self.supervisor_a, reason=blank)
            self.assertEqual(raised.exception.message_dict, {"reason": [findings.REOPEN_REASON_REQUIRED_MESSAGE]})
        self.assertEqual(Finding.objects.get(pk=self.finding.pk).status, Finding.Status.RESOLVED)

    def test_only_a_closed_finding_can_be_reopened(self):
        with self.assertRaises(ValidationError) as raised:
            findings.finding_reopen(finding=self.finding, actor=self.supervisor_a, reason=REASON)
        self.assertEqual(
            raised.exception.messages, ["Only a resolved or false-positive finding can be reopened; this one is open."]
        )
        findings.finding_acknowledge(finding=self.finding, actor=self.supervisor_a)
        with self.assertRaises(ValidationError):
            findings.finding_reopen(finding=self.finding, actor=self.supervisor_a, reason=REASON)
        self.assertEqual(Finding.objects.get(pk=self.finding.pk).status, Finding.Status.ACKNOWLEDGED)

    def test_only_a_supervisor_of_the_agency_may_reopen(self):
        self.resolved()
        for user in (self.staff_a, self.auditor_a, self.auditor, self.supervisor_b, self.outsider):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                findings.finding_reopen(finding=self.finding, actor=user, reason=REASON)
        self.assertEqual(Finding.objects.get(pk=self.finding.pk).status, Finding.Status.RESOLVED)

    def test_a_reopened_finding_is_acknowledged_and_resolved_again(self):
        self.resolved()
        findings.finding_reopen(finding=self.finding, actor=self.supervisor_a, reason=REASON)
        findings.finding_acknowledge(finding=self.finding, actor=self.supervisor_a)
        done = findings.finding_resolve(finding=self.finding, actor=self.admin_a, note="Second fix: new shift check.")
        self.assertEqual(done.status, Finding.Status.RESOLVED)
        self.assertEqual((done.resolved_by, done.resolution_note), (self.admin_a, "Second fix: new shift check."))
        self.assertEqual(done.reopen_reason, REASON)  # the latest reopen stays on the row
        statuses = [row.status for row in done.history.order_by("history_date", "history_id")]
        self.assertEqual(statuses, ["open", "resolved", "open", "acknowledged", "resolved"])
        findings.finding_reopen(finding=done, actor=self.supervisor_a, reason="Third time.")
        self.assertEqual(Finding.objects.get(pk=done.pk).reopen_reason, "Third time.")


class ReopenedFindingIsNotDuplicatedBySweepsTests(BaseTestCase):
    def test_case_D4_the_hold_deadline_sweep_does_not_open_a_second_finding(self):
        released = RECEIVED + timedelta(hours=2)
        detainer = make_detainer(self.agency_a, 1, released_at=released)
        past = detainer.hold_deadline + timedelta(minutes=15)
        self.assertEqual(sweep_hold_deadlines(now=past)["findings_opened"], 1)
        [finding] = findings_of(detainer, Finding.Kind.HOLD_DEADLINE_PASSED)
        # Still pending, so it cannot be *resolved* (incidents.detainers.finding_guards); a false positive can be
        # claimed.
        findings.finding_mark_false_positive(finding=finding, actor=self.supervisor_a, reason="Release time wrong.")
        self.assertEqual(sweep_hold_deadlines(now=past + timedelta(hours=1))["findings_opened"], 0)
        findings.finding_reopen(finding=finding, actor=self.supervisor_a, reason=REASON)
        result = sweep_hold_deadlines(now=past + timedelta(hours=2))
        self.assertEqual((result["findings_opened"], result["incidents_opened"]), (0, 0))
        [again] = findings_of(detainer, Finding.Kind.HOLD_DEADLINE_PASSED)
        self.assertEqual((again.pk, again.status), (finding.pk, Finding.Status.OPEN))
        self.assertEqual(detainer.incidents.count(), 1)

    def test_the_consular_sweep_does_not_open_a_second_finding(self):
        booked = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
        with time_machine.travel(booked + timedelta(hours=1), tick=False):
            detainer = incident_helpers.make_detainer(
                self.agency_a, actor=self.staff_a, booked_at=booked, received_at=booked + timedelta(hours=1)
            )
            consular.consular_record(detainer=detainer, actor=self.staff_a, nationality="China")
        self.assertEqual(consular.sweep_consular_notifications(now=booked + timedelta(hours=72))["findings_opened"], 1)
        [finding] = findings_of(detainer, Finding.Kind.CONSULAR_NOTIFICATION_OVERDUE)
        findings.finding_mark_false_positive(finding=finding, actor=self.supervisor_a, reason="Notified by phone.")
        findings.finding_reopen(finding=finding, actor=self.supervisor_a, reason="No phone record was found.")
        for hours in (73, 100):
            self.assertEqual(
                consular.sweep_consular_notifications(now=booked + timedelta(hours=hours))["findings_opened"], 0
            )
        [again] = findings_of(detainer, Finding.Kind.CONSULAR_NOTIFICATION_OVERDUE)
        self.assertEqual((again.pk, again.status), (finding.pk, Finding.Status.OPEN))
        self.assertEqual(Detainer.objects.get(pk=detainer.pk).outcome, Detainer.Outcome.PENDING)


class ReopenPageTests(BaseTestCase):
    def setUp(self):
        self.detainer = make_detainer(self.agency_a, 1)
        self.finding = make(self.agency_a, self.detainer)
        findings.finding_resolve(finding=self.finding, actor=self.supervisor_a, note="Released; retrained.")
        self.detail = reverse("findings:detail", args=[self.finding.public_id])
        self.reopen = reverse("findings:reopen", args=[self.finding.public_id])

    def status(self) -> str:
        return Finding.objects.get(pk=self.finding.pk).status

    def test_a_supervisor_reopens_from_the_finding_page(self):
        sign_in(self.client, self.supervisor_a)
        page = self.client.get(self.detail)
        self.assertContains(page, 'data-testid="finding-reopen"')
        self.assertContains(page, f'action="{self.reopen}"')
        self.assertContains(page, "csrfmiddlewaretoken")
        page = self.client.post(self.reopen, {"reason": REASON}, follow=True)
        self.assertRedirects(page, self.detail)
        self.assertEqual(self.status(), Finding.Status.OPEN)
        self.assertContains(page, "Finding reopened.")
        self.assertContains(page, f'<dd data-testid="finding-reopen-reason">{REASON}</dd>', html=False)
        self.assertContains(page, 'data-testid="finding-reopened-tag"')
        self.assertContains(page, "Released; retrained.")  # how it had been closed, from the history
        self.assertContains(page, 'data-testid="finding-actions"')  # open again: acknowledge / resolve
        self.assertNotContains(page, 'data-testid="finding-reopen"')

    def test_the_findings_page_lists_a_reopened_finding_as_open(self):
        sign_in(self.client, self.supervisor_a)
        listing = self.client.get(reverse("findings:list"))
        self.assertNotContains(listing, 'data-testid="finding-row"')  # default filter: open or acknowledged
        self.assertContains(self.client.get(reverse("findings:list"), {"status": "resolved"}), "Reopen…")
        self.client.post(self.reopen, {"reason": REASON})
        listing = self.client.get(reverse("findings:list"))
        self.assertContains(listing, 'data-status="open"', count=1)
        self.assertContains(listing, 'data-testid="finding-reopened-tag"', count=1)
        self.assertContains(self.client.get(reverse("findings:list"), {"status": "open"}), 'data-testid="finding-row"')

    def test_a_blank_reason_shows_the_error_next_to_the_field(self):
        sign_in(self.client, self.supervisor_a)
        response = self.client.post(self.reopen, {"reason": "  "})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "usa-form-group--error")
        self.assertContains(response, findings.REOPEN_REASON_REQUIRED_MESSAGE)
        self.assertContains(response, 'id="id_reason"')
        self.assertEqual(self.status(), Finding.Status.RESOLVED)

    def test_an_open_finding_cannot_be_reopened_through_the_page(self):
        open_finding = make(self.agency_a, self.detainer, kind=Finding.Kind.NO_WARRANT)
        sign_in(self.client, self.supervisor_a)
        page = self.client.get(reverse("findings:detail", args=[open_finding.public_id]))
        self.assertNotContains(page, 'data-testid="finding-reopen"')
        response = self.client.post(
            reverse("findings:reopen", args=[open_finding.public_id]), {"reason": REASON}, follow=True
        )
        self.assertContains(response, "Only a resolved or false-positive finding can be reopened; this one is open.")
        self.assertEqual(Finding.objects.get(pk=open_finding.pk).reopened_at, None)

    def test_staff_and_auditors_get_403_and_no_button(self):
        for user in (self.staff_a, self.auditor_a, self.auditor):
            sign_in(self.client, user)
            with self.subTest(user=user.username):
                self.assertNotContains(self.client.get(self.detail), 'data-testid="finding-reopen"')
                listing = self.client.get(reverse("findings:list"), {"status": "resolved"})
                self.assertNotContains(listing, 'data-testid="finding-reopen-link"')
                self.assertEqual(self.client.post(self.reopen, {"reason": REASON}).status_code, 403)
        self.assertEqual(self.status(), Finding.Status.RESOLVED)

    def test_other_agency_gets_404(self):
        for user in (self.staff_b, self.supervisor_b, self.outsider):
            sign_in(self.client, user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get(self.detail).status_code, 404)
                self.assertEqual(self.client.post(self.reopen, {"reason": REASON}).status_code, 404)
        self.assertEqual(self.status(), Finding.Status.RESOLVED)

    def test_post_only_with_csrf(self):
        sign_in(self.client, self.supervisor_a)
        self.assertEqual(self.client.get(self.reopen).status_code, 405)
        strict = Client(enforce_csrf_checks=True)
        sign_in(strict, self.supervisor_a)
        self.assertEqual(strict.post(self.reopen, {"reason": REASON}).status_code, 403)
        self.assertEqual(self.status(), Finding.Status.RESOLVED)

    def test_anonymous_users_are_sent_to_log_in(self):
        response = self.client.post(self.reopen, {"reason": REASON})
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("account_login"), response["Location"])


class FindingHistoryNamesTests(BaseTestCase):
    def test_the_history_names_who_resolved_and_reopened_instead_of_a_record_number(self):
        self.supervisor_a.first_name, self.supervisor_a.last_name = "Pat", "Quillfeather"
        self.supervisor_a.save()
        finding = make(self.agency_a, make_detainer(self.agency_a, 1))
        findings.finding_resolve(finding=finding, actor=self.supervisor_a, note="Released; retrained.")
        findings.finding_reopen(finding=finding, actor=self.admin_a, reason="The retraining did not happen.")
        sign_in(self.client, self.auditor_a)
        response = self.client.get(reverse("history", args=["compliance.finding", finding.public_id]))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Pat Quillfeather")
        self.assertContains(response, "admin_a")
        self.assertNotContains(response, "record #")
