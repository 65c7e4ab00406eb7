"""Roster export (CSV, XLSX): formula injection neutralised (E1), filters and agency scope, access log."""

import csv
import io
from datetime import UTC, date, datetime

import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from compliance.core.models import AccessLog
from compliance.core.spreadsheets import neutralise
from tests.base import BaseTestCase, sign_in
from tests.training.helpers import make_certification, make_course, make_officer, roster_search
from training.roster.export import EXPORT_COLUMNS, ExportRow, roster_csv, roster_xlsx

NOW = datetime(2026, 6, 1, 15, tzinfo=UTC)  # 2026-06-01 in agency A
HOSTILE = {
    "=": '=HYPERLINK("http://evil.example","x")',
    "+": "+1+1",
    "-": "-2+3",
    "@": "@SUM(A1:A2)",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
}


def read_csv(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def read_xlsx(content: bytes) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(content))
    return list(workbook.worksheets[0].iter_rows(values_only=True))


class NeutraliseTests(BaseTestCase):
    def test_case_E1_text_starting_with_a_formula_character_gets_a_quote(self):
        for name, value in HOSTILE.items():
            with self.subTest(prefix=name):
                self.assertEqual(neutralise(value), "'" + value)
        for value in ("Rivera", "O'Neil", "", " =not at start", "1042"):
            with self.subTest(value=value):
                self.assertEqual(neutralise(value), value)

    def test_case_E1_numbers_and_dates_are_left_alone(self):
        self.assertEqual(neutralise(-3), -3)
        self.assertEqual(neutralise(date(2026, 1, 1)), date(2026, 1, 1))
        self.assertIsNone(neutralise(None))


@time_machine.travel(NOW, tick=False)
class ExportViewTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.course = make_course(cls.agency_a, "IADP", validity_months=24)
        cls.hostile = make_officer(
            cls.agency_a, "-7", last=HOSTILE["="], first=HOSTILE["@"], unit=HOSTILE["+"], supervisor=cls.supervisor_a
        )
        # Expired three days ago (last valid day 2026-05-29): days_to_expiry is -3.
        make_certification(cls.hostile, cls.course, date(2024, 5, 29))
        cls.tabbed = make_officer(cls.agency_a, "T-1", last=HOSTILE["tab"], first=HOSTILE["cr"], unit="Jail")
        make_certification(cls.tabbed, cls.course, date(2025, 6, 1))
        cls.plain = make_officer(cls.agency_a, "P-1", last="Plainfield", first="Ann")
        cls.other = make_officer(cls.agency_b, "B-1", last="Birchown", first="Bea")

    def login(self, user):
        sign_in(self.client, user)

    def export(self, kind="csv", **params):
        return self.client.get(reverse(f"training:roster_export_{kind}"), roster_search(self.client, params))


class CsvExportTests(ExportViewTestCase):
    def test_case_E1_csv_cells_are_neutralised_and_numbers_are_not(self):
        self.login(self.supervisor_a)
        response = self.export("csv")
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="roster-2026-06-01.csv"')
        header, *rows = read_csv(response.content)
        self.assertEqual(tuple(header), EXPORT_COLUMNS)
        by_badge = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
        hostile = by_badge["'-7"]  # the badge is text, so it is neutralised too
        self.assertEqual(hostile["last_name"], "'" + HOSTILE["="])
        self.assertEqual(hostile["first_name"], "'" + HOSTILE["@"])
        self.assertEqual(hostile["unit"], "'" + HOSTILE["+"])
        self.assertEqual(hostile["next_expiry"], "2026-05-29")
        self.assertEqual(hostile["days_to_expiry"], "-3")  # a number column: no quote
        self.assertEqual(hostile["training_status"], "Expired")
        self.assertEqual(hostile["supervisor"], "supervisor_a")
        tabbed = by_badge["T-1"]
        self.assertEqual((tabbed["last_name"], tabbed["first_name"]), ("'\t=1+1", "'\r=1+1"))
        self.assertEqual(by_badge["P-1"]["last_name"], "Plainfield")
        self.assertNotIn("B-1", by_badge)

    def test_the_export_follows_the_page_filters(self):
        self.login(self.supervisor_a)
        rows = read_csv(self.export("csv", status="expired").content)[1:]
        self.assertEqual([row[0] for row in rows], ["'-7"])
        rows = read_csv(self.export("csv", q="plain").content)[1:]
        self.assertEqual([row[0] for row in rows], ["P-1"])
        rows = read_csv(self.export("csv", sort="-badge").content)[1:]
        self.assertEqual([row[0] for row in rows], ["T-1", "P-1", "'-7"])

    def test_the_export_is_access_logged_with_the_row_count(self):
        self.login(self.supervisor_a)
        self.export("csv", q="plain")
        log = AccessLog.objects.get()
        self.assertEqual(
            (log.user, log.agency, log.action, log.object_count, log.path),
            (self.supervisor_a, self.agency_a, AccessLog.Action.EXPORT, 1, reverse("training:roster_export_csv")),
        )

    def test_case_A1_scope_other_agency_and_missing_export_permission_get_404(self):
        self.login(self.supervisor_a)
        self.assertEqual(self.export("csv", agency=self.agency_b.public_id).status_code, 404)
        self.client.logout()
        self.login(self.staff_a)  # staff hold no export_reports
        self.assertEqual(self.export("csv").status_code, 404)
        self.assertEqual(self.export("xlsx").status_code, 404)
        self.assertFalse(AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists())  # no export written

    def test_an_auditor_of_both_agencies_exports_each_separately(self):
        self.login(self.auditor)
        rows = read_csv(self.export("csv", agency=self.agency_b.public_id).content)[1:]
        self.assertEqual([row[0] for row in rows], ["B-1"])


class XlsxExportTests(ExportViewTestCase):
    def test_case_E1_xlsx_text_cells_are_neutralised_strings_and_never_formulas(self):
        self.login(self.supervisor_a)
        response = self.export("xlsx")
        self.assertEqual(response["Content-Type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        workbook = load_workbook(io.BytesIO(response.content))
        sheet = workbook.worksheets[0]
        header = [cell.value for cell in sheet[1]]
        self.assertEqual(tuple(header), EXPORT_COLUMNS)
        cells = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
        hostile = dict(zip(header, cells["'-7"], strict=True))
        self.assertEqual(hostile["last_name"].value, "'" + HOSTILE["="])
        self.assertEqual(hostile["last_name"].data_type, "s")  # a string, not a formula ("f")
        self.assertEqual(hostile["first_name"].value, "'" + HOSTILE["@"])
        self.assertEqual(hostile["unit"].value, "'" + HOSTILE["+"])
        self.assertEqual(hostile["days_to_expiry"].value, -3)
        self.assertEqual(hostile["days_to_expiry"].data_type, "n")
        self.assertEqual(hostile["next_expiry"].value, datetime(2026, 5, 29))
        self.assertTrue(hostile["next_expiry"].is_date)
        for row in sheet.iter_rows():
            for cell in row:
                self.assertNotEqual(cell.data_type, "f", cell.coordinate)
        self.assertNotIn("B-1", cells)

    def test_the_xlsx_export_is_access_logged(self):
        self.login(self.auditor_a)
        self.export("xlsx")
        log = AccessLog.objects.get()
        self.assertEqual((log.action, log.object_count), (AccessLog.Action.EXPORT, 3))

    def test_a_leading_equals_string_is_never_written_as_a_formula(self):
        content = roster_xlsx([ExportRow(("=1+1",) + ("",) * (len(EXPORT_COLUMNS) - 1))])
        self.assertNotIn(b"<f>", content)
        [_, row] = read_xlsx(content)
        self.assertEqual(row[0], "'=1+1")

    def test_csv_writer_keeps_numbers_as_numbers(self):
        values = ("A-1", "-Lee", "", "", "", "", "", "", "", None, -3)
        [_, row] = read_csv(roster_csv([ExportRow(values)]))
        self.assertEqual((row[1], row[10]), ("'-Lee", "-3"))


class ScreenShowsTheOriginalTests(ExportViewTestCase):
    def test_case_E1_the_roster_and_officer_pages_show_the_original_text(self):
        self.login(self.supervisor_a)
        page = self.client.get(reverse("training:roster")).content.decode()
        self.assertIn("=HYPERLINK(&quot;http://evil.example&quot;,&quot;x&quot;), @SUM(A1:A2)", page)
        self.assertNotIn("&#x27;=HYPERLINK", page)
        detail = self.client.get(reverse("training:officer_detail", args=[self.hostile.public_id]))
        self.assertContains(detail, "+1+1")
        self.assertNotContains(detail, "&#x27;+1+1")
