"""SECURITY.md D8: when the history cannot be written, the change it describes is not made (fail closed).

The audit store "fails" through a trigger refusing inserts into the history table
(``tests.compliance.history_failure``): the detainer is left as it was, the page answers 503
saying nothing was saved, and one CRITICAL line with a fixed message (no personal data) goes
to the ``compliance.audit`` logger, which monitoring alerts on.
"""

from datetime import UTC, datetime

import time_machine
from django.db import connection, transaction
from django.test import TransactionTestCase
from django.urls import reverse

from compliance.core.audit_failure import ALERT_MESSAGE, AuditWriteFailed
from compliance.core.models import Agency
from incidents.detainers import services
from incidents.detainers.models import Detainer
from tests.base import BaseTestCase, sign_in
from tests.compliance.history_failure import history_insert_failing
from tests.incidents.helpers import make_detainer
from tests.incidents.test_detainer_views import detainer_post

NOW = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
ALERT = ALERT_MESSAGE % "incidents.Detainer"


@time_machine.travel(NOW, tick=False)
class DetainerFailsClosedTests(BaseTestCase):
    def setUp(self):
        self.detainer = make_detainer(self.agency_a, actor=self.staff_a, subject_last_name="Sentinelperson")

    def test_D8_a_detainer_create_whose_history_fails_is_rolled_back_and_alerts(self):
        with (
            history_insert_failing(connection, Detainer),
            self.assertLogs("compliance.audit", "CRITICAL") as logs,
            self.assertRaises(AuditWriteFailed),
        ):
            make_detainer(self.agency_a, actor=self.staff_a, number=2, subject_last_name="Unrecordedperson")
        self.assertFalse(Detainer.objects.filter(booking_number="BK-00002").exists())
        self.assertEqual(logs.output, [f"CRITICAL:compliance.audit:{ALERT}"])
        self.assertNotIn("Unrecordedperson", "".join(logs.output))

    def test_D8_a_detainer_update_whose_history_fails_leaves_the_detainer_unchanged(self):
        history_rows = self.detainer.history.count()
        with (
            history_insert_failing(connection, Detainer),
            self.assertLogs("compliance.audit", "CRITICAL"),
            self.assertRaises(AuditWriteFailed),
        ):
            services.detainer_update(detainer=self.detainer, actor=self.staff_a, underlying_charge="Changed (invented)")
        self.detainer.refresh_from_db()
        self.assertEqual(self.detainer.underlying_charge, "Burglary (invented)")
        self.assertEqual(self.detainer.history.count(), history_rows)

    def test_D8_the_page_says_nothing_was_saved_instead_of_a_server_error(self):
        sign_in(self.client, self.staff_a)
        with history_insert_failing(connection, Detainer), self.assertLogs("compliance.audit", "CRITICAL"):
            response = self.client.post(reverse("incidents:detainer_create"), detainer_post())
        self.assertEqual(response.status_code, 503)
        self.assertContains(response, "Your change was not saved", status_code=503)
        self.assertContains(response, "nothing was changed", status_code=503)
        self.assertFalse(Detainer.objects.filter(booking_number="BK-20001").exists())
        # The request's own transaction was rolled back, not left broken: the next page works.
        self.assertEqual(self.client.get(reverse("incidents:detainer_list")).status_code, 200)

    def test_D8_an_edit_through_the_page_is_not_half_written(self):
        sign_in(self.client, self.staff_a)
        url = reverse("incidents:detainer_edit", args=[self.detainer.public_id])
        data = detainer_post(booking_number=self.detainer.booking_number, underlying_charge="Edited (invented)")
        with history_insert_failing(connection, Detainer), self.assertLogs("compliance.audit", "CRITICAL"):
            response = self.client.post(url, data)
        self.assertEqual(response.status_code, 503)
        self.detainer.refresh_from_db()
        self.assertEqual(self.detainer.underlying_charge, "Burglary (invented)")


class SaveOutsideAnyTransactionTests(TransactionTestCase):
    """A save outside services (a shell, a command) in autocommit mode: the row and its history are one transaction."""

    def test_D8_a_save_in_autocommit_whose_history_fails_is_not_committed(self):
        self.assertTrue(transaction.get_autocommit())
        with (
            history_insert_failing(connection, Agency),
            self.assertLogs("compliance.audit", "CRITICAL"),
            self.assertRaises(AuditWriteFailed),
        ):
            Agency.objects.create(name="Unrecorded County", state="TX", time_zone="America/Chicago")
        self.assertFalse(Agency.objects.filter(name="Unrecorded County").exists())
        agency = Agency.objects.create(name="Recorded County", state="TX", time_zone="America/Chicago")
        self.assertEqual(agency.history.count(), 1)
