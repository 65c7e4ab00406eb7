"""The feed out (issue #15 item 4): events written where the facts happen, once per fact, with no personal data,
and read by polling ``GET /api/v1/events/`` with a cursor bound to the integration's agency."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core import signing
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.api.feed import CURSOR_SALT, MAX_LIMIT, cursor_encode
from compliance.core import findings
from compliance.core.feed import event_json, feed_emit
from compliance.core.models import FeedEvent, Finding
from incidents.citizenship.services import citizenship_claim_record
from incidents.detainers.sweep import sweep_hold_deadlines
from tests.base import BaseTestCase, sign_in
from tests.compliance.webhook_helpers import make_integration
from tests.incidents.helpers import make_detainer

CHICAGO = ZoneInfo("America/Chicago")
RELEASE = datetime(2026, 4, 10, 10, 0, tzinfo=CHICAGO)
DEADLINE = datetime(2026, 4, 12, 15, 0, tzinfo=UTC)

SENTINELS = ("Sentinelsurname", "Qwertyfirst", "A999000123", "BK-SENTINEL9", "1971-03-04", "03/04/1971")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 4, 12, hour, minute, tzinfo=UTC)


@override_settings(HOLD_DEADLINE_ALERT_HOURS=(6, 2))
class FeedEmissionTests(BaseTestCase):
    def setUp(self):
        self.detainer = make_detainer(self.agency_a, actor=self.staff_a, would_be_released_at=RELEASE)

    def events(self, kind):
        return list(FeedEvent.objects.filter(kind=kind).order_by("id"))

    def test_hold_deadline_near_one_event_per_warning_however_many_sweeps(self):
        self.assertEqual(self.detainer.hold_deadline, DEADLINE)
        sweep_hold_deadlines(now=at(9, 30))  # 5.5 h before: the 6 h lead is due
        sweep_hold_deadlines(now=at(9, 30))
        sweep_hold_deadlines(now=at(10, 0))
        (event,) = self.events(FeedEvent.Kind.HOLD_DEADLINE_NEAR)
        self.assertEqual(event.agency_id, self.agency_a.pk)
        self.assertEqual(event.record_type, "incidents.Detainer")
        self.assertEqual(event.record_id, self.detainer.public_id)
        self.assertEqual(event.occurred_at, at(9, 30))
        self.assertEqual(event.data, {"hold_deadline": "2026-04-12T15:00:00Z", "lead_hours": 6, "hours_left": 5.5})
        sweep_hold_deadlines(now=at(13, 30))  # the 2 h lead: a second warning, a second event
        sweep_hold_deadlines(now=at(14, 0))
        first, second = self.events(FeedEvent.Kind.HOLD_DEADLINE_NEAR)
        self.assertEqual(second.data["lead_hours"], 2)
        self.assertEqual(second.data["hours_left"], 1.5)

    def test_hold_deadline_near_a_sweep_inside_both_leads_tells_the_nearest_once(self):
        sweep_hold_deadlines(now=at(14, 0))  # first seen 1 h before: both leads due, one warning
        (event,) = self.events(FeedEvent.Kind.HOLD_DEADLINE_NEAR)
        self.assertEqual(event.data["lead_hours"], 2)
        sweep_hold_deadlines(now=at(14, 30))
        self.assertEqual(len(self.events(FeedEvent.Kind.HOLD_DEADLINE_NEAR)), 1)

    def test_stop_raised_one_event_per_detainer_with_the_claim_time(self):
        claimed = at(8, 0)
        citizenship_claim_record(
            detainer=self.detainer, actor=self.staff_a, uscitizenship_claimed=True, recorded_at=claimed
        )
        # A second sign added later: the STOP was already raised, no second event.
        citizenship_claim_record(
            detainer=self.detainer,
            actor=self.staff_a,
            uscitizenship_claimed=True,
            citizenship_sign_us_id=True,
        )
        (event,) = self.events(FeedEvent.Kind.STOP_RAISED)
        self.assertEqual(event.record_id, self.detainer.public_id)
        self.assertEqual(event.occurred_at, claimed)
        self.assertEqual(event.data, {"claim_at": "2026-04-12T08:00:00Z"})
        # The claim's finding is told too.
        (opened,) = self.events(FeedEvent.Kind.FINDING_OPENED)
        self.assertEqual(opened.data["finding_kind"], Finding.Kind.CITIZENSHIP_CLAIM)
        self.assertEqual(opened.data["severity"], "critical")

    def test_finding_opened_once_and_again_when_reopened(self):
        sweep_hold_deadlines(now=at(16, 0))  # past the deadline: the critical finding
        sweep_hold_deadlines(now=at(16, 15))
        (event,) = self.events(FeedEvent.Kind.FINDING_OPENED)
        finding = Finding.objects.get(kind=Finding.Kind.HOLD_DEADLINE_PASSED)
        self.assertEqual(event.record_id, self.detainer.public_id)
        self.assertEqual(
            event.data,
            {
                "finding": str(finding.public_id),
                "finding_kind": "hold_deadline_passed",
                "severity": "critical",
                "rule": finding.rule,
                "reopened": False,
            },
        )
        self.assertEqual(event.occurred_at, finding.opened_at)
        findings.finding_mark_false_positive(finding=finding, actor=self.supervisor_a, reason="Deadline mistyped")
        self.assertEqual(len(self.events(FeedEvent.Kind.FINDING_OPENED)), 1)
        reopened = findings.finding_reopen(finding=finding, actor=self.supervisor_a, reason="Release not recorded")
        first, second = self.events(FeedEvent.Kind.FINDING_OPENED)
        self.assertTrue(second.data["reopened"])
        self.assertEqual(second.occurred_at, reopened.reopened_at)
        self.assertNotEqual(first.public_id, second.public_id)

    def test_feed_emit_one_event_per_dedup_key(self):
        kwargs = {
            "agency": self.agency_a,
            "kind": FeedEvent.Kind.STOP_RAISED,
            "record": self.detainer,
            "occurred_at": at(1),
            "data": {},
            "dedup_key": "stop.raised:test",
        }
        first, created = feed_emit(**kwargs)
        again, created_again = feed_emit(**kwargs)
        self.assertEqual((created, created_again, first.pk), (True, False, again.pk))

    def test_feed_emit_refuses_unknown_kind_and_naive_time(self):
        with self.assertRaises(ValueError):
            feed_emit(agency=self.agency_a, kind="x", record=self.detainer, occurred_at=at(1), data={}, dedup_key="k1")
        with self.assertRaises(ValueError):
            feed_emit(
                agency=self.agency_a,
                kind=FeedEvent.Kind.STOP_RAISED,
                record=self.detainer,
                occurred_at=datetime(2026, 1, 1),  # noqa: DTZ001 (the naive value refused)
                data={},
                dedup_key="k2",
            )


@override_settings(HOLD_DEADLINE_ALERT_HOURS=(6, 2))
class FeedNoPersonalDataTests(BaseTestCase):
    def test_no_personal_data_in_any_event_or_the_polling_answer(self):
        detainer = make_detainer(
            self.agency_a,
            actor=self.staff_a,
            subject_last_name="Sentinelsurname",
            subject_first_name="Qwertyfirst",
            a_number="A999000123",
            booking_number="BK-SENTINEL9",
            subject_date_of_birth=date(1971, 3, 4),
            would_be_released_at=RELEASE,
        )
        sweep_hold_deadlines(now=at(9, 30))
        citizenship_claim_record(detainer=detainer, actor=self.staff_a, uscitizenship_claimed=True)
        sweep_hold_deadlines(now=at(16, 0))
        kinds = set(FeedEvent.objects.values_list("kind", flat=True))
        self.assertEqual(kinds, set(FeedEvent.Kind.values))
        _, token = make_integration(self.agency_a, created_by=self.admin_a)
        answer = self.client.get(reverse("api:events"), HTTP_AUTHORIZATION=f"Bearer {token}")
        self.assertEqual(answer.status_code, 200)
        texts = [answer.content.decode()]
        for event in FeedEvent.objects.all():
            texts.append(json.dumps(event_json(event)) + event.dedup_key + event.record_type)
        for text in texts:
            for sentinel in SENTINELS:
                self.assertNotIn(sentinel.lower(), text.lower())


class FeedPollingTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.detainer_a = make_detainer(cls.agency_a, actor=cls.staff_a, number=1)
        cls.detainer_b = make_detainer(cls.agency_b, actor=cls.staff_b, number=2)
        cls.events_a = []
        for n in range(5):
            event, _ = feed_emit(
                agency=cls.agency_a,
                kind=FeedEvent.Kind.STOP_RAISED,
                record=cls.detainer_a,
                occurred_at=at(1) + timedelta(minutes=n),
                data={"n": n},
                dedup_key=f"a:{n}",
            )
            cls.events_a.append(event)
            feed_emit(
                agency=cls.agency_b,
                kind=FeedEvent.Kind.STOP_RAISED,
                record=cls.detainer_b,
                occurred_at=at(1),
                data={"n": n},
                dedup_key=f"b:{n}",
            )
        cls.integration_a, cls.token_a = make_integration(cls.agency_a, created_by=cls.admin_a)
        cls.integration_b, cls.token_b = make_integration(cls.agency_b, created_by=cls.admin_a)

    def poll(self, token, **params):
        return self.client.get(reverse("api:events"), params, HTTP_AUTHORIZATION=f"Bearer {token}")

    def test_polling_oldest_first_in_pages_with_an_opaque_cursor(self):
        seen = []
        cursor = None
        pages = 0
        while True:
            params = {"limit": 2} | ({"after": cursor} if cursor else {})
            answer = self.poll(self.token_a, **params).json()
            pages += 1
            seen += answer["events"]
            cursor = answer["next"]
            if not answer["has_more"]:
                break
        self.assertEqual(pages, 3)
        self.assertEqual([e["id"] for e in seen], [str(e.public_id) for e in self.events_a])
        self.assertEqual(seen[0]["record"], {"type": "incidents.Detainer", "id": str(self.detainer_a.public_id)})
        self.assertEqual(seen[0]["kind"], "stop.raised")
        self.assertEqual(seen[0]["occurred_at"], "2026-04-12T01:00:00Z")
        self.assertEqual([e["data"]["n"] for e in seen], [0, 1, 2, 3, 4])
        # Nothing new: the same cursor comes back, and a later event is found with it.
        empty = self.poll(self.token_a, after=cursor).json()
        self.assertEqual((empty["events"], empty["next"], empty["has_more"]), ([], cursor, False))
        later, _ = feed_emit(
            agency=self.agency_a,
            kind=FeedEvent.Kind.FINDING_OPENED,
            record=self.detainer_a,
            occurred_at=at(2),
            data={},
            dedup_key="a:later",
        )
        self.assertEqual(
            [e["id"] for e in self.poll(self.token_a, after=cursor).json()["events"]], [str(later.public_id)]
        )

    def test_agency_isolation_b_never_sees_a(self):
        answer = self.poll(self.token_b, limit=MAX_LIMIT).json()
        self.assertEqual(len(answer["events"]), 5)
        self.assertTrue(all(e["record"]["id"] == str(self.detainer_b.public_id) for e in answer["events"]))
        ids_a = {str(e.public_id) for e in self.events_a}
        self.assertFalse(ids_a & {e["id"] for e in answer["events"]})

    def test_a_cursor_of_another_agency_is_a_400_naming_after(self):
        cursor_a = self.poll(self.token_a, limit=1).json()["next"]
        answer = self.poll(self.token_b, after=cursor_a)
        self.assertEqual(answer.status_code, 400)
        self.assertIn("after", answer.content.decode())

    def test_garbage_cursors_and_limits_are_400_never_500(self):
        forged = signing.dumps([self.agency_a.pk, "1"], salt=CURSOR_SALT)
        other_salt = signing.dumps([self.agency_a.pk, 1], salt="elsewhere")
        for after in ("x", "0", "-1", "' OR 1=1 --", "\u0000", "a" * 5000, forged, other_salt, "[1,2]"):
            with self.subTest(after=after[:20]):
                self.assertEqual(self.poll(self.token_a, after=after).status_code, 400)
        for limit in ("0", "-1", str(MAX_LIMIT + 1), "ten", "1.5", "١"):
            with self.subTest(limit=limit):
                answer = self.poll(self.token_a, limit=limit)
                self.assertEqual(answer.status_code, 400)
                self.assertIn("limit", answer.content.decode())

    def test_cursor_is_bound_to_the_agency_that_was_given_it(self):
        own = cursor_encode(agency_id=self.agency_b.pk, last_id=self.events_a[-1].pk)
        self.assertEqual(self.poll(self.token_b, after=own).status_code, 200)
        self.assertEqual(self.poll(self.token_a, after=own).status_code, 400)

    def test_events_before_the_integration_was_created_are_in_the_feed(self):
        # docs/decisions/feed.md: a JMS replacing a revoked token keeps its cursor and loses nothing.
        _, new_token = make_integration(self.agency_a, created_by=self.admin_a, name="Replacement")
        cursor = self.poll(self.token_a, limit=2).json()["next"]
        self.integration_a.revoked_at = at(3)
        self.integration_a.save()
        answer = self.poll(new_token, after=cursor).json()
        self.assertEqual([e["data"]["n"] for e in answer["events"]], [2, 3, 4])

    def test_without_a_token_or_with_a_revoked_one_401(self):
        self.assertEqual(self.client.get(reverse("api:events")).status_code, 401)
        self.integration_a.revoked_at = at(3)
        self.integration_a.save()
        self.assertEqual(self.poll(self.token_a).status_code, 401)

    def test_a_signed_in_person_without_a_token_is_refused(self):
        sign_in(self.client, self.admin_a)
        self.assertIn(self.client.get(reverse("api:events")).status_code, (401, 403))

    def test_polling_reads_a_fixed_number_of_queries(self):
        """A page of one event and a page of every event cost the same queries (the token's integration, the page
        of events, the call's access-log row): the count does not grow with the events returned."""
        self.poll(self.token_a)  # stamps last_used_at
        with CaptureQueriesContext(connection) as one:
            answer_one = self.poll(self.token_a, limit=1).json()
        with CaptureQueriesContext(connection) as many:
            answer_many = self.poll(self.token_a, limit=MAX_LIMIT).json()
        self.assertEqual(len(answer_one["events"]), 1)
        self.assertGreater(len(answer_many["events"]), 1)
        self.assertEqual(len(one), len(many))
        self.assertLessEqual(len(many), 4)
