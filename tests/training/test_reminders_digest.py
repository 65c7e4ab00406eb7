"""The daily digest: who gets what, one per recipient per day, in-app notifications, queries that stay flat."""

from datetime import UTC, date, datetime, timedelta

from django.core import mail
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from compliance.core.roles import Role
from tests.base import BaseTestCase, make_user
from tests.training.helpers import make_certification, make_course, make_officer
from training.reminders import messages as reminder_messages
from training.reminders.models import CertificationReminder, Notification, ReminderDelivery, ReminderDigest
from training.reminders.services import send_certification_reminders

RUN_DAY = date(2026, 5, 1)
RUN_AT = datetime(2026, 5, 1, 12, tzinfo=UTC)  # 07:00 CDT, 05:00 MST


@override_settings(SITE_URL="https://compliance.example.test")
class DigestTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.iadp = make_course(cls.agency_a, "IADP")
        cls.refresher = make_course(cls.agency_a, "REFRESH")
        cls.first = make_officer(cls.agency_a, "A-1", email="first@agency.example", supervisor=cls.supervisor_a)
        cls.second = make_officer(cls.agency_a, "A-2", email="second@agency.example", supervisor=cls.supervisor_a)
        # Due on 2026-05-01: 60-day (expires 06-30), 7-day (05-08), 0-day (expired 04-25).
        make_certification(cls.first, cls.iadp, date(2024, 6, 30), expires_on=date(2026, 6, 30))
        make_certification(cls.first, cls.refresher, date(2024, 5, 8), expires_on=date(2026, 5, 8))
        make_certification(cls.second, cls.iadp, date(2024, 4, 25), expires_on=date(2026, 4, 25))

    def mail_to(self, address):
        return [message for message in mail.outbox if message.to == [address]]

    def test_each_recipient_gets_one_digest_listing_everything_due_for_them(self):
        result = send_certification_reminders(now=RUN_AT)

        self.assertEqual(result.notices_raised, 3)
        [first] = self.mail_to("first@agency.example")
        self.assertEqual(first.subject, "287(g) training notices for 2026-05-01: 2 certifications")
        self.assertIn("Your certification for course REFRESH expires in 7 days", first.body)
        self.assertIn("Your certification for course IADP expires in 60 days", first.body)
        self.assertLess(first.body.index("REFRESH"), first.body.index("IADP"))  # soonest expiry first
        [second] = self.mail_to("second@agency.example")
        self.assertIn("Your certification for course IADP expired 6 days ago", second.body)
        self.assertIn("An officer whose certification has expired may not use delegated", second.body)
        [supervisor] = self.mail_to("supervisor_a@example.test")
        self.assertEqual(supervisor.subject, "287(g) training notices for 2026-05-01: 3 certifications")
        self.assertEqual(supervisor.body.count("an officer you supervise"), 3)
        self.assertNotIn("Your agency", supervisor.body)
        [admin] = self.mail_to("admin_a@example.test")
        self.assertEqual(admin.body.count("an officer of Alder County Sheriff's Office"), 3)
        self.assertEqual(len(mail.outbox), 4)
        self.assertEqual(ReminderDigest.objects.count(), 4)
        self.assertEqual(ReminderDelivery.objects.count(), 3 + 3 + 3)

    def test_users_get_in_app_notifications_with_links_and_no_names(self):
        send_certification_reminders(now=RUN_AT)

        texts = list(Notification.objects.filter(recipient=self.supervisor_a).values_list("text", "link"))
        self.assertEqual(len(texts), 3)
        self.assertEqual(
            texts[0],
            (
                "The IADP certification of an officer you supervise expired 6 days ago "
                "(last valid day 2026-04-25; 0-day notice).",
                f"/roster/officers/{self.second.public_id}/",
            ),
        )
        self.assertEqual(Notification.objects.filter(recipient=self.admin_a).count(), 3)
        self.assertFalse(Notification.objects.exclude(recipient__in=[self.supervisor_a, self.admin_a]).exists())

    def test_a_user_without_an_address_still_gets_in_app_notifications(self):
        self.supervisor_a.email = ""
        self.supervisor_a.save()

        result = send_certification_reminders(now=RUN_AT)

        self.assertEqual((result.digests_sent, result.emails_sent), (4, 3))
        digest = ReminderDigest.objects.get(recipient=self.supervisor_a)
        self.assertFalse(digest.emailed)
        self.assertEqual(Notification.objects.filter(recipient=self.supervisor_a, digest=digest).count(), 3)

    def test_an_officer_address_that_belongs_to_a_user_is_one_recipient(self):
        # The supervisor is also on the roster, with the same address: one digest, the most personal role.
        own = make_officer(self.agency_a, "A-3", email="SUPERVISOR_A@example.test", supervisor=self.supervisor_a)
        make_certification(own, self.iadp, date(2024, 6, 30), expires_on=date(2026, 6, 30))

        send_certification_reminders(now=RUN_AT)

        [digest] = self.mail_to("supervisor_a@example.test")
        self.assertIn("Your certifications\n- Your certification for course IADP expires in 60 days", digest.body)
        self.assertEqual(digest.body.count("an officer you supervise"), 3)
        roles = ReminderDelivery.objects.filter(digest__recipient=self.supervisor_a).values_list("role", flat=True)
        self.assertEqual(sorted(roles), ["officer", "supervisor", "supervisor", "supervisor"])
        self.assertTrue(Notification.objects.filter(recipient=self.supervisor_a, text__startswith="Your").exists())

    def test_an_officer_address_of_an_inactive_account_is_never_mailed(self):
        former = make_user("former", agency=self.agency_a, role=Role.STAFF)
        former.email = "first@agency.example"
        former.is_active = False
        former.save()

        send_certification_reminders(now=RUN_AT)

        self.assertEqual(self.mail_to("first@agency.example"), [])
        self.assertFalse(Notification.objects.filter(recipient=former).exists())
        self.assertEqual(len(self.mail_to("supervisor_a@example.test")), 1)

    def test_inactive_administrators_and_other_agencies_administrators_are_not_notified(self):
        admin_b = make_user("admin_b", agency=self.agency_b, role=Role.ADMINISTRATOR)
        self.admin_a.is_active = False
        self.admin_a.save()

        send_certification_reminders(now=RUN_AT)

        self.assertEqual(self.mail_to("admin_a@example.test"), [])
        self.assertEqual(self.mail_to(admin_b.email), [])
        self.assertFalse(Notification.objects.filter(recipient__in=[self.admin_a, admin_b]).exists())

    def test_a_notice_raised_after_todays_digest_waits_for_tomorrows(self):
        send_certification_reminders(now=RUN_AT)
        late = make_officer(self.agency_a, "A-4", email="late@agency.example", supervisor=self.supervisor_a)
        make_certification(late, self.iadp, date(2024, 5, 20), expires_on=date(2026, 5, 20))  # 30-day notice

        same_day = send_certification_reminders(now=RUN_AT.replace(hour=20))

        self.assertEqual((same_day.notices_raised, same_day.digests_sent), (1, 1))  # only the new officer
        self.assertEqual(len(self.mail_to("supervisor_a@example.test")), 1)
        next_day = send_certification_reminders(now=datetime(2026, 5, 2, 12, tzinfo=UTC))
        self.assertEqual((next_day.notices_raised, next_day.digests_sent), (0, 2))  # supervisor, administrator
        [_, second] = self.mail_to("supervisor_a@example.test")
        self.assertEqual(second.subject, "287(g) training notices for 2026-05-02: 1 certification")
        self.assertIn("expires in 18 days (last valid day 2026-05-20; 30-day notice)", second.body)

    def test_a_long_digest_is_capped_with_a_link_to_the_roster(self):
        original = reminder_messages.MAX_LINES_PER_SECTION
        reminder_messages.MAX_LINES_PER_SECTION = 2
        try:
            send_certification_reminders(now=RUN_AT)
        finally:
            reminder_messages.MAX_LINES_PER_SECTION = original

        [admin] = self.mail_to("admin_a@example.test")
        self.assertEqual(admin.body.count("an officer of Alder County"), 2)
        self.assertIn(
            f"- … and 1 more: https://compliance.example.test/roster/?agency={self.agency_a.public_id}", admin.body
        )
        texts = list(Notification.objects.filter(recipient=self.admin_a).values_list("text", flat=True))
        self.assertEqual(len(texts), 3)
        self.assertEqual(texts[-1], "1 more certifications are due (your agency): see the roster.")

    def test_the_run_queries_do_not_grow_with_the_number_of_certifications(self):
        with CaptureQueriesContext(connection) as small:
            send_certification_reminders(now=RUN_AT)
        self.assertEqual(len(mail.outbox), 4)
        # Forty more certifications due tomorrow, all for officers without an address, under the
        # same supervisor: the same recipients, so the same number of queries.
        for n in range(40):
            officer = make_officer(self.agency_a, f"Q-{n}", supervisor=self.supervisor_a)
            make_certification(officer, self.iadp, date(2024, 7, 1), expires_on=date(2026, 7, 1))
        with CaptureQueriesContext(connection) as large:
            result = send_certification_reminders(now=datetime(2026, 5, 2, 12, tzinfo=UTC))
        self.assertEqual(result.notices_raised, 40)
        self.assertEqual(result.digests_sent, 2)
        self.assertLessEqual(len(large), len(small))
        self.assertEqual(CertificationReminder.objects.count(), 43)

    def test_thresholds_are_counted_per_agency_in_its_own_zone(self):
        course_b = make_course(self.agency_b, "WSO")
        officer_b = make_officer(self.agency_b, "B-1", email="b1@agency.example", supervisor=self.supervisor_b)
        make_certification(officer_b, course_b, date(2024, 6, 30), expires_on=date(2026, 6, 30))
        # 2026-05-01 06:00 UTC: 01:00 CDT on 05-01 in agency A, 23:00 MST on 04-30 in agency B.
        send_certification_reminders(now=datetime(2026, 5, 1, 6, tzinfo=UTC))

        notice_b = CertificationReminder.objects.get(certification__agency=self.agency_b)
        self.assertEqual((notice_b.threshold_days, notice_b.sent_for_date), (90, date(2026, 4, 30)))
        [digest_b] = self.mail_to("supervisor_b@example.test")
        self.assertIn("for 2026-04-30", digest_b.subject)
        self.assertNotIn("Alder", digest_b.body)

    def test_hourly_runs_across_the_dst_change_send_one_digest_per_recipient_per_local_day(self):
        # US clocks spring forward on 2026-03-08 (02:00 CST → 03:00 CDT). Run every hour
        # from 2026-03-07 00:00 to 2026-03-10 00:00 UTC (SECURITY.md F-13).
        officer = make_officer(self.agency_a, "A-5", email="dst@agency.example")
        certification = make_certification(officer, self.iadp, date(2024, 6, 7), expires_on=date(2026, 6, 7))
        for hour in range(72):
            send_certification_reminders(now=datetime(2026, 3, 7, tzinfo=UTC) + timedelta(hours=hour))

        notices = CertificationReminder.objects.filter(certification=certification)
        self.assertEqual(list(notices.values_list("threshold_days", "sent_for_date")), [(90, date(2026, 3, 9))])
        self.assertEqual(len(self.mail_to("dst@agency.example")), 1)
        # The administrator hears of every certification, one digest per local day that had news.
        days = list(ReminderDigest.objects.filter(recipient=self.admin_a).values_list("sent_for_date", flat=True))
        self.assertEqual(len(days), len(set(days)))
        self.assertEqual(len(self.mail_to("admin_a@example.test")), len(days))
        self.assertIn(date(2026, 3, 9), days)
