"""Pure rules: expiry dates (T3), status on the agency date (T1), roster status, reminder thresholds (T2)."""

from datetime import UTC, date, datetime

from django.test import SimpleTestCase

from compliance.core.models import Agency
from training.roster import rules


class ExpiryTests(SimpleTestCase):
    def test_case_T3_leap_day_expiry(self):
        issued = date(2024, 2, 29)
        self.assertEqual(rules.certification_expires_on(issued, 24), date(2026, 2, 28))
        self.assertEqual(rules.certification_expires_on(issued, 48), date(2028, 2, 29))
        self.assertEqual(rules.certification_expires_on(issued, 12), date(2025, 2, 28))

    def test_case_T3_leap_day_expiry_is_current_on_its_day_and_expired_after(self):
        expires_on = rules.certification_expires_on(date(2024, 2, 29), 24)
        self.assertEqual(rules.certification_status(expires_on, date(2026, 2, 28)), rules.EXPIRING)
        self.assertEqual(rules.certification_status(expires_on, date(2026, 3, 1)), rules.EXPIRED)

    def test_it_clips_month_ends(self):
        self.assertEqual(rules.certification_expires_on(date(2025, 1, 31), 1), date(2025, 2, 28))
        self.assertEqual(rules.certification_expires_on(date(2025, 8, 31), 1), date(2025, 9, 30))
        self.assertEqual(rules.certification_expires_on(date(2025, 3, 15), 24), date(2027, 3, 15))

    def test_it_refuses_a_validity_below_one_month(self):
        with self.assertRaises(ValueError):
            rules.certification_expires_on(date(2025, 3, 15), 0)

    def test_it_raises_value_error_past_year_9999(self):
        with self.assertRaises(ValueError):
            rules.certification_expires_on(date(9999, 12, 1), 24)


class StatusTests(SimpleTestCase):
    def test_case_T1_expiry_day_is_still_valid_and_expiring(self):
        self.assertEqual(rules.certification_status(date(2026, 2, 27), date(2026, 2, 27)), rules.EXPIRING)
        self.assertEqual(rules.certification_status(date(2026, 2, 27), date(2026, 2, 28)), rules.EXPIRED)

    def test_case_T1_agency_today_is_the_local_date_not_utc(self):
        agency = Agency(name="Test", state="TX", time_zone="America/Chicago")
        # 2026-02-27 19:30 CST is 2026-02-28 01:30 UTC.
        self.assertEqual(rules.agency_today(agency, datetime(2026, 2, 28, 1, 30, tzinfo=UTC)), date(2026, 2, 27))
        # 2026-02-28 00:01 CST.
        self.assertEqual(rules.agency_today(agency, datetime(2026, 2, 28, 6, 1, tzinfo=UTC)), date(2026, 2, 28))

    def test_it_counts_the_90_day_window_inclusively(self):
        today = date(2026, 1, 1)
        self.assertEqual(rules.certification_status(date(2026, 4, 1), today), rules.EXPIRING)  # 90 days
        self.assertEqual(rules.certification_status(date(2026, 4, 2), today), rules.CURRENT)  # 91 days
        self.assertEqual(rules.certification_status(date(2025, 12, 31), today), rules.EXPIRED)

    def test_officer_status_is_the_worst_required_course(self):
        today = date(2026, 1, 1)
        current, expiring, expired = date(2027, 1, 1), date(2026, 1, 15), date(2025, 6, 1)
        self.assertEqual(rules.officer_roster_status([current, current], today), rules.CURRENT)
        self.assertEqual(rules.officer_roster_status([current, expiring], today), rules.EXPIRING)
        self.assertEqual(rules.officer_roster_status([expiring, expired], today), rules.EXPIRED)
        self.assertEqual(rules.officer_roster_status([expired, None], today), rules.MISSING)
        self.assertEqual(rules.officer_roster_status([], today), rules.CURRENT)


class ReminderThresholdTests(SimpleTestCase):
    EXPIRES = date(2026, 6, 30)

    def due(self, today):
        return rules.reminder_threshold_due(self.EXPIRES, today)

    def test_no_threshold_before_90_days(self):
        self.assertIsNone(self.due(date(2026, 3, 31)))  # 91 days left

    def test_each_threshold_is_reached_on_its_day(self):
        self.assertEqual(self.due(date(2026, 4, 1)), 90)
        self.assertEqual(self.due(date(2026, 5, 1)), 60)
        self.assertEqual(self.due(date(2026, 5, 31)), 30)
        self.assertEqual(self.due(date(2026, 6, 23)), 7)
        self.assertEqual(self.due(date(2026, 6, 30)), 0)

    def test_case_T2_catch_up_gives_the_most_urgent_reached_threshold(self):
        self.assertEqual(self.due(date(2026, 4, 30)), 90)
        self.assertEqual(self.due(date(2026, 5, 4)), 60)
        self.assertEqual(self.due(date(2026, 6, 29)), 7)

    def test_expired_notice_is_caught_up_for_30_days_only(self):
        self.assertEqual(self.due(date(2026, 7, 30)), 0)  # 30 days after
        self.assertIsNone(self.due(date(2026, 7, 31)))  # 31 days after
