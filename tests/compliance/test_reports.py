"""PDF report "Training roster and certification status": request, render, store, download."""

import hashlib
import io
import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape
from pypdf import PdfReader

from compliance.core.models import AccessLog, Report
from compliance.reports.forms import ReportRequestForm
from compliance.reports.rendering import report_render
from compliance.reports.services import report_request
from tests.base import BaseTestCase, sign_in
from tests.compliance.helpers import make_certification, make_course, make_officer, make_ready_report

# 2026-02-27 19:30 CST (case T1): already the 28th in UTC.
T1_EVENING = datetime(2026, 2, 28, 1, 30, tzinfo=UTC)


def pdf_pages(report) -> list[str]:
    with report.file.open("rb") as handle:
        return [page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages]


class ReportRenderTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.supervisor_a.first_name, cls.supervisor_a.last_name = "Pat", "Quillfeather"
        cls.supervisor_a.save()
        course = make_course(cls.agency_a, "IADP", months=24)
        annual = make_course(cls.agency_a, "SBU", months=12)
        # 70 officers: enough for several letter pages.
        for n in range(70):
            officer = make_officer(cls.agency_a, n, last_name=f"Zephyrine{n:02d}", first_name="Ines")
            make_certification(officer, course, date(2024, 2, 27))  # expires 2026-02-27
            if n != 3:
                make_certification(officer, annual, date(2025, 6, 1))
        make_officer(cls.agency_b, 1, last_name="Outofscope")

    def _request_and_render(self, **kwargs):
        with self.captureOnCommitCallbacks(execute=True):
            report = report_request(
                actor=kwargs.get("actor", self.supervisor_a),
                agency=kwargs.get("agency", self.agency_a),
                kind=Report.Kind.TRAINING_ROSTER,
                as_of=kwargs.get("as_of", date(2026, 2, 27)),
            )
            self.assertEqual(report.status, Report.Status.QUEUED)
        report.refresh_from_db()
        return report

    @time_machine.travel(T1_EVENING, tick=False)
    def test_it_renders_stores_and_hashes_the_pdf(self):
        report = self._request_and_render()
        self.assertEqual(report.status, Report.Status.READY, report.error)
        with report.file.open("rb") as handle:
            content = handle.read()
        self.assertTrue(content.startswith(b"%PDF"))
        self.assertEqual(report.sha256, hashlib.sha256(content).hexdigest())
        self.assertEqual(report.page_count, len(PdfReader(io.BytesIO(content)).pages))
        self.assertGreaterEqual(report.page_count, 2)
        self.assertEqual(report.started_at, T1_EVENING)
        self.assertIsNotNone(report.finished_at)
        # Private storage, never under the static root.
        self.assertNotIn("static", report.file.path)

    @time_machine.travel(T1_EVENING, tick=False)
    def test_every_page_has_header_footer_and_page_x_of_y(self):
        report = self._request_and_render()
        pages = pdf_pages(report)
        total = len(pages)
        for number, text in enumerate(pages, start=1):
            self.assertIn("Alder County Sheriff's Office (TX)", text)
            self.assertIn("as effective on 2026-02-27", text)  # the day, with its basis (issue #13)
            self.assertIn("Answers at 2026-02-27 19:30 CST", text)
            self.assertNotIn("Quillfeather", text)  # who asked is on the reports page, not in the PDF
            self.assertIn(f"Page {number} of {total}", text)
            # The table headers repeat on every page of the roster (thead); the cover has none.
            if "Zephyrine" in text and "Why not authorized" not in text:  # not the appendix
                self.assertRegex(text, r"Officer\s*Badge\s*Model\s*Training\s*Authorized")

    @time_machine.travel(T1_EVENING, tick=False)
    def test_it_lists_every_officer_of_the_agency_only(self):
        report = self._request_and_render()
        text = "\n".join(pdf_pages(report))
        for n in range(70):
            self.assertIn(f"Zephyrine{n:02d}, Ines", text)
        self.assertNotIn("Outofscope", text)

    @time_machine.travel(T1_EVENING, tick=False)
    def test_case_T1_report_as_of_the_agency_date_counts_expiring_today(self):
        report = self._request_and_render()
        text = pdf_pages(report)[0]
        self.assertIn("of which expire on 2026-02-27 69", text)
        self.assertIn("Missing a required course 1", text)
        self.assertIn("Expired 0", text)

    @time_machine.travel(datetime(2026, 3, 2, 18, 0, tzinfo=UTC), tick=False)
    def test_a_later_as_of_date_shows_the_expiry(self):
        report = self._request_and_render(as_of=date(2026, 3, 1))
        self.assertIn("Expired 69", pdf_pages(report)[0])

    @time_machine.travel(T1_EVENING, tick=False)
    def test_rendering_twice_keeps_the_first_file(self):
        report = self._request_and_render()
        again = report_render(report_id=report.pk)
        self.assertEqual(again.sha256, report.sha256)
        self.assertEqual(again.file.name, report.file.name)

    @time_machine.travel(T1_EVENING, tick=False)
    def test_render_queries_do_not_grow_with_the_roster(self):
        report = Report.objects.create(
            agency=self.agency_a, kind=Report.Kind.TRAINING_ROSTER, as_of=date(2026, 2, 27), requested_by=self.auditor
        )
        small = Report.objects.create(
            agency=self.agency_b, kind=Report.Kind.TRAINING_ROSTER, as_of=date(2026, 2, 27), requested_by=self.auditor
        )
        with CaptureQueriesContext(connection) as few:
            report_render(report_id=small.pk)
        with self.assertNumQueries(len(few.captured_queries)):
            report_render(report_id=report.pk)

    def test_a_failed_render_is_recorded_without_details(self):
        report = Report.objects.create(
            agency=self.agency_a, kind="no_such_kind", as_of=date(2026, 2, 27), requested_by=self.supervisor_a
        )
        report_render(report_id=report.pk)
        report.refresh_from_db()
        self.assertEqual(report.status, Report.Status.FAILED)
        self.assertIn("KeyError", report.error)
        self.assertFalse(report.file)
        self.assertIsNotNone(report.finished_at)

    @time_machine.travel(T1_EVENING, tick=False)
    def test_case_R2_user_text_prints_literally(self):
        # The roster prints names (the unit is not a column of the one-line roster since issue #13).
        make_officer(self.agency_a, 999, last_name="Literal", first_name='<img src="file:///etc/passwd">')
        report = self._request_and_render()
        # Cells wrap long text; compare without the line breaks WeasyPrint added.
        text = re.sub(r"\s+", "", "".join(pdf_pages(report)))
        self.assertIn('<imgsrc="file:///etc/passwd">', text)


class ReportRequestRulesTests(BaseTestCase):
    def test_staff_may_not_request_a_report(self):
        with self.assertRaises(PermissionDenied):
            report_request(actor=self.staff_a, agency=self.agency_a, kind="training_roster", as_of=date(2026, 1, 1))
        self.assertFalse(Report.objects.exists())

    def test_no_report_of_another_agency(self):
        with self.assertRaises(PermissionDenied):
            report_request(
                actor=self.supervisor_a, agency=self.agency_b, kind="training_roster", as_of=date(2026, 1, 1)
            )

    @time_machine.travel(T1_EVENING, tick=False)
    def test_no_report_dated_after_the_agency_today(self):
        with self.assertRaises(ValidationError) as caught:
            report_request(
                actor=self.supervisor_a, agency=self.agency_a, kind="training_roster", as_of=date(2026, 2, 28)
            )
        self.assertIn("as_of", caught.exception.message_dict)

    def test_the_task_is_queued_on_commit_only(self):
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            report = report_request(
                actor=self.supervisor_a, agency=self.agency_a, kind="training_roster", as_of=date(2026, 1, 1)
            )
        self.assertEqual(len(callbacks), 1)
        report.refresh_from_db()
        self.assertEqual(report.status, Report.Status.QUEUED)


class ReportViewsTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_officer(cls.agency_a, 1, last_name="Viewtester")

    def setUp(self):
        # Files go to this test's own storage folder (tests/conftest.py), so not in setUpTestData.
        self.report_a = make_ready_report(self.agency_a, self.supervisor_a)
        self.report_b = make_ready_report(self.agency_b, self.supervisor_b)

    def test_the_list_shows_only_reports_of_visible_agencies(self):
        sign_in(self.client, self.staff_a)
        response = self.client.get("/reports/")
        self.assertContains(response, escape(self.agency_a.name))
        self.assertNotContains(response, escape(self.agency_b.name))
        # Staff see the status but may not download (no export_reports).
        self.assertContains(response, 'data-testid="report-status">Ready')
        self.assertNotContains(response, 'data-testid="report-download"')
        self.assertNotContains(response, 'data-testid="request-report"')

    def test_an_auditor_of_two_agencies_sees_both(self):
        sign_in(self.client, self.auditor)
        response = self.client.get("/reports/")
        self.assertContains(response, 'data-testid="report-download"', count=2)

    def test_list_query_count_does_not_grow(self):
        sign_in(self.client, self.auditor)
        with CaptureQueriesContext(connection) as few:
            self.client.get("/reports/")
        for _ in range(10):
            make_ready_report(self.agency_b, self.supervisor_b)
        with self.assertNumQueries(len(few.captured_queries)):
            self.client.get("/reports/")

    @time_machine.travel(T1_EVENING, tick=False)
    def test_the_request_form_defaults_to_the_agency_today(self):
        sign_in(self.client, self.supervisor_a)
        response = self.client.get("/reports/request/")
        self.assertContains(response, 'value="2026-02-27"')

    @time_machine.travel(T1_EVENING, tick=False)
    def test_requesting_renders_and_lists_the_report(self):
        sign_in(self.client, self.supervisor_a)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                "/reports/request/",
                {"agency": str(self.agency_a.public_id), "kind": "training_roster", "as_of": "2026-02-27"},
            )
        self.assertRedirects(response, "/reports/", fetch_redirect_response=False)
        report = Report.objects.exclude(pk=self.report_a.pk).get(agency=self.agency_a)
        self.assertEqual(report.status, Report.Status.READY)
        self.assertEqual(report.requested_by, self.supervisor_a)

    @time_machine.travel(T1_EVENING, tick=False)
    def test_a_future_date_is_refused_next_to_the_field(self):
        sign_in(self.client, self.supervisor_a)
        response = self.client.post(
            "/reports/request/",
            {"agency": str(self.agency_a.public_id), "kind": "training_roster", "as_of": "2026-02-28"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="id_as_of-error"')
        self.assertContains(response, "cannot be after today (2026-02-27)")

    def test_another_agency_cannot_be_chosen(self):
        sign_in(self.client, self.supervisor_a)
        response = self.client.post(
            "/reports/request/",
            {"agency": str(self.agency_b.public_id), "kind": "training_roster", "as_of": "2026-01-01"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="id_agency-error"')
        self.assertFalse(Report.objects.filter(agency=self.agency_b, requested_by=self.supervisor_a).exists())

    def test_the_request_page_needs_export_reports(self):
        sign_in(self.client, self.staff_a)
        self.assertEqual(self.client.get("/reports/request/").status_code, 404)

    def test_download_serves_the_pdf_and_logs_it(self):
        sign_in(self.client, self.auditor_a)
        response = self.client.get(f"/reports/{self.report_a.public_id}/download/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(b"".join(response.streaming_content).startswith(b"%PDF"))
        self.assertTrue(
            AccessLog.objects.filter(user=self.auditor_a, action=AccessLog.Action.EXPORT, object_id=self.report_a.pk)
        )

    def test_download_of_another_agency_gets_404(self):
        sign_in(self.client, self.supervisor_a)
        self.assertEqual(self.client.get(f"/reports/{self.report_b.public_id}/download/").status_code, 404)

    def test_download_without_export_reports_gets_404(self):
        sign_in(self.client, self.staff_a)
        self.assertEqual(self.client.get(f"/reports/{self.report_a.public_id}/download/").status_code, 404)

    def test_a_report_not_ready_gets_404(self):
        queued = Report.objects.create(
            agency=self.agency_a, kind="training_roster", as_of=date(2026, 1, 1), requested_by=self.supervisor_a
        )
        sign_in(self.client, self.supervisor_a)
        self.assertEqual(self.client.get(f"/reports/{queued.public_id}/download/").status_code, 404)

    def test_anonymous_download_goes_to_login(self):
        response = self.client.get(f"/reports/{self.report_a.public_id}/download/")
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/accounts/login/"))


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/static/css/report.css",
        "https://report.invalid/static/../../../etc/passwd",
        "https://report.invalid/static/%2e%2e/%2e%2e/etc/passwd",
        "https://report.invalid/media/reports/secret.pdf",
        "https://report.invalid/static/css/no-such-file.css",
        "data:text/plain,hello",
        "ftp://report.invalid/static/css/report.css",
    ],
)
def test_case_R2_the_fetcher_refuses_everything_but_static(url):
    from compliance.reports.fetcher import RefusedURL, StaticOnlyURLFetcher

    fetcher = StaticOnlyURLFetcher()
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_case_R2_the_fetcher_serves_the_app_static_files():
    from compliance.reports.fetcher import REPORT_BASE_URL, StaticOnlyURLFetcher

    response = StaticOnlyURLFetcher().fetch(f"{REPORT_BASE_URL}static/css/report.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


def test_case_R2_a_rendered_document_never_fetches_a_local_file(tmp_path):
    from compliance.reports.pdf import pdf_render

    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    html = (
        '<html><head><link rel="stylesheet" href="/static/css/report.css"></head><body>'
        f'<img src="file://{secret}"><iframe src="file://{secret}"></iframe>'
        f'<object data="file://{secret}"></object><p>Body text</p></body></html>'
    )
    rendered = pdf_render(html)
    assert all(url.startswith("file://") for url in rendered.refused_urls)
    assert len(rendered.refused_urls) >= 1
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(rendered.content)).pages)
    assert "TOP-SECRET-CONTENT" not in text
    assert "Body text" in text
    assert not any("report.css" in url for url in rendered.refused_urls)  # the static stylesheet was served


class ReportRequestFormCaseT1Tests(BaseTestCase):
    """Case T1: at 19:30 CST on 2026-02-27 (already 01:30 UTC on the 28th) the form offers 2026-02-27."""

    @time_machine.travel(T1_EVENING, tick=False)
    def test_case_T1_request_form_defaults_to_the_agency_local_date(self):
        sign_in(self.client, self.supervisor_a)
        response = self.client.get("/reports/request/")
        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertEqual(form["agency"].value(), self.agency_a.public_id)
        self.assertEqual(form["as_of"].value(), date(2026, 2, 27))
        self.assertRegex(response.content.decode(), r'<input type="date" name="as_of" value="2026-02-27"')
        self.assertNotContains(response, 'value="2026-02-28"')
        # That date is accepted; the UTC date (the 28th) is the agency's future and refused at the field.
        self.assertTrue(
            ReportRequestForm(
                {"agency": str(self.agency_a.public_id), "kind": "training_roster", "as_of": "2026-02-27"},
                user=self.supervisor_a,
            ).is_valid()
        )
        late = ReportRequestForm(
            {"agency": str(self.agency_a.public_id), "kind": "training_roster", "as_of": "2026-02-28"},
            user=self.supervisor_a,
        )
        self.assertFalse(late.is_valid())
        self.assertEqual(
            late.errors["as_of"], ["The report date cannot be after today (2026-02-27) in the agency's time zone."]
        )

    @time_machine.travel(datetime(2026, 2, 28, 6, 1, tzinfo=UTC), tick=False)
    def test_case_T1_after_local_midnight_the_default_moves_on(self):
        # 2026-02-28 00:01 CST.
        sign_in(self.client, self.supervisor_a)
        self.assertEqual(self.client.get("/reports/request/").context["form"]["as_of"].value(), date(2026, 2, 28))
