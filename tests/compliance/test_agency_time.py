from datetime import UTC, datetime, timedelta

from django.test import SimpleTestCase

from compliance.core.agency_time import hours_until, in_zone

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


class HoursUntilTests(SimpleTestCase):
    def test_it_counts_hours_and_minutes_under_two_days(self):
        self.assertEqual(hours_until(NOW + timedelta(hours=47, minutes=59), NOW), "47 h 59 min")

    def test_it_counts_days_from_two_days_on(self):
        self.assertEqual(hours_until(NOW + timedelta(hours=48), NOW), "2 d 0 h")

    def test_it_says_overdue_in_days_for_a_long_overdue_hold(self):
        self.assertEqual(hours_until(NOW - timedelta(hours=6354, minutes=23), NOW), "overdue by 264 d 18 h")

    def test_it_shows_nothing_for_no_deadline(self):
        self.assertEqual(hours_until(None, NOW), "")


class InZoneTests(SimpleTestCase):
    def test_case_D1_the_deadline_reads_in_daylight_time(self):
        self.assertEqual(in_zone(datetime(2026, 3, 9, 15, 0, tzinfo=UTC), "America/Chicago"), "2026-03-09 10:00 CDT")
