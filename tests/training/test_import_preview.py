"""Roster import preview and XLSX files: every row's outcome before writing, valid-only, T4–T6 via XLSX."""

import io
import tempfile
import zipfile
from datetime import UTC, date, datetime
from io import StringIO
from pathlib import Path

import time_machine
from django.core.management import call_command
from openpyxl import Workbook

from compliance.core.uploads.tables import MAX_XLSX_UNZIPPED_BYTES
from tests.base import BaseTestCase
from tests.training.helpers import make_certification, make_course, make_officer
from training.imports import services as importers
from training.imports.files import COLUMNS
from training.imports.services import roster_import, roster_preview
from training.imports.template import template_xlsx
from training.roster.models import Certification, Officer

# The columns every file had before the optional status column; rows below give their values in this order.
BASE_COLUMNS = tuple(column for column in COLUMNS if column != "status")
HEADER = ",".join(BASE_COLUMNS)
NOW = datetime(2026, 6, 1, 15, tzinfo=UTC)


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return "\r\n".join([header, *rows]).encode() + b"\r\n"


def xlsx_bytes(*rows, header=BASE_COLUMNS, title="Roster") -> bytes:
    """A workbook whose first sheet holds ``header`` and ``rows`` (values as given: str, date, int…)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row(badge, last="", first="", unit="", email="", course="", completed="", number=""):
    return [badge, last, first, unit, email, course, completed, number]


@time_machine.travel(NOW, tick=False)
class PreviewTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.iadp = make_course(cls.agency_a, "IADP", validity_months=24)
        cls.refresh = make_course(cls.agency_a, "REFRESH", validity_months=12)

    def preview(self, data: bytes, *, file_name="roster.csv", encoding="utf-8"):
        return roster_preview(agency=self.agency_a, data=data, file_name=file_name, encoding=encoding)

    def run_import(self, data: bytes, *, file_name="roster.csv", only_valid_rows=False, actor=None):
        return roster_import(
            actor=actor or self.staff_a,
            agency=self.agency_a,
            data=data,
            file_name=file_name,
            only_valid_rows=only_valid_rows,
        )

    def assertNothingWritten(self, officers_before=0):
        self.assertEqual(Officer.objects.filter(agency=self.agency_a).count(), officers_before)
        self.assertEqual(Officer.history.filter(agency=self.agency_a).count(), officers_before)
        self.assertFalse(Certification.objects.filter(agency=self.agency_a).exists())


class PreviewOutcomeTests(PreviewTestCase):
    def test_every_row_shows_its_outcome_and_nothing_is_written(self):
        make_officer(self.agency_a, "E-1", last="Stored", first="Kim", unit="Patrol")
        make_officer(self.agency_a, "E-2", last="Quiet", first="Lou", unit="Jail")
        data = csv_bytes(
            "N-1,Okafor,Ada,Jail,,IADP,2025-01-10,C-1",  # line 2: create + certification
            "N-1,,,,,REFRESH,01/15/2026,",  # line 3: same officer, another certification
            "E-1,,,Court,kim@agency.example,,,",  # line 4: update unit and email
            "E-2,,,,,,,",  # line 5: nothing to do
            "E-2,,,,,IADP,2025-02-01,",  # line 6: certification for an unchanged officer
            "N-2,Bad,Date,,,IADP,13/04/2025,",  # line 7: error
        )
        preview = self.preview(data)

        self.assertEqual(
            [(o.line, o.action) for o in preview.outcomes],
            [(2, "create"), (3, "certification"), (4, "update"), (5, "unchanged"), (6, "certification"), (7, "error")],
        )
        create, second, update, _, cert, error = preview.outcomes
        self.assertEqual(
            (create.name, create.course_code, create.expires_on), ("Okafor, Ada", "IADP", date(2027, 1, 10))
        )
        self.assertEqual(
            (second.same_officer_as, second.course_code, second.completed_on), (2, "REFRESH", date(2026, 1, 15))
        )
        self.assertEqual(
            [(c.column, c.old, c.new) for c in update.changes],
            [("unit", "Patrol", "Court"), ("email", "", "kim@agency.example")],
        )
        self.assertEqual(cert.expires_on, date(2027, 2, 1))
        self.assertEqual([(e.line, e.column) for e in error.errors], [(7, "completed_on")])
        self.assertIn("month 13", error.errors[0].message)
        self.assertEqual((preview.valid_rows, preview.error_rows, preview.certifications_to_add), (5, 1, 3))
        self.assertEqual((preview.count_create, preview.count_update), (1, 1))
        # The preview wrote nothing: officers, history, certifications as before.
        self.assertEqual(Officer.objects.filter(agency=self.agency_a).count(), 2)
        self.assertEqual(Officer.history.count(), 2)
        self.assertFalse(Certification.objects.exists())

    def test_a_certification_already_on_file_shows_as_no_change(self):
        officer = make_officer(self.agency_a, "E-3")
        make_certification(officer, self.iadp, date(2025, 1, 10))
        [outcome] = self.preview(csv_bytes("E-3,,,,,IADP,1/10/2025,")).outcomes
        self.assertEqual((outcome.action, outcome.certification_recorded), ("unchanged", True))

    def test_an_unreadable_file_has_one_file_error_and_no_rows(self):
        preview = self.preview(csv_bytes("A,B", header="badge_number,surname"))
        self.assertFalse(preview.readable)
        self.assertEqual(preview.outcomes, [])
        self.assertIn("Unknown column(s) in the header: surname", preview.errors[0].message)

    def test_the_digest_changes_when_the_roster_changes(self):
        data = csv_bytes("N-5,Reyes,Ana,,,,,")
        before = self.preview(data).digest
        self.assertEqual(self.preview(data).digest, before)
        make_officer(self.agency_a, "N-5", last="Reyes", first="Ana", unit="Court")
        self.assertNotEqual(self.preview(data).digest, before)


class ValidOnlyTests(PreviewTestCase):
    DATA = csv_bytes(
        "V-1,Good,One,,,IADP,2025-01-10,",  # line 2
        "V-2,Bad,Two,,,IADP,2025-02-30,",  # line 3: error
        "V-3,Good,Three,,,,,",  # line 4
        "V-4,Bad,Email,,nope,,,",  # line 5: error
    )

    def test_all_or_nothing_is_the_default(self):
        result = self.run_import(self.DATA)
        self.assertEqual([(e.line, e.column) for e in result.errors], [(3, "completed_on"), (5, "email")])
        self.assertNothingWritten()

    def test_case_T5_only_valid_rows_imports_the_others_and_lists_the_skipped(self):
        result = self.run_import(self.DATA, only_valid_rows=True, file_name="valid-only.csv")
        self.assertTrue(result.ok)
        self.assertEqual(result.rows_skipped, 2)
        self.assertEqual([(e.line, e.column) for e in result.skipped], [(3, "completed_on"), (5, "email")])
        self.assertEqual(
            sorted(Officer.objects.filter(agency=self.agency_a).values_list("badge_number", flat=True)), ["V-1", "V-3"]
        )
        self.assertEqual(result.certifications_created, 1)
        self.assertEqual(
            set(Officer.history.values_list("history_user", "history_change_reason")),
            {(self.staff_a.pk, "Roster import: valid-only.csv")},
        )

    def test_a_row_that_needs_a_bad_row_is_an_error_too(self):
        data = csv_bytes(
            "D-1,Named,Here,,,IADP,13/04/2025,",  # line 2: error; the only row naming D-1
            "D-1,,,,,REFRESH,2025-03-01,",  # line 3: fine alone, but D-1 would have no name
        )
        preview = self.preview(data)
        self.assertEqual([(o.line, o.action) for o in preview.outcomes], [(2, "error"), (3, "error")])
        # A new officer needs a last name (a first name may be blank: a person with a single name).
        [last_name] = preview.outcomes[1].errors
        self.assertEqual(last_name.column, "last_name")
        self.assertIn("line 2", last_name.message)
        result = self.run_import(data, only_valid_rows=True)
        self.assertTrue(result.ok)
        self.assertNothingWritten()

    def test_a_later_row_can_complete_a_new_officer(self):
        result = self.run_import(csv_bytes("L-1,Later,,,,,,", "L-1,,Named,Jail,,IADP,2025-01-10,"))
        self.assertEqual(result.errors, [])
        officer = Officer.objects.get(badge_number="L-1")
        self.assertEqual((officer.last_name, officer.first_name, officer.unit), ("Later", "Named", "Jail"))

    def test_a_stale_preview_writes_nothing(self):
        data = csv_bytes("S-1,Stale,Sam,,,,,")
        digest = self.preview(data).digest
        make_officer(self.agency_a, "S-1", last="Stale", first="Sam", unit="Court")
        result = roster_import(
            actor=self.staff_a, agency=self.agency_a, data=data, file_name="s.csv", expected_digest=digest
        )
        self.assertTrue(result.stale)
        self.assertFalse(result.ok)
        self.assertEqual(Officer.history.count(), 1)


class XlsxTests(PreviewTestCase):
    def test_real_excel_dates_and_text_dates_both_import(self):
        data = xlsx_bytes(
            row("X-1", "Rivera", "Sam", course="IADP", completed=datetime(2025, 3, 4)),  # a date cell
            row("X-2", "Nguyễn", "Mai", course="IADP", completed="3/4/2025"),  # US text date
            row(1042, "Number", "Badge", course="REFRESH", completed="2025-03-04"),  # a numeric badge
        )
        result = self.run_import(data, file_name="roster.xlsx")
        self.assertEqual(result.errors, [])
        self.assertEqual(result.file_format, "xlsx")
        self.assertEqual(
            sorted(Certification.objects.values_list("officer__badge_number", "completed_on", "expires_on")),
            [
                ("1042", date(2025, 3, 4), date(2026, 3, 4)),
                ("X-1", date(2025, 3, 4), date(2027, 3, 4)),
                ("X-2", date(2025, 3, 4), date(2027, 3, 4)),
            ],
        )
        self.assertEqual(Officer.objects.get(badge_number="X-2").last_name, "Nguyễn")

    def test_case_T5_bad_text_dates_in_a_workbook_are_row_errors_with_line_and_column(self):
        data = xlsx_bytes(
            row("T-1", "Ames", "Kit", course="IADP", completed="3/4/2025"),  # row 2: fine
            row("T-2", "Ames", "Lee", course="IADP", completed="13/04/2025"),  # row 3
            row("T-3", "Ames", "Max", course="IADP", completed=None),  # row 4: empty required date
            row("T-4", "Ames", "Ned", course="IADP", completed="2025-02-30"),  # row 5
            row("T-5", "Ames", "Oli", course="IADP", completed="05/082025"),  # row 6
            row("T-6", "Ames", "Pat", course="IADP", completed=datetime(2025, 3, 4, 14, 30)),  # row 7: a time
        )
        result = self.run_import(data, file_name="dates.xlsx")
        self.assertEqual([(e.line, e.column) for e in result.errors], [(n, "completed_on") for n in (3, 4, 5, 6, 7)])
        messages = [e.message for e in result.errors]
        self.assertIn("month 13", messages[0])
        self.assertIn("required", messages[1])
        self.assertIn("not a real date", messages[2])
        self.assertIn("is not a date", messages[3])
        self.assertIn("is not a date", messages[4])
        self.assertNothingWritten()

    def test_case_T5_through_xlsx_us_date_is_month_first(self):
        self.run_import(xlsx_bytes(row("T-7", "Ames", "Kit", course="IADP", completed="3/4/2025")), file_name="a.xlsx")
        self.assertEqual(Certification.objects.get().completed_on, date(2025, 3, 4))

    def test_case_T6_through_xlsx_attribution_and_blank_means_leave_as_is(self):
        existing = [make_officer(self.agency_a, f"E-{n}", last=f"Stored{n}", unit="Patrol") for n in range(5)]
        for officer in existing:
            make_certification(officer, self.iadp, date(2024, 5, 1))
        rows = [
            row(f"N-{n}", f"New{n}", "Officer", "Jail", course="IADP", completed=date(2025, 5, 1)) for n in range(50)
        ]
        rows += [row(f"E-{n}", course="IADP", completed=date(2026, 5, 1)) for n in range(5)]

        result = self.run_import(xlsx_bytes(*rows), file_name="roster-may.xlsx", actor=self.supervisor_a)

        self.assertEqual(result.errors, [])
        self.assertEqual(
            (result.officers_created, result.officers_unchanged, result.certifications_created), (50, 5, 55)
        )
        reason = "Roster import: roster-may.xlsx"
        created = Officer.history.filter(history_type="+", history_change_reason=reason)
        self.assertEqual(created.count(), 50)
        self.assertEqual(set(created.values_list("history_user", flat=True)), {self.supervisor_a.pk})
        for n, officer in enumerate(existing):
            officer.refresh_from_db()
            self.assertEqual((officer.badge_number, officer.unit, officer.history.count()), (f"E-{n}", "Patrol", 1))

    def test_a_short_row_is_blank_on_the_missing_columns_and_blank_rows_are_skipped(self):
        data = xlsx_bytes(["S-1", "Short", "Row"], [], [None, None], ["S-2", "Other", "Row", "Jail"])
        result = self.run_import(data, file_name="short.xlsx")
        self.assertEqual(result.errors, [])
        self.assertEqual(Officer.objects.get(badge_number="S-2").unit, "Jail")

    def test_a_value_beyond_the_header_is_refused(self):
        data = xlsx_bytes(["S-3", "Too", "Long"], header=["badge_number", "last_name"])
        result = self.run_import(data, file_name="wide.xlsx")
        self.assertEqual(result.errors[0].line, 2)
        self.assertIn("3 values but the header has 2 columns", result.errors[0].message)

    def test_old_xls_fake_xlsx_and_broken_zip_are_refused_with_a_message(self):
        cases = {
            ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64): "Excel 97–2003",
            ("fake.xlsx", b"badge_number\r\nA-1\r\n"): "named .xlsx but is not an Excel workbook",
            ("broken.xlsx", b"PK\x03\x04garbage"): "not a readable Excel workbook",
        }
        for (name, data), message in cases.items():
            with self.subTest(name=name):
                result = self.run_import(data, file_name=name)
                self.assertIn(message, result.errors[0].message)
        self.assertNothingWritten()

    def test_a_zip_that_is_not_a_workbook_is_refused(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "not a workbook")
        result = self.run_import(buffer.getvalue(), file_name="roster.xlsx")
        self.assertIn("not a readable Excel workbook", result.errors[0].message)

    def test_a_zip_bomb_is_refused_before_parsing(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (MAX_XLSX_UNZIPPED_BYTES + 1))
        self.assertLess(len(buffer.getvalue()), importers.MAX_BYTES)
        result = self.run_import(buffer.getvalue(), file_name="bomb.xlsx")
        self.assertIn("too large once unpacked", result.errors[0].message)

    def test_the_xlsx_template_imports(self):
        result = self.run_import(template_xlsx(), file_name="roster-import-template.xlsx")
        self.assertEqual(result.errors, [])
        self.assertEqual((result.officers_created, result.certifications_created), (1, 1))
        self.assertEqual(Certification.objects.get().completed_on, date(2025, 3, 4))


class ImportCommandTests(PreviewTestCase):
    def test_the_command_reads_xlsx_and_imports_only_valid_rows_when_asked(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        path = Path(folder.name) / "roster.xlsx"
        path.write_bytes(
            xlsx_bytes(
                row("C-1", "Quinn", "Ray", course="IADP", completed=date(2025, 1, 10)),
                row("C-2", "Quinn", "Sue", course="IADP", completed="13/04/2025"),
            )
        )
        out, err = StringIO(), StringIO()
        call_command(
            "import_roster",
            str(path),
            agency="TX:Alder County Sheriff's Office",
            as_user="staff_a",
            only_valid_rows=True,
            stdout=out,
            stderr=err,
        )
        self.assertIn("1 officers added", out.getvalue())
        self.assertIn("Skipped: Line 3, completed_on", err.getvalue())
        self.assertEqual(list(Officer.objects.values_list("badge_number", flat=True)), ["C-1"])
