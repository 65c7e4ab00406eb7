"""Local-day jobs run exactly once per agency and local date, at the local hour, in every zone (issue #13 item 6).

Hourly beat ticks (minute 5 of every UTC hour) are replayed across whole days, including both 2026 US DST change
days, for agencies in every US zone (Hawaii, Guam, Adak, Puerto Rico, American Samoa included).
"""

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail

from community.tasks import sweep_steering_committee_task
from compliance.core.local_day_jobs import STALE_AFTER, agencies_at_local_hour, local_day_job_run
from compliance.core.models import Agency, JobRun
from incidents.tasks import send_corrective_action_reminders_task
from tests.base import BaseTestCase
from tests.training.helpers import make_certification, make_course, make_officer
from training.tasks import record_certification_lapses_task, send_certification_reminders_task

US_ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "America/Adak",
    "Pacific/Honolulu",
    "Pacific/Guam",
    "America/Puerto_Rico",
    "Pacific/Pago_Pago",
]


def ticks(first: datetime, last: datetime):
    """Beat's hourly ticks at minute 5, from ``first`` to ``last`` (UTC)."""
    tick = first.replace(minute=5, second=0, microsecond=0)
    while tick <= last:
        yield tick
        tick += timedelta(hours=1)


class LocalDayJobTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.zoned = {
            zone: Agency.objects.create(name=f"Agency in {zone}", state="TX", time_zone=zone) for zone in US_ZONES
        }

    def replay(self, first: datetime, last: datetime, hour: int = 6):
        """Run a recording job at every tick; returns [(agency id, local date, local time)] in run order."""
        runs = []

        def record(agency_ids, now):
            for agency in Agency.objects.filter(pk__in=agency_ids):
                local = now.astimezone(agency.zone)
                runs.append((agency.pk, local.date(), local.time()))
            return len(agency_ids)

        for tick in ticks(first, last):
            local_day_job_run(job="test-job", hour=hour, run=record, now=tick)
        return runs

    def assert_once_per_local_day(self, runs, days: list[date], hour: int):
        for zone, agency in self.zoned.items():
            mine = [(day, at) for pk, day, at in runs if pk == agency.pk]
            per_day = Counter(day for day, _ in mine)
            for day in days:
                self.assertEqual(per_day[day], 1, f"{zone} {day}")
            for day, at in mine:
                if day in days:  # a day already begun when the replay starts runs at once (a missed hour)
                    self.assertEqual((at.hour, at.minute), (hour, 5), f"{zone} {day}")

    def test_every_us_zone_runs_once_per_local_day_at_six_local(self):
        # 2026-06-10 to 2026-06-13 UTC covers 2026-06-11 and 2026-06-12 entirely in every zone from UTC-11 to +10.
        runs = self.replay(datetime(2026, 6, 10, tzinfo=UTC), datetime(2026, 6, 13, 23, tzinfo=UTC))
        self.assert_once_per_local_day(runs, [date(2026, 6, 11), date(2026, 6, 12)], hour=6)
        guam = [day for pk, day, _ in runs if pk == self.zoned["Pacific/Guam"].pk]
        pago = [day for pk, day, _ in runs if pk == self.zoned["Pacific/Pago_Pago"].pk]
        self.assertIn(date(2026, 6, 14), guam)  # Guam's 06:00 of the 14th is 20:00 UTC of the 13th
        self.assertNotIn(date(2026, 6, 14), pago)
        self.assertEqual(JobRun.objects.filter(finished_at__isnull=True).count(), 0)

    def test_the_spring_forward_day_runs_once_at_six_local(self):
        # 2026-03-08: clocks skip 02:00 → 03:00 in the zones that keep DST (a 23-hour day).
        runs = self.replay(datetime(2026, 3, 6, tzinfo=UTC), datetime(2026, 3, 10, 12, tzinfo=UTC))
        self.assert_once_per_local_day(runs, [date(2026, 3, 7), date(2026, 3, 8), date(2026, 3, 9)], hour=6)

    def test_the_fall_back_day_runs_once_at_six_local(self):
        # 2026-11-01: 01:00–02:00 happens twice in the zones that keep DST (a 25-hour day).
        runs = self.replay(datetime(2026, 10, 30, tzinfo=UTC), datetime(2026, 11, 3, 12, tzinfo=UTC))
        self.assert_once_per_local_day(runs, [date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 2)], hour=6)

    def test_a_job_at_local_midnight_runs_at_the_first_tick_of_each_local_day(self):
        runs = self.replay(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 3, 12, tzinfo=UTC), hour=0)
        self.assert_once_per_local_day(runs, [date(2026, 11, 2)], hour=0)

    def test_a_missed_hour_runs_at_the_next_tick_of_the_same_local_day(self):
        chicago = self.zoned["America/Chicago"]
        at_nine = datetime(2026, 6, 11, 9, 5, tzinfo=ZoneInfo("America/Chicago"))
        claimed, _ = local_day_job_run(job="late", hour=6, run=lambda ids, now: None, now=at_nine)
        self.assertEqual(claimed[chicago.pk], date(2026, 6, 11))
        five_am = datetime(2026, 6, 11, 5, 5, tzinfo=ZoneInfo("America/Chicago"))
        self.assertNotIn(chicago.pk, agencies_at_local_hour(hour=6, now=five_am))

    def test_a_run_that_died_is_taken_over_after_the_stale_time_not_before(self):
        tick = datetime(2026, 6, 11, 12, 5, tzinfo=UTC)

        def die(agency_ids, now):
            raise RuntimeError("worker lost")

        with self.assertRaises(RuntimeError):
            local_day_job_run(job="dies", hour=0, run=die, now=tick)
        self.assertEqual(JobRun.objects.filter(job="dies", finished_at__isnull=True).count(), len(Agency.objects.all()))
        claimed, _ = local_day_job_run(job="dies", hour=0, run=lambda ids, now: None, now=tick + timedelta(hours=1))
        self.assertEqual(claimed, {})
        later = tick + STALE_AFTER + timedelta(minutes=1)
        with self.assertLogs("compliance.core.local_day_jobs", "WARNING"):
            claimed, _ = local_day_job_run(job="dies", hour=0, run=lambda ids, now: None, now=later)
        chicago = self.zoned["America/Chicago"]
        self.assertEqual(claimed[chicago.pk], date(2026, 6, 11))
        self.assertEqual(JobRun.objects.get(job="dies", agency=chicago).attempts, 2)


class LocalDayTasksTests(BaseTestCase):
    """The real beat tasks: gated by each agency's local hour, and a second run (a second beat) sends nothing."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        course = make_course(cls.agency_a, "IADP")  # agency A: America/Chicago
        officer = make_officer(cls.agency_a, "A-500", email="dana.z@agency.example", supervisor=cls.supervisor_a)
        make_certification(officer, course, date(2024, 6, 30), expires_on=date(2026, 6, 30))
        cls.guam = Agency.objects.create(name="Guam Police", state="GU", time_zone="Pacific/Guam")
        guam_course = make_course(cls.guam, "IADP")
        guam_officer = make_officer(cls.guam, "G-1", email="guam.officer@agency.example")
        make_certification(guam_officer, guam_course, date(2024, 6, 30), expires_on=date(2026, 6, 30))

    def every_daily_job(self) -> dict:
        return {
            "reminders": send_certification_reminders_task(),
            "lapses": record_certification_lapses_task(),
            "follow-ups": send_corrective_action_reminders_task(),
            "committee": sweep_steering_committee_task(),
        }

    def test_reminders_wait_for_six_local_and_each_agency_gets_its_own_morning(self):
        def run_at(hour_utc: int, day: int = 30) -> int:
            with time_machine.travel(datetime(2026, 4, day, hour_utc, 5, tzinfo=UTC), tick=False):
                return send_certification_reminders_task()["emails_sent"]

        # 10:05 UTC: 05:05 on April 30 in Chicago (not yet); 20:05 on April 30 in Guam (its day's run, the 90-day
        # notice, at the first tick after 06:00 since the replay starts late in Guam's day).
        self.assertEqual(run_at(10), 1)
        self.assertEqual([m.to for m in mail.outbox], [["guam.officer@agency.example"]])
        self.assertEqual(run_at(11), 3)  # 06:05 CDT: Chicago's officer, supervisor and administrator
        self.assertEqual(run_at(12), 0)
        self.assertEqual(run_at(19), 0)  # 05:05 on May 1 in Guam
        self.assertEqual(run_at(20), 1)  # 06:05 on May 1 in Guam: the 60-day notice, Guam's morning
        self.assertEqual(len(mail.outbox), 5)
        self.assertEqual(
            sorted(JobRun.objects.filter(job="certification-reminders").values_list("agency__time_zone", "local_date")),
            [
                ("America/Chicago", date(2026, 4, 30)),
                ("America/Phoenix", date(2026, 4, 30)),
                ("Pacific/Guam", date(2026, 4, 30)),
                ("Pacific/Guam", date(2026, 5, 1)),
            ],
        )

    def test_every_daily_job_twice_at_the_same_tick_sends_nothing_twice(self):
        with time_machine.travel(datetime(2026, 5, 1, 11, 5, tzinfo=UTC), tick=False):
            first = self.every_daily_job()
            sent = len(mail.outbox)
            second = self.every_daily_job()
        self.assertEqual(first["reminders"]["emails_sent"], 4)  # Chicago's three, Guam's officer (21:05 there)
        self.assertEqual(sent, 4)
        self.assertEqual(len(mail.outbox), 4)
        self.assertEqual(
            second,
            {
                "reminders": {"notices_raised": 0, "digests_sent": 0, "emails_sent": 0, "failed": 0},
                "lapses": 0,
                "follow-ups": {"reminders": 0, "recipients": 0, "emails": 0, "failed": 0},
                "committee": {"opened": 0, "reopened": 0, "resolved": 0, "reminders": 0, "emails": 0},
            },
        )
