"""The detainer routes of /api/v1/: each rule by name (issue #15 item 3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from compliance.core.models import AccessLog, Finding, IdempotencyKey
from incidents.detainers.models import Detainer
from tests.api.helpers import api_client, detainer_body, make_integration
from tests.base import BaseTestCase
from tests.training.helpers import make_officer

NOW = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
CREATE = "/api/v1/detainers/"


def detail(detainer) -> str:
    return f"/api/v1/detainers/{detainer.public_id}/"


@time_machine.travel(NOW, tick=False)
class DetainerApiTests(BaseTestCase):
    def setUp(self):
        self.integration, self.token = make_integration(self.agency_a, actor=self.admin_a)
        self.client = api_client(self.token)

    def create(self, key: str | None = None, **overrides):
        headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
        return self.client.post(CREATE, detainer_body(**overrides), format="json", **headers)

    def test_create_goes_through_the_service_and_derives_the_hold_deadline(self):
        response = self.create()
        self.assertEqual(response.status_code, 201, response.content)
        detainer = Detainer.objects.get(public_id=response.json()["id"])
        self.assertEqual(detainer.agency, self.agency_a)
        self.assertEqual(detainer.agreement, self.agreement_a)  # the agreement in force, as on the form
        self.assertEqual(detainer.hold_deadline, datetime(2026, 3, 9, 15, 0, tzinfo=UTC))  # R4.7: release + 48 h
        self.assertEqual(response.json()["hold_deadline"], "2026-03-09T15:00:00Z")
        self.assertIn("no-store", response["Cache-Control"])

    def test_times_keep_their_seconds(self):
        response = self.create(received_at="2026-03-07T14:30:17Z")
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(Detainer.objects.get().received_at, datetime(2026, 3, 7, 14, 30, 17, tzinfo=UTC))

    def test_history_is_authored_by_the_integrations_user_naming_it(self):
        response = self.create()
        detainer = Detainer.objects.get(public_id=response.json()["id"])
        row = detainer.history.get()
        self.assertEqual(row.history_user, self.integration.user)
        self.assertEqual(row.history_change_reason, "API: Jail management system (invented)")

    def test_a_time_without_offset_is_a_400_problem_naming_the_field(self):
        response = self.create(received_at="2026-03-07T14:30:00")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response["Content-Type"], "application/problem+json")
        problem = response.json()
        self.assertEqual(problem["type"], "urn:pgc:problem:invalid-request")
        self.assertEqual(problem["status"], 400)
        self.assertEqual(problem["instance"], CREATE)
        self.assertIn("received_at", [error["field"] for error in problem["errors"]])
        self.assertFalse(Detainer.objects.exists())

    def test_the_forms_rules_refuse_with_a_422_naming_the_field(self):
        # F10 / the form: release before booking is refused next to the field.
        response = self.create(would_be_released_at="2026-03-07T01:00:00Z")
        self.assertEqual(response.status_code, 422, response.content)
        problem = response.json()
        self.assertEqual(problem["type"], "urn:pgc:problem:rule-refused")
        self.assertEqual(
            problem["errors"],
            [
                {
                    "field": "would_be_released_at",
                    "detail": "The person cannot be due for release before they were booked.",
                }
            ],
        )

    def test_a_rule_breaking_past_fact_needs_an_explanation(self):
        # R2.4/R2.7: the handling officer was not authorized at the action's instant (no training on file).
        officer = make_officer(self.agency_a, badge="B-7", status="nominated")
        body = {"handling_officer": "B-7", "action": "process", "action_at": "2026-03-07T15:00:00Z"}
        response = self.create(**body)
        self.assertEqual(response.status_code, 422, response.content)
        self.assertIn("explanation", [error["field"] for error in response.json()["errors"]])
        self.assertFalse(Detainer.objects.exists())
        response = self.create(explanation="The JMS booked it before the roster was checked.", **body)
        self.assertEqual(response.status_code, 201, response.content)
        detainer = Detainer.objects.get()
        self.assertEqual(detainer.handling_officer, officer)
        kinds = {finding["kind"] for finding in response.json()["open_findings"]}
        self.assertTrue(kinds, "a finding is opened for the rule break")
        self.assertEqual(set(Finding.objects.filter(object_id=detainer.pk).values_list("kind", flat=True)), kinds)

    def test_an_officer_of_another_agency_is_not_found(self):
        make_officer(self.agency_b, badge="B-9")
        response = self.create(handling_officer="B-9")
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["errors"][0]["field"], "handling_officer")

    def test_idempotency_key_replays_the_first_answer_and_creates_once(self):
        first = self.create(key="jms-booking-1")
        second = self.create(key="jms-booking-1")
        self.assertEqual((first.status_code, second.status_code), (201, 201))
        self.assertEqual(first.json()["id"], second.json()["id"])
        self.assertEqual(Detainer.objects.count(), 1)
        self.assertEqual(Detainer.history.count(), 1)

    def test_idempotency_key_with_another_body_is_a_422_problem(self):
        self.create(key="jms-booking-1")
        response = self.create(key="jms-booking-1", booking_number="BK-99999")
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["type"], "urn:pgc:problem:idempotency-key-reused")
        self.assertEqual(response.json()["errors"][0]["field"], "Idempotency-Key")
        self.assertEqual(Detainer.objects.count(), 1)

    def test_a_refused_create_keeps_no_key_and_its_retry_is_judged_afresh(self):
        self.create(key="k-1", received_at="bad")
        self.assertFalse(IdempotencyKey.objects.exists())

    def test_idempotency_keys_expire_after_24_hours(self):
        from compliance.api.idempotency import idempotency_keys_purge

        self.create(key="k-1")
        self.assertEqual(idempotency_keys_purge(now=NOW + timedelta(hours=23)), 0)
        self.assertEqual(idempotency_keys_purge(now=NOW + timedelta(hours=25)), 1)

    def test_read_returns_checks_by_name_and_is_access_logged(self):
        detainer = Detainer.objects.get(public_id=self.create().json()["id"])
        before = AccessLog.objects.filter(object_id=detainer.pk).count()
        response = self.client.get(detail(detainer))
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["booking_number"], "BK-20001")
        self.assertTrue(all({"name", "rule", "passed", "message"} <= set(check) for check in body["checks"]))
        self.assertIn(True, [check["passed"] for check in body["checks"]])
        rows = AccessLog.objects.filter(object_id=detainer.pk)
        self.assertEqual(rows.count(), before + 1)
        row = rows.order_by("-id").first()
        self.assertEqual((row.user, row.agency, row.action), (self.integration.user, self.agency_a, "view"))
        self.assertEqual(row.view_name, "api:detainer_detail")

    def test_patch_updates_times_through_the_service(self):
        detainer = Detainer.objects.get(public_id=self.create().json()["id"])
        response = self.client.patch(detail(detainer), {"would_be_released_at": "2026-03-08T15:00:00Z"}, format="json")
        self.assertEqual(response.status_code, 200, response.content)
        detainer.refresh_from_db()
        self.assertEqual(detainer.hold_deadline, datetime(2026, 3, 10, 15, 0, tzinfo=UTC))
        self.assertEqual(detainer.history.count(), 2)
        self.assertEqual(detainer.history.first().history_user, self.integration.user)

    def test_patch_of_nothing_writes_no_history_row(self):
        detainer = Detainer.objects.get(public_id=self.create().json()["id"])
        response = self.client.patch(detail(detainer), {}, format="json")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(detainer.history.count(), 1)  # case H2

    def test_release_and_lift_record_the_outcome(self):
        detainer = Detainer.objects.get(public_id=self.create().json()["id"])
        response = self.client.post(
            f"{detail(detainer)}release/", {"outcome_at": "2026-03-08T10:00:00Z"}, format="json"
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["outcome"], "released")
        other = Detainer.objects.get(public_id=self.create(booking_number="BK-2").json()["id"])
        response = self.client.post(f"{detail(other)}lift/", {"outcome_at": "2026-03-08T10:00:00Z"}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["errors"][0]["field"], "lift_reason")

    @time_machine.travel(datetime(2026, 3, 9, 17, 0, tzinfo=UTC), tick=False)  # the release at 16:00 is past
    def test_release_after_the_deadline_needs_an_explanation_and_opens_the_critical_finding(self):
        detainer = Detainer.objects.get(public_id=self.create().json()["id"])
        url = f"{detail(detainer)}release/"
        response = self.client.post(url, {"outcome_at": "2026-03-09T16:00:00Z"}, format="json")
        self.assertEqual(response.status_code, 422)
        self.assertIn("explanation", [error["field"] for error in response.json()["errors"]])
        response = self.client.post(
            url, {"outcome_at": "2026-03-09T16:00:00Z", "explanation": "Bus late."}, format="json"
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertIn("hold_deadline_passed", [finding["kind"] for finding in response.json()["open_findings"]])

    def test_lookup_by_booking_number_in_the_body(self):
        self.create()
        response = self.client.post("/api/v1/detainers/lookup/", {"booking_number": "BK-20001"}, format="json")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(response.json()["results"]), 1)
        row = AccessLog.objects.order_by("-id").first()
        self.assertEqual((row.action, row.object_count), ("search", 1))

    def test_officer_authorization_at_an_instant_by_badge(self):
        officer = make_officer(self.agency_a, badge="B-100")
        response = self.client.get("/api/v1/officers/B-100/authorization/", {"at": "2026-03-09T04:30:00Z"})
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual(body["officer"]["id"], str(officer.public_id))
        self.assertEqual(body["day"], "2026-03-08")  # 23:30 CDT on the 8th, the agency-local day
        self.assertEqual(body["authorized"], not body["reasons"])
        by_id = self.client.get(f"/api/v1/officers/{officer.public_id}/authorization/").json()
        self.assertEqual(by_id["officer"]["badge_number"], "B-100")

    def test_unknown_route_is_a_404_problem(self):
        response = self.client.get("/api/v1/nothing-here/")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response["Content-Type"], "application/problem+json")

    def test_wrong_method_is_a_405_problem(self):
        response = self.client.delete(CREATE)
        self.assertEqual(response.status_code, 405)
        self.assertEqual(response.json()["status"], 405)

    def test_unsupported_media_type_is_a_415_problem(self):
        response = self.client.post(CREATE, "a=b", content_type="application/x-www-form-urlencoded")
        self.assertEqual(response.status_code, 415)
        self.assertEqual(response["Content-Type"], "application/problem+json")

    def test_a_huge_body_is_a_413_problem(self):
        response = self.create(underlying_charge="x" * 70_000)
        self.assertEqual(response.status_code, 413)

    def test_hostile_values_are_4xx_problems(self):
        for overrides in (
            {"subject_last_name": "a\x00b"},
            {"received_at": "9999-12-31T23:59:59-23:59"},
            {"received_at": 12},
            {"warrant_signed": "perhaps"},
            {"pc_basis": "not-a-list"},
            {"offense_level": 10**30},
        ):
            with self.subTest(overrides=overrides):
                response = self.create(**overrides)
                self.assertIn(response.status_code, (400, 422), response.content)
                self.assertEqual(response["Content-Type"], "application/problem+json")
        response = self.client.post(CREATE, "[1, 2]", content_type="application/json")
        self.assertEqual(response.status_code, 400)
        response = self.client.post(CREATE, "{not json", content_type="application/json")
        self.assertEqual(response.status_code, 400)

    def test_decomposed_unicode_names_are_stored_composed(self):
        response = self.create(subject_last_name="Nun\u0303ez")
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(Detainer.objects.get().subject_last_name, "Nuñez")

    def test_rate_limit_is_a_429_problem_with_retry_after_and_logged(self):
        with self.settings(API_RATE_LIMIT="2/min"):
            from django.core.cache import cache

            cache.clear()
            for _ in range(2):
                self.assertEqual(self.client.get("/api/v1/officers/none/authorization/").status_code, 404)
            response = self.client.get("/api/v1/officers/none/authorization/")
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response.json()["type"], "urn:pgc:problem:rate-limited")
        self.assertTrue(response["Retry-After"])
        self.assertEqual(AccessLog.objects.order_by("-id").first().outcome, "throttled")


@time_machine.travel(NOW, tick=False)
class StopThroughTheApiTests(BaseTestCase):
    def test_R5_1_a_transfer_under_a_citizenship_stop_is_a_422_problem_naming_the_rule(self):
        from incidents.citizenship.services import citizenship_claim_record

        _, token = make_integration(self.agency_a, actor=self.admin_a)
        client = api_client(token)
        detainer = Detainer.objects.get(public_id=client.post(CREATE, detainer_body(), format="json").json()["id"])
        citizenship_claim_record(detainer=detainer, actor=self.staff_a, uscitizenship_claimed=True)
        response = client.post(f"{detail(detainer)}transfer/", {"outcome_at": "2026-03-08T16:00:00Z"}, format="json")
        self.assertEqual(response.status_code, 422, response.content)
        self.assertIn("R5.1", response.json()["detail"])
        self.assertEqual(Detainer.objects.get(pk=detainer.pk).outcome, "pending")


class HostileBodiesTests(BaseTestCase):
    """Any JSON a broken or hostile client sends is a 4xx problem, never a 5xx, and creates nothing refused."""

    def test_hostile_json_values_never_answer_5xx(self):
        from hypothesis import HealthCheck, given, settings
        from hypothesis import strategies as st

        _, token = make_integration(self.agency_a, actor=self.admin_a)
        client = api_client(token)
        fields = ["received_at", "booked_at", "subject_last_name", "handling_officer", "agreement", "pc_basis", "form"]
        values = st.one_of(
            st.none(),
            st.booleans(),
            st.integers(min_value=-(2**70), max_value=2**70),
            st.floats(allow_nan=False),
            st.text(max_size=60),
            st.sampled_from(["9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00Z", "2026-02-30T10:00Z", "A\u0000"]),
            st.lists(st.text(max_size=5), max_size=3),
        )

        @settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(st.dictionaries(st.sampled_from(fields), values, max_size=4))
        def run(overrides):
            response = client.post(CREATE, detainer_body(**overrides), format="json")
            self.assertLess(response.status_code, 500, response.content)
            if response.status_code >= 400:
                self.assertEqual(response["Content-Type"], "application/problem+json")

        run()
