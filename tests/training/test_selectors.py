"""Roster status counts, report rows and the roster page query: values, scope and query counts."""

from datetime import UTC, date, datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.base import BaseTestCase
from tests.training.helpers import make_certification, make_course, make_officer
from training.roster import rules, selectors
from training.roster.models import Officer

TODAY = date(2026, 1, 15)


class RosterFixture(BaseTestCase):
    """Agency A requires IADP (24 months) and REFRESH (12 months); ETHICS is optional."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.iadp = make_course(cls.agency_a, "IADP", validity_months=24)
        cls.refresh = make_course(cls.agency_a, "REFRESH", validity_months=12)
        cls.ethics = make_course(cls.agency_a, "ETHICS", validity_months=12, required=False)

    def officer_with(self, badge, iadp=None, refresh=None, **fields):
        """An officer of agency A whose required courses expire on the given dates (None: never taken)."""
        officer = make_officer(self.agency_a, badge, last=f"Last{badge}", **fields)
        for course, expires_on in ((self.iadp, iadp), (self.refresh, refresh)):
            if expires_on is not None:
                make_certification(officer, course, date(2024, 1, 1), expires_on=expires_on)
        return officer


class RosterStatusCountTests(RosterFixture):
    def test_it_counts_each_status_of_designated_officers(self):
        self.officer_with("C1", iadp=date(2027, 1, 1), refresh=date(2026, 12, 1))  # current
        self.officer_with("C2", iadp=date(2027, 1, 1), refresh=date(2026, 3, 1))  # expiring
        self.officer_with("C3", iadp=date(2026, 1, 14), refresh=date(2026, 3, 1))  # expired
        self.officer_with("C4", iadp=date(2027, 1, 1))  # missing REFRESH
        self.officer_with("C5", iadp=date(2026, 1, 15), refresh=date(2027, 1, 1))  # expiring today
        self.officer_with("C6", status=Officer.Status.SEPARATED)  # not counted
        self.officer_with("C7", status=Officer.Status.IN_TRAINING)  # not counted
        make_officer(self.agency_b, "C1")  # other agency

        counts = selectors.roster_status_counts(agency=self.agency_a, today=TODAY)

        self.assertEqual(
            counts,
            {
                "current": 1,
                "expiring": 2,
                "expired": 1,
                "missing": 1,
                "expiring_today": 1,
                "designated": 5,
                "authorized": 3,  # C1, C2, C5: trained today, under an agreement, checklist and credential on file
            },
        )

    def test_case_T1_expiring_today_at_evening_then_expired_after_midnight_local(self):
        self.officer_with("T1", iadp=date(2026, 2, 27), refresh=date(2027, 1, 1))
        with time_machine.travel(datetime(2026, 2, 28, 1, 30, tzinfo=UTC), tick=False):  # 19:30 CST
            today = rules.agency_today(self.agency_a)
            counts = selectors.roster_status_counts(agency=self.agency_a, today=today)
        self.assertEqual(today, date(2026, 2, 27))
        self.assertEqual(counts["expiring_today"], 1)
        self.assertEqual(counts["expiring"], 1)
        self.assertEqual(counts["expired"], 0)

        with time_machine.travel(datetime(2026, 2, 28, 6, 1, tzinfo=UTC), tick=False):  # 00:01 CST
            today = rules.agency_today(self.agency_a)
            counts = selectors.roster_status_counts(agency=self.agency_a, today=today)
        self.assertEqual(counts["expired"], 1)
        self.assertEqual(counts["expiring_today"], 0)

    def test_only_the_latest_certification_of_a_course_counts(self):
        officer = self.officer_with("R1", iadp=date(2026, 1, 1), refresh=date(2027, 1, 1))
        make_certification(officer, self.iadp, date(2025, 12, 1), expires_on=date(2027, 12, 1))  # renewal
        counts = selectors.roster_status_counts(agency=self.agency_a, today=TODAY)
        self.assertEqual(counts["current"], 1)
        self.assertEqual(counts["expired"], 0)

    def test_an_agency_without_required_courses_counts_no_one_current_or_authorized(self):
        make_officer(self.agency_b, "Z1")  # nothing required is not "current" (issue 9)
        counts = selectors.roster_status_counts(agency=self.agency_b, today=TODAY)
        self.assertEqual(
            counts,
            {
                "current": 0,
                "expiring": 0,
                "expired": 0,
                "missing": 1,
                "expiring_today": 0,
                "designated": 1,
                "authorized": 0,
            },
        )

    def test_query_count_does_not_grow_with_the_roster(self):
        self.officer_with("Q1", iadp=date(2027, 1, 1), refresh=date(2027, 1, 1))
        with CaptureQueriesContext(connection) as small:
            selectors.roster_status_counts(agency=self.agency_a, today=TODAY)
        for n in range(30):
            self.officer_with(f"Q{n + 2}", iadp=date(2026, 2, 1), refresh=None if n % 3 else date(2027, 1, 1))
        with self.assertNumQueries(len(small)):
            counts = selectors.roster_status_counts(agency=self.agency_a, today=TODAY)
        self.assertEqual(len(small), 1)
        self.assertEqual(sum(counts[s] for s in rules.STATUSES_WORST_FIRST), 31)


class RosterForReportTests(RosterFixture):
    def test_rows_carry_status_latest_certifications_and_missing_courses(self):
        officer = self.officer_with("P1", iadp=date(2026, 2, 1))
        make_certification(officer, self.ethics, date(2025, 6, 1))
        make_certification(officer, self.iadp, date(2023, 1, 1), expires_on=date(2025, 1, 1))  # older one

        [row] = selectors.roster_for_report(agency=self.agency_a, today=TODAY)

        self.assertEqual(row.officer, officer)
        self.assertEqual(row.status, rules.MISSING)
        self.assertEqual(row.status_label, "Missing training")
        self.assertEqual(
            [(c.course.code, c.expires_on) for c in row.certifications],
            [
                ("ETHICS", date(2026, 6, 1)),
                ("IADP", date(2026, 2, 1)),
            ],
        )
        self.assertEqual(row.missing_courses, [self.refresh])

    def test_it_lists_designated_officers_of_the_agency_only(self):
        self.officer_with("P2", iadp=date(2027, 1, 1), refresh=date(2027, 1, 1))
        self.officer_with("P3", status=Officer.Status.SUSPENDED)
        make_officer(self.agency_b, "P4")
        rows = selectors.roster_for_report(agency=self.agency_a, today=TODAY)
        self.assertEqual([row.officer.badge_number for row in rows], ["P2"])
        self.assertEqual(rows[0].status, rules.CURRENT)

    def test_query_count_does_not_grow_with_the_roster(self):
        self.officer_with("S1", iadp=date(2027, 1, 1), refresh=date(2027, 1, 1))
        with CaptureQueriesContext(connection) as small:
            rows = selectors.roster_for_report(agency=self.agency_a, today=TODAY)
            [c.course.code for row in rows for c in row.certifications]
        for n in range(25):
            self.officer_with(f"S{n + 2}", iadp=date(2026, 2, 1), refresh=date(2027, 1, 1))
        with self.assertNumQueries(len(small)):
            rows = selectors.roster_for_report(agency=self.agency_a, today=TODAY)
            [c.course.code for row in rows for c in row.certifications]
        self.assertEqual(len(rows), 26)

    def test_database_status_and_python_rule_agree(self):
        dates = [None, date(2025, 12, 1), TODAY, date(2026, 4, 15), date(2026, 4, 16), date(2028, 1, 1)]
        n = 0
        for iadp in dates:
            for refresh in dates:
                n += 1
                self.officer_with(f"X{n}", iadp=iadp, refresh=refresh)
        rows = {row.officer.pk: row.status for row in selectors.roster_for_report(agency=self.agency_a, today=TODAY)}
        annotated = dict(
            selectors.officers_with_training_status(agency=self.agency_a, today=TODAY).values_list(
                "pk", "training_status"
            )
        )
        self.assertEqual(rows, annotated)
        self.assertEqual(set(rows.values()), set(rules.STATUSES_WORST_FIRST))


class RosterOfficersTests(RosterFixture):
    def test_it_filters_by_status_and_searches_name_and_badge(self):
        self.officer_with("A-1", iadp=date(2027, 1, 1), refresh=date(2027, 1, 1))
        self.officer_with("A-2", iadp=date(2026, 1, 1), refresh=date(2027, 1, 1))
        make_officer(self.agency_a, "B-9", last="Nguyễn", first="Mai")

        def badges(**kwargs):
            officers = selectors.roster_officers(agency=self.agency_a, today=TODAY, **kwargs)
            return [o.badge_number for o in officers]

        self.assertEqual(badges(status="expired"), ["A-2"])
        self.assertEqual(badges(status="missing"), ["B-9"])
        self.assertEqual(badges(search="nguyễn"), ["B-9"])
        self.assertEqual(badges(search="a-"), ["A-1", "A-2"])
        self.assertEqual(badges(search="mai b-9"), ["B-9"])

    def test_it_hides_separated_officers_unless_asked(self):
        self.officer_with("S-1", status=Officer.Status.SEPARATED)
        self.assertEqual(list(selectors.roster_officers(agency=self.agency_a, today=TODAY)), [])
        self.assertEqual(len(selectors.roster_officers(agency=self.agency_a, today=TODAY, officer_status="all")), 1)
        self.assertEqual(
            len(selectors.roster_officers(agency=self.agency_a, today=TODAY, officer_status="separated")), 1
        )


class OfficerAuthorizedOnTests(RosterFixture):
    def test_it_answers_for_the_day_of_the_action(self):
        officer = self.officer_with("U1", iadp=date(2026, 3, 1), refresh=date(2026, 6, 1))
        self.assertTrue(selectors.officer_authorized_on(officer=officer, on=date(2026, 3, 1)))
        self.assertFalse(selectors.officer_authorized_on(officer=officer, on=date(2026, 3, 2)))
        self.assertFalse(selectors.officer_authorized_on(officer=officer, on=date(2023, 12, 31)))  # before completion

    def test_a_missing_course_or_another_status_is_not_authorized(self):
        missing = self.officer_with("U2", iadp=date(2027, 1, 1))
        suspended = self.officer_with(
            "U3", iadp=date(2027, 1, 1), refresh=date(2027, 1, 1), status=Officer.Status.SUSPENDED
        )
        self.assertFalse(selectors.officer_authorized_on(officer=missing, on=TODAY))
        self.assertFalse(selectors.officer_authorized_on(officer=suspended, on=TODAY))
