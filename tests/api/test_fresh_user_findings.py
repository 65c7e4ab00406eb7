"""Rules a fresh-user trial of /api/v1/ found missing: unknown fields, form's default, 406 as JSON, the calendar."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import time_machine

from compliance.api.idempotency import KEY_FORMAT_MESSAGE
from compliance.api.serializers import OUT_OF_CALENDAR_MESSAGE
from compliance.api.views import OUTCOME_RECORDED_MESSAGE, UNKNOWN_FIELD_MESSAGE
from compliance.core.agency_time import in_zone
from compliance.core.models import AccessLog
from incidents.detainers.models import Detainer
from incidents.detainers.rules import FUTURE_MESSAGE
from incidents.detainers.services import OUTCOME_BEFORE_BOOKING_MESSAGE, OUTCOME_CLOCK_SKEW
from tests.api.helpers import api_client, detainer_body, make_integration
from tests.base import BaseTestCase
from tests.training.helpers import make_officer

NOW = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
CREATE = "/api/v1/detainers/"
FAR_FUTURE = "9999-12-31T23:59:59Z"


def errors_by_field(response) -> dict:
    return {error["field"]: error["detail"] for error in response.json()["errors"]}


@time_machine.travel(NOW, tick=False)
class FreshUserFindingsTests(BaseTestCase):
    def setUp(self):
        self.integration, self.token = make_integration(self.agency_a, actor=self.admin_a)
        self.client = api_client(self.token)

    def created(self) -> Detainer:
        response = self.client.post(CREATE, detainer_body(), format="json")
        self.assertEqual(response.status_code, 201, response.content)
        return Detainer.objects.get(public_id=response.json()["id"])

    def assert_unknown_fields_refused(self, response, *names):
        self.assertEqual(response.status_code, 400, response.content)
        self.assertEqual(response["Content-Type"], "application/problem+json")
        self.assertEqual(response.json()["type"], "urn:pgc:problem:invalid-request")
        errors = errors_by_field(response)
        for name in names:
            self.assertEqual(errors.get(name), UNKNOWN_FIELD_MESSAGE)

    def test_unknown_fields_on_patch_are_a_400_naming_each(self):
        detainer = self.created()
        response = self.client.patch(
            f"{CREATE}{detainer.public_id}/", {"nonsense": 1, "also_nonsense": 2}, format="json"
        )
        self.assert_unknown_fields_refused(response, "nonsense", "also_nonsense")
        detainer.refresh_from_db()
        self.assertEqual(detainer.history.count(), 1)  # nothing written

    def test_unknown_fields_on_create_are_a_400_and_create_nothing(self):
        response = self.client.post(CREATE, detainer_body(nonsense=1), format="json")
        self.assert_unknown_fields_refused(response, "nonsense")
        self.assertFalse(Detainer.objects.exists())

    def test_unknown_fields_on_outcome_routes_are_a_400(self):
        detainer = self.created()
        response = self.client.post(
            f"{CREATE}{detainer.public_id}/release/",
            {"outcome_at": "2026-03-07T14:50:00Z", "nonsense": True},
            format="json",
        )
        self.assert_unknown_fields_refused(response, "nonsense")
        detainer.refresh_from_db()
        self.assertEqual(detainer.outcome, Detainer.Outcome.PENDING)
        self.assertIsNone(detainer.outcome_at)

    def test_read_only_fields_are_unknown_to_a_write(self):
        detainer = self.created()
        response = self.client.patch(f"{CREATE}{detainer.public_id}/", {"hold_deadline": FAR_FUTURE}, format="json")
        self.assert_unknown_fields_refused(response, "hold_deadline")

    def test_a_create_without_form_defaults_to_the_I247A_as_the_page_does(self):
        body = detainer_body()
        del body["form"]
        response = self.client.post(CREATE, body, format="json")
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["form"], "I-247A")
        self.assertEqual(Detainer.objects.get().form, Detainer.Form.I247A)

    def test_the_schema_gives_form_its_default(self):
        schema = self.client.get("/api/v1/schema/?format=json").json()
        write = schema["components"]["schemas"]["DetainerWrite"]
        self.assertEqual(write["properties"]["form"].get("default"), "I-247A")
        self.assertNotIn("form", write.get("required", []))

    def test_a_missing_required_field_is_a_400(self):
        body = detainer_body()
        del body["received_at"]
        response = self.client.post(CREATE, body, format="json")
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn("received_at", errors_by_field(response))

    def test_schema_asked_as_html_is_a_406_problem_in_json(self):
        response = self.client.get("/api/v1/schema/", HTTP_ACCEPT="text/html")
        self.assertEqual(response.status_code, 406)
        self.assertEqual(response["Content-Type"], "application/problem+json")
        problem = json.loads(response.content)
        self.assertEqual(problem["status"], 406)

    def test_a_far_future_instant_is_outside_the_apps_calendar(self):
        officer = make_officer(self.agency_a, badge="B-100")
        response = self.client.get(f"/api/v1/officers/{officer.badge_number}/authorization/", {"at": FAR_FUTURE})
        self.assertEqual(response.status_code, 400, response.content)
        self.assertEqual(errors_by_field(response), {"at": OUT_OF_CALENDAR_MESSAGE})
        response = self.client.post(CREATE, detainer_body(received_at=FAR_FUTURE), format="json")
        self.assertEqual(response.status_code, 400, response.content)
        self.assertEqual(errors_by_field(response)["received_at"], OUT_OF_CALENDAR_MESSAGE)
        # With a far offset too (converting it would overflow): still the calendar's message, never a 500.
        response = self.client.post(CREATE, detainer_body(received_at="9999-12-31T23:00:00-12:00"), format="json")
        self.assertEqual(errors_by_field(response)["received_at"], OUT_OF_CALENDAR_MESSAGE)
        response = self.client.post(CREATE, detainer_body(received_at="0001-01-01T00:00:00+12:00"), format="json")
        self.assertEqual(errors_by_field(response)["received_at"], OUT_OF_CALENDAR_MESSAGE)

    def test_the_schema_closes_every_request_body(self):
        schema = self.client.get("/api/v1/schema/?format=json").json()
        components = schema["components"]["schemas"]
        bodies = set()
        for path in schema["paths"].values():
            for operation in path.values():
                for content in operation.get("requestBody", {}).get("content", {}).values():
                    bodies.add(content["schema"]["$ref"].rsplit("/", 1)[-1])
        self.assertIn("DetainerWrite", bodies)
        self.assertIn("Lift", bodies)
        for name in bodies:
            self.assertIs(components[name].get("additionalProperties"), False, name)

    def test_custody_cannot_end_before_the_booking_through_the_api(self):
        detainer = self.created()  # booked 2026-03-07 02:00 UTC (20:00 CST the day before)
        response = self.client.post(
            f"{CREATE}{detainer.public_id}/release/", {"outcome_at": "2026-03-07T01:59:00Z"}, format="json"
        )
        self.assertEqual(response.status_code, 422, response.content)
        self.assertEqual(
            errors_by_field(response),
            {"outcome_at": OUTCOME_BEFORE_BOOKING_MESSAGE.format(booked=in_zone(detainer.booked_at, self.agency_a))},
        )
        detainer.refresh_from_db()
        self.assertEqual(detainer.outcome, Detainer.Outcome.PENDING)
        response = self.client.post(
            f"{CREATE}{detainer.public_id}/release/", {"outcome_at": "2026-03-07T02:00:00Z"}, format="json"
        )
        self.assertEqual(response.status_code, 200, response.content)  # at the booking minute itself: accepted

    def test_a_release_in_the_future_is_refused_beyond_the_clock_skew(self):
        detainer = self.created()
        later = (NOW + OUTCOME_CLOCK_SKEW + timedelta(seconds=1)).isoformat().replace("+00:00", "Z")
        response = self.client.post(f"{CREATE}{detainer.public_id}/release/", {"outcome_at": later}, format="json")
        self.assertEqual(response.status_code, 422, response.content)
        self.assertEqual(errors_by_field(response), {"outcome_at": FUTURE_MESSAGE})
        within = (NOW + OUTCOME_CLOCK_SKEW).isoformat().replace("+00:00", "Z")  # a JMS clock a little ahead
        response = self.client.post(f"{CREATE}{detainer.public_id}/release/", {"outcome_at": within}, format="json")
        self.assertEqual(response.status_code, 200, response.content)

    def test_a_recorded_outcome_is_not_moved_by_a_resend_but_a_retry_answers_200(self):
        detainer = self.created()
        url = f"{CREATE}{detainer.public_id}/release/"
        first = self.client.post(url, {"outcome_at": "2026-03-08T15:00:00Z"}, format="json")
        self.assertEqual(first.status_code, 200, first.content)
        rows = detainer.history.count()
        retry = self.client.post(url, {"outcome_at": "2026-03-08T15:00:00Z"}, format="json")
        self.assertEqual(retry.status_code, 200, retry.content)
        self.assertEqual(detainer.history.count(), rows)  # a retry writes nothing
        moved = self.client.post(url, {"outcome_at": "2026-03-08T15:05:00Z"}, format="json")
        self.assertEqual(moved.status_code, 409, moved.content)
        self.assertEqual(moved.json()["type"], "urn:pgc:problem:outcome-recorded")
        self.assertEqual(
            errors_by_field(moved),
            {"outcome_at": OUTCOME_RECORDED_MESSAGE.format(outcome="released", at="2026-03-08T15:00:00Z")},
        )
        transfer = self.client.post(
            f"{CREATE}{detainer.public_id}/transfer/", {"outcome_at": "2026-03-08T15:00:00Z"}, format="json"
        )
        self.assertEqual(transfer.status_code, 409, transfer.content)
        detainer.refresh_from_db()
        self.assertEqual((detainer.outcome, detainer.outcome_at), ("released", datetime(2026, 3, 8, 15, 0, tzinfo=UTC)))
        self.assertEqual(detainer.history.count(), rows)
        # The refused calls are in the access log against the detainer (an auditor finds them on its record).
        refused = AccessLog.objects.filter(object_id=detainer.pk, outcome=AccessLog.Outcome.FAILURE)
        self.assertEqual(refused.count(), 2)

    def test_a_body_that_is_not_json_names_the_request_as_a_whole(self):
        response = self.client.generic("POST", CREATE, b"not json", content_type="application/json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["type"], "urn:pgc:problem:invalid-request")
        (error,) = response.json()["errors"]
        self.assertIsNone(error["field"])
        self.assertIn("JSON", error["detail"])

    def test_a_malformed_idempotency_key_is_a_400_naming_the_header(self):
        response = self.client.post(CREATE, detainer_body(), format="json", HTTP_IDEMPOTENCY_KEY="x" * 256)
        self.assertEqual(response.status_code, 400, response.content)
        self.assertEqual(response.json()["type"], "urn:pgc:problem:invalid-request")
        self.assertEqual(errors_by_field(response), {"Idempotency-Key": KEY_FORMAT_MESSAGE})
        self.assertFalse(Detainer.objects.exists())
