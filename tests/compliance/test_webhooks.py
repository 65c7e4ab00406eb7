"""Webhooks of the feed (issue #15 item 4): signed, retried with bounded exponential backoff, delivered at least
once and never again once delivered, no redirect followed, no private address, no personal data; a real HTTP
receiver on loopback in a thread, times advanced with time-machine."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, timedelta
from unittest import mock

import time_machine
from django.test import override_settings

from compliance.core.failpoints import FailpointKill
from compliance.core.feed import event_json, feed_emit
from compliance.core.models import FeedEvent, WebhookDelivery
from compliance.integrations import webhooks
from compliance.integrations.webhooks import (
    HTTPS_ONLY_MESSAGE,
    LEASE,
    MAX_ATTEMPTS,
    PRIVATE_ADDRESS_MESSAGE,
    WebhookRefused,
    address_for,
    backoff_delay,
    delivery_retry,
    url_problem,
    webhook_secret_new,
    webhooks_send_due,
)
from incidents.citizenship.services import citizenship_claim_record
from incidents.detainers.sweep import sweep_hold_deadlines
from tests.base import BaseTestCase
from tests.compliance.webhook_helpers import Receiver, make_integration, verify_signature
from tests.incidents.helpers import make_detainer

T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
LOOPBACK = {"WEBHOOK_ALLOW_HTTP": True, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": True}


@override_settings(**LOOPBACK)
class WebhookDeliveryTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.detainer = make_detainer(cls.agency_a, actor=cls.staff_a)

    def emit(self, key="fact-1", when=T0):
        event, _ = feed_emit(
            agency=self.agency_a,
            kind=FeedEvent.Kind.STOP_RAISED,
            record=self.detainer,
            occurred_at=when,
            data={"claim_at": "2026-12-07T12:00:00Z"},
            dedup_key=key,
        )
        return event

    def hook(self, receiver, **kwargs):
        integration, _ = make_integration(self.agency_a, created_by=self.admin_a, webhook_url=receiver.url, **kwargs)
        return integration

    def delivery(self):
        return WebhookDelivery.objects.get()

    def test_deliveries_written_with_the_event_for_each_active_integration_with_an_address(self):
        with_url, _ = make_integration(self.agency_a, created_by=self.admin_a, webhook_url="https://jms.example/h")
        make_integration(self.agency_a, created_by=self.admin_a, name="Poll only")
        revoked, _ = make_integration(self.agency_a, created_by=self.admin_a, webhook_url="https://old.example/h")
        revoked.revoked_at = T0
        revoked.save()
        make_integration(self.agency_b, created_by=self.admin_a, webhook_url="https://b.example/h")
        event = self.emit()
        self.emit()  # the same fact again: no second event, no second delivery
        delivery = self.delivery()
        self.assertEqual((delivery.event, delivery.integration, delivery.state), (event, with_url, "pending"))
        self.assertEqual(delivery.attempts, 0)

    def test_signature_verifiable_by_the_receiver_with_the_secret(self):
        with Receiver() as receiver, time_machine.travel(T0, tick=False):
            integration = self.hook(receiver)
            event = self.emit()
            result = webhooks_send_due()
        self.assertEqual(result, {"claimed": 1, "delivered": 1, "failed": 0, "retrying": 0})
        ((path, headers, body),) = receiver.requests
        self.assertEqual(path, "/hooks/287g")
        self.assertEqual(headers["webhook-id"], str(event.public_id))
        self.assertEqual(headers["webhook-timestamp"], str(int(T0.timestamp())))
        self.assertEqual(headers["content-type"], "application/json")
        self.assertTrue(verify_signature(secret=integration.webhook_secret, headers=headers, body=body))
        self.assertFalse(verify_signature(secret=webhook_secret_new(), headers=headers, body=body))
        self.assertFalse(verify_signature(secret=integration.webhook_secret, headers=headers, body=body + b" "))
        self.assertEqual(json.loads(body), event_json(event))
        delivery = self.delivery()
        self.assertEqual((delivery.state, delivery.attempts, delivery.last_status_code), ("delivered", 1, 200))
        self.assertEqual(delivery.delivered_at, T0)

    def test_retries_with_backoff_500_twice_then_200_delivered_on_the_third_attempt_same_id(self):
        with Receiver([500, 500]) as receiver, time_machine.travel(T0, tick=False) as clock:
            integration = self.hook(receiver)
            event = self.emit()
            webhooks_send_due()
            first = self.delivery()
            self.assertEqual((first.state, first.attempts, first.last_status_code), ("pending", 1, 500))
            self.assertEqual(first.last_error, "HTTP 500")
            wait = first.next_attempt_at - T0
            self.assertTrue(timedelta(seconds=48) <= wait <= timedelta(seconds=72), wait)
            clock.move_to(first.next_attempt_at - timedelta(seconds=1))
            self.assertEqual(webhooks_send_due()["claimed"], 0)  # not due yet
            clock.move_to(first.next_attempt_at)
            webhooks_send_due()
            second = self.delivery()
            self.assertEqual((second.state, second.attempts), ("pending", 2))
            wait = second.next_attempt_at - first.next_attempt_at
            self.assertTrue(timedelta(seconds=192) <= wait <= timedelta(seconds=288), wait)
            clock.move_to(second.next_attempt_at)
            webhooks_send_due()
        third = self.delivery()
        self.assertEqual((third.state, third.attempts, third.last_status_code), ("delivered", 3, 200))
        self.assertEqual(len(receiver.requests), 3)
        self.assertEqual({headers["webhook-id"] for _, headers, _ in receiver.requests}, {str(event.public_id)})
        for _, headers, body in receiver.requests:
            self.assertTrue(verify_signature(secret=integration.webhook_secret, headers=headers, body=body))

    def test_bounded_attempts_then_failed_over_about_a_day(self):
        with Receiver([500] * 20) as receiver, time_machine.travel(T0, tick=False) as clock:
            self.hook(receiver)
            self.emit()
            for _ in range(MAX_ATTEMPTS):
                webhooks_send_due()
                delivery = self.delivery()
                if delivery.next_attempt_at:
                    clock.move_to(delivery.next_attempt_at)
            self.assertEqual(delivery.state, "failed")
            self.assertEqual((delivery.attempts, delivery.next_attempt_at), (MAX_ATTEMPTS, None))
            clock.move_to(T0 + timedelta(days=3))
            self.assertEqual(webhooks_send_due()["claimed"], 0)
        self.assertEqual(len(receiver.requests), MAX_ATTEMPTS)
        span = delivery.last_attempt_at - T0
        self.assertTrue(timedelta(hours=17) <= span <= timedelta(hours=27), span)

    def test_no_redelivery_once_delivered(self):
        with Receiver() as receiver, time_machine.travel(T0, tick=False) as clock:
            self.hook(receiver)
            self.emit()
            webhooks_send_due()
            for days in (1, 2, 10):
                clock.move_to(T0 + timedelta(days=days))
                self.assertEqual(webhooks_send_due()["claimed"], 0)
        self.assertEqual(len(receiver.requests), 1)
        with self.assertRaises(ValueError):
            delivery_retry(delivery=self.delivery(), actor=self.admin_a)
        self.assertEqual(self.delivery().state, "delivered")

    def test_at_least_once_a_sender_killed_after_sending_sends_again_with_the_same_id(self):
        with Receiver() as receiver, time_machine.travel(T0, tick=False) as clock:
            self.hook(receiver)
            event = self.emit()
            armed = {"COMPLIANCE_FAILPOINT": "webhook.after_send", "COMPLIANCE_FAILPOINT_ACTION": "raise"}
            with mock.patch.dict(os.environ, armed), self.assertRaises(FailpointKill):
                webhooks_send_due()
            killed = self.delivery()
            self.assertEqual((killed.state, killed.attempts, killed.next_attempt_at), ("pending", 1, T0 + LEASE))
            clock.move_to(T0 + timedelta(minutes=1))
            self.assertEqual(webhooks_send_due()["claimed"], 0)  # leased: no second sender takes it meanwhile
            clock.move_to(T0 + LEASE)
            webhooks_send_due()
        self.assertEqual(self.delivery().state, "delivered")
        self.assertEqual([h["webhook-id"] for _, h, _ in receiver.requests], [str(event.public_id)] * 2)

    def test_redirects_are_not_followed(self):
        with (
            Receiver() as elsewhere,
            Receiver([302], redirect_to=elsewhere.url) as receiver,
            time_machine.travel(T0, tick=False),
        ):
            self.hook(receiver)
            self.emit()
            webhooks_send_due()
        self.assertEqual((len(receiver.requests), len(elsewhere.requests)), (1, 0))
        delivery = self.delivery()
        self.assertEqual((delivery.state, delivery.last_status_code, delivery.last_error), ("pending", 302, "HTTP 302"))

    @override_settings(WEBHOOK_ALLOW_PRIVATE_ADDRESSES=False)
    def test_ssrf_private_and_loopback_addresses_are_refused_without_the_setting(self):
        with Receiver() as receiver, time_machine.travel(T0, tick=False):
            self.hook(receiver)
            self.emit()
            webhooks_send_due()
        self.assertEqual(receiver.requests, [])
        self.assertEqual(self.delivery().last_error, "address refused")
        for host in ("127.0.0.1", "10.1.2.3", "192.168.0.10", "169.254.169.254", "::1", "::ffff:10.0.0.1", "fd00::1"):
            with self.subTest(host=host), self.assertRaisesMessage(WebhookRefused, PRIVATE_ADDRESS_MESSAGE):
                address_for(host, 443)
        self.assertEqual(address_for("8.8.8.8", 443), "8.8.8.8")

    @override_settings(WEBHOOK_ALLOW_HTTP=False)
    def test_https_only_unless_the_setting_allows_http(self):
        self.assertEqual(url_problem("http://jms.example.gov/hooks"), HTTPS_ONLY_MESSAGE)
        self.assertIsNone(url_problem("https://jms.example.gov/hooks"))
        for bad in ("ftp://jms.example.gov/", "https://user:pw@jms.example.gov/", "https:///x", "jms.example", ""):
            with self.subTest(url=bad):
                self.assertIsNotNone(url_problem(bad))

    def test_backoff_grows_exponentially_with_jitter_and_is_capped(self):
        self.assertEqual(backoff_delay(1, rand=0.5), timedelta(seconds=60))
        self.assertEqual(backoff_delay(2, rand=0.5), timedelta(seconds=240))
        self.assertEqual(backoff_delay(1, rand=0), timedelta(seconds=48))
        self.assertEqual(backoff_delay(7, rand=0.5), timedelta(hours=8))
        self.assertEqual(backoff_delay(30, rand=0.5), timedelta(hours=8))
        self.assertLessEqual(backoff_delay(30, rand=0.999), timedelta(hours=9, minutes=36))

    def test_a_revoked_integration_fails_its_pending_deliveries_without_sending(self):
        with Receiver() as receiver, time_machine.travel(T0, tick=False):
            integration = self.hook(receiver)
            self.emit()
            integration.revoked_at = T0
            integration.save()
            webhooks_send_due()
        self.assertEqual(receiver.requests, [])
        self.assertEqual(self.delivery().state, "failed")

    def test_a_failed_delivery_retried_by_the_administrator_is_sent_again(self):
        with Receiver([500] * MAX_ATTEMPTS) as receiver, time_machine.travel(T0, tick=False) as clock:
            self.hook(receiver)
            self.emit()
            for _ in range(MAX_ATTEMPTS):
                webhooks_send_due()
                if self.delivery().next_attempt_at:
                    clock.move_to(self.delivery().next_attempt_at)
            self.assertEqual(self.delivery().state, "failed")
            retried = delivery_retry(delivery=self.delivery(), actor=self.admin_a)
            self.assertEqual((retried.state, retried.attempts, retried.retried_by), ("pending", 0, self.admin_a))
            webhooks_send_due()
        self.assertEqual(self.delivery().state, "delivered")
        self.assertEqual(len(receiver.requests), MAX_ATTEMPTS + 1)


@override_settings(HOLD_DEADLINE_ALERT_HOURS=(6, 2), **LOOPBACK)
class WebhookNoPersonalDataTests(BaseTestCase):
    def test_no_personal_data_in_any_webhook_body_or_header(self):
        sentinels = ("Sentinelsurname", "Qwertyfirst", "A999000123", "BK-SENTINEL9", "1971-03-04")
        with Receiver() as receiver:
            make_integration(self.agency_a, created_by=self.admin_a, webhook_url=receiver.url)
            detainer = make_detainer(
                self.agency_a,
                actor=self.staff_a,
                subject_last_name="Sentinelsurname",
                subject_first_name="Qwertyfirst",
                a_number="A999000123",
                booking_number="BK-SENTINEL9",
                subject_date_of_birth=date(1971, 3, 4),
                would_be_released_at=datetime(2026, 4, 10, 15, 0, tzinfo=UTC),
            )
            sweep_hold_deadlines(now=datetime(2026, 4, 12, 9, 30, tzinfo=UTC))
            citizenship_claim_record(detainer=detainer, actor=self.staff_a, uscitizenship_claimed=True)
            sweep_hold_deadlines(now=datetime(2026, 4, 12, 16, 0, tzinfo=UTC))
            webhooks_send_due()
        kinds = {json.loads(body)["kind"] for _, _, body in receiver.requests}
        self.assertEqual(kinds, set(FeedEvent.Kind.values))
        delivered = WebhookDelivery.objects.filter(state="delivered").count()
        self.assertEqual(delivered, len(receiver.requests))
        for _, headers, body in receiver.requests:
            text = (body.decode() + json.dumps(headers)).lower()
            for sentinel in sentinels:
                self.assertNotIn(sentinel.lower(), text)


class WebhookModuleSettingsTests(BaseTestCase):
    def test_sender_timeouts_are_bounded(self):
        self.assertLessEqual(webhooks.CONNECT_TIMEOUT, 10)
        self.assertLessEqual(webhooks.READ_TIMEOUT, 10)
        self.assertGreater(webhooks.LEASE.total_seconds(), webhooks.CONNECT_TIMEOUT + 4 * webhooks.READ_TIMEOUT)
