"""The shared table reader on hostile workbooks: a sheet's claimed size, stray far cells, and one read per upload.

``compliance.core.uploads.tables``: the declared dimension is not trusted, reading stops at a run of
blank rows, and within ``one_read_per_file`` (each import page's request) a file is parsed once.
"""

from __future__ import annotations

from unittest import mock

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase
from django.urls import reverse

from compliance.core.uploads.tables import (
    XLSX_BLANK_RUN,
    TableFileError,
    one_read_per_file,
    read_table,
    xlsx_values,
)
from tests.base import BaseTestCase, sign_in
from tests.compliance.workbooks import roster_rows, sparse_xlsx
from training.imports.files import COLUMNS
from training.imports.models import PendingImport
from training.roster.models import Officer


def roster_table(data: bytes, name: str = "roster.xlsx"):
    return read_table(data, file_name=name, columns=COLUMNS, required=("badge_number",), max_rows=10_000)


def badges(rows) -> list[str]:
    return [values["badge_number"] for _line, values in rows]


class SheetSizeTests(SimpleTestCase):
    def test_a_sheet_that_claims_a_million_rows_but_holds_ten_gives_its_ten_rows(self):
        data = sparse_xlsx(roster_rows(10), dimension="A1:H1048576")
        _format, rows = roster_table(data)
        self.assertEqual(badges(rows), [f"W-{n}" for n in range(1, 11)])
        self.assertEqual(sum(1 for _ in xlsx_values(data)), 11)  # no padding up to the claimed size

    def test_a_sheet_that_claims_fewer_rows_than_it_holds_is_read_whole(self):
        data = sparse_xlsx(roster_rows(5), dimension="A1:C2")
        _format, rows = roster_table(data)
        self.assertEqual(badges(rows), ["W-1", "W-2", "W-3", "W-4", "W-5"])

    def test_a_stray_cell_a_million_rows_down_costs_one_run_of_blank_rows_and_is_not_read(self):
        sheet = roster_rows(2)
        sheet[1_000_000] = ["W-FAR", "Faraway", "Kim"]
        data = sparse_xlsx(sheet, dimension="A1:C1000000")
        read = list(xlsx_values(data))
        self.assertEqual(len(read), 3 + XLSX_BLANK_RUN - 1)  # header, two rows, then the blank run ends the sheet
        _format, rows = roster_table(data)
        self.assertEqual(badges(rows), ["W-1", "W-2"])

    def test_rows_after_fewer_blank_rows_than_the_run_are_read(self):
        sheet = roster_rows(1)
        sheet[XLSX_BLANK_RUN] = ["W-LATE", "Later", "Kim"]  # XLSX_BLANK_RUN - 3 blank rows before it
        _format, rows = roster_table(sparse_xlsx(sheet, dimension="A1:C3"))
        self.assertEqual(badges(rows), ["W-1", "W-LATE"])

    def test_a_nul_character_in_a_csv_is_refused_whole_with_its_line(self):
        with self.assertRaises(TableFileError) as refused:
            roster_table(b"badge_number,last_name\r\nB-1,Okafor\r\nB-2,Pe\x00a\r\n", "roster.csv")
        self.assertEqual(refused.exception.line, 3)
        self.assertIn("NUL", refused.exception.message)

    def test_a_nul_character_in_a_workbook_is_refused_as_unreadable(self):
        # XML cannot carry a NUL: the sheet is not well-formed, so no NUL ever reaches a row.
        data = sparse_xlsx({1: ["badge_number"], 2: ["B\x001"]}, dimension="A1:A2")
        with self.assertRaisesMessage(TableFileError, "not a readable Excel workbook"):
            roster_table(data)


class OneReadPerFileTests(SimpleTestCase):
    def test_within_one_read_per_file_the_same_bytes_are_parsed_once_and_each_caller_gets_its_own_rows(self):
        data = sparse_xlsx(roster_rows(3), dimension="A1:C4")
        spy = mock.patch("openpyxl.load_workbook", wraps=openpyxl.load_workbook)
        with spy as load_workbook, one_read_per_file():
            _format, first = roster_table(data)
            first[0][1]["badge_number"] = "CHANGED"
            _format, second = roster_table(data)
        self.assertEqual(load_workbook.call_count, 1)
        self.assertEqual(badges(second), ["W-1", "W-2", "W-3"])

    def test_a_refused_file_is_refused_again_without_a_second_parse(self):
        with one_read_per_file():
            for _ in range(2):
                with self.assertRaises(TableFileError):
                    roster_table(b"PK\x03\x04garbage")

    def test_outside_the_block_each_call_parses(self):
        data = sparse_xlsx(roster_rows(1), dimension="A1:C2")
        with mock.patch("openpyxl.load_workbook", wraps=openpyxl.load_workbook) as load_workbook:
            roster_table(data)
            roster_table(data)
        self.assertEqual(load_workbook.call_count, 2)


class RosterImportReadsOnceTests(BaseTestCase):
    """The roster import pages: each request parses the uploaded workbook once (it used to be two or three)."""

    def test_upload_preview_and_confirmation_each_read_the_workbook_once(self):
        sign_in(self.client, self.staff_a)
        workbook = sparse_xlsx(roster_rows(10), dimension="A1:H1048576")
        spy = mock.patch("openpyxl.load_workbook", wraps=openpyxl.load_workbook)
        with spy as load_workbook:
            self.client.post(
                reverse("training:roster_import"),
                {"file": SimpleUploadedFile("roster.xlsx", workbook), "encoding": "utf-8"},
            )
            self.assertEqual(load_workbook.call_count, 1)
            pending = PendingImport.objects.get()
            preview_url = reverse("training:roster_import_preview", args=[pending.public_id])
            digest = self.client.get(preview_url).context["digest"]
            self.assertEqual(load_workbook.call_count, 2)
            response = self.client.post(preview_url, {"choice": "all", "digest": digest})
            self.assertEqual(load_workbook.call_count, 3)  # the confirmation's preview and its import: one read
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Officer.objects.filter(badge_number__startswith="W-").count(), 10)
