"""Roster CSV import: encodings (T4), dates (T5), attribution and "leave as is" (T6), all or nothing."""

import tempfile
import unicodedata
from datetime import UTC, date, datetime
from io import StringIO
from pathlib import Path

import time_machine
from django.core.management import CommandError, call_command

from compliance.core.system_account import system_user
from tests.base import BaseTestCase
from tests.training.helpers import make_certification, make_course, make_officer
from training.imports.files import COLUMNS
from training.imports.services import TEMPLATE_CSV, parse_import_date, roster_import
from training.roster.models import Certification, Officer

# The columns every file had before the optional status column; rows below give their values in this order.
BASE_COLUMNS = tuple(column for column in COLUMNS if column != "status")
HEADER = ",".join(BASE_COLUMNS)
NOW = datetime(2026, 6, 1, 15, tzinfo=UTC)


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8", bom: bool = False) -> bytes:
    data = "\r\n".join([header, *rows]).encode(encoding) + b"\r\n"
    return (b"\xef\xbb\xbf" + data) if bom else data


@time_machine.travel(NOW, tick=False)
class ImportTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.iadp = make_course(cls.agency_a, "IADP", validity_months=24)
        cls.refresh = make_course(cls.agency_a, "REFRESH", validity_months=12)

    def run_import(self, data: bytes, *, file_name="roster.csv", encoding="utf-8", actor=None):
        return roster_import(
            actor=actor or self.staff_a, agency=self.agency_a, data=data, file_name=file_name, encoding=encoding
        )

    def assertNothingImported(self):
        self.assertFalse(Officer.objects.filter(agency=self.agency_a).exists())
        self.assertFalse(Certification.objects.exists())


class EncodingTests(ImportTestCase):
    def test_case_T4a_utf8_bom_header_is_recognised(self):
        result = self.run_import(csv_bytes("A-1,Rivera,Sam,Jail,,IADP,2025-03-04,C-1", bom=True))
        self.assertEqual(result.errors, [])
        officer = Officer.objects.get(badge_number="A-1")
        self.assertEqual((officer.last_name, officer.unit), ("Rivera", "Jail"))

    def test_case_T4b_windows_1252_file_is_refused_whole_naming_the_encoding_and_line(self):
        data = csv_bytes(
            "A-1,Rivera,Sam,Jail,,IADP,2025-03-04,",
            "A-2,Peña,Luis,Jail,,IADP,2025-03-04,",
            encoding="cp1252",
        )
        self.assertIn(b"Pe\xf1a", data)
        result = self.run_import(data)
        [error] = result.errors
        self.assertEqual(error.line, 3)
        self.assertIn("Encoding problem", error.message)
        self.assertIn("not valid UTF-8", error.message)
        self.assertIn("line 3", error.message)
        self.assertIn("Windows-1252", error.message)
        self.assertNothingImported()

    def test_case_T4b_windows_1252_file_imports_exactly_when_declared(self):
        data = csv_bytes("A-2,Peña,Luis,Jail,,IADP,2025-03-04,", encoding="cp1252")
        result = self.run_import(data, encoding="cp1252")
        self.assertEqual(result.errors, [])
        self.assertEqual(Officer.objects.get(badge_number="A-2").last_name, "Peña")

    def test_case_T4c_utf8_vietnamese_name_imports_exactly(self):
        result = self.run_import(csv_bytes("A-3,Nguyễn,Thị Mai,,,IADP,2025-03-04,"))
        self.assertEqual(result.errors, [])
        self.assertEqual(Officer.objects.get(badge_number="A-3").last_name, "Nguyễn")

    def test_a_utf8_file_stays_utf8_even_if_windows_1252_is_chosen(self):
        result = self.run_import(csv_bytes("A-3,Nguyễn,Mai,,,,,"), encoding="cp1252")
        self.assertEqual(result.errors, [])
        self.assertEqual(Officer.objects.get(badge_number="A-3").last_name, "Nguyễn")

    def test_decomposed_accents_are_stored_composed(self):
        decomposed = unicodedata.normalize("NFD", "Peña")
        self.run_import(csv_bytes(f"A-4,{decomposed},Luis,,,,,"))
        self.assertEqual(Officer.objects.get(badge_number="A-4").last_name, "Peña")

    def test_utf16_and_nul_bytes_are_refused_with_a_message(self):
        result = self.run_import("badge_number\r\nA-1\r\n".encode("utf-16"))
        self.assertIn("UTF-16", result.errors[0].message)
        result = self.run_import(csv_bytes("A-1,X\x00,Y,,,,,"))
        self.assertIn("NUL", result.errors[0].message)
        self.assertEqual(result.errors[0].line, 2)
        self.assertNothingImported()


class DateTests(ImportTestCase):
    def test_case_T5_documented_formats_parse(self):
        self.assertEqual(parse_import_date("3/4/2025"), date(2025, 3, 4))
        self.assertEqual(parse_import_date("03/04/2025"), date(2025, 3, 4))
        self.assertEqual(parse_import_date("2025-03-04"), date(2025, 3, 4))
        self.assertEqual(parse_import_date("2024-02-29"), date(2024, 2, 29))

    def test_dates_outside_the_calendar_are_refused_with_the_forms_message(self):
        # 9999-12-31 plus a course's months is past year 9999; a form refuses it the same way.
        for far in ("9999-12-31", "0001-01-01", "12/31/2200", "1899-12-31"):
            with self.assertRaisesMessage(ValueError, "Enter a date from 1900-01-01 to 2199-12-31."):
                parse_import_date(far)

    def test_case_T5_bad_dates_raise_with_a_reason(self):
        reasons = {
            "13/04/2025": "month 13",
            "2025-02-30": "not a real date",
            "05/082025": "is not a date",
            "2025-3-4": "is not a date",
            "04.03.2025": "is not a date",
        }
        for value, reason in reasons.items():
            with self.subTest(value=value), self.assertRaisesMessage(ValueError, reason):
                parse_import_date(value)

    def test_case_T5_date_row_errors_name_line_column_and_reason_and_nothing_is_written(self):
        data = csv_bytes(
            "D-1,Ames,Kit,,,IADP,3/4/2025,",  # line 2: fine
            "D-2,Ames,Lee,,,IADP,13/04/2025,",  # line 3
            "D-3,Ames,Max,,,IADP,,",  # line 4: empty required date
            "D-4,Ames,Ned,,,IADP,2025-02-30,",  # line 5
            "D-5,Ames,Oli,,,IADP,05/082025,",  # line 6
            "D-6,Ames,Pat,,,IADP,2025-03-04,",  # line 7: fine
        )
        result = self.run_import(data)
        self.assertEqual([(e.line, e.column) for e in result.errors], [(n, "completed_on") for n in (3, 4, 5, 6)])
        messages = [e.message for e in result.errors]
        self.assertIn("month 13", messages[0])
        self.assertIn("required", messages[1])
        self.assertIn("not a real date", messages[2])
        self.assertIn("is not a date", messages[3])
        self.assertNothingImported()

    def test_case_T5_us_date_becomes_the_iso_date_and_t3_expiry(self):
        self.run_import(csv_bytes("D-7,Ames,Kit,,,IADP,3/4/2025,", "D-8,Ames,Lee,,,IADP,2/29/2024,"))
        first = Certification.objects.get(officer__badge_number="D-7")
        leap = Certification.objects.get(officer__badge_number="D-8")
        self.assertEqual((first.completed_on, first.expires_on), (date(2025, 3, 4), date(2027, 3, 4)))
        self.assertEqual((leap.completed_on, leap.expires_on), (date(2024, 2, 29), date(2026, 2, 28)))

    def test_a_completion_after_the_agency_date_is_a_row_error(self):
        result = self.run_import(csv_bytes("D-9,Ames,Kit,,,IADP,2026-06-02,"))
        self.assertEqual([(e.line, e.column) for e in result.errors], [(2, "completed_on")])


class AttributionTests(ImportTestCase):
    def make_existing(self):
        return [make_officer(self.agency_a, f"E-{n}", last=f"Stored{n}", unit="Patrol") for n in range(5)]

    def test_case_T6_import_attribution(self):
        existing = self.make_existing()
        for officer in existing:
            make_certification(officer, self.iadp, date(2024, 5, 1))
        rows = [f"N-{n},New{n},Officer,Jail,n{n}@agency.example,IADP,2025-05-01,C-{n}" for n in range(50)]
        # The 5 existing officers: only a new completion (so a later expiry); every other column blank.
        rows += [f"E-{n},,,,,IADP,2026-05-01," for n in range(5)]

        result = self.run_import(csv_bytes(*rows), file_name="C:\\Users\\staff\\roster-may.csv")

        self.assertEqual(result.errors, [])
        self.assertEqual((result.officers_created, result.officers_updated, result.officers_unchanged), (50, 0, 5))
        reason = "Roster import: roster-may.csv"
        officer_rows = Officer.history.model.objects.filter(history_change_reason=reason)
        self.assertEqual(officer_rows.filter(history_type="+").count(), 50)
        self.assertEqual(set(officer_rows.values_list("history_user", flat=True)), {self.staff_a.pk})
        # Blank columns left the existing officers as they were: no change rows, badge and unit kept.
        for n, officer in enumerate(existing):
            officer.refresh_from_db()
            self.assertEqual((officer.badge_number, officer.unit, officer.history.count()), (f"E-{n}", "Patrol", 1))
        # Their expiry moved by a new certification (a renewal), attributed the same way.
        cert_rows = Certification.history.model.objects.filter(history_change_reason=reason)
        self.assertEqual(cert_rows.filter(history_type="+").count(), 55)
        self.assertEqual(set(cert_rows.values_list("history_user", flat=True)), {self.staff_a.pk})
        self.assertEqual(
            set(Certification.objects.filter(officer__in=existing).values_list("expires_on", flat=True)),
            {date(2026, 5, 1), date(2028, 5, 1)},
        )

    def test_case_T6_changed_columns_write_change_rows_attributed_to_the_importer(self):
        existing = self.make_existing()
        rows = [f"E-{n},,,,e{n}@agency.example,,," for n in range(5)]

        result = self.run_import(csv_bytes(*rows), file_name="emails.csv", actor=self.supervisor_a)

        self.assertEqual(result.officers_updated, 5)
        changes = Officer.history.model.objects.filter(history_type="~")
        self.assertEqual(changes.count(), 5)
        self.assertEqual(
            set(changes.values_list("history_user", "history_change_reason")),
            {(self.supervisor_a.pk, "Roster import: emails.csv")},
        )
        officer = Officer.objects.get(pk=existing[0].pk)
        self.assertEqual((officer.last_name, officer.unit, officer.email), ("Stored0", "Patrol", "e0@agency.example"))


class WholeFileTests(ImportTestCase):
    def test_a_good_file_imports_every_row(self):
        data = csv_bytes(
            "G-1,Okafor,Ada,Jail,ada@agency.example,IADP,2025-01-10,C-1",
            "G-1,,,,,REFRESH,01/15/2026,C-2",  # same officer, second course
            "G-2,Lindqvist,Bo,Patrol,,,,",  # officer without a certification yet
            '"G-3","O\'Neil, Jr.",Cy,"Court, East",,iadp,2025-02-01,',  # quoted commas, lower-case code
        )
        result = self.run_import(data)
        self.assertEqual(result.errors, [])
        self.assertEqual((result.rows, result.officers_created, result.certifications_created), (4, 3, 3))
        self.assertEqual(Officer.objects.get(badge_number="G-3").last_name, "O'Neil, Jr.")
        self.assertEqual(
            sorted(Certification.objects.filter(officer__badge_number="G-1").values_list("course__code", "expires_on")),
            [("IADP", date(2027, 1, 10)), ("REFRESH", date(2027, 1, 15))],
        )

    def test_importing_the_same_file_again_adds_nothing(self):
        data = csv_bytes("G-4,Okafor,Ada,Jail,,IADP,2025-01-10,")
        self.run_import(data)
        again = self.run_import(data)
        self.assertEqual((again.officers_unchanged, again.certifications_already_recorded), (1, 1))
        self.assertEqual(Certification.objects.count(), 1)
        self.assertEqual(Officer.history.count(), 1)

    def test_several_bad_rows_are_all_reported_and_nothing_is_imported(self):
        make_officer(self.agency_a, "K-0", last="Kept")
        data = csv_bytes(
            "K-1,Good,Row,,,IADP,2025-01-01,",  # line 2 fine
            ",Nobadge,Row,,,,,",  # line 3
            "K-2,,Nolast,,,,,",  # line 4: new officer without last name
            "K-3,Bad,Email,,not-an-email,,,",  # line 5
            "K-4,Bad,Course,,,NOPE,2025-01-01,",  # line 6
            "K-5,Bad,Date,,,,2025-01-01,",  # line 7: date without course
            "K-1,Other,Row,,,,,",  # line 8: conflicts with line 2
            "K-6," + "x" * 101 + ",Long,,,,,",  # line 9
            "K-1,,,,,IADP,1/1/2025,",  # line 10: same certification as line 2
        )
        result = self.run_import(data)
        self.assertEqual(
            [(e.line, e.column) for e in result.errors],
            [
                (3, "badge_number"),
                (4, "last_name"),
                (5, "email"),
                (6, "course_code"),
                (7, "course_code"),
                (8, "last_name"),
                (9, "last_name"),
                (10, "completed_on"),
            ],
        )
        self.assertIn("line 2", result.errors[5].message)
        self.assertIn("known: IADP, REFRESH", result.errors[3].message)
        self.assertEqual(list(Officer.objects.values_list("badge_number", flat=True)), ["K-0"])
        self.assertFalse(Certification.objects.exists())

    def test_header_problems_refuse_the_file(self):
        cases = {
            "badge_number,surname": "Unknown column(s) in the header: surname",
            "last_name,first_name": "no badge_number column",
            "badge_number,unit,unit": "repeated in the header: unit",
        }
        for header, message in cases.items():
            with self.subTest(header=header):
                result = self.run_import(csv_bytes("A,B", header=header))
                self.assertIn(message, result.errors[0].message)
                self.assertEqual(result.errors[0].line, 1)
        self.assertIn("empty", self.run_import(b"").errors[0].message)
        self.assertNothingImported()

    def test_a_row_with_too_many_values_is_refused(self):
        result = self.run_import(csv_bytes("A-1,Lee,Kim,Jail,,,,,extra"))
        self.assertEqual(result.errors[0].line, 2)
        self.assertIn("9 values", result.errors[0].message)

    def test_the_template_imports(self):
        result = self.run_import(("\ufeff" + TEMPLATE_CSV).encode())
        self.assertEqual(result.errors, [])
        self.assertEqual(result.certifications_created, 1)


class ImportCommandTests(ImportTestCase):
    def write(self, name: str, data: bytes) -> Path:
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        path = Path(folder.name) / name
        path.write_bytes(data)
        return path

    def test_it_imports_as_the_named_user(self):
        path = self.write("cmd.csv", csv_bytes("M-1,Quinn,Ray,,,IADP,2025-01-10,"))
        out = StringIO()
        call_command(
            "import_roster", str(path), agency="tx:Alder County Sheriff's Office", as_user="staff_a", stdout=out
        )
        self.assertIn("1 officers added", out.getvalue())
        entry = Officer.objects.get(badge_number="M-1").history.get()
        self.assertEqual((entry.history_user, entry.history_change_reason), (self.staff_a, "Roster import: cmd.csv"))

    def test_without_as_it_imports_as_the_system_user(self):
        path = self.write("sys.csv", csv_bytes("M-2,Quinn,Sue,,,,,"))
        call_command("import_roster", str(path), agency="TX:Alder County Sheriff's Office", stdout=StringIO())
        self.assertEqual(Officer.objects.get(badge_number="M-2").history.get().history_user, system_user())

    def test_it_reports_every_bad_row_and_fails(self):
        # Line 2: a new officer without a last name (a first name may be blank: a single name); line 3: the date.
        path = self.write("bad.csv", csv_bytes("M-3,,,,,,,", "M-4,X,Y,,,IADP,13/04/2025,"))
        err = StringIO()
        with self.assertRaisesMessage(CommandError, "Nothing imported: 2 problem(s) in bad.csv"):
            call_command("import_roster", str(path), agency="TX:Alder County Sheriff's Office", stderr=err)
        self.assertIn("Line 2, last_name", err.getvalue())
        self.assertIn("Line 3, completed_on", err.getvalue())
        self.assertNothingImported()

    def test_it_refuses_a_user_without_change_permission_or_an_unknown_agency(self):
        path = self.write("x.csv", csv_bytes("M-5,Quinn,Tom,,,,,"))
        with self.assertRaisesMessage(CommandError, "may not change records"):
            call_command("import_roster", str(path), agency="TX:Alder County Sheriff's Office", as_user="auditor_a")
        with self.assertRaisesMessage(CommandError, "No agency"):
            call_command("import_roster", str(path), agency="TX:Nowhere")
        self.assertNothingImported()
