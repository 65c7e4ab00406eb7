"""Form polish after a user trial of issue #12: contacts shown with their organisation, auditors not offered
as staff taking part, the commitment form's own "due date missing" message, "Overdue" tags in sentence case."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from community.commitments.services import commitment_create
from community.organisations.services import contact_create, organisation_create
from community.outreach.services import outreach_event_create, participant_add
from tests.base import BaseTestCase, sign_in

NOW = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
class TrialFormTests(BaseTestCase):
    def setUp(self):
        self.org = organisation_create(agency=self.agency_a, actor=self.staff_a, name="Alpha Legal Aid (invented)")
        self.with_org = contact_create(
            agency=self.agency_a, actor=self.staff_a, name="Ana Example", organisation=self.org
        )
        self.without = contact_create(agency=self.agency_a, actor=self.staff_a, name="Ana Other")
        self.event = outreach_event_create(
            agency=self.agency_a, actor=self.staff_a, kind="presentation", title="Talk", held_on=date(2026, 5, 19)
        )

    def test_the_participant_form_shows_contacts_with_their_organisation_and_no_auditor_as_staff(self):
        sign_in(self.client, self.staff_a)
        form = self.client.get(reverse("community:participant_add", args=[self.event.public_id])).context["form"]
        contacts = [label for value, label in form.fields["contact"].choices if value]
        self.assertEqual(contacts, ["Ana Example — Alpha Legal Aid (invented)", "Ana Other"])
        staff = set(form.fields["staff"].queryset)
        self.assertIn(self.staff_a, staff)
        self.assertIn(self.supervisor_a, staff)
        self.assertNotIn(self.auditor_a, staff)
        self.assertNotIn(self.auditor, staff)
        with self.assertRaises(ValidationError) as refused:
            participant_add(event=self.event, actor=self.staff_a, staff=self.auditor_a)
        self.assertIn("staff", refused.exception.message_dict)
        self.assertEqual(self.event.participations.count(), 0)

    def test_the_committee_member_form_shows_contacts_with_their_organisation(self):
        sign_in(self.client, self.staff_a)
        page = self.client.get(reverse("community:committee_member_create"))
        contacts = [label for value, label in page.context["form"].fields["contact"].choices if value]
        self.assertEqual(contacts, ["Ana Example — Alpha Legal Aid (invented)", "Ana Other"])

    def test_a_missing_due_date_says_give_the_day_it_is_due(self):
        sign_in(self.client, self.staff_a)
        response = self.client.post(
            reverse("community:commitment_create") + f"?event={self.event.public_id}",
            {"description": "Hold a town hall in Spanish", "owner": self.staff_a.pk, "due_on": ""},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["form"].errors["due_on"], ["Give the day it is due."])
        self.assertFalse(self.event.commitments.exists())

    def test_overdue_tags_are_not_upper_cased(self):
        with time_machine.travel(datetime(2026, 5, 20, 15, 0, tzinfo=UTC), tick=False):
            commitment = commitment_create(
                agency=self.agency_a,
                actor=self.staff_a,
                description="Publish the figures (invented)",
                owner=self.staff_a,
                due_on=date(2026, 5, 25),
                event=self.event,
            )
        sign_in(self.client, self.staff_a)
        tag = '<span class="usa-tag text-no-uppercase app-status--expired" data-testid="overdue-tag">Overdue</span>'
        for page in (
            reverse("community:commitment_list"),
            reverse("community:commitment_detail", args=[commitment.public_id]),
            reverse("community:outreach_detail", args=[self.event.public_id]),
        ):
            with self.subTest(page=page):
                self.assertContains(self.client.get(page), tag, html=True)
