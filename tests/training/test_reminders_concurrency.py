"""Case T2, two workers at once: one email per recipient per day, one notice. Real threads, real database."""

import threading
from datetime import UTC, date, datetime

from django.core import mail
from django.db import connection
from django.test import TransactionTestCase

from compliance.core.models import Agency
from compliance.core.roles import Role
from compliance.core.system_account import system_user
from tests.base import make_user
from tests.training.helpers import make_certification, make_course, make_officer
from training.reminders.models import CertificationReminder, ReminderDelivery, ReminderDigest
from training.reminders.services import (
    digest_send,
    digests_plan,
    notice_recipients,
    notices_raise,
    reminder_window,
    reminders_due,
    send_certification_reminders,
)

# 2026-05-01 07:00 CDT: the 60-day mark of a certification expiring 2026-06-30.
RUN_AT = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


class ConcurrentReminderTests(TransactionTestCase):
    def setUp(self):
        agency = Agency.objects.create(name="Cedar County Sheriff", state="TX", time_zone="America/Chicago")
        supervisor = make_user("cedar_supervisor", agency=agency, role=Role.SUPERVISOR)
        course = make_course(agency)
        officer = make_officer(agency, email="officer.one@agency.example", supervisor=supervisor)
        self.certification = make_certification(officer, course, date(2024, 6, 30), expires_on=date(2026, 6, 30))
        # A second certification due the same day: still one email per recipient.
        other = make_officer(agency, "B-200", email="officer.two@agency.example", supervisor=supervisor)
        make_certification(other, course, date(2024, 7, 2), expires_on=date(2026, 7, 2))
        system_user()  # created once here, as it would exist after the first run

    def _in_threads(self, target):
        barrier = threading.Barrier(2, timeout=30)
        results, errors = [], []

        def worker():
            try:
                results.append(target(barrier))
            except Exception as exc:  # surfaced in the main thread below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        self.assertEqual(errors, [])
        return results

    def assert_one_email_per_recipient(self):
        recipients = sorted(message.to[0] for message in mail.outbox)
        self.assertEqual(
            recipients, ["cedar_supervisor@example.test", "officer.one@agency.example", "officer.two@agency.example"]
        )
        self.assertEqual(ReminderDigest.objects.count(), 3)
        self.assertEqual(
            sorted(CertificationReminder.objects.values_list("threshold_days", flat=True)), [60, 90]
        )  # 2026-07-02 is 62 days away: its 90-day notice
        self.assertEqual(ReminderDelivery.objects.count(), 4)  # each officer once, the supervisor twice

    def test_case_T2_two_workers_racing_on_the_same_digests_send_one_email_each(self):
        def worker(barrier):
            due = reminders_due(now=RUN_AT)
            window = reminder_window(now=RUN_AT)
            recipients = notice_recipients(due=due, window=window)
            notices_raise(due=due, recipients=recipients, window=window, now=RUN_AT)
            plan = digests_plan(due=due, recipients=recipients, window=window)
            barrier.wait()  # both workers planned every digest as not yet sent
            return [digest_send(recipient=recipient, now=RUN_AT)[0] for recipient in plan]

        results = self._in_threads(worker)

        self.assertEqual(sorted(sum(results, [])), [False, False, False, True, True, True])
        self.assert_one_email_per_recipient()

    def test_case_T2_two_whole_runs_at_once_send_one_email_per_recipient(self):
        def worker(barrier):
            barrier.wait()
            return send_certification_reminders(now=RUN_AT)

        results = self._in_threads(worker)

        self.assertEqual(sum(result.notices_raised for result in results), 2)
        self.assertEqual(sum(result.emails_sent for result in results), 3)
        self.assert_one_email_per_recipient()
