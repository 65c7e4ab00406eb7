"""The access-log page's filters for auditors (SECURITY.md D1, D3, D9, G5), and its ``record=`` that never
confirms another agency's record exists."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import time_machine
from django.core.cache import cache
from django.urls import reverse

from compliance.core.models import AccessLog
from tests.base import PASSWORD, BaseTestCase, sign_in
from tests.incidents.helpers import make_detainer

URL = reverse("access_log")
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
Action = AccessLog.Action


def without_tokens(body: bytes, *values: str) -> bytes:
    """The page with what differs on purpose removed: CSRF tokens, CSP nonces, and the record id asked for."""
    body = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)
    body = re.sub(rb'nonce="[^"]+"', b"", body)
    for value in values:
        body = body.replace(value.encode(), b"RECORD")
    return body


@time_machine.travel(NOW, tick=False)
class AccessLogFilterTests(BaseTestCase):
    def setUp(self):
        cache.clear()
        self.detainer_a = make_detainer(self.agency_a, actor=self.staff_a, booking_number="BK-A-1")
        self.detainer_b = make_detainer(self.agency_b, actor=self.staff_b, booking_number="BK-B-1", number=2)

    def entries(self, **params):
        response = self.client.get(URL, params)
        self.assertEqual(response.status_code, 200)
        return [entry for entry, _ in response.context["entries"]]

    def test_D3_record_filter_answers_alike_for_another_agencys_record_and_no_such_record(self):
        sign_in(self.client, self.staff_b)
        self.client.get(reverse("incidents:detainer_detail", args=[self.detainer_b.public_id]))  # B's row exists
        sign_in(self.client, self.auditor_a)
        foreign, missing = str(self.detainer_b.public_id), str(uuid.uuid4())
        answers = []
        for public_id in (foreign, missing):
            response = self.client.get(URL, {"record": f"incidents.detainer:{public_id}"})
            answers.append((response.status_code, without_tokens(response.content, public_id)))
        self.assertEqual(answers[0][0], 200)
        self.assertEqual(answers[0], answers[1])
        self.assertIn(b'data-testid="no-access-rows"', answers[0][1])

    def test_D1_sign_in_events_appear_for_the_home_agencys_auditor_only(self):
        self.client.post(reverse("account_login"), {"login": "staff_a", "password": "wrong"})
        self.client.post(reverse("account_login"), {"login": "staff_b", "password": "wrong"})
        self.client.post(reverse("account_login"), {"login": "ghost", "password": PASSWORD})
        sign_in(self.client, self.auditor_a)
        rows = self.entries(action=Action.SIGN_IN)
        self.assertEqual([(e.username, e.outcome) for e in rows], [("staff_a", "failure")])
        response = self.client.get(URL, {"action": Action.SIGN_IN})
        self.assertContains(response, "Failed")
        self.assertNotContains(response, "ghost")

    def test_D9_filters_by_outcome_user_typed_username_and_record_type(self):
        sign_in(self.client, self.staff_a)
        self.client.get(reverse("incidents:detainer_detail", args=[self.detainer_a.public_id]))
        self.client.get(reverse("incidents:detainer_detail", args=[self.detainer_b.public_id]))  # denied
        self.client.logout()
        self.client.post(reverse("account_login"), {"login": "STAFF_A", "password": "wrong"})
        sign_in(self.client, self.auditor_a)
        self.assertEqual([e.action for e in self.entries(outcome="denied")], [Action.DENIED])
        self.assertEqual(
            [(e.action, e.outcome) for e in self.entries(outcome="failure")], [(Action.SIGN_IN, "failure")]
        )
        self.assertEqual(
            {e.action for e in self.entries(username="staff_a")},
            {Action.VIEW, Action.DENIED, Action.SIGN_OUT, Action.SIGN_IN},
        )
        self.assertEqual([e.object_id for e in self.entries(record_type="incidents.detainer")], [self.detainer_a.pk])
        self.assertEqual(self.entries(record_type="training.officer"), [])

    def test_D9_an_unknown_choice_is_reported_next_to_its_field(self):
        sign_in(self.client, self.auditor_a)
        response = self.client.get(URL, {"outcome": "maybe", "record_type": "auth.user"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(set(response.context["filters"].errors), {"outcome", "record_type"})
        self.assertEqual(response.context["entries"], [])


@time_machine.travel(NOW, tick=False)
class AccessLogPageQueryTests(BaseTestCase):
    def queries_for_the_page(self) -> tuple[int, int]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        sign_in(self.client, self.auditor_a)
        self.client.get(URL)  # warm caches (content types, session)
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        return len(captured.captured_queries), len(response.context["entries"])

    def events(self, number: int) -> None:
        detainer = make_detainer(self.agency_a, actor=self.staff_a, booking_number=f"BK-{number}", number=number)
        client = self.client_class()
        client.post(reverse("account_login"), {"login": "staff_a", "password": "wrong"})
        sign_in(client, self.staff_a)
        client.get(reverse("incidents:detainer_detail", args=[detainer.public_id]))
        client.get(reverse("incidents:detainer_detail", args=[self.detainer_b.public_id]))  # denied
        client.post(reverse("account_logout"))

    def setUp(self):
        cache.clear()
        self.detainer_b = make_detainer(self.agency_b, actor=self.staff_b, booking_number="BK-B", number=99)

    def test_D9_query_count_does_not_grow_with_sign_in_and_denied_rows(self):
        self.events(1)
        few, shown_few = self.queries_for_the_page()
        for number in range(2, 8):
            self.events(number)
            cache.clear()  # allauth's failed sign-in count per address
        many, shown_many = self.queries_for_the_page()
        self.assertGreaterEqual(shown_many, shown_few + 6 * 4)
        self.assertEqual(many, few)


class AuditReadTests(BaseTestCase):
    def test_D1_reading_the_access_log_is_itself_recorded_once_per_read(self):
        sign_in(self.client, self.auditor_a)
        before = AccessLog.objects.filter(path="/access-log/", action=AccessLog.Action.LIST).count()
        self.assertEqual(self.client.get("/access-log/").status_code, 200)
        rows = AccessLog.objects.filter(path="/access-log/", action=AccessLog.Action.LIST)
        self.assertEqual(rows.count(), before + 1)
        row = rows.order_by("-pk").first()
        self.assertEqual((row.user, row.agency, row.outcome), (self.auditor_a, self.agency_a, "success"))
        # The row is written after the page's own rows were read: the next read shows it.
        self.assertContains(self.client.get("/access-log/"), 'data-testid="access-row"', count=1)
