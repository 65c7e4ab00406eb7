"""Expiry notices: thresholds on the agency date, once each, catch-up (case T2), the daily digest."""

from datetime import UTC, date, datetime, timedelta

import time_machine
from django.core import mail
from django.test import override_settings

from compliance.celery import app as celery_app
from compliance.core.models import OutboundMail
from tests.base import BaseTestCase
from tests.training.helpers import make_certification, make_course, make_officer
from training.reminders.models import CertificationReminder, Notification, ReminderDigest
from training.reminders.services import send_certification_reminders
from training.roster.models import Officer

EXPIRES = date(2026, 6, 30)
OFFICER_ADDRESS = "dana.z@agency.example"


def noon_utc(day: date) -> datetime:
    """07:00 CDT in agency A, 05:00 MST in agency B: the same calendar day in both."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


@override_settings(SITE_URL="https://compliance.example.test")
class ReminderTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.course = make_course(cls.agency_a, "IADP")
        cls.officer = make_officer(
            cls.agency_a, "A-500", last="Zarkowski", first="Dana", email=OFFICER_ADDRESS, supervisor=cls.supervisor_a
        )
        cls.certification = make_certification(cls.officer, cls.course, date(2024, 6, 30), expires_on=EXPIRES)

    def run_on(self, day: date):
        return send_certification_reminders(now=noon_utc(day))

    def sent(self):
        return list(CertificationReminder.objects.order_by("sent_at").values_list("threshold_days", "sent_for_date"))

    def mail_to(self, address):
        return [message for message in mail.outbox if message.to == [address]]

    def test_case_T2_sixty_day_notice_on_its_day(self):
        result = self.run_on(date(2026, 5, 1))
        self.assertEqual((result.notices_raised, result.digests_sent, result.emails_sent), (1, 3, 3))
        self.assertEqual(self.sent(), [(60, date(2026, 5, 1))])
        self.assertEqual(
            sorted(message.to[0] for message in mail.outbox),
            ["admin_a@example.test", OFFICER_ADDRESS, "supervisor_a@example.test"],
        )
        [own] = self.mail_to(OFFICER_ADDRESS)
        self.assertEqual(own.subject, "287(g) training notices for 2026-05-01: 1 certification")
        self.assertIn(
            "Your certification for course IADP expires in 60 days (last valid day 2026-06-30; 60-day notice).",
            own.body,
        )
        self.assertIn(f"https://compliance.example.test/roster/officers/{self.officer.public_id}/", own.body)
        [supervisor] = self.mail_to("supervisor_a@example.test")
        self.assertIn("Officers you supervise\n- The IADP certification of an officer you supervise", supervisor.body)
        [admin] = self.mail_to("admin_a@example.test")
        self.assertIn(
            "Your agency\n- The IADP certification of an officer of Alder County Sheriff's Office expires in 60 days",
            admin.body,
        )

    def test_the_digest_carries_no_name_or_badge(self):
        self.run_on(date(2026, 5, 1))
        self.assertEqual(len(mail.outbox), 3)
        for message in mail.outbox:
            for personal in ("Zarkowski", "Dana", "A-500"):
                self.assertNotIn(personal, message.subject + message.body)
        for text in Notification.objects.values_list("text", flat=True):
            self.assertNotIn("Zarkowski", text)

    def test_case_T2_twice_the_same_day_sends_one_email_per_recipient(self):
        self.assertEqual(self.run_on(date(2026, 5, 1)).emails_sent, 3)
        later = send_certification_reminders(now=noon_utc(date(2026, 5, 1)) + timedelta(hours=6))
        self.assertEqual((later.notices_raised, later.digests_sent, later.emails_sent), (0, 0, 0))
        self.assertEqual(len(mail.outbox), 3)
        self.assertEqual(self.sent(), [(60, date(2026, 5, 1))])
        self.assertEqual(ReminderDigest.objects.filter(sent_for_date=date(2026, 5, 1)).count(), 3)

    def test_case_T2_catch_up_after_the_job_did_not_run(self):
        self.run_on(date(2026, 4, 28))  # 63 days left: the 90-day notice (first run)
        # No run from 2026-04-29 to 2026-05-03.
        self.assertEqual(self.run_on(date(2026, 5, 4)).notices_raised, 1)
        self.assertEqual(self.run_on(date(2026, 5, 5)).emails_sent, 0)
        self.assertEqual(self.sent(), [(90, date(2026, 4, 28)), (60, date(2026, 5, 4))])
        own = self.mail_to(OFFICER_ADDRESS)
        self.assertEqual(len(own), 2)
        self.assertIn("expires in 57 days (last valid day 2026-06-30; 60-day notice)", own[1].body)

    def test_a_first_run_late_sends_only_the_most_urgent_reached_threshold(self):
        self.assertEqual(self.run_on(date(2026, 6, 25)).notices_raised, 1)  # 5 days left: 7, not 90/60/30
        self.assertEqual(self.sent(), [(7, date(2026, 6, 25))])

    def test_a_daily_job_sends_each_threshold_once(self):
        day = date(2026, 3, 1)
        while day <= date(2026, 9, 1):
            self.run_on(day)
            day += timedelta(days=1)
        self.assertEqual(
            self.sent(),
            [
                (90, date(2026, 4, 1)),
                (60, date(2026, 5, 1)),
                (30, date(2026, 5, 31)),
                (7, date(2026, 6, 23)),
                (0, date(2026, 6, 30)),
            ],
        )
        own = self.mail_to(OFFICER_ADDRESS)
        self.assertEqual(len(own), 5)
        self.assertEqual(len(mail.outbox), 15)  # officer, supervisor, administrator: five each
        self.assertIn("expires today", own[-1].body)

    def test_thresholds_use_the_agency_local_date(self):
        # 2026-05-01 03:00 UTC is still 2026-04-30 (22:00 CDT) in agency A: 61 days left, the 90-day notice.
        send_certification_reminders(now=datetime(2026, 5, 1, 3, tzinfo=UTC))
        # 05:30 UTC is 00:30 CDT on 2026-05-01: now the 60-day notice, in the digest of the new day.
        send_certification_reminders(now=datetime(2026, 5, 1, 5, 30, tzinfo=UTC))
        self.assertEqual(self.sent(), [(90, date(2026, 4, 30)), (60, date(2026, 5, 1))])
        self.assertEqual(
            [m.subject for m in self.mail_to(OFFICER_ADDRESS)],
            [
                "287(g) training notices for 2026-04-30: 1 certification",
                "287(g) training notices for 2026-05-01: 1 certification",
            ],
        )

    def test_a_renewed_certification_gets_no_notice(self):
        make_certification(self.officer, self.course, date(2026, 4, 15))  # renewal, expires 2028-04-15
        self.assertEqual(self.run_on(date(2026, 5, 1)).notices_raised, 0)
        self.assertEqual(mail.outbox, [])

    def test_an_expired_certification_is_caught_up_within_30_days_only(self):
        officer = make_officer(self.agency_a, "A-501", email="old@agency.example")
        recent = make_certification(
            officer, make_course(self.agency_a, "REC"), date(2024, 4, 10), expires_on=date(2026, 4, 10)
        )
        make_certification(officer, make_course(self.agency_a, "OLD"), date(2024, 3, 1), expires_on=date(2026, 3, 1))

        self.run_on(date(2026, 5, 1))

        notices = CertificationReminder.objects.exclude(certification=self.certification)
        self.assertEqual(list(notices.values_list("certification", "threshold_days")), [(recent.pk, 0)])
        [expired_mail] = self.mail_to("old@agency.example")
        self.assertIn("expired 21 days ago", expired_mail.body)
        self.assertNotIn("OLD", expired_mail.body)

    def test_inactive_supervisor_and_separated_officers_get_no_mail(self):
        self.supervisor_a.is_active = False
        self.supervisor_a.save()
        separated = make_officer(self.agency_a, "A-502", email="gone@agency.example", status=Officer.Status.SEPARATED)
        make_certification(separated, self.course, date(2024, 6, 30), expires_on=EXPIRES)

        self.run_on(date(2026, 5, 1))

        self.assertEqual(sorted(m.to[0] for m in mail.outbox), ["admin_a@example.test", OFFICER_ADDRESS])
        self.assertFalse(Notification.objects.filter(recipient=self.supervisor_a).exists())

    def test_a_notice_without_any_recipient_is_recorded_not_retried(self):
        self.officer.email = ""
        self.officer.supervisor = None
        self.officer.save()
        self.admin_a.is_active = False
        self.admin_a.save()
        self.assertEqual(self.run_on(date(2026, 5, 1)).notices_raised, 1)
        self.assertEqual(mail.outbox, [])
        self.assertEqual(CertificationReminder.objects.get().recipients, 0)
        self.assertEqual(self.run_on(date(2026, 5, 2)).notices_raised, 0)
        self.assertFalse(ReminderDigest.objects.exists())

    def test_a_mail_server_down_leaves_the_mail_claimed_and_the_next_run_sends_it_once(self):
        with (
            self.settings(EMAIL_BACKEND="tests.training.helpers.RefusingEmailBackend"),
            self.assertLogs("compliance.core.mail_outbox", "WARNING") as logs,
        ):
            result = self.run_on(date(2026, 5, 1))
        self.assertEqual((result.notices_raised, result.digests_sent, result.emails_sent, result.failed), (1, 0, 0, 3))
        self.assertEqual(ReminderDigest.objects.count(), 3)  # recorded with the claim, before the send
        self.assertEqual(
            list(OutboundMail.objects.values_list("state", "attempts", "error").distinct()),
            [(OutboundMail.State.FAILED, 1, "ConnectionRefusedError")],
        )
        self.assertEqual(len(mail.outbox), 0)
        self.assertIn("ConnectionRefusedError", logs.output[0])
        self.assertNotIn("dana.z", "".join(logs.output))
        notifications = Notification.objects.count()

        result = self.run_on(date(2026, 5, 2))

        self.assertEqual((result.notices_raised, result.digests_sent, result.emails_sent), (0, 0, 3))
        self.assertEqual(Notification.objects.count(), notifications)  # in-app lines not shown twice
        self.assertEqual(len(mail.outbox), 3)
        self.assertEqual(set(OutboundMail.objects.values_list("state", flat=True)), {OutboundMail.State.SENT})
        self.assertEqual(self.sent(), [(60, date(2026, 5, 1))])
        [own] = self.mail_to(OFFICER_ADDRESS)
        self.assertIn("expires in 60 days (last valid day 2026-06-30; 60-day notice)", own.body)  # the same message

    def test_the_beat_task_is_registered_under_the_scheduled_name(self):
        celery_app.loader.import_default_modules()  # what a worker does at start: autodiscovers tasks.py
        task = celery_app.tasks[celery_app.conf.beat_schedule["certification-expiry-reminders"]["task"]]
        with time_machine.travel(noon_utc(date(2026, 5, 1)), tick=False):
            self.assertEqual(
                task.delay().get(), {"notices_raised": 1, "digests_sent": 3, "emails_sent": 3, "failed": 0}
            )
        self.assertEqual(len(mail.outbox), 3)

    def test_the_run_reads_as_a_sentence_for_the_run_jobs_command(self):
        result = self.run_on(date(2026, 5, 1))
        self.assertEqual(str(result), "1 notices raised, 3 digests sent (3 by email), 0 failed")
