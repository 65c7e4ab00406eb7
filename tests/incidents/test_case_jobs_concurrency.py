"""Two case-deadline sweeps or two reminder runs at the same moment (two beat processes, a retried task): one of each.

Needs real concurrent transactions, so it runs on PostgreSQL only (CI); SQLite serialises writers.
"""

import threading
import unittest
from datetime import UTC, date, datetime, timedelta

from django.core import mail
from django.db import connection
from django.test import TransactionTestCase

from compliance.core.models import Agency, Finding
from compliance.core.roles import Role
from incidents.corrective_actions.models import CorrectiveAction, CorrectiveActionReminder
from incidents.corrective_actions.reminders import send_corrective_action_reminders
from incidents.incident_log.models import CaseEvent, Incident
from incidents.referrals.deadlines import incident_deadlines_sweep
from tests.base import make_user
from training.reminders.models import Notification

RECEIVED = datetime(2026, 3, 7, 18, 0, tzinfo=UTC)


@unittest.skipUnless(connection.vendor == "postgresql", "concurrent writers need PostgreSQL (set DATABASE_URL)")
class ConcurrentCaseJobTests(TransactionTestCase):
    def setUp(self):
        self.agency = Agency.objects.create(name="Cedar County Sheriff", state="TX", time_zone="America/Chicago")
        self.staff = make_user("staff_c", agency=self.agency, role=Role.STAFF)
        make_user("supervisor_c", agency=self.agency, role=Role.SUPERVISOR)
        self.case = Incident.objects.create(
            agency=self.agency,
            kind=Incident.Kind.COMPLAINT,
            severity=Incident.Severity.MEDIUM,
            title="Invented complaint",
            occurred_at=RECEIVED,
            received_at=RECEIVED,
            immigration_related=Incident.Immigration.YES,
        )

    def run_together(self, job, workers=4):
        barrier = threading.Barrier(workers)
        errors = []

        def run():
            try:
                barrier.wait()
                job()
            except Exception as exc:  # reported below; a thread cannot fail the test itself
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=run) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])

    def test_parallel_sweeps_open_one_finding_of_each_kind_and_one_timeline_row_each(self):
        self.run_together(lambda: incident_deadlines_sweep(now=RECEIVED + timedelta(days=100)))
        self.assertEqual(Finding.objects.filter(kind=Finding.Kind.REFERRAL_OVERDUE).count(), 1)
        self.assertEqual(Finding.objects.filter(kind=Finding.Kind.INVESTIGATION_OVERDUE).count(), 1)
        self.assertEqual(self.case.linked_findings.count(), 2)
        self.assertEqual(CaseEvent.objects.filter(incident=self.case, kind=CaseEvent.Kind.FINDING_LINKED).count(), 2)

    def test_parallel_reminder_runs_send_one_mail_per_recipient(self):
        CorrectiveAction.objects.create(
            agency=self.agency,
            incident=self.case,
            kind=CorrectiveAction.Kind.TRAINING,
            description="Invented",
            owner=self.staff,
            due_on=date(2026, 3, 20),
            created_by=self.staff,
        )
        self.run_together(lambda: send_corrective_action_reminders(now=datetime(2026, 3, 15, 18, 0, tzinfo=UTC)))
        self.assertEqual(sorted(m.to[0] for m in mail.outbox), ["staff_c@example.test", "supervisor_c@example.test"])
        self.assertEqual(CorrectiveActionReminder.objects.count(), 2)
        self.assertEqual(Notification.objects.count(), 2)
