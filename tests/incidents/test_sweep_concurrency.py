"""Two sweeps at the same moment (two beat processes, or a retried task): still one of each.

Needs real row locks, so it runs on PostgreSQL only (CI); SQLite has no SELECT ... FOR UPDATE.
"""

import threading
import unittest
from datetime import UTC, datetime

from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.test import TransactionTestCase, override_settings

from compliance.core.models import Agency, Finding
from compliance.core.roles import Role
from incidents.detainers.models import Detainer
from incidents.detainers.sweep import sweep_hold_deadlines
from incidents.incident_log.models import Incident
from tests.base import make_user
from tests.incidents.helpers import make_detainer


@unittest.skipUnless(connection.vendor == "postgresql", "row locks need PostgreSQL (set DATABASE_URL)")
@override_settings(HOLD_DEADLINE_ALERT_HOURS=4)
class ConcurrentSweepTests(TransactionTestCase):
    def setUp(self):
        self.agency = Agency.objects.create(name="Cedar County Sheriff", state="TX", time_zone="America/Chicago")
        staff = make_user("staff_c", agency=self.agency, role=Role.STAFF)
        make_user("supervisor_c", agency=self.agency, role=Role.SUPERVISOR)
        self.detainer = make_detainer(
            self.agency, actor=staff, would_be_released_at=datetime(2026, 4, 10, 15, 0, tzinfo=UTC)
        )

    def run_together(self, now, workers=4):
        barrier = threading.Barrier(workers)
        errors = []

        def sweep():
            try:
                barrier.wait()
                sweep_hold_deadlines(now=now)
            except Exception as exc:  # reported below; a thread cannot fail the test itself
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=sweep) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])

    def test_case_D4_parallel_sweeps_send_one_alert(self):
        self.run_together(datetime(2026, 4, 12, 11, 0, tzinfo=UTC))
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(Detainer.objects.get().history.count(), 2)  # created, then marked once

    def test_case_D4_parallel_sweeps_open_one_finding_and_one_incident(self):
        self.run_together(datetime(2026, 4, 12, 16, 0, tzinfo=UTC))
        findings = Finding.objects.filter(
            content_type=ContentType.objects.get_for_model(Detainer), object_id=self.detainer.pk
        )
        self.assertEqual(findings.count(), 1)
        self.assertEqual(Incident.objects.filter(detainer=self.detainer).count(), 1)
        self.assertEqual(len(mail.outbox), 1)
