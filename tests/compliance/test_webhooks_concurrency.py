"""Two webhook senders at once on PostgreSQL (issue #15 item 4): ``SKIP LOCKED`` claims and the lease give each
delivery exactly one POST, whatever the interleaving."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import TransactionTestCase, override_settings

from compliance.core.feed import feed_emit
from compliance.core.models import Agency, FeedEvent, WebhookDelivery
from compliance.integrations.webhooks import webhooks_send_due
from tests.base import make_user
from tests.compliance.webhook_helpers import Receiver, make_integration

EVENTS = 30


@override_settings(WEBHOOK_ALLOW_HTTP=True, WEBHOOK_ALLOW_PRIVATE_ADDRESSES=True)
class TwoSendersTests(TransactionTestCase):
    def setUp(self):
        if connection.vendor != "postgresql":
            pytest.skip("SKIP LOCKED needs PostgreSQL")
        self.agency = Agency.objects.create(name="Alder County", state="TX", time_zone="America/Chicago")
        self.admin = make_user("admin_concurrency")

    def test_two_senders_at_once_one_post_per_delivery(self):
        with Receiver() as receiver:
            make_integration(self.agency, created_by=self.admin, webhook_url=receiver.url)
            for n in range(EVENTS):
                feed_emit(
                    agency=self.agency,
                    kind=FeedEvent.Kind.FINDING_OPENED,
                    record=self.agency,
                    occurred_at=datetime(2026, 12, 7, tzinfo=UTC),
                    data={"n": n},
                    dedup_key=f"concurrent:{n}",
                )
            start = threading.Barrier(2)
            claimed = []

            def sender():
                try:
                    start.wait()
                    while True:
                        result = webhooks_send_due(limit=3)
                        claimed.append(result["claimed"])
                        if not result["claimed"]:
                            break
                finally:
                    connection.close()

            threads = [threading.Thread(target=sender) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        ids = Counter(headers["webhook-id"] for _, headers, _ in receiver.requests)
        self.assertEqual(len(ids), EVENTS)
        self.assertEqual(set(ids.values()), {1})
        self.assertEqual(sum(claimed), EVENTS)
        self.assertEqual(WebhookDelivery.objects.filter(state="delivered", attempts=1).count(), EVENTS)
