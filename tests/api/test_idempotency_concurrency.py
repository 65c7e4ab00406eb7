"""Two JMS requests with the same Idempotency-Key at the same moment: one detainer, both answers naming it.

Needs real concurrent transactions, so it runs on PostgreSQL only (CI); SQLite serialises writers.
"""

from __future__ import annotations

import threading
import unittest

from django.db import connection
from django.test import TransactionTestCase

from compliance.core.models import Agency, Agreement, AgreementModel, IdempotencyKey
from compliance.core.roles import Role
from incidents.detainers.models import Detainer
from tests.api.helpers import api_client, detainer_body, make_integration
from tests.base import make_user


@unittest.skipUnless(connection.vendor == "postgresql", "concurrent writers need PostgreSQL (set DATABASE_URL)")
class ConcurrentIdempotencyTests(TransactionTestCase):
    def setUp(self):
        self.agency = Agency.objects.create(name="Cedar County Sheriff", state="TX", time_zone="America/Chicago")
        Agreement.objects.create(agency=self.agency, model=AgreementModel.JEM)
        admin = make_user("admin_c", agency=self.agency, role=Role.ADMINISTRATOR)
        _, self.token = make_integration(self.agency, actor=admin)

    def test_same_key_at_once_creates_one_record(self):
        workers = 2
        barrier = threading.Barrier(workers)
        answers, errors = [], []

        def post():
            try:
                client = api_client(self.token)
                barrier.wait()
                response = client.post(
                    "/api/v1/detainers/", detainer_body(), format="json", HTTP_IDEMPOTENCY_KEY="same-key"
                )
                answers.append((response.status_code, response.json().get("id")))
            except Exception as exc:  # reported below; a thread cannot fail the test itself
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=post) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        self.assertEqual(Detainer.objects.count(), 1)
        self.assertEqual(IdempotencyKey.objects.count(), 1)
        record = str(Detainer.objects.get().public_id)
        self.assertEqual(sorted(answers), [(201, record), (201, record)])
