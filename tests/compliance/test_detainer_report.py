"""PDF report "Detainer log": a real 130-row PDF read back with pypdf (case R1), summary figures, scope (A1)."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from guardian.shortcuts import assign_perm
from pypdf import PdfReader

from compliance.core import access
from compliance.core.models import Finding, Report
from compliance.core.roles import Role
from compliance.reports.catalog import KINDS
from compliance.reports.detainer_log import detainer_log_context
from compliance.reports.fetcher import REPORT_BASE_URL, RefusedURL, StaticOnlyURLFetcher, static_file_path
from compliance.reports.pdf import pdf_render
from compliance.reports.periods import PERIOD_DAYS
from compliance.reports.rendering import report_render
from compliance.reports.services import report_request
from incidents.detainers import services
from incidents.detainers.choices import PCBasis
from incidents.detainers.models import Detainer
from incidents.incident_log import services as incident_services
from incidents.incident_log.models import Incident
from tests.base import BaseTestCase
from tests.incidents.helpers import make_detainer

AS_OF = date(2026, 3, 31)
GENERATED_AT = datetime(2026, 4, 1, 15, 0, tzinfo=UTC)  # 10:00 CDT the next day
NARRATIVE_LINES = [f"Narrative line {n:02d}: invented custody note." for n in range(1, 46)]
#: 300 characters without a space (an invented evidence reference pasted into a complaint).
UNBROKEN = ("EVIDENCE-REF-" + "0123456789ABCDEF" * 19)[:300]


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


class DetainerReportR1Tests(BaseTestCase):
    """Case R1: 130 detainers over several pages, rendered once for the class."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        actor = cls.supervisor_a
        cls.supervisor_a.first_name, cls.supervisor_a.last_name = "Pat", "Quillfeather"
        cls.supervisor_a.save()
        start = datetime(2026, 1, 10, 15, 0, tzinfo=UTC)
        for number in range(130):
            received = start + timedelta(hours=12 * number)
            detainer = make_detainer(
                cls.agency_a,
                actor=actor,
                number=number,
                received_at=received,
                would_be_released_at=received + timedelta(hours=2),
                box_1_probable_cause=True,
                pc_basis=[PCBasis.FINAL_ORDER],
            )
            if number % 3 == 0:  # served: the hold is authorized (the rest fail R4.5)
                services.detainer_record_service(
                    detainer=detainer,
                    actor=actor,
                    served_on_subject_at=received + timedelta(hours=1),
                    served_by="K9",
                    service_language="English",
                )
            if number % 2 == 0:  # released within the 48 hours
                services.detainer_record_outcome(
                    detainer=detainer,
                    actor=actor,
                    outcome=Detainer.Outcome.RELEASED,
                    outcome_at=received + timedelta(hours=20),
                )
        cls.late = Detainer.objects.get(agency=cls.agency_a, booking_number="BK-00041")
        # Transferred 6 hours after the deadline: the service opens the finding and the incident itself.
        services.detainer_record_outcome(
            detainer=cls.late,
            actor=actor,
            outcome=Detainer.Outcome.TRANSFERRED,
            outcome_at=cls.late.hold_deadline + timedelta(hours=6),
            explanation="ICE arrived six hours late (invented).",
        )
        # The complaint about booking 60 has a 45-line narrative; the one about 61 an unbroken 300-character string.
        for booking, description in (("BK-00060", "\n".join(NARRATIVE_LINES)), ("BK-00061", UNBROKEN)):
            incident_services.incident_create(
                agency=cls.agency_a,
                actor=actor,
                kind=Incident.Kind.COMPLAINT,
                severity=Incident.Severity.MEDIUM,
                title=f"Complaint about the hold ({booking})",
                description=description,
                occurred_at=start + timedelta(days=40),
                detainer=Detainer.objects.get(agency=cls.agency_a, booking_number=booking),
            )
        # Outside the period (received the day after as_of) and outside the agency.
        make_detainer(cls.agency_a, actor=actor, number=900, received_at=datetime(2026, 4, 1, 6, 0, tzinfo=UTC))
        make_detainer(cls.agency_b, actor=cls.supervisor_b, number=901, booking_number="BK-BIRCH-OWN")

        report = Report(agency=cls.agency_a, kind=Report.Kind.DETAINER_LOG, as_of=AS_OF, requested_by=actor)
        kind = KINDS[Report.Kind.DETAINER_LOG]
        cls.context = detainer_log_context(report=report, generated_at=GENERATED_AT)
        rendered = pdf_render(render_to_string(kind.templates[0], cls.context))
        cls.refused = rendered.refused_urls
        # The pages as issued: through the engine, which stamps "Page X of Y" after assembly.
        report.checked_at = cls.context["checked_at"]
        report.save()
        report = report_render(report_id=report.pk)
        with report.file.open("rb") as handle:
            cls.pages = pdf_pages(handle.read())

    def test_the_period_is_the_90_days_ending_on_the_report_date(self):
        self.assertEqual(PERIOD_DAYS, 90)
        self.assertEqual(self.context["period_start"], date(2026, 1, 1))
        self.assertEqual(self.context["checked_at"], datetime(2026, 4, 1, 5, 0, tzinfo=UTC))  # midnight CDT
        bookings = [row.detainer.booking_number for row in self.context["rows"]]
        self.assertEqual(len(bookings), 130)
        self.assertNotIn("BK-00900", bookings)
        self.assertNotIn("BK-BIRCH-OWN", bookings)

    def test_summary_figures(self):
        counts = self.context["counts"]
        self.assertEqual(counts.received, 130)
        # Served and released within 48 h: every sixth (0, 6, … 126). Served but still pending at the end of
        # the as-of day is past its deadline (released + 2 h + 48 h), so not authorized any more.
        self.assertEqual(counts.holds_authorized, 22)
        self.assertEqual(counts.released_after_deadline, 1)
        self.assertEqual(counts.held_past_deadline, 64)  # the pending ones (odd numbers but 41)
        # The late transfer's finding was opened when the outcome was recorded (the test's real now), after the
        # report's instant: as of the end of 2026-03-31 it did not exist yet.
        self.assertEqual(counts.open_findings, 0)
        first = self.pages[0]
        self.assertIn("Detainers received 130", first)
        self.assertIn("Holds authorized 22", first)
        self.assertIn("Released after the hold deadline 1", first)
        self.assertIn("Open findings 0", first)

    def test_findings_are_counted_as_they_stood_at_the_reports_instant(self):
        report = Report.objects.get(kind=Report.Kind.DETAINER_LOG, agency=self.agency_a)
        finding = Finding.objects.get(object_id=self.late.pk)
        checked_at = self.context["checked_at"]

        def counted():
            return detainer_log_context(report=report, generated_at=GENERATED_AT)["counts"].open_findings

        Finding.objects.filter(pk=finding.pk).update(opened_at=checked_at - timedelta(days=2), resolved_at=None)
        self.assertEqual(counted(), 1)  # opened before, still open
        Finding.objects.filter(pk=finding.pk).update(resolved_at=checked_at + timedelta(hours=1))
        self.assertEqual(counted(), 1)  # resolved only after the instant: it was open then
        Finding.objects.filter(pk=finding.pk).update(resolved_at=checked_at - timedelta(hours=1))
        self.assertEqual(counted(), 0)  # resolved before

    def test_case_R1_every_page_of_the_log_starts_with_the_column_headers(self):
        # Page 1 is the cover (summary, legend); then the log, one line per detainer; then the appendix.
        headers = "Booking·subject·chargeReceivedOutcomeDeadlineReleaseFindNotesFormChecks"
        log_pages = [n for n, text in enumerate(self.pages, start=1) if re.search(r"^BK-\d{5} ", text, re.MULTILINE)]
        self.assertGreaterEqual(len(log_pages), 3)
        self.assertEqual(log_pages, list(range(2, 2 + len(log_pages))))
        self.assertNotIn(headers, squeeze(self.pages[0]))
        for number, text in enumerate(self.pages, start=1):
            with self.subTest(page=number):
                body = squeeze(text)
                # The running header first, then the column headers on every page of the log.
                self.assertIn("Alder County Sheriff's Office (TX)", text)
                self.assertIn("answers at 2026-04-01 00:00 CDT", text)
                self.assertNotIn("Quillfeather", text)
                if number in log_pages:  # the column headers come before the page's first line
                    first_line = re.search(r"^BK-\d{5} ", text, re.MULTILINE).group(0).strip()
                    self.assertIn(headers, body)
                    self.assertLess(body.index(headers), body.index(first_line))

    def test_one_line_per_detainer_with_its_codes(self):
        # A line may wrap inside a cell (several failing rules); it runs to the next detainer's booking.
        text = "\n".join(self.pages[1:])
        lines = [" ".join(found.split()) for found in re.findall(r"^BK-\d{5} .*?(?=^BK-\d{5} |\Z)", text, re.M | re.S)]
        self.assertEqual(len(lines), 130)
        late = next(line for line in lines if line.startswith("BK-00041 "))
        self.assertIn("Transferred", late)
        self.assertIn("LATE", late)
        served = next(line for line in lines if line.startswith("BK-00000 "))
        self.assertIn("I-247A HOLD", served)
        unserved = next(line for line in lines if line.startswith("BK-00001 "))
        self.assertIn("NO R4.5", unserved)  # not served: R4.5 blocks the hold
        # The narratives are in the appendix, the log's line points there: A-1 is the incident the late transfer
        # opened (booking 41), then the two complaints.
        self.assertRegex(late, r" A-1( |$)")
        self.assertRegex(next(line for line in lines if line.startswith("BK-00060 ")), r" A-2( |$)")
        self.assertRegex(next(line for line in lines if line.startswith("BK-00061 ")), r" A-3( |$)")
        self.assertIn("R4.5", self.pages[0])  # the legend names the failing check's rule

    def test_case_R1_footer_reads_page_x_of_n(self):
        total = len(self.pages)
        self.assertGreaterEqual(total, 3)
        for number, text in enumerate(self.pages, start=1):
            with self.subTest(page=number):
                self.assertIn(f"Page {number} of {total}", text)

    def test_case_R1_a_45_line_narrative_is_not_split_across_pages(self):
        # In the appendix under A-1, whole on one page.
        holding = [n for n, text in enumerate(self.pages) if NARRATIVE_LINES[0] in text]
        self.assertEqual(len(holding), 1)
        page = self.pages[holding[0]]
        for line in NARRATIVE_LINES:
            self.assertIn(line, page)
        for other, text in enumerate(self.pages):
            if other != holding[0]:
                self.assertNotIn("Narrative line", text)

    def test_case_R1_a_300_character_string_stays_in_its_cell_and_is_fully_present(self):
        text = "\n".join(self.pages)
        self.assertIn(UNBROKEN, squeeze(text))
        # It wrapped inside the appendix's text block: several lines, none wider than the page holds.
        pieces = [line for line in text.splitlines() if line and squeeze(line) in UNBROKEN and len(line) > 10]
        self.assertGreaterEqual(len(pieces), 2)
        self.assertTrue(all(len(piece) < 140 for piece in pieces))
        self.assertEqual(self.refused, [])

    def test_case_R1_all_130_booking_numbers_are_in_the_pdf(self):
        # Bookings may wrap inside their cell: compare without whitespace.
        found = re.findall(r"BK-\d{5}", squeeze("".join(self.pages)))
        expected = {f"BK-{number:05d}" for number in range(130)}
        self.assertEqual(set(found), expected)
        # Each one's line exactly once: "BK-00007 Testperson7, Alex" (the appendix heads read "BK-00060 · …").
        text = squeeze("".join(self.pages))
        for number in range(130):
            self.assertEqual(text.count(f"BK-{number:05d}Testperson{number},Alex"), 1, number)

    def test_late_release_is_marked(self):
        row = next(row for row in self.context["rows"] if row.detainer.booking_number == "BK-00041")
        self.assertEqual(row.release_label, "After the deadline")
        self.assertEqual(row.open_findings, 0)  # opened after the report's instant (see test_summary_figures)
        text = squeeze("".join(self.pages[1:]))
        self.assertIn("LATE", text[text.index("BK-00041Testperson41") : text.index("BK-00042Testperson42")])


class DetainerReportCaseA1Tests(BaseTestCase):
    """Case A1: the staff user of agency B whose group wrongly holds model-wide permissions."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_detainer(cls.agency_a, actor=cls.supervisor_a, number=1, booking_number="BK-ALDER-ONLY")
        make_detainer(cls.agency_b, actor=cls.supervisor_b, number=1, booking_number="BK-BIRCH-OWN")
        wrong = Permission.objects.filter(
            content_type__app_label="compliance", codename__in=access.ALL_PERMS
        ) | Permission.objects.filter(content_type__app_label="incidents", content_type__model="detainer")
        Group.objects.get(name=Role.STAFF).permissions.add(*wrong)
        assign_perm(f"compliance.{access.EXPORT}", cls.staff_b, cls.agency_b)

    @time_machine.travel(datetime(2026, 1, 20, 18, 0, tzinfo=UTC), tick=False)
    def test_case_A1_detainer_pdf_report_has_only_agency_b_rows(self):
        self.assertTrue(self.staff_b.has_perm("incidents.view_detainer"))
        with self.assertRaises(PermissionDenied):
            report_request(actor=self.staff_b, agency=self.agency_a, kind=Report.Kind.DETAINER_LOG, as_of=AS_OF)
        with self.captureOnCommitCallbacks(execute=True):
            report = report_request(
                actor=self.staff_b, agency=self.agency_b, kind=Report.Kind.DETAINER_LOG, as_of=date(2026, 1, 20)
            )
        report.refresh_from_db()
        self.assertEqual(report.status, Report.Status.READY, report.error)
        with report.file.open("rb") as handle:
            text = "\n".join(pdf_pages(handle.read()))
        self.assertIn("BK-BIRCH-OWN", text)
        self.assertNotIn("BK-ALDER-ONLY", text)
        self.assertIn("Detainers received 1", text)


class _RecordingFetcher(StaticOnlyURLFetcher):
    """The real static-only fetcher, keeping every URL the renderer asked for."""

    asked: list[str] = []

    def fetch(self, url, headers=None):
        type(self).asked.append(url)
        return super().fetch(url, headers)


class DetainerReportCaseR2Tests(BaseTestCase):
    """Case R2: a complaint narrative typed as HTML prints as text, and the renderer fetches only static files."""

    NARRATIVE = '<img src="file:///etc/passwd">'

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.detainer = make_detainer(cls.agency_a, actor=cls.supervisor_a, number=7)
        incident_services.incident_create(
            agency=cls.agency_a,
            actor=cls.supervisor_a,
            kind=Incident.Kind.COMPLAINT,
            severity=Incident.Severity.MEDIUM,
            title="Complaint about the hold (invented)",
            description=cls.NARRATIVE,
            occurred_at=datetime(2026, 1, 6, 15, 0, tzinfo=UTC),
            detainer=cls.detainer,
        )

    @time_machine.travel(datetime(2026, 1, 20, 18, 0, tzinfo=UTC), tick=False)
    def test_case_R2_complaint_narrative_prints_literally_and_nothing_is_fetched(self):
        _RecordingFetcher.asked = []
        recording = mock.patch("compliance.reports.pdf.StaticOnlyURLFetcher", _RecordingFetcher)
        with recording, self.captureOnCommitCallbacks(execute=True):
            report = report_request(
                actor=self.supervisor_a, agency=self.agency_a, kind=Report.Kind.DETAINER_LOG, as_of=date(2026, 1, 20)
            )
        report.refresh_from_db()
        self.assertEqual(report.status, Report.Status.READY, report.error)
        with report.file.open("rb") as handle:
            text = "\n".join(pdf_pages(handle.read()))
        self.assertIn("BK-00007", text)
        self.assertIn('<imgsrc="file:///etc/passwd">', squeeze(text))
        self.assertNotIn("root:", text)
        # The renderer asked only for the report stylesheet, once per part (cover, log, appendix).
        self.assertEqual(set(_RecordingFetcher.asked), {f"{REPORT_BASE_URL}static/css/report.css"})
        self.assertIn("Page 1 of 3", text)
        self.assertIn("Page 3 of 3", text)


def test_case_R2_the_fetcher_serves_the_report_stylesheet():
    fetcher = StaticOnlyURLFetcher()
    response = fetcher.fetch(f"{REPORT_BASE_URL}static/css/report.css")
    body = response.read()
    assert response.content_type == "text/css"
    assert body == static_file_path("css/report.css").read_bytes()
    assert b"@page" in body
    assert fetcher.refused == []


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.com/x.png",
        "https://example.com/x.png",
        f"{REPORT_BASE_URL}static/../../../../etc/passwd",
        f"{REPORT_BASE_URL}static/css/../../compliance/settings.py",
        f"{REPORT_BASE_URL}static/..%2f..%2fcompliance%2fsettings.py",
        f"{REPORT_BASE_URL}static//etc/passwd",
        f"{REPORT_BASE_URL}static/%2Fetc%2Fpasswd",
        f"{REPORT_BASE_URL}static/css\\..\\..\\compliance\\settings.py",
        f"{REPORT_BASE_URL}media/../static/css/report.css",
        f"{REPORT_BASE_URL}media/../../etc/passwd",
        "https://user@report.invalid/static/css/report.css",
    ],
)
def test_case_R2_the_fetcher_refuses_other_urls_and_path_traversal(url):
    fetcher = StaticOnlyURLFetcher()
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)
    assert fetcher.refused == [url]
