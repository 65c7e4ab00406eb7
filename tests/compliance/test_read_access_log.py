"""Reads of officers, incidents and any record's history are access-logged like a detainer (SECURITY.md D3)."""

from __future__ import annotations

from django.urls import reverse

from compliance.core.models import AccessLog
from tests.base import BaseTestCase, sign_in
from tests.compliance.helpers import make_incident, make_officer, make_outreach

Action = AccessLog.Action


class RecordReadTests(BaseTestCase):
    def setUp(self):
        self.officer_a = make_officer(self.agency_a, 1)
        self.incident_a = make_incident(self.agency_a, 1)
        self.officer_b = make_officer(self.agency_b, 2)
        self.incident_b = make_incident(self.agency_b, 2)

    def cases(self):
        return {
            "officer": (reverse("training:officer_detail", args=[self.officer_a.public_id]), self.officer_a),
            "incident": (reverse("incidents:incident_detail", args=[self.incident_a.public_id]), self.incident_a),
            "officer history": (
                reverse("history", args=["training.officer", self.officer_a.public_id]),
                self.officer_a,
            ),
            "incident history": (
                reverse("history", args=["incidents.incident", self.incident_a.public_id]),
                self.incident_a,
            ),
        }

    def test_D3_a_detail_or_history_page_writes_one_view_row_naming_the_record(self):
        sign_in(self.client, self.supervisor_a)
        for label, (url, record) in self.cases().items():
            with self.subTest(label):
                before = AccessLog.objects.count()
                self.assertEqual(self.client.get(url).status_code, 200)
                self.assertEqual(AccessLog.objects.count(), before + 1)
                row = AccessLog.objects.latest("pk")
                self.assertEqual(
                    (row.action, row.user, row.agency, row.object_id, row.content_type.model_class(), row.path),
                    (Action.VIEW, self.supervisor_a, self.agency_a, record.pk, type(record), url),
                )

    def test_D3_denied_read_writes_one_denied_row_and_no_view_row(self):
        sign_in(self.client, self.supervisor_b)
        for label, (url, _record) in self.cases().items():
            with self.subTest(label):
                before = AccessLog.objects.count()
                self.assertEqual(self.client.get(url).status_code, 404)
                self.assertEqual(AccessLog.objects.count(), before + 1)
                row = AccessLog.objects.latest("pk")
                self.assertEqual(
                    (row.action, row.outcome, row.user, row.object_id), ("denied", "denied", self.supervisor_b, None)
                )

    def test_D3_history_of_an_outreach_event_is_logged_too(self):
        event = make_outreach(self.agency_a, self.incident_a.occurred_at.date())
        sign_in(self.client, self.supervisor_a)
        self.client.get(reverse("history", args=["community.outreachevent", event.public_id]))
        row = AccessLog.objects.get(action=Action.VIEW)
        self.assertEqual((row.object_id, row.agency), (event.pk, self.agency_a))

    def test_D3_incident_list_writes_one_row_with_the_count_shown(self):
        make_incident(self.agency_a, 3)
        sign_in(self.client, self.supervisor_a)
        self.client.get(reverse("incidents:incident_list"))
        [row] = AccessLog.objects.filter(action=Action.LIST)
        self.assertEqual((row.agency, row.object_count, row.object_id), (self.agency_a, 2, None))

    def test_D3_roster_page_writes_one_row_with_the_count_shown(self):
        make_officer(self.agency_a, 3)
        sign_in(self.client, self.supervisor_a)
        self.assertEqual(self.client.get(reverse("training:roster")).status_code, 200)
        [row] = AccessLog.objects.filter(action=Action.LIST)
        self.assertEqual((row.agency, row.object_count, row.user), (self.agency_a, 2, self.supervisor_a))
