"""Findings workflow: list with filters, detail, acknowledge / resolve / false positive, per role."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.core import findings
from compliance.core.models import Finding
from tests.base import BaseTestCase, sign_in
from tests.compliance.helpers import RECEIVED, make_detainer


def make(agency, record, *, kind=Finding.Kind.OTHER, severity=Finding.Severity.CRITICAL, **extra):
    return Finding.objects.create(
        agency=agency,
        kind=kind,
        severity=severity,
        rule=extra.pop("rule", "R4.7–R4.8 48-hour hold limit"),
        summary="Invented finding.",
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        opened_at=RECEIVED,
        **extra,
    )


class FindingServiceTests(BaseTestCase):
    def setUp(self):
        self.detainer = make_detainer(self.agency_a, 1)
        self.finding = make(self.agency_a, self.detainer)

    def test_a_supervisor_acknowledges_then_resolves_with_a_note(self):
        done = findings.finding_acknowledge(finding=self.finding, actor=self.supervisor_a)
        self.assertEqual(done.status, Finding.Status.ACKNOWLEDGED)
        self.assertEqual(done.acknowledged_by, self.supervisor_a)
        done = findings.finding_resolve(finding=done, actor=self.supervisor_a, note="Released at once; retrained.")
        self.assertEqual(done.status, Finding.Status.RESOLVED)
        self.assertEqual(done.resolution_note, "Released at once; retrained.")
        self.assertEqual(done.resolved_by, self.supervisor_a)
        history = list(done.history.order_by("history_date", "history_id"))
        self.assertEqual([row.status for row in history], ["open", "acknowledged", "resolved"])
        self.assertEqual(history[-1].history_user, self.supervisor_a)
        self.assertEqual(history[-1].history_change_reason, "Finding resolved")

    def test_resolving_needs_a_note(self):
        with self.assertRaises(ValidationError) as raised:
            findings.finding_resolve(finding=self.finding, actor=self.supervisor_a, note="   ")
        self.assertEqual(raised.exception.message_dict, {"note": [findings.NOTE_REQUIRED_MESSAGE]})
        self.finding.refresh_from_db()
        self.assertEqual(self.finding.status, Finding.Status.OPEN)

    def test_a_false_positive_needs_a_reason(self):
        with self.assertRaises(ValidationError) as raised:
            findings.finding_mark_false_positive(finding=self.finding, actor=self.supervisor_a, reason="")
        self.assertEqual(raised.exception.message_dict, {"reason": [findings.REASON_REQUIRED_MESSAGE]})
        done = findings.finding_mark_false_positive(
            finding=self.finding, actor=self.supervisor_a, reason="Outcome was logged on paper in time."
        )
        self.assertEqual(done.status, Finding.Status.FALSE_POSITIVE)

    def test_a_closed_finding_stays_closed(self):
        findings.finding_resolve(finding=self.finding, actor=self.supervisor_a, note="Done.")
        for act in (
            lambda: findings.finding_resolve(finding=self.finding, actor=self.supervisor_a, note="Again."),
            lambda: findings.finding_mark_false_positive(finding=self.finding, actor=self.supervisor_a, reason="x"),
            lambda: findings.finding_acknowledge(finding=self.finding, actor=self.supervisor_a),
        ):
            with self.subTest(), self.assertRaises(ValidationError):
                act()

    def test_only_a_supervisor_of_the_agency_may_act(self):
        for user in (self.staff_a, self.auditor_a, self.auditor, self.supervisor_b, self.outsider):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                findings.finding_acknowledge(finding=self.finding, actor=user)
        self.assertEqual(findings.finding_acknowledge(finding=self.finding, actor=self.admin_a).status, "acknowledged")


class FindingPageTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.detainer_a = make_detainer(cls.agency_a, 1)
        cls.detainer_b = make_detainer(cls.agency_b, 2)
        cls.hold_a = make(cls.agency_a, cls.detainer_a)
        cls.consular_a = make(
            cls.agency_a,
            cls.detainer_a,
            kind=Finding.Kind.CONSULAR_NOTIFICATION_OVERDUE,
            severity=Finding.Severity.HIGH,
            rule="R5.5 consular notification within 72 h",
        )
        cls.hold_b = make(cls.agency_b, cls.detainer_b, rule="Rule of agency B")

    def list(self, user, **params):
        sign_in(self.client, user)
        return self.client.get(reverse("findings:list"), params)

    def test_the_list_shows_kind_severity_record_and_rule_of_own_agency_only(self):
        response = self.list(self.staff_a)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'data-testid="finding-row"', count=2)
        self.assertContains(response, "R5.5 consular notification within 72 h")
        self.assertContains(response, reverse("incidents:detainer_detail", args=[self.detainer_a.public_id]))
        self.assertNotContains(response, "Rule of agency B")

    def test_filters(self):
        self.assertContains(
            self.list(self.supervisor_a, kind=Finding.Kind.CONSULAR_NOTIFICATION_OVERDUE),
            'data-testid="finding-row"',
            count=1,
        )
        self.assertContains(self.list(self.supervisor_a, severity="critical"), 'data-testid="finding-row"', count=1)
        findings.finding_resolve(finding=self.hold_a, actor=self.supervisor_a, note="Done.")
        self.assertContains(self.list(self.supervisor_a), 'data-testid="finding-row"', count=1)  # default: active
        self.assertContains(self.list(self.supervisor_a, status="resolved"), 'data-testid="finding-row"', count=1)
        self.assertContains(self.list(self.supervisor_a, status=""), 'data-testid="finding-row"', count=2)

    def test_an_auditor_of_both_agencies_reads_both_and_may_narrow_to_one(self):
        self.assertContains(self.list(self.auditor), 'data-testid="finding-row"', count=3)
        response = self.list(self.auditor, agency=str(self.agency_b.public_id))
        self.assertContains(response, 'data-testid="finding-row"', count=1)
        self.assertEqual(self.list(self.staff_a, agency=str(self.agency_b.public_id)).status_code, 404)

    def test_the_list_query_count_does_not_grow_with_rows(self):
        sign_in(self.client, self.supervisor_a)
        url = reverse("findings:list")
        self.client.get(url)  # warm caches (content types, session)
        with CaptureQueriesContext(connection) as few:
            self.client.get(url)
        for number in range(3, 13):
            make(self.agency_a, make_detainer(self.agency_a, number))
        with CaptureQueriesContext(connection) as many:
            response = self.client.get(url)
        self.assertContains(response, 'data-testid="finding-row"', count=12)
        self.assertEqual(len(many), len(few))

    def test_detail_other_agency_gets_404(self):
        for user in (self.staff_b, self.supervisor_b, self.outsider):
            sign_in(self.client, user)
            with self.subTest(user=user.username):
                url = reverse("findings:detail", args=[self.hold_a.public_id])
                self.assertEqual(self.client.get(url).status_code, 404)
                url = reverse("findings:resolve", args=[self.hold_a.public_id])
                self.assertEqual(self.client.post(url, {"note": "x"}).status_code, 404)

    def test_staff_and_auditors_read_but_may_not_act(self):
        for user in (self.staff_a, self.auditor_a):
            sign_in(self.client, user)
            with self.subTest(user=user.username):
                response = self.client.get(reverse("findings:detail", args=[self.hold_a.public_id]))
                self.assertContains(response, "R4.7–R4.8 48-hour hold limit")
                self.assertNotContains(response, 'data-testid="finding-actions"')
                for name in ("findings:acknowledge", "findings:resolve", "findings:false_positive"):
                    url = reverse(name, args=[self.hold_a.public_id])
                    self.assertEqual(self.client.post(url, {"note": "x", "reason": "x"}).status_code, 403)
        self.hold_a.refresh_from_db()
        self.assertEqual(self.hold_a.status, Finding.Status.OPEN)

    def test_a_supervisor_works_a_finding_through_the_pages(self):
        sign_in(self.client, self.supervisor_a)
        detail = reverse("findings:detail", args=[self.hold_a.public_id])
        self.assertContains(self.client.get(detail), 'data-testid="finding-actions"')
        response = self.client.post(reverse("findings:acknowledge", args=[self.hold_a.public_id]))
        self.assertRedirects(response, detail)
        response = self.client.post(reverse("findings:resolve", args=[self.hold_a.public_id]), {"note": ""})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "This field is required")
        response = self.client.post(
            reverse("findings:resolve", args=[self.hold_a.public_id]), {"note": "Person released; officer retrained."}
        )
        self.assertRedirects(response, detail)
        self.hold_a.refresh_from_db()
        self.assertEqual(self.hold_a.status, Finding.Status.RESOLVED)
        response = self.client.get(detail)
        self.assertContains(response, "Person released; officer retrained.")
        self.assertNotContains(response, 'data-testid="finding-actions"')

    def test_a_supervisor_marks_a_false_positive_with_a_reason(self):
        sign_in(self.client, self.supervisor_a)
        url = reverse("findings:false_positive", args=[self.consular_a.public_id])
        response = self.client.post(url, {"reason": ""})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(Finding.objects.get(pk=self.consular_a.pk).status, Finding.Status.OPEN)
        self.client.post(url, {"reason": "The consulate was notified by fax; the log was late."})
        done = Finding.objects.get(pk=self.consular_a.pk)
        self.assertEqual(done.status, Finding.Status.FALSE_POSITIVE)
        self.assertEqual(done.history.first().history_user, self.supervisor_a)

    def test_the_nav_links_to_findings(self):
        sign_in(self.client, self.staff_a)
        self.assertContains(self.client.get(reverse("dashboard")), reverse("findings:list"))
