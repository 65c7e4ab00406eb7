"""The daily lapse check (training.roster.lapses): case H1, each stored change has a history row by the system user."""

from datetime import UTC, date, datetime
from io import StringIO

import time_machine
from django.conf import settings
from django.core.management import call_command

from compliance.celery import app
from compliance.core.models import Agency
from tests.base import BaseTestCase
from tests.training.helpers import make_certification, make_course, make_officer
from training.requirements.services import requirement_defaults_apply
from training.roster.lapses import LAPSE_REASON, certifications_record_lapses
from training.roster.models import Certification
from training.roster.timeline import officer_timeline
from training.tasks import record_certification_lapses_task

# Noon in Chicago on 2026-03-01.
MARCH_1_NOON_CHICAGO = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)


def changes():
    """History rows of certification changes (not creations)."""
    return Certification.history.filter(history_type="~")


class LapseTestCase(BaseTestCase):
    def setUp(self):
        self.officer = make_officer(self.agency_a, "A-1")
        self.iadp = make_course(self.agency_a, "IADP")
        self.itsa = make_course(self.agency_a, "ITSA", validity_months=12)
        self.sbu = make_course(self.agency_a, "SBU", validity_months=12)

    def certify(self, course, completed_on: date, expires_on: date, officer=None) -> Certification:
        return make_certification(officer or self.officer, course, completed_on, expires_on=expires_on)


class CaseH1Tests(LapseTestCase):
    def setUp(self):
        super().setUp()
        self.january = self.certify(self.iadp, date(2024, 2, 1), date(2026, 1, 31))
        self.february = self.certify(self.itsa, date(2025, 2, 16), date(2026, 2, 15))
        self.march = self.certify(self.sbu, date(2025, 4, 1), date(2026, 3, 31))

    @time_machine.travel(MARCH_1_NOON_CHICAGO, tick=False)
    def test_case_H1_job_on_2026_03_01_writes_exactly_two_change_rows_by_the_system_user(self):
        all_history = Certification.history.count()

        self.assertEqual(certifications_record_lapses(), 2)

        self.assertEqual(Certification.history.count(), all_history + 2)
        rows = list(changes().order_by("expires_on"))
        self.assertEqual([row.id for row in rows], [self.january.pk, self.february.pk])
        for row in rows:
            self.assertEqual(row.history_user.username, settings.SYSTEM_USERNAME)
            self.assertFalse(row.history_user.is_active)
            self.assertEqual(row.history_change_reason, LAPSE_REASON)
            self.assertEqual(row.history_change_reason, "Certification lapsed")
            self.assertEqual(row.lapse_recorded_on, date(2026, 3, 1))
        self.march.refresh_from_db()
        self.assertIsNone(self.march.lapse_recorded_on)  # valid through 2026-03-31
        self.january.refresh_from_db()
        self.assertEqual(self.january.lapse_recorded_on, date(2026, 3, 1))
        self.assertEqual(self.january.expires_on, date(2026, 1, 31))  # nothing else changed

    @time_machine.travel(MARCH_1_NOON_CHICAGO, tick=False)
    def test_a_second_run_writes_nothing(self):
        certifications_record_lapses()
        history = Certification.history.count()

        self.assertEqual(certifications_record_lapses(), 0)

        self.assertEqual(Certification.history.count(), history)

    def test_later_days_write_only_the_new_lapse(self):
        with time_machine.travel(MARCH_1_NOON_CHICAGO, tick=False):
            certifications_record_lapses()
        with time_machine.travel(datetime(2026, 3, 20, 18, 0, tzinfo=UTC), tick=False):
            self.assertEqual(certifications_record_lapses(), 0)
        with time_machine.travel(datetime(2026, 4, 1, 18, 0, tzinfo=UTC), tick=False):
            self.assertEqual(certifications_record_lapses(), 1)
        self.assertEqual(changes().count(), 3)
        self.march.refresh_from_db()
        self.assertEqual(self.march.lapse_recorded_on, date(2026, 4, 1))
        self.january.refresh_from_db()
        self.assertEqual(self.january.lapse_recorded_on, date(2026, 3, 1))  # not moved by later runs

    def test_the_last_valid_day_itself_is_not_a_lapse(self):
        # expires_on is the last valid day, inclusive (case T1): on 2026-03-31 the SBU course is still valid.
        with time_machine.travel(datetime(2026, 3, 31, 18, 0, tzinfo=UTC), tick=False):
            certifications_record_lapses()
        self.march.refresh_from_db()
        self.assertIsNone(self.march.lapse_recorded_on)

    @time_machine.travel(MARCH_1_NOON_CHICAGO, tick=False)
    def test_the_task_and_run_jobs_run_it(self):
        self.assertEqual(record_certification_lapses_task(), 2)
        self.certify(self.itsa, date(2025, 1, 10), date(2026, 1, 9), officer=make_officer(self.agency_a, "A-2"))
        out = StringIO()
        call_command("run_jobs", stdout=out)
        self.assertIn("Certification lapses recorded: 1.", out.getvalue())
        schedule = {entry["task"] for entry in app.conf.beat_schedule.values()}
        self.assertIn("training.tasks.record_certification_lapses_task", schedule)

    @time_machine.travel(MARCH_1_NOON_CHICAGO, tick=False)
    def test_the_officer_timeline_says_the_system_recorded_the_lapse(self):
        certifications_record_lapses()
        lapses = [event for event in officer_timeline(officer=self.officer) if event.kind == "lapse"]
        by_title = {event.title: event for event in lapses}
        event = by_title["IADP lapsed: last valid day was 2026-01-31"]
        self.assertEqual(event.on, date(2026, 2, 1))
        self.assertIn("The daily check recorded the lapse on 2026-03-01.", event.detail)


class AgencyZoneTests(LapseTestCase):
    def setUp(self):
        super().setUp()
        self.agency_ny = Agency.objects.create(
            name="Cedar County Sheriff's Office", state="NY", county="Cedar County", time_zone="America/New_York"
        )
        ny_course = make_course(self.agency_ny, "IADP")
        self.chicago = self.certify(self.iadp, date(2024, 3, 1), date(2026, 2, 28))
        self.new_york = self.certify(
            ny_course, date(2024, 3, 1), date(2026, 2, 28), officer=make_officer(self.agency_ny)
        )

    def test_the_agency_zone_decides_today(self):
        # 2026-03-01 05:30 UTC: already March 1 in New York (00:30), still February 28 in Chicago (23:30).
        with time_machine.travel(datetime(2026, 3, 1, 5, 30, tzinfo=UTC), tick=False):
            self.assertEqual(certifications_record_lapses(), 1)
        self.new_york.refresh_from_db()
        self.chicago.refresh_from_db()
        self.assertEqual(self.new_york.lapse_recorded_on, date(2026, 3, 1))
        self.assertIsNone(self.chicago.lapse_recorded_on)  # valid through Feb 28, which it still is in Chicago
        # 06:30 UTC: 00:30 on March 1 in Chicago.
        with time_machine.travel(datetime(2026, 3, 1, 6, 30, tzinfo=UTC), tick=False):
            self.assertEqual(certifications_record_lapses(), 1)
        self.chicago.refresh_from_db()
        self.assertEqual(self.chicago.lapse_recorded_on, date(2026, 3, 1))

    def test_at_3_utc_it_is_still_february_28_in_chicago(self):
        with time_machine.travel(datetime(2026, 3, 1, 3, 0, tzinfo=UTC), tick=False):
            self.assertEqual(certifications_record_lapses(agency=self.agency_a), 0)
        self.chicago.refresh_from_db()
        self.assertIsNone(self.chicago.lapse_recorded_on)

    def test_agency_and_today_narrow_the_run(self):
        self.assertEqual(certifications_record_lapses(today=date(2026, 3, 1), agency=self.agency_ny), 1)
        self.chicago.refresh_from_db()
        self.assertIsNone(self.chicago.lapse_recorded_on)
        self.assertEqual(certifications_record_lapses(today=date(2026, 3, 5)), 1)
        self.chicago.refresh_from_db()
        self.assertEqual(self.chicago.lapse_recorded_on, date(2026, 3, 5))


class SupersededTests(LapseTestCase):
    @time_machine.travel(MARCH_1_NOON_CHICAGO, tick=False)
    def test_a_certification_renewed_before_it_expired_is_not_marked(self):
        old = self.certify(self.itsa, date(2025, 2, 1), date(2026, 1, 31))
        renewal = self.certify(self.itsa, date(2026, 1, 15), date(2027, 1, 14))

        self.assertEqual(certifications_record_lapses(), 0)

        old.refresh_from_db()
        renewal.refresh_from_db()
        self.assertIsNone(old.lapse_recorded_on)
        self.assertIsNone(renewal.lapse_recorded_on)
        self.assertEqual(changes().count(), 0)

    @time_machine.travel(MARCH_1_NOON_CHICAGO, tick=False)
    def test_a_basic_course_followed_by_a_refresher_is_renewed_under_the_agreement(self):
        # Agreement requirements (training.requirements.services): basic course and refresher are one chain.
        requirement_defaults_apply(actor=self.admin_a, agreement=self.agreement_a)
        officer = make_officer(self.agency_a, "A-9", agreement=self.agreement_a)
        refresher_course = self.agreement_a.training_requirements.get(kind="refresher").course
        basic = self.certify(self.iadp, date(2024, 1, 1), date(2025, 12, 31), officer=officer)
        refresher = self.certify(refresher_course, date(2025, 11, 1), date(2027, 10, 31), officer=officer)

        certifications_record_lapses()

        basic.refresh_from_db()
        refresher.refresh_from_db()
        self.assertIsNone(basic.lapse_recorded_on)
        self.assertIsNone(refresher.lapse_recorded_on)

    def test_a_renewal_recorded_later_leaves_the_old_lapse_date(self):
        old = self.certify(self.itsa, date(2025, 2, 1), date(2026, 1, 31))
        with time_machine.travel(datetime(2026, 2, 1, 18, 0, tzinfo=UTC), tick=False):
            self.assertEqual(certifications_record_lapses(), 1)
        renewal = self.certify(self.itsa, date(2026, 2, 20), date(2027, 2, 19))
        with time_machine.travel(datetime(2026, 2, 21, 18, 0, tzinfo=UTC), tick=False):
            self.assertEqual(certifications_record_lapses(), 0)
        old.refresh_from_db()
        renewal.refresh_from_db()
        self.assertEqual(old.lapse_recorded_on, date(2026, 2, 1))  # it did lapse, from Feb 1 to Feb 19
        self.assertIsNone(renewal.lapse_recorded_on)
        with time_machine.travel(datetime(2026, 2, 21, 18, 0, tzinfo=UTC), tick=False):
            lapses = [e for e in officer_timeline(officer=self.officer) if e.kind == "lapse"]
        self.assertEqual(len(lapses), 1)
        self.assertEqual(lapses[0].on, date(2026, 2, 1))
        self.assertIn("Renewed on 2026-02-20.", lapses[0].detail)
        self.assertIn("recorded the lapse on 2026-02-01", lapses[0].detail)
