"""The complainant's contact details (issue #11 item 7; SECURITY.md D3): investigator and supervisors only, logged."""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from compliance.core.models import AccessLog
from incidents.complaints.models import ComplaintContact
from incidents.complaints.services import complaint_submit
from incidents.incident_log.models import Incident
from tests.base import BaseTestCase, sign_in

NAME, EMAIL, PHONE = "Rosa Peña", "rosa@example.test", "555-0100"


class ContactPrivacyTests(BaseTestCase):
    def setUp(self):
        self.incident = complaint_submit(
            agency=self.agency_a,
            description="What happened.",
            occurred_at=datetime(2026, 11, 20, tzinfo=UTC),
            name=NAME,
            email=EMAIL,
            phone=PHONE,
            language="es",
        )
        self.case_url = reverse("incidents:incident_detail", args=[self.incident.public_id])
        self.contact_url = reverse("incidents:complainant_contact", args=[self.incident.public_id])

    def contact_views(self) -> int:
        return self.contact_rows().filter(action=AccessLog.Action.VIEW).count()

    def contact_rows(self):
        kind = ContentType.objects.get_for_model(ComplaintContact)
        return AccessLog.objects.filter(content_type=kind, object_id=self.incident.contact.pk)

    def test_a_supervisor_sees_the_contact_behind_a_logged_page(self):
        sign_in(self.client, self.supervisor_a)
        page = self.client.get(self.case_url)
        self.assertContains(page, "Contact on file · prefers Spanish.")
        self.assertContains(page, f'href="{self.contact_url}"')
        for private in (NAME, EMAIL, PHONE):
            self.assertNotContains(page, private)  # not on the case page itself
        self.assertEqual(self.contact_views(), 0)
        response = self.client.get(self.contact_url)
        for private in (NAME, EMAIL, PHONE):
            self.assertContains(response, private)
        self.assertEqual(self.contact_views(), 1)
        row = self.contact_rows().get()
        self.assertEqual((row.user, row.agency, row.outcome), (self.supervisor_a, self.agency_a, "success"))
        self.client.get(self.contact_url)
        self.assertEqual(self.contact_views(), 2)  # each viewing

    def test_the_assigned_investigator_sees_the_contact(self):
        Incident.objects.filter(pk=self.incident.pk).update(investigator=self.staff_a)
        sign_in(self.client, self.staff_a)
        self.assertContains(self.client.get(self.case_url), 'data-testid="show-contact"')
        self.assertContains(self.client.get(self.contact_url), EMAIL)
        self.assertEqual(self.contact_views(), 1)

    def test_staff_who_are_not_the_investigator_see_only_contact_on_file(self):
        sign_in(self.client, self.staff_a)
        page = self.client.get(self.case_url)
        self.assertContains(page, "Contact on file")
        self.assertNotContains(page, 'data-testid="show-contact"')
        # Administrators hold REVIEW too (contact_visible_to): the note names them.
        self.assertContains(page, "the agency's supervisors and administrators can see the contact details")
        self.assertEqual(self.client.get(self.contact_url).status_code, 403)
        self.assertEqual(self.contact_views(), 0)

    def test_an_auditor_sees_only_contact_on_file(self):
        sign_in(self.client, self.auditor_a)
        page = self.client.get(self.case_url)
        self.assertContains(page, "Contact on file")
        for private in (NAME, EMAIL, PHONE):
            self.assertNotContains(page, private)
        self.assertEqual(self.client.get(self.contact_url).status_code, 403)
        self.assertEqual(self.contact_views(), 0)

    def test_another_agency_gets_404(self):
        sign_in(self.client, self.supervisor_b)
        self.assertEqual(self.client.get(self.contact_url).status_code, 404)

    def test_an_investigator_of_the_case_who_lost_change_rights_sees_nothing(self):
        Incident.objects.filter(pk=self.incident.pk).update(investigator=self.auditor_a)
        sign_in(self.client, self.auditor_a)
        self.assertEqual(self.client.get(self.contact_url).status_code, 403)

    def test_an_anonymous_complaint_says_anonymous(self):
        anonymous = complaint_submit(
            agency=self.agency_a, description="x", occurred_at=datetime(2026, 11, 20, tzinfo=UTC)
        )
        self.assertFalse(ComplaintContact.objects.filter(incident=anonymous).exists())
        sign_in(self.client, self.supervisor_a)
        page = self.client.get(reverse("incidents:incident_detail", args=[anonymous.public_id]))
        self.assertContains(page, "Anonymous: the complainant left no contact details.")
        self.assertNotContains(page, 'data-testid="show-contact"')

    def test_the_case_title_and_timeline_hold_no_name(self):
        self.assertEqual(self.incident.title, f"Public complaint {self.incident.tracking_number}")
        for event in self.incident.events.all():
            for private in (NAME, EMAIL, PHONE):
                self.assertNotIn(private, event.text)
