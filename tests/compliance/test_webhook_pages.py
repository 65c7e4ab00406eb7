"""The webhook page of an integration (issue #15 item 4): its agency's administrators only; the secret shown once;
a test event signed and sent; a failed delivery sent again; changes in the integration's history."""

from __future__ import annotations

from datetime import UTC, datetime

from django.test import override_settings
from django.urls import reverse

from compliance.core.feed import feed_emit
from compliance.core.models import FeedEvent, Integration, WebhookDelivery
from compliance.core.roles import Role
from compliance.integrations.webhooks import HTTPS_ONLY_MESSAGE, PRIVATE_ADDRESS_MESSAGE
from tests.base import BaseTestCase, make_user, sign_in
from tests.compliance.webhook_helpers import Receiver, make_integration, verify_signature
from tests.incidents.helpers import make_detainer

LOOPBACK = {"WEBHOOK_ALLOW_HTTP": True, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": True}


class WebhookPageTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.admin_b = make_user("admin_b", agency=cls.agency_b, role=Role.ADMINISTRATOR)
        cls.integration, _ = make_integration(cls.agency_a, created_by=cls.admin_a)

    def url(self, name="settings", integration=None):
        return reverse(f"integrations_webhook:{name}", args=[(integration or self.integration).public_id])

    def test_only_the_agency_administrator_reaches_the_page(self):
        for user in (self.staff_a, self.supervisor_a, self.auditor_a, self.auditor, self.admin_b, self.outsider):
            with self.subTest(user=user.username):
                sign_in(self.client, user)
                self.assertEqual(self.client.get(self.url()).status_code, 404)
                post = self.client.post(self.url(), {"webhook_url": "https://evil.example/h"})
                self.assertEqual(post.status_code, 404)
        self.integration.refresh_from_db()
        self.assertEqual(self.integration.webhook_url, "")
        sign_in(self.client, self.admin_a)
        page = self.client.get(self.url())
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "Webhook address")

    def test_first_address_shows_the_secret_once_and_history_names_the_administrator(self):
        sign_in(self.client, self.admin_a)
        answer = self.client.post(self.url(), {"webhook_url": "https://jms.example.gov/hooks/287g"})
        self.assertEqual(answer.status_code, 200)
        self.integration.refresh_from_db()
        secret = self.integration.webhook_secret
        self.assertTrue(secret.startswith("whsec_"))
        self.assertContains(answer, secret)
        self.assertEqual(self.integration.webhook_url, "https://jms.example.gov/hooks/287g")
        self.assertNotContains(self.client.get(self.url()), secret)
        latest = self.integration.history.order_by("-history_date").first()
        self.assertEqual((latest.history_user, latest.history_change_reason), (self.admin_a, "Webhook address set"))
        # A changed address keeps the secret (nothing shown).
        again = self.client.post(self.url(), {"webhook_url": "https://jms2.example.gov/hooks"})
        self.assertEqual(again.status_code, 302)
        self.integration.refresh_from_db()
        self.assertEqual(self.integration.webhook_secret, secret)

    def test_regenerated_secret_differs_and_is_shown_once(self):
        sign_in(self.client, self.admin_a)
        self.client.post(self.url(), {"webhook_url": "https://jms.example.gov/h"})
        self.integration.refresh_from_db()
        old = self.integration.webhook_secret
        answer = self.client.post(self.url("secret"))
        self.integration.refresh_from_db()
        self.assertNotEqual(self.integration.webhook_secret, old)
        self.assertContains(answer, self.integration.webhook_secret)
        self.assertNotContains(self.client.get(self.url()), self.integration.webhook_secret)

    @override_settings(WEBHOOK_ALLOW_HTTP=False)
    def test_bad_address_error_next_to_the_field_nothing_saved(self):
        sign_in(self.client, self.admin_a)
        for bad, message in (
            ("http://jms.example.gov/h", HTTPS_ONLY_MESSAGE),
            ("https://user:pw@jms.example.gov/", "no user name or password"),
            ("https://" + "a" * 600 + ".example", "500 characters"),
            ("https://169.254.169.254/latest", PRIVATE_ADDRESS_MESSAGE),
            ("https://[::1]/hook", PRIVATE_ADDRESS_MESSAGE),
            ("https://10.1.2.3:8443/hook", PRIVATE_ADDRESS_MESSAGE),
        ):
            with self.subTest(url=bad[:30]):
                answer = self.client.post(self.url(), {"webhook_url": bad})
                self.assertEqual(answer.status_code, 400)
                self.assertContains(answer, "usa-error-message", status_code=400)
                self.assertContains(answer, message, status_code=400)
        self.integration.refresh_from_db()
        self.assertEqual(self.integration.webhook_url, "")

    def test_a_revoked_integration_cannot_change_its_webhook(self):
        self.integration.revoked_at = datetime(2026, 12, 1, tzinfo=UTC)
        self.integration.save()
        sign_in(self.client, self.admin_a)
        answer = self.client.post(self.url(), {"webhook_url": "https://jms.example.gov/h"})
        self.assertEqual(answer.status_code, 400)
        self.integration.refresh_from_db()
        self.assertEqual(self.integration.webhook_url, "")

    @override_settings(**LOOPBACK)
    def test_send_a_test_event_signed_and_its_answer_shown(self):
        sign_in(self.client, self.admin_a)
        with Receiver([200, 503]) as receiver:
            self.client.post(self.url(), {"webhook_url": receiver.url})
            self.integration.refresh_from_db()
            answer = self.client.post(self.url("test"))
            self.assertContains(answer, "Test event delivered: the address answered 200.")
            failed = self.client.post(self.url("test"))
            self.assertContains(failed, "the address answered 503")
        _, headers, body = receiver.requests[0]
        self.assertTrue(verify_signature(secret=self.integration.webhook_secret, headers=headers, body=body))
        self.assertIn(b'"kind":"webhook.test"', body)
        self.assertFalse(FeedEvent.objects.exists())  # a test is not an event of the feed

    def test_send_a_test_event_without_an_address_is_refused(self):
        sign_in(self.client, self.admin_a)
        self.assertEqual(self.client.post(self.url("test")).status_code, 400)

    def test_failed_delivery_sent_again_and_a_delivered_one_never(self):
        self.integration.webhook_url = "https://jms.example.gov/h"
        self.integration.webhook_secret = "whsec_" + "A" * 44
        self.integration.save()
        detainer = make_detainer(self.agency_a, actor=self.staff_a)
        events = [
            feed_emit(
                agency=self.agency_a,
                kind=FeedEvent.Kind.STOP_RAISED,
                record=detainer,
                occurred_at=datetime(2026, 12, 1, tzinfo=UTC),
                data={},
                dedup_key=f"k{n}",
            )[0]
            for n in range(2)
        ]
        WebhookDelivery.objects.filter(event=events[0]).update(state="failed", attempts=8, next_attempt_at=None)
        WebhookDelivery.objects.filter(event=events[1]).update(state="delivered", attempts=1)
        sign_in(self.client, self.admin_a)
        page = self.client.get(self.url())
        self.assertContains(page, "Send again", count=1)
        self.assertContains(page, str(events[0].public_id))
        self.client.post(self.url("retry"), {"event": str(events[1].public_id)})
        self.client.post(self.url("retry"), {"event": "not-a-uuid"})
        self.client.post(self.url("retry"), {"event": str(events[0].public_id)})
        failed = WebhookDelivery.objects.get(event=events[0])
        delivered = WebhookDelivery.objects.get(event=events[1])
        self.assertEqual((failed.state, failed.attempts, failed.retried_by), ("pending", 0, self.admin_a))
        self.assertEqual((delivered.state, delivered.retried_by), ("delivered", None))
        # Another agency's administrator cannot retry it.
        WebhookDelivery.objects.filter(pk=failed.pk).update(state="failed")
        sign_in(self.client, self.admin_b)
        self.assertEqual(self.client.post(self.url("retry"), {"event": str(events[0].public_id)}).status_code, 404)
        self.assertEqual(WebhookDelivery.objects.get(pk=failed.pk).state, "failed")

    def test_clearing_the_address_stops_webhooks(self):
        sign_in(self.client, self.admin_a)
        self.client.post(self.url(), {"webhook_url": "https://jms.example.gov/h"})
        self.client.post(self.url(), {"webhook_url": ""})
        self.assertEqual(Integration.objects.get(pk=self.integration.pk).webhook_url, "")
