"""A report rendered in parts (issue #13 item 4): page numbers and headers run on across the parts, the same
report rendered twice is byte-identical, and names in any script print with embedded fonts, none as a box.

The detainer log is split into parts of ``ROWS_PER_PART`` detainers; here the constant is lowered to 5 so a
small log has many parts (the engine and the templates are the real ones). Every PDF is read back with pypdf.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from compliance.core.models import Report
from compliance.reports import detainer_log
from compliance.reports.engine import part_order, part_render, report_parts, report_run
from compliance.reports.periods import checked_at_for
from compliance.reports.rendering import report_claim, report_render
from incidents.detainers.models import Detainer
from incidents.incident_log import services as incident_services
from incidents.incident_log.models import Incident
from tests.base import BaseTestCase
from tests.incidents.helpers import make_detainer

AS_OF = date(2026, 3, 31)
#: Subjects' names in the scripts an agency meets (invented): Latin with diacritics, Cyrillic, Chinese,
#: Japanese, Arabic, Vietnamese.
NAMES = [
    ("Łukasiewicz-Żółć", "Ångström"),
    ("Смирнова", "Анастасия"),
    ("王", "秀英"),
    ("佐藤", "はるか"),
    ("حداد", "ليلى"),
    ("Nguyễn", "Thị Hoa"),
]
DETAINERS = 22
ROWS_PER_PART = 5
HEADERS = "Booking·subject·chargeReceivedOutcomeDeadlineReleaseFindNotesFormChecks"


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def embedded_fonts(reader: PdfReader) -> dict[str, list[str]]:
    """Base font name → the /FontFile keys of its descriptor, for every font any page uses."""
    found = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            descriptor = described["/FontDescriptor"].get_object()
            found[str(font["/BaseFont"])] = sorted(key for key in descriptor if key.startswith("/FontFile"))
    return found


class DetainerLogInPartsTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        start = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)
        for number in range(DETAINERS):
            last, first = NAMES[number % len(NAMES)]
            make_detainer(
                cls.agency_a,
                actor=cls.supervisor_a,
                number=number,
                received_at=start + timedelta(hours=5 * number),
                subject_last_name=last,
                subject_first_name=first,
            )
        incident_services.incident_create(
            agency=cls.agency_a,
            actor=cls.supervisor_a,
            kind=Incident.Kind.COMPLAINT,
            severity=Incident.Severity.MEDIUM,
            title="Complaint about the hold (invented)",
            description="Said in Russian: «Я гражданин США» (invented).",
            occurred_at=start + timedelta(days=3),
            detainer=Detainer.objects.get(booking_number="BK-00007"),
        )

    def request(self) -> Report:
        return Report.objects.create(
            agency=self.agency_a,
            kind=Report.Kind.DETAINER_LOG,
            as_of=AS_OF,
            requested_by=self.supervisor_a,
            checked_at=checked_at_for(as_of=AS_OF, zone=self.agency_a.zone, requested_at=datetime.now(UTC)),
        )

    def render(self, report: Report) -> Report:
        with mock.patch.object(detainer_log, "ROWS_PER_PART", ROWS_PER_PART):
            report = report_render(report_id=report.pk)
        self.assertEqual(report.status, Report.Status.READY, report.error)
        return report

    def pages(self, report: Report) -> list[str]:
        with report.file.open("rb") as handle:
            return [page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages]

    def test_the_plan_is_the_cover_the_log_in_chunks_and_the_appendix(self):
        report = Report.objects.select_related("agency").get(pk=self.request().pk)
        with mock.patch.object(detainer_log, "ROWS_PER_PART", ROWS_PER_PART), self.assertNumQueries(2):
            parts = report_parts(report_run(report))
        templates = [part.template for part in parts]
        self.assertEqual(
            templates,
            [detainer_log.TEMPLATE] + [detainer_log.ROWS_TEMPLATE] * 5 + [detainer_log.APPENDIX_TEMPLATE],
        )
        self.assertEqual(parts[-1].params, {"ids": [parts[-1].params["ids"][0]], "first": 1})

    def test_planned_once_the_parts_read_the_stored_plan(self):
        report = self.request()
        with mock.patch.object(detainer_log, "ROWS_PER_PART", ROWS_PER_PART):
            claimed = report_claim(report_id=report.pk)
        report.refresh_from_db()
        self.assertEqual(len(report.plan), claimed.parts_total)
        self.assertEqual(report.plan, claimed.plan)
        run = report_run(Report.objects.select_related("agency").get(pk=report.pk))
        with self.assertNumQueries(0):  # every part task and the assembly: the stored plan, no planning queries
            parts = report_parts(run)
        self.assertEqual(len(parts), 7)
        # A chunk knows the A-numbers of its own lines: BK-00007 (the 8th detainer, second chunk) is A-1.
        bk7 = Detainer.objects.get(booking_number="BK-00007").pk
        self.assertEqual([part.params.get("appendix") for part in parts[1:6]], [[], [[bk7, 1]], [], [], []])
        # The data changing while it renders does not change the parts already planned.
        make_detainer(self.agency_a, actor=self.supervisor_a, number=99, received_at=datetime(2026, 3, 2, tzinfo=UTC))
        with mock.patch.object(detainer_log, "ROWS_PER_PART", ROWS_PER_PART):
            self.assertEqual(report_parts(report_run(Report.objects.select_related("agency").get(pk=report.pk))), parts)

    def test_a_log_parts_queries_do_not_grow_with_the_report(self):
        def part_queries() -> int:
            report = self.request()
            with mock.patch.object(detainer_log, "ROWS_PER_PART", ROWS_PER_PART):
                report_claim(report_id=report.pk)
            with CaptureQueriesContext(connection) as queries:
                part_render(report_id=report.pk, number=2)  # a chunk of the log: 5 lines
            return len(queries)

        small = part_queries()
        for number in range(100, 160):  # the log grows to 82 detainers (17 chunks), and more narratives
            detainer = make_detainer(
                self.agency_a,
                actor=self.supervisor_a,
                number=number,
                received_at=datetime(2026, 3, 1, 12, 0, tzinfo=UTC) + timedelta(minutes=number),
            )
            if number % 3:
                Detainer.objects.filter(pk=detainer.pk).update(citizenship_claim_details="Born in Ohio (invented).")
        self.assertEqual(part_queries(), small)

    def test_the_one_off_parts_are_queued_before_the_chunks(self):
        report = self.request()
        with mock.patch.object(detainer_log, "ROWS_PER_PART", ROWS_PER_PART):
            claimed = report_claim(report_id=report.pk)
        order = part_order(report_parts(report_run(claimed)))
        # The cover and the appendix (the long ones) first, then the five chunks, each group in report order.
        self.assertEqual(order, [0, 6, 1, 2, 3, 4, 5])

    def test_page_numbers_and_headers_run_on_across_parts(self):
        report = self.render(self.request())
        pages = self.pages(report)
        self.assertEqual(report.parts_total, 7)  # cover, 5 chunks of the log, the appendix
        self.assertEqual(report.page_count, len(pages))
        self.assertGreaterEqual(len(pages), 7)
        total = len(pages)
        bookings = []
        for number, text in enumerate(pages, start=1):
            with self.subTest(page=number):
                self.assertIn(f"Page {number} of {total}", text)
                self.assertIn("Alder County Sheriff's Office (TX) · Detainer log", text)
                found = re.findall(r"^(BK-\d{5}) ", text, re.MULTILINE)
                if found:  # a page of the log: the column headers, then its lines
                    self.assertIn(HEADERS, squeeze(text))
                    self.assertLess(squeeze(text).index(HEADERS), squeeze(text).index(found[0]))
                bookings.extend(found)
        # Every detainer once, in order, across the parts' boundaries.
        self.assertEqual(bookings, [f"BK-{number:05d}" for number in range(DETAINERS)])
        self.assertIn("A-1 · BK-00007", pages[-1])
        self.assertIn("«Я гражданин США»", pages[-1])

    def test_the_same_report_rendered_twice_is_byte_identical(self):
        first = self.render(self.request())
        second = self.render(self.request())
        self.assertEqual(len(first.sha256), 64)
        self.assertEqual(first.sha256, second.sha256)
        with first.file.open("rb") as one, second.file.open("rb") as other:
            self.assertEqual(one.read(), other.read())

    def test_names_in_every_script_print_with_embedded_fonts_and_no_box(self):
        fc_list = shutil.which("fc-list")
        installed = subprocess.run([fc_list], capture_output=True, text=True).stdout if fc_list else ""  # noqa: S603
        if "Noto Sans CJK" not in installed or "DejaVu Sans" not in installed:
            self.skipTest(
                "the Noto CJK and DejaVu fonts are not installed (CI installs fonts-noto-core fonts-noto-cjk)"
            )
        report = self.render(self.request())
        pages = self.pages(report)
        text = "\n".join(pages)
        for last, first in NAMES:
            with self.subTest(name=last):
                # The text read back is the name as typed: every character had a glyph (a missing one prints
                # as a box, glyph 0 ".notdef", and reads back as nothing or U+FFFD).
                self.assertIn(f"{last}, {first}", text)
        self.assertNotIn("\ufffd", text)
        with report.file.open("rb") as handle:
            fonts = embedded_fonts(PdfReader(io.BytesIO(handle.read())))
        self.assertTrue(fonts)
        for name, files in fonts.items():
            with self.subTest(font=name):
                # Embedded (a subset): TrueType (/FontFile2) or CFF/OpenType (/FontFile3), never only named.
                self.assertTrue(set(files) & {"/FontFile2", "/FontFile3"}, files)
        self.assertTrue(any("CJK" in name for name in fonts), list(fonts))
