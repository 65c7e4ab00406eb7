"""Reproducible reports and the "verify a report" page, and the request form of the catalog (issue #13 items 2, 3).

The same kind, agency, period, as-of day and basis requested by two people from unchanged data gives the same
bytes; the verify page recognises an uploaded copy and lists both requests, and does not recognise a copy with
one byte changed, a report of an agency the reader may not see, or a file that is not a PDF.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils.html import escape

from compliance.core.models import AccessLog, Report
from compliance.reports import forms as report_forms
from compliance.reports.services import report_request
from tests.base import BaseTestCase, sign_in
from tests.compliance.helpers import make_certification, make_course, make_officer

AS_OF = date(2026, 3, 31)
NOW = datetime(2026, 4, 10, 15, 0, tzinfo=UTC)


def pdf_upload(content: bytes, name: str = "report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


class ReproducibleReportTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.supervisor_a.first_name, cls.supervisor_a.last_name = "Pat", "Quillfeather"
        cls.supervisor_a.save()
        cls.admin_a.first_name, cls.admin_a.last_name = "Robin", "Ashgrove"
        cls.admin_a.save()
        course = make_course(cls.agency_a, "IADP")
        for n in range(3):
            make_certification(make_officer(cls.agency_a, n), course, date(2025, 5, 1))

    def request(self, actor, now=NOW) -> Report:
        with time_machine.travel(now, tick=False), self.captureOnCommitCallbacks(execute=True):
            report = report_request(
                actor=actor,
                agency=self.agency_a,
                kind=Report.Kind.REVIEW_PACKET,
                as_of=AS_OF,
                period_start=date(2026, 1, 1),
                basis=Report.Basis.EFFECTIVE,
            )
        report.refresh_from_db()
        self.assertEqual(report.status, Report.Status.READY, report.error)
        return report

    def verify(self, user, content: bytes):
        sign_in(self.client, user)
        return self.client.post("/reports/verify/", {"file": pdf_upload(content)})

    def test_two_requests_give_the_same_bytes_and_the_verify_page_names_both(self):
        first = self.request(self.supervisor_a)
        second = self.request(self.admin_a, now=datetime(2026, 4, 12, 18, 30, tzinfo=UTC))
        with first.file.open("rb") as handle:
            content = handle.read()
        with second.file.open("rb") as handle:
            self.assertEqual(handle.read(), content)
        self.assertEqual(first.sha256, second.sha256)
        self.assertEqual(len(first.sha256), 64)

        response = self.verify(self.auditor_a, content)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'data-testid="verify-match"')
        self.assertContains(response, '<strong class="app-typed" data-testid="verify-filename">report.pdf</strong>')
        self.assertContains(response, first.sha256)
        self.assertContains(response, "Steering-committee review packet, " + escape(self.agency_a.name))
        self.assertContains(response, "period 2026-01-01 to 2026-03-31")
        self.assertContains(response, "as effective on 2026-04-01 00:00 CDT")
        self.assertContains(response, 'data-testid="verify-request"', count=2)
        self.assertContains(response, "Pat Quillfeather")
        self.assertContains(response, "Robin Ashgrove")
        self.assertContains(response, "2026-04-10 10:00 CDT")  # when each asked, in the agency's zone
        self.assertContains(response, "2026-04-12 13:30 CDT")
        row = AccessLog.objects.filter(user=self.auditor_a, action=AccessLog.Action.SEARCH).get()
        self.assertEqual((row.object_id, row.object_count, row.outcome), (first.pk, 2, AccessLog.Outcome.SUCCESS))

        changed = bytearray(content)
        changed[len(changed) // 2] ^= 0x01
        response = self.verify(self.auditor_a, bytes(changed))
        self.assertContains(response, 'data-testid="verify-no-match"')
        self.assertNotContains(response, "Pat Quillfeather")
        failed = AccessLog.objects.filter(user=self.auditor_a, outcome=AccessLog.Outcome.FAILURE).get()
        self.assertEqual((failed.action, failed.object_id), (AccessLog.Action.SEARCH, None))

        # Another agency's reader learns nothing of it: the same answer as a file we never issued.
        response = self.verify(self.supervisor_b, content)
        self.assertContains(response, 'data-testid="verify-no-match"')
        self.assertNotContains(response, escape(self.agency_a.name))


class VerifyPageTests(BaseTestCase):
    def test_who_may_verify(self):
        for user, status in ((self.staff_a, 404), (self.auditor_a, 200), (self.supervisor_b, 200)):
            with self.subTest(user=user.username):
                sign_in(self.client, user)
                self.assertEqual(self.client.get("/reports/verify/").status_code, status)
        self.client.logout()
        self.assertEqual(self.client.get("/reports/verify/").status_code, 302)

    def test_a_file_that_is_not_a_pdf_is_refused_next_to_the_field(self):
        sign_in(self.client, self.auditor_a)
        response = self.client.post("/reports/verify/", {"file": pdf_upload(b"PK\x03\x04 not a pdf", "x.pdf")})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="id_file-error"')
        self.assertContains(response, 'data-testid="error-summary"')
        self.assertContains(response, "This file is not a PDF")
        self.assertNotContains(response, 'data-testid="verify-digest"')

    def test_an_empty_or_missing_file_is_refused(self):
        sign_in(self.client, self.auditor_a)
        for data in ({}, {"file": pdf_upload(b"", "empty.pdf")}):
            with self.subTest(data=list(data)):
                response = self.client.post("/reports/verify/", data)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, 'id="id_file-error"')

    def test_a_file_over_50_mb_is_refused(self):
        form = report_forms.ReportVerifyForm(
            data={}, files={"file": pdf_upload(b"%PDF-" + b"0" * (report_forms.VERIFY_MAX_BYTES - 4))}
        )
        self.assertFalse(form.is_valid())
        self.assertIn("larger than 50 MB", form.errors["file"][0])

    def test_the_reports_page_links_to_it(self):
        sign_in(self.client, self.auditor_a)
        self.assertContains(self.client.get("/reports/"), 'href="/reports/verify/"')


REQUEST_NOW = datetime(2026, 4, 10, 15, 0, tzinfo=UTC)  # 10:00 in Chicago: the agency's today is 2026-04-10


@time_machine.travel(REQUEST_NOW, tick=False)
class RequestFormTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.officer = make_officer(cls.agency_a, 5, last_name="Formofficer")
        cls.officer_b = make_officer(cls.agency_b, 5)

    def post(self, **fields):
        data = {"agency": str(self.agency_a.public_id), "kind": "detainer_log", "as_of": "2026-04-10", **fields}
        with self.captureOnCommitCallbacks(execute=False):
            return self.client.post("/reports/request/", data)

    def setUp(self):
        sign_in(self.client, self.supervisor_a)

    def test_it_defaults_to_the_last_90_days_ending_today(self):
        response = self.client.get("/reports/request/")
        self.assertContains(response, 'name="period_start" value="2026-01-11"')
        self.assertContains(response, 'name="as_of" value="2026-04-10"')
        self.assertContains(response, "As effective on: facts count from the day they happened")
        self.assertContains(response, "As recorded by: what the records said")

    def test_a_period_and_basis_are_stored(self):
        response = self.post(kind="findings", period_start="2026-01-01", as_of="2026-03-31", basis="recorded")
        self.assertRedirects(response, "/reports/", fetch_redirect_response=False)
        report = Report.objects.get(kind="findings")
        self.assertEqual((report.period_start, report.as_of, report.basis), (date(2026, 1, 1), AS_OF, "recorded"))
        self.assertEqual(report.parameters, {})

    def test_period_errors_are_shown_next_to_their_field(self):
        cases = [
            ({"period_start": "2026-04-02", "as_of": "2026-04-01"}, "period_start", "cannot start after its last day"),
            ({"period_start": "2023-01-01", "as_of": "2026-04-01"}, "period_start", "at most 3 years"),
            ({"as_of": "2026-04-11"}, "as_of", "cannot be after today (2026-04-10)"),
            ({"basis": "recorded"}, "basis", "only given as effective on"),
            ({"basis": "sometimes"}, "basis", "Select a valid choice"),
        ]
        for fields, field, message in cases:
            with self.subTest(fields=fields):
                response = self.post(**fields)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, f'id="id_{field}-error"')
                self.assertContains(response, message)
                self.assertContains(response, 'data-testid="error-summary"')
        self.assertFalse(Report.objects.exists())

    def test_an_audit_trail_names_its_record_by_reference_and_stores_only_its_id(self):
        response = self.post(
            kind="audit_trail", record_type="training.officer", record_reference=f" {self.officer.badge_number} "
        )
        self.assertRedirects(response, "/reports/", fetch_redirect_response=False)
        self.assertNotIn(self.officer.badge_number, response["Location"])
        report = Report.objects.get(kind="audit_trail")
        self.assertEqual(
            report.parameters, {"record_type": "training.officer", "record_id": str(self.officer.public_id)}
        )

    def test_an_audit_trail_record_must_be_of_the_agency(self):
        for fields, field in (
            ({}, "record_type"),
            ({"record_type": "training.officer"}, "record_reference"),
            ({"record_type": "training.officer", "record_reference": self.officer_b.badge_number}, "record_reference"),
            (
                {"record_type": "training.officer", "record_reference": str(self.officer_b.public_id)},
                "record_reference",
            ),
            ({"record_type": "compliance.user", "record_reference": "1"}, "record_type"),
        ):
            with self.subTest(fields=fields):
                response = self.post(kind="audit_trail", **fields)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, f'id="id_{field}-error"')
        self.assertFalse(Report.objects.exists())

    def test_a_refused_field_keeps_its_own_message_only(self):
        for fields, field, message, wrong in (
            ({"record_type": "training.officer", "record_reference": "BK\x00-1"}, "record_reference", "Null", "Give"),
            ({"record_type": "training.officer", "record_reference": "x" * 200}, "record_reference", "at most", "Give"),
            ({"record_type": "compliance.user", "record_reference": "1"}, "record_type", "valid choice", "Choose"),
        ):
            with self.subTest(field=field, message=message):
                response = self.post(kind="audit_trail", **fields)
                self.assertContains(response, f'id="id_{field}-error"', count=1)
                self.assertContains(response, message)
                self.assertNotContains(response, wrong + " the")

    @override_settings(RATE_LIMITS_PER_USER={"search": (60, 60), "export": (2, 3600)})
    def test_only_accepted_requests_use_up_the_hourly_allowance(self):
        page = self.client.get("/reports/request/")
        self.assertContains(page, "You can request 2 more reports this hour (at most 2 an hour")
        for _ in range(5):  # refused at the form: not counted
            self.assertEqual(self.post(as_of="2999-01-01").status_code, 200)
        for as_of in ("2026-04-01", "2026-04-02"):
            self.assertRedirects(self.post(as_of=as_of), "/reports/", fetch_redirect_response=False)
        self.assertContains(self.client.get("/reports/request/"), "You can request 0 more reports this hour")
        self.assertEqual(self.post(as_of="2026-04-03").status_code, 429)
        self.assertEqual(Report.objects.count(), 2)

    def test_the_roster_is_a_picture_of_one_day_and_keeps_no_period(self):
        self.assertContains(self.client.get("/reports/request/"), "Not used by the Training roster")
        response = self.post(kind="training_roster", period_start="2026-04-09", as_of="2026-03-01")
        self.assertRedirects(response, "/reports/", fetch_redirect_response=False)  # the start is not checked either
        report = Report.objects.get(kind="training_roster")
        self.assertEqual((report.period_start, report.as_of), (None, date(2026, 3, 1)))
