"""A JMS simulated end to end (issue #15): it books a detainer through the API, retries the create with the same
Idempotency-Key, updates the times, records a release and (on another booking) a transfer; the same steps are
done through the pages by a member of staff. The checks, findings and history rows are the same; only their
author differs (the integration's own account, with a reason naming the integration).
"""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from compliance.core.models import Finding
from incidents.detainers import checks
from incidents.detainers.models import Detainer
from tests.api.helpers import api_client, detainer_body, make_integration
from tests.base import BaseTestCase, sign_in
from tests.incidents.helpers import local_datetime_post
from tests.incidents.test_detainer_views import detainer_post
from tests.training.helpers import make_officer

NOW = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
EXPLANATION = "The officer acted before the roster showed the training (invented)."
#: Fields that may differ between the two records: identity, author, bookkeeping.
OWN_FIELDS = {
    "id",
    "public_id",
    "created_at",
    "updated_at",
    "booking_number",
    "history_id",
    "history_date",
    "history_user_id",
    "history_change_reason",
    "history_type",
    "history_relation_id",
}


def findings_of(detainer) -> list[tuple]:
    rows = Finding.objects.filter(content_type=ContentType.objects.get_for_model(Detainer), object_id=detainer.pk)
    return sorted((f.kind, f.severity, f.status, f.rule) for f in rows)


def checks_of(detainer) -> list[tuple]:
    detainer = Detainer.objects.get(pk=detainer.pk)
    return [(c.name, c.passed, c.message) for c in checks.detainer_checks(detainer, at=NOW)]


def history_of(detainer) -> list[dict]:
    rows = detainer.history.order_by("history_date", "history_id").values()
    return [{k: v for k, v in row.items() if k not in OWN_FIELDS and not k.endswith("_index")} for row in rows]


@time_machine.travel(NOW, tick=False)
class JmsSimulationTests(BaseTestCase):
    def setUp(self):
        self.integration, token = make_integration(self.agency_a, actor=self.admin_a)
        self.jms = api_client(token)
        self.officer = make_officer(self.agency_a, badge="B-7", status="nominated")  # not authorized: a rule break
        sign_in(self.client, self.staff_a)

    def book_through_api(self, booking: str) -> Detainer:
        body = detainer_body(
            booking_number=booking,
            handling_officer="B-7",
            action="process",
            action_at="2026-03-07T15:00:00Z",
            explanation=EXPLANATION,
        )
        first = self.jms.post("/api/v1/detainers/", body, format="json", HTTP_IDEMPOTENCY_KEY=f"jms-{booking}")
        retry = self.jms.post("/api/v1/detainers/", body, format="json", HTTP_IDEMPOTENCY_KEY=f"jms-{booking}")
        self.assertEqual((first.status_code, retry.status_code), (201, 201), first.content)
        self.assertEqual(first.json()["id"], retry.json()["id"])
        self.assertEqual(Detainer.objects.filter(booking_number=booking).count(), 1)
        return Detainer.objects.get(public_id=first.json()["id"])

    def book_through_form(self, booking: str) -> Detainer:
        data = detainer_post(
            booking_number=booking,
            handling_officer=str(self.officer.pk),
            action="process",
            explanation=EXPLANATION,
            **local_datetime_post("action_at", "2026-03-07", "09:00"),
        )
        response = self.client.post(reverse("incidents:detainer_create"), data)
        self.assertEqual(response.status_code, 302, response.content[:3000])
        return Detainer.objects.get(booking_number=booking)

    def assert_same(self, api_record, form_record):
        self.assertEqual(checks_of(api_record), checks_of(form_record))
        self.assertEqual(findings_of(api_record), findings_of(form_record))
        self.assertEqual(history_of(api_record), history_of(form_record))
        api_authors = {row.history_user for row in api_record.history.all()}
        self.assertEqual(api_authors, {self.integration.user})
        self.assertEqual({row.history_user for row in form_record.history.all()}, {self.staff_a})
        self.assertTrue(all(row.history_change_reason.startswith("API: ") for row in api_record.history.all()))
        # The row that recorded the rule break names the rules after the integration, as the form's row does.
        form_reasons = [row.history_change_reason for row in form_record.history.order_by("history_date", "pk")]
        api_reasons = [row.history_change_reason for row in api_record.history.order_by("history_date", "pk")]
        self.assertEqual(
            [reason.removeprefix(f"API: {self.integration.name}").removeprefix("; ") or None for reason in api_reasons],
            form_reasons,
        )

    def test_a_booking_update_and_release_through_the_api_match_the_forms(self):
        api_record = self.book_through_api("BK-API-1")
        form_record = self.book_through_form("BK-FORM-1")
        self.assertTrue(findings_of(api_record), "the rule break opened a finding")
        self.assert_same(api_record, form_record)

        # The release time moves: the hold deadline follows (R4.7).
        patch = self.jms.patch(
            f"/api/v1/detainers/{api_record.public_id}/",
            {"would_be_released_at": "2026-03-07T18:00:00Z"},
            format="json",
        )
        self.assertEqual(patch.status_code, 200, patch.content)
        form_edit = detainer_post(
            booking_number="BK-FORM-1",
            agreement=str(self.agreement_a.pk),  # the edit page posts the agreement it shows
            handling_officer=str(self.officer.pk),
            action="process",
            **local_datetime_post("action_at", "2026-03-07", "09:00"),
            **local_datetime_post("would_be_released_at", "2026-03-07", "12:00"),
        )
        response = self.client.post(reverse("incidents:detainer_edit", args=[form_record.public_id]), form_edit)
        self.assertEqual(response.status_code, 302, response.content[:3000])
        self.assert_same(api_record, form_record)
        self.assertEqual(Detainer.objects.get(pk=api_record.pk).hold_deadline, datetime(2026, 3, 9, 18, 0, tzinfo=UTC))

        release = self.jms.post(
            f"/api/v1/detainers/{api_record.public_id}/release/", {"outcome_at": "2026-03-08T16:00:00Z"}, format="json"
        )
        self.assertEqual(release.status_code, 200, release.content)
        # 11:00 CDT = 16:00 UTC (daylight time began at 02:00 that day)
        outcome = {"outcome": "released", **local_datetime_post("outcome_at", "2026-03-08", "11:00")}
        response = self.client.post(reverse("incidents:detainer_outcome", args=[form_record.public_id]), outcome)
        self.assertEqual(response.status_code, 302)
        self.assert_same(api_record, form_record)
        self.assertEqual(release.json()["outcome"], "released")

    def test_a_transfer_through_the_api_matches_the_form(self):
        api_record = self.book_through_api("BK-API-2")
        form_record = self.book_through_form("BK-FORM-2")
        transfer = self.jms.post(
            f"/api/v1/detainers/{api_record.public_id}/transfer/", {"outcome_at": "2026-03-08T16:00:00Z"}, format="json"
        )
        self.assertEqual(transfer.status_code, 200, transfer.content)
        outcome = {"outcome": "transferred", **local_datetime_post("outcome_at", "2026-03-08", "11:00")}
        self.client.post(reverse("incidents:detainer_outcome", args=[form_record.public_id]), outcome)
        self.assert_same(api_record, form_record)
        self.assertEqual(Detainer.objects.get(pk=form_record.pk).outcome, "transferred")

    @time_machine.travel(datetime(2026, 3, 9, 17, 0, tzinfo=UTC), tick=False)  # the release at 16:00 is past
    def test_a_late_release_needs_the_explanation_through_the_api_as_on_the_page(self):
        api_record = self.book_through_api("BK-API-3")
        url = f"/api/v1/detainers/{api_record.public_id}/release/"
        refused = self.jms.post(url, {"outcome_at": "2026-03-09T16:00:00Z"}, format="json")
        self.assertEqual(refused.status_code, 422)
        self.assertEqual([e["field"] for e in refused.json()["errors"]], ["explanation"])
        self.assertEqual(Detainer.objects.get(pk=api_record.pk).outcome, "pending")
