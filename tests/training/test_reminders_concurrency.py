"""Case T2, two workers at once: one email, one sent-record. Real threads, real database."""

import threading
from datetime import UTC, date, datetime

from django.core import mail
from django.db import connection
from django.test import TransactionTestCase

from compliance.audit import system_user
from compliance.models import Agency
from tests.training.helpers import make_certification, make_course, make_officer
from training.models import CertificationReminder
from training.reminders import reminder_send, reminders_due, send_certification_reminders

# 2026-05-01 07:00 CDT: the 60-day mark of a certification expiring 2026-06-30.
RUN_AT = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


class ConcurrentReminderTests(TransactionTestCase):
    def setUp(self):
        agency = Agency.objects.create(name="Cedar County Sheriff", state="TX", time_zone="America/Chicago")
        course = make_course(agency)
        officer = make_officer(agency, email="officer.one@agency.example")
        self.certification = make_certification(officer, course, date(2024, 6, 30), expires_on=date(2026, 6, 30))
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

    def test_case_T2_two_workers_racing_on_the_same_notice_send_one_email(self):
        def worker(barrier):
            due = reminders_due(now=RUN_AT)  # both workers see the notice as not yet sent
            barrier.wait()
            return [reminder_send(due=item, now=RUN_AT) for item in due]

        results = self._in_threads(worker)

        self.assertEqual(sorted(results), [[False], [True]])
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(
            list(CertificationReminder.objects.values_list("certification_id", "threshold_days")),
            [(self.certification.pk, 60)],
        )

    def test_case_T2_two_whole_runs_at_once_send_one_email(self):
        def worker(barrier):
            barrier.wait()
            return send_certification_reminders(now=RUN_AT)

        results = self._in_threads(worker)

        self.assertEqual(sorted(results), [0, 1])
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(CertificationReminder.objects.count(), 1)
