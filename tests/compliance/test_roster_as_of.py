"""The training roster "as of" a past day (issue #13 item 1): effective vs recorded, the report in parts.

The officer of the issue: her refresher was completed on 2026-06-20 but recorded only on 2026-07-10, she was
separated on 2026-08-01, and completed another course on 2026-09-01. As of 2026-06-30, "as effective on"
shows the refresher and her current and authorized; "as recorded by" shows her without it (her basic course
had expired after 2026-06-15, as the records then said); neither shows what came after the day.
"""

import io
import re
from datetime import UTC, date, datetime
from unittest import mock

import time_machine
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from compliance.core.models import Agreement, AgreementModel, Report
from compliance.reports import training_roster
from compliance.reports.engine import report_run
from compliance.reports.rendering import report_render
from compliance.reports.services import report_request
from tests.base import BaseTestCase
from tests.compliance.helpers import make_certification, make_course, make_officer
from tests.training.helpers import officer_fields
from training.lifecycle.models import OfficerStatusChange
from training.lifecycle.services import officer_set_status
from training.roster import rules
from training.roster.as_of import EFFECTIVE, RECORDED, roster_as_of, roster_ids_as_of, roster_size_as_of
from training.roster.models import Certification, Course, Officer

AS_OF = date(2026, 6, 30)
# The end of 2026-06-30 in America/Chicago (CDT, UTC-5).
END_OF_DAY = datetime(2026, 7, 1, 5, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def pdf_pages(report) -> list[str]:
    with report.file.open("rb") as handle:
        return [page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages]


class LateRefresherTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        with time_machine.travel(datetime(2026, 1, 10, 15, 0, tzinfo=UTC), tick=False):
            cls.agreement = Agreement.objects.create(
                agency=cls.agency_a, model=AgreementModel.TFM, signed_on=date(2025, 1, 1)
            )
            cls.course = make_course(cls.agency_a, "IADP", months=24)
            cls.officer = make_officer(
                cls.agency_a, 1, last_name="Latecomer", first_name="Ilse", agreement=cls.agreement
            )
            make_certification(cls.officer, cls.course, date(2024, 6, 15))  # valid through 2026-06-15
            cls.steady = make_officer(cls.agency_a, 2, last_name="Steady", first_name="Ona", agreement=cls.agreement)
            make_certification(cls.steady, cls.course, date(2025, 3, 1))  # valid through 2027-03-01
        with time_machine.travel(datetime(2026, 7, 10, 15, 0, tzinfo=UTC), tick=False):
            make_certification(cls.officer, cls.course, date(2026, 6, 20))  # the refresher, recorded late
        with time_machine.travel(datetime(2026, 8, 1, 15, 0, tzinfo=UTC), tick=False):
            officer_set_status(
                actor=cls.admin_a, officer=cls.officer, status=Officer.Status.SEPARATED, effective_on=date(2026, 8, 1)
            )
        with time_machine.travel(datetime(2026, 9, 2, 15, 0, tzinfo=UTC), tick=False):
            make_certification(cls.steady, cls.course, date(2026, 9, 1))  # valid through 2028-09-01
        # Recorded after the day and designated only after it: on neither basis.
        with time_machine.travel(datetime(2026, 9, 3, 15, 0, tzinfo=UTC), tick=False):
            newcomer = make_officer(cls.agency_a, 3, last_name="Newcomer", agreement=cls.agreement)
            OfficerStatusChange.objects.create(
                officer=newcomer,
                status=Officer.Status.DESIGNATED,
                previous_status=Officer.Status.IN_TRAINING,
                effective_on=date(2026, 9, 3),
                recorded_by=cls.admin_a,
            )

    def _rows(self, basis):
        roster = roster_as_of(agency=self.agency_a, day=AS_OF, checked_at=END_OF_DAY, basis=basis)
        return roster, {row.officer.last_name: row for row in roster.rows}

    def test_effective_counts_the_refresher_from_its_completion_day(self):
        roster, rows = self._rows(EFFECTIVE)
        row = rows["Latecomer"]
        self.assertEqual(row.status, rules.CURRENT)
        self.assertTrue(row.authorization)
        self.assertEqual([cell.expires_on for cell in row.cells], [date(2028, 6, 20)])
        self.assertEqual(row.codes, "")

    def test_recorded_shows_what_the_records_said_then(self):
        roster, rows = self._rows(RECORDED)
        row = rows["Latecomer"]
        self.assertEqual(row.status, rules.EXPIRED)
        self.assertFalse(row.authorization)
        self.assertEqual(row.codes, "T")
        self.assertEqual([cell.expires_on for cell in row.cells], [date(2026, 6, 15)])
        self.assertTrue(row.cells[0].lapsed)

    def test_both_show_the_officer_designated_then_and_nothing_later(self):
        for basis in (EFFECTIVE, RECORDED):
            with self.subTest(basis=basis):
                roster, rows = self._rows(basis)
                self.assertEqual(sorted(rows), ["Latecomer", "Steady"])  # separated later: still on that day's roster
                self.assertEqual([cell.expires_on for cell in rows["Steady"].cells], [date(2027, 3, 1)])
                self.assertEqual(roster.counts["designated"], 2)

    def test_after_the_separation_she_is_off_the_roster(self):
        roster = roster_as_of(
            agency=self.agency_a,
            day=date(2026, 8, 2),
            checked_at=datetime(2026, 8, 3, 5, 0, tzinfo=UTC),
            basis=EFFECTIVE,
        )
        self.assertEqual([row.officer.last_name for row in roster.rows], ["Steady"])

    def test_a_naive_instant_or_unknown_basis_is_refused(self):
        with self.assertRaises(ValueError):
            roster_as_of(agency=self.agency_a, day=AS_OF, checked_at=datetime(2026, 7, 1), basis=EFFECTIVE)
        with self.assertRaises(ValueError):
            roster_size_as_of(agency=self.agency_a, day=AS_OF, checked_at=END_OF_DAY, basis="whenever")

    def _report(self, basis):
        with time_machine.travel(NOW, tick=False), self.captureOnCommitCallbacks(execute=True):
            report = report_request(
                actor=self.supervisor_a,
                agency=self.agency_a,
                kind=Report.Kind.TRAINING_ROSTER,
                as_of=AS_OF,
                basis=basis,
            )
        report.refresh_from_db()
        self.assertEqual(report.status, Report.Status.READY, report.error)
        self.assertEqual(report.checked_at, END_OF_DAY)
        return report

    def test_the_effective_pdf_states_its_basis_and_shows_the_refresher(self):
        pages = pdf_pages(self._report(Report.Basis.EFFECTIVE))
        text = "\n".join(pages)
        self.assertIn("As effective on 2026-06-30: trainings count from the day they were completed, even if", text)
        line = next(line for line in text.splitlines() if "Latecomer, Ilse" in line and "TFM" in line)
        self.assertIn("Current", line)
        self.assertIn("Yes", line)
        self.assertIn("2028-06-20", line)
        self.assertNotIn("2028-09-01", text)  # completed after the day
        self.assertNotIn("Newcomer", text)
        self.assertIn("Every officer designated that day was authorized.", pages[-1])

    def test_the_recorded_pdf_states_its_basis_and_leaves_the_late_refresher_out(self):
        pages = pdf_pages(self._report(Report.Basis.RECORDED))
        text = "\n".join(pages)
        self.assertIn("As recorded by the end of 2026-06-30: what the records said at the end of that day", text)
        line = next(line for line in text.splitlines() if "Latecomer, Ilse" in line and "TFM" in line)
        self.assertIn("Expired", line)
        self.assertIn("No T", line)
        self.assertIn("2026-06-15 !", line)
        self.assertNotIn("2028-06-20", text)
        self.assertNotIn("2028-09-01", text)
        self.assertNotIn("Newcomer", text)
        # The appendix gives the reason in full.
        self.assertIn("required training not current on 2026-06-30: IADP", re.sub(r"\s+", " ", pages[-1]))


class RosterPartsTests(BaseTestCase):
    """600 officers: three row parts of 200, page numbers and column headers continuous across them."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        course = make_course(cls.agency_a, "IADP", months=24)
        officers = Officer.objects.bulk_create(
            Officer(
                agency=cls.agency_a,
                last_name=f"Rowan{n:03d}",
                first_name="Kai",
                badge_number=f"P-{n:04d}",
                **officer_fields(cls.agency_a, agreement=cls.agreement_a),
            )
            for n in range(600)
        )
        Certification.objects.bulk_create(
            Certification(
                agency=cls.agency_a,
                officer=officer,
                course=course,
                completed_on=date(2025, 6, 1),
                expires_on=date(2027, 6, 1),
            )
            for officer in officers
        )

    @time_machine.travel(NOW, tick=False)
    # Small slices, so the appendix and the cover's counting cross slices here as they do at 50,000 officers.
    @mock.patch.object(training_roster, "APPENDIX_SLICE", 250)
    @mock.patch.object(training_roster, "COUNT_SLICE", 250)
    def test_a_600_officer_roster_crosses_parts_with_continuous_pages_and_headers(self):
        report = Report.objects.create(
            agency=self.agency_a,
            kind=Report.Kind.TRAINING_ROSTER,
            as_of=date(2026, 11, 20),
            checked_at=NOW,
            requested_by=self.auditor_a,
        )
        parts = training_roster.plan(report_run(Report.objects.select_related("agency").get(pk=report.pk)))
        self.assertEqual([part.params.get("first") for part in parts], [None, 1, 201, 401, 1, 251, 501])
        self.assertEqual([part.toc_entry for part in parts[4:]], ["Why not authorized", "", ""])
        self.assertTrue(all(set(part.params) <= {"part", "ids", "first", "size"} for part in parts))  # no names
        # Planned once, the officers' ids in roster (name) order: a part reads only its own 200.
        by_name = list(Officer.objects.filter(agency=self.agency_a).order_by("last_name").values_list("pk", flat=True))
        self.assertEqual([pk for part in parts[1:4] for pk in part.params["ids"]], by_name)
        self.assertEqual({part.params.get("size") for part in parts[1:4]}, {600})
        report = report_render(report_id=report.pk)
        self.assertEqual(report.status, Report.Status.READY, report.error)
        pages = pdf_pages(report)
        self.assertEqual(report.page_count, len(pages))
        for number, text in enumerate(pages, start=1):
            self.assertIn(f"Page {number} of {len(pages)}", text)
        row_pages = [text for text in pages if "Rowan" in text and "Why not authorized" not in text]
        self.assertGreaterEqual(len(row_pages), 9)
        for text in row_pages:
            self.assertRegex(text, r"#\s*Officer\s*Badge\s*Model\s*Training\s*Authorized\s*IADP")
        # Every officer once, in order, numbered 1…600 across the part boundaries (numbers padded with figure
        # spaces, which read back as whitespace).
        numbers = [int(m) for text in row_pages for m in re.findall(r"^\s*(\d+) Rowan\d{3}, Kai", text, re.M)]
        self.assertEqual(numbers, list(range(1, 601)))
        names = [m for text in row_pages for m in re.findall(r"Rowan(\d{3}), Kai", text)]
        self.assertEqual(names, [f"{n:03d}" for n in range(600)])
        # The cover counted the whole roster slice by slice; the appendix says which slice each part covers.
        self.assertRegex(pages[0], r"Designated officers\s*600")
        text = "\n".join(pages)
        for first, last in ((1, 250), (251, 500), (501, 600)):
            self.assertIn(f"Officers {first} to {last} of the 600 on the roster", text)


class RosterAsOfQueriesTests(BaseTestCase):
    def _officers(self, agency, count, course):
        for n in range(count):
            officer = make_officer(agency, n, last_name=f"Counted{n:03d}")
            make_certification(officer, course, date(2025, 6, 1))

    def test_queries_do_not_grow_with_the_roster(self):
        self._officers(self.agency_a, 100, make_course(self.agency_a, "IADP"))
        self._officers(self.agency_b, 10, make_course(self.agency_b, "IADP"))
        now = timezone.now()  # the rows above were recorded just now
        for basis in (EFFECTIVE, RECORDED):
            for slice_ in ({}, {"offset": 0, "limit": 20}):
                with self.subTest(basis=basis, slice=slice_):
                    with CaptureQueriesContext(connection) as few:
                        small = roster_as_of(
                            agency=self.agency_b, day=date(2026, 11, 1), checked_at=now, basis=basis, **slice_
                        )
                    with self.assertNumQueries(len(few.captured_queries)):
                        large = roster_as_of(
                            agency=self.agency_a, day=date(2026, 11, 1), checked_at=now, basis=basis, **slice_
                        )
                    self.assertEqual((small.size, large.size), (10, 100))

    def test_a_report_part_reads_only_its_officers_in_a_fixed_number_of_queries(self):
        # What a roster report's row part does (compliance.reports.training_roster): the plan decided who was
        # on the roster (roster_ids_as_of); the part asks for its ids only. Its queries do not depend on the
        # roster's size nor on the part's, and the rows are those officers, in the order given.
        self._officers(self.agency_a, 100, make_course(self.agency_a, "IADP"))
        now = timezone.now()
        day = date(2026, 11, 1)
        for basis in (EFFECTIVE, RECORDED):
            with self.subTest(basis=basis):
                ids = roster_ids_as_of(agency=self.agency_a, day=day, checked_at=now, basis=basis)
                self.assertEqual(len(ids), 100)
                with CaptureQueriesContext(connection) as few:
                    small = roster_as_of(agency=self.agency_a, day=day, checked_at=now, basis=basis, ids=ids[:5])
                with self.assertNumQueries(len(few.captured_queries)):
                    large = roster_as_of(agency=self.agency_a, day=day, checked_at=now, basis=basis, ids=ids[20:80])
                self.assertEqual([row.officer.pk for row in small.rows], ids[:5])
                self.assertEqual([row.officer.pk for row in large.rows], ids[20:80])
                self.assertEqual([row.officer.last_name for row in large.rows[:2]], ["Counted020", "Counted021"])
                self.assertIsNone(large.counts)
                # The same rows as the slice of the whole roster would give.
                sliced = roster_as_of(agency=self.agency_a, day=day, checked_at=now, basis=basis, offset=20, limit=60)
                self.assertEqual(
                    [(r.officer.pk, r.status, r.codes) for r in sliced.rows],
                    [(r.officer.pk, r.status, r.codes) for r in large.rows],
                )


class DayBoundaryTests(BaseTestCase):
    """``records_as_of``'s instant is an exclusive end: a change stamped exactly at local midnight belongs to the
    new day (as the findings and audit-trail reports count it), one a microsecond earlier to the old one."""

    def test_a_change_at_midnight_is_the_next_days(self):
        from datetime import timedelta

        from compliance.core.as_of import records_as_of

        with time_machine.travel(datetime(2026, 1, 10, 15, 0, tzinfo=UTC), tick=False):
            course = make_course(self.agency_a, "IADP", months=24)
            officer = make_officer(self.agency_a, 1, last_name="Boundary")
        with time_machine.travel(END_OF_DAY - timedelta(microseconds=1), tick=False):
            before = make_certification(officer, course, date(2026, 6, 30))
        with time_machine.travel(END_OF_DAY, tick=False):
            at_midnight = make_certification(officer, course, date(2026, 6, 30))
        scope = Q(officer_id=officer.pk)
        self.assertEqual(set(records_as_of(Certification, at=END_OF_DAY, filters=scope)), {before.pk})
        self.assertEqual(
            set(records_as_of(Certification, at=END_OF_DAY + timedelta(microseconds=1), filters=scope)),
            {before.pk, at_midnight.pk},
        )


class ChainCellsTests(BaseTestCase):
    """The roster report's course columns follow the authorization rule (a new user's trial: officers shown
    "Current" with their basic course's date marked "!" and the refresher "none"). JEM defaults: IADP basic,
    REFRESH, two annual courses."""

    def test_a_renewed_basic_course_is_not_marked_and_a_refresher_not_yet_due_says_so(self):
        from compliance.reports.training_roster import course_text
        from training.requirements.services import requirement_defaults_apply
        from training.roster.services import certification_record

        requirement_defaults_apply(actor=self.admin_a, agreement=self.agreement_a)
        courses = {c.code: c for c in Course.objects.filter(agency=self.agency_a)}
        renewed = make_officer(self.agency_a, 1, last_name="Renewed", agreement=self.agreement_a)
        fresh = make_officer(self.agency_a, 2, last_name="Fresh", agreement=self.agreement_a)
        lapsed = make_officer(self.agency_a, 3, last_name="Lapsed", agreement=self.agreement_a)
        day = date(2026, 6, 30)
        for officer, basic, refresher in (
            (renewed, date(2023, 1, 10), date(2024, 12, 1)),  # basic's own date past; the refresher renewed it
            (fresh, date(2025, 9, 1), None),  # the basic course still covers the day
            (lapsed, date(2023, 1, 10), None),  # basic expired 2025-01-10, no refresher
        ):
            certification_record(actor=self.staff_a, officer=officer, course=courses["IADP"], completed_on=basic)
            if refresher:
                certification_record(
                    actor=self.staff_a, officer=officer, course=courses["REFRESH"], completed_on=refresher
                )
            for code in ("ITSA", "SBU"):
                certification_record(
                    actor=self.staff_a, officer=officer, course=courses[code], completed_on=date(2025, 11, 1)
                )
        roster = roster_as_of(agency=self.agency_a, day=day, checked_at=NOW, basis=EFFECTIVE)
        columns = [course.code for course in roster.courses]
        texts = {
            row.officer.last_name: dict(zip(columns, (course_text(cell) for cell in row.cells), strict=True))
            for row in roster.rows
        }
        self.assertEqual(texts["Renewed"]["IADP"], "2025-01-10")
        self.assertEqual(texts["Renewed"]["REFRESH"], "2026-12-01")
        self.assertEqual(texts["Fresh"]["REFRESH"], "not due")
        self.assertEqual(texts["Lapsed"]["IADP"], "2025-01-10 !")
        self.assertEqual(texts["Lapsed"]["REFRESH"], "none !")
        statuses = {row.officer.last_name: row.status for row in roster.rows}
        self.assertEqual(statuses["Renewed"], rules.CURRENT)
        self.assertNotEqual(statuses["Lapsed"], rules.CURRENT)
