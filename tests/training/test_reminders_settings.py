"""Reminder thresholds per agency: the settings page (agency administrators) and their effect on the run."""

from datetime import UTC, date, datetime

from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.base import BaseTestCase, sign_in
from tests.training.helpers import make_certification, make_course, make_officer
from training.reminders.models import AgencyTrainingSettings, CertificationReminder
from training.reminders.services import send_certification_reminders
from training.reminders.thresholds import (
    THRESHOLD_OUT_OF_RANGE,
    reminder_thresholds,
    reminder_thresholds_by_agency,
    reminder_thresholds_set,
)
from training.roster import rules


class ReminderSettingsServiceTests(BaseTestCase):
    def test_defaults_without_settings(self):
        self.assertEqual(reminder_thresholds(self.agency_a), (90, 60, 30, 7, 0))
        self.assertEqual(
            reminder_thresholds_by_agency([self.agency_a.pk, self.agency_b.pk]),
            {self.agency_a.pk: (90, 60, 30, 7, 0), self.agency_b.pk: (90, 60, 30, 7, 0)},
        )

    def test_it_saves_sorted_without_duplicates_and_always_with_the_expiry_day(self):
        reminder_thresholds_set(actor=self.admin_a, agency=self.agency_a, thresholds_days=[14, 120, 14])
        self.assertEqual(reminder_thresholds(self.agency_a), (120, 14, 0))
        self.assertEqual(reminder_thresholds(self.agency_b), (90, 60, 30, 7, 0))
        row = AgencyTrainingSettings.objects.get()
        self.assertEqual(row.history.get().history_user, self.admin_a)
        reminder_thresholds_set(actor=self.admin_a, agency=self.agency_a, thresholds_days=[0, 14, 120])
        self.assertEqual(row.history.count(), 1)  # nothing changed, no history row

    def test_it_refuses_values_out_of_range(self):
        with self.assertRaises(ValidationError) as raised:
            reminder_thresholds_set(actor=self.admin_a, agency=self.agency_a, thresholds_days=[400])
        self.assertEqual(raised.exception.message_dict, {"reminder_thresholds_days": [THRESHOLD_OUT_OF_RANGE]})
        self.assertFalse(AgencyTrainingSettings.objects.exists())

    def test_the_rule_uses_the_given_thresholds_and_keeps_the_expiry_notice(self):
        expires = date(2026, 6, 30)
        self.assertEqual(rules.reminder_threshold_due(expires, date(2026, 2, 1), (150, 14)), 150)
        self.assertIsNone(rules.reminder_threshold_due(expires, date(2026, 1, 30), (150, 14)))
        self.assertEqual(rules.reminder_threshold_due(expires, date(2026, 6, 20), (150, 14)), 14)
        self.assertEqual(rules.reminder_threshold_due(expires, date(2026, 7, 2), (150, 14)), 0)


class ReminderRunWithAgencyThresholdsTests(BaseTestCase):
    def test_each_agency_is_notified_at_its_own_thresholds(self):
        reminder_thresholds_set(actor=self.admin_a, agency=self.agency_a, thresholds_days=[120, 14])
        cert_a = make_certification(
            make_officer(self.agency_a, "A-1", email="a1@agency.example"),
            make_course(self.agency_a),
            date(2024, 6, 30),
            expires_on=date(2026, 6, 30),
        )
        cert_b = make_certification(
            make_officer(self.agency_b, "B-1", email="b1@agency.example"),
            make_course(self.agency_b),
            date(2024, 6, 30),
            expires_on=date(2026, 6, 30),
        )
        # 2026-03-10: 112 days left. Agency A (120 days) is notified, agency B (90 days) not yet.
        send_certification_reminders(now=datetime(2026, 3, 10, 18, tzinfo=UTC))
        self.assertEqual(
            list(CertificationReminder.objects.values_list("certification", "threshold_days")), [(cert_a.pk, 120)]
        )
        # 2026-05-01: 60 days left. Agency B gets its 60-day notice; agency A has none between 120 and 14.
        send_certification_reminders(now=datetime(2026, 5, 1, 18, tzinfo=UTC))
        self.assertEqual(
            sorted(CertificationReminder.objects.values_list("certification", "threshold_days")),
            sorted([(cert_a.pk, 120), (cert_b.pk, 60)]),
        )


class ReminderSettingsPageTests(BaseTestCase):
    def login(self, user):
        sign_in(self.client, user)

    def test_the_administrator_edits_the_thresholds(self):
        self.login(self.admin_a)
        url = reverse("training:reminder_settings")
        response = self.client.get(url)
        self.assertContains(response, 'value="90, 60, 30, 7, 0"')
        response = self.client.post(
            f"{url}?agency={self.agency_a.public_id}", {"reminder_thresholds_days": "120, 30 7"}, follow=True
        )
        self.assertContains(response, "Reminder thresholds saved")
        self.assertContains(response, '<strong data-testid="current-thresholds">120, 30, 7, 0</strong>', html=True)
        self.assertEqual(reminder_thresholds(self.agency_a), (120, 30, 7, 0))

    def test_bad_input_shows_next_to_the_field(self):
        self.login(self.admin_a)
        response = self.client.post(reverse("training:reminder_settings"), {"reminder_thresholds_days": "90, soon"})
        self.assertContains(response, "Write whole numbers of days separated by commas")
        self.assertContains(response, 'id="id_reminder_thresholds_days-error"')
        response = self.client.post(reverse("training:reminder_settings"), {"reminder_thresholds_days": "90, 500"})
        self.assertContains(response, THRESHOLD_OUT_OF_RANGE)
        self.assertFalse(AgencyTrainingSettings.objects.exists())

    def test_digits_that_are_not_ascii_numbers_are_refused_next_to_the_field(self):
        # "²" and "٣" pass str.isdigit(); int("²") used to raise a server error.
        self.login(self.admin_a)
        for typed in ("90, ²", "٣٠", "7\x00"):
            with self.subTest(typed=typed):
                response = self.client.post(reverse("training:reminder_settings"), {"reminder_thresholds_days": typed})
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response.context["form"].errors["reminder_thresholds_days"])
        self.assertFalse(AgencyTrainingSettings.objects.exists())

    def test_only_administrators_of_the_agency(self):
        url = reverse("training:reminder_settings")
        for user in (self.staff_a, self.supervisor_a, self.auditor, self.outsider):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(url).status_code, 404)
                self.assertEqual(self.client.post(url, {"reminder_thresholds_days": "30"}).status_code, 404)
        self.login(self.admin_a)
        response = self.client.get(url, {"agency": self.agency_b.public_id})
        self.assertEqual(response.status_code, 404)  # administrator of agency A only
        self.assertFalse(AgencyTrainingSettings.objects.exists())

    def test_the_settings_page_is_linked_from_the_notifications_page_for_administrators_only(self):
        self.login(self.admin_a)
        self.assertContains(self.client.get(reverse("training:notification_list")), "Reminder settings")
        self.login(self.supervisor_a)
        self.assertNotContains(self.client.get(reverse("training:notification_list")), "Reminder settings")
