"""The dashboard's "see all" links (``?agency=``) narrow a list to one agency the user may see."""

from datetime import UTC, date, datetime

from django.urls import reverse

from community.outreach.services import outreach_event_create
from incidents.incident_log.services import incident_create
from tests.base import BaseTestCase, sign_in
from tests.incidents.helpers import make_detainer


class AgencyNarrowingTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_detainer(cls.agency_a, actor=cls.staff_a, booking_number="BK-ALPHA")
        make_detainer(cls.agency_b, actor=cls.staff_b, booking_number="BK-BETA")
        when = datetime(2026, 5, 1, 18, 0, tzinfo=UTC)
        for agency, actor, title in ((cls.agency_a, cls.staff_a, "Alpha"), (cls.agency_b, cls.staff_b, "Beta")):
            incident_create(
                agency=agency,
                actor=actor,
                kind="complaint",
                severity="low",
                title=f"{title} complaint",
                occurred_at=when,
            )
            outreach_event_create(
                agency=agency,
                actor=actor,
                kind="community_meeting",
                title=f"{title} town hall",
                held_on=date(2026, 5, 1),
            )

    def get(self, name, agency=None):
        sign_in(self.client, self.auditor)
        query = {"agency": str(agency.public_id)} if agency else {}
        return self.client.get(reverse(name), query)

    def test_the_auditor_sees_both_agencies_without_a_filter(self):
        response = self.get("incidents:detainer_list")
        self.assertContains(response, "BK-ALPHA")
        self.assertContains(response, "BK-BETA")

    def test_each_list_shows_only_the_named_agency(self):
        for name, alpha, beta in (
            ("incidents:detainer_list", "BK-ALPHA", "BK-BETA"),
            ("incidents:incident_list", "Alpha complaint", "Beta complaint"),
            ("community:outreach_list", "Alpha town hall", "Beta town hall"),
        ):
            with self.subTest(name):
                response = self.get(name, self.agency_b)
                self.assertContains(response, beta)
                self.assertNotContains(response, alpha)

    def test_an_agency_outside_the_users_scope_answers_404(self):
        sign_in(self.client, self.staff_a)
        response = self.client.get(reverse("incidents:detainer_list"), {"agency": str(self.agency_b.public_id)})
        self.assertEqual(response.status_code, 404)
        response = self.client.get(reverse("incidents:detainer_list"), {"agency": "not-a-uuid"})
        self.assertEqual(response.status_code, 404)
