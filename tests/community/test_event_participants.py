"""Event participants (issue #12 item 1): added and removed with author and time, never deleted; the page."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community.commitments.services import commitment_create
from community.models import EventParticipant, Organisation
from community.organisations.services import contact_create, organisation_create, organisation_set_active
from community.outreach import selectors
from community.outreach.services import outreach_event_create, participant_add, participant_remove
from compliance.core.pages import PAGE_SIZE
from tests.base import BaseTestCase, sign_in

NOW = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)


def make_event(agency, actor, title="Town hall (invented)", held_on=date(2026, 5, 20)):
    return outreach_event_create(agency=agency, actor=actor, kind="community_meeting", title=title, held_on=held_on)


@time_machine.travel(NOW, tick=False)
class ParticipantServiceTests(BaseTestCase):
    def setUp(self):
        self.event = make_event(self.agency_a, self.staff_a)
        self.org = organisation_create(agency=self.agency_a, actor=self.staff_a, name="Alpha Group", kind="faith")
        self.contact = contact_create(agency=self.agency_a, actor=self.staff_a, name="Ana Invented")
        self.org_b = organisation_create(agency=self.agency_b, actor=self.staff_b, name="Beta Group", kind="media")

    def test_each_kind_of_party_is_added_with_who_and_when(self):
        for kwargs in ({"organisation": self.org}, {"contact": self.contact}, {"staff": self.supervisor_a}):
            row = participant_add(event=self.event, actor=self.staff_a, **kwargs)
            self.assertEqual(row.added_by, self.staff_a)
            self.assertEqual(row.added_at, NOW)
            self.assertIsNone(row.removed_at)
        self.assertEqual(EventParticipant.objects.filter(event=self.event).count(), 3)

    def test_not_exactly_one_party_is_refused(self):
        with self.assertRaises(ValidationError):
            participant_add(event=self.event, actor=self.staff_a)
        with self.assertRaises(ValidationError):
            participant_add(event=self.event, actor=self.staff_a, organisation=self.org, contact=self.contact)
        self.assertFalse(EventParticipant.objects.exists())

    def test_a_duplicate_active_participant_is_refused(self):
        participant_add(event=self.event, actor=self.staff_a, organisation=self.org)
        with self.assertRaises(ValidationError) as caught:
            participant_add(event=self.event, actor=self.supervisor_a, organisation=self.org)
        self.assertIn("organisation", caught.exception.message_dict)
        self.assertEqual(EventParticipant.objects.count(), 1)

    def test_another_agencys_organisation_is_refused(self):
        with self.assertRaises(ValidationError) as caught:
            participant_add(event=self.event, actor=self.staff_a, organisation=self.org_b)
        self.assertIn("organisation", caught.exception.message_dict)
        self.assertFalse(EventParticipant.objects.exists())

    def test_staff_without_a_role_in_the_agency_is_refused(self):
        with self.assertRaises(ValidationError) as caught:
            participant_add(event=self.event, actor=self.staff_a, staff=self.staff_b)
        self.assertIn("staff", caught.exception.message_dict)

    def test_an_inactive_organisation_is_refused(self):
        organisation_set_active(organisation=self.org, actor=self.staff_a, active=False)
        self.org.refresh_from_db()
        with self.assertRaises(ValidationError):
            participant_add(event=self.event, actor=self.staff_a, organisation=self.org)

    def test_an_auditor_may_not_add_or_remove(self):
        with self.assertRaises(PermissionDenied):
            participant_add(event=self.event, actor=self.auditor_a, organisation=self.org)
        row = participant_add(event=self.event, actor=self.staff_a, organisation=self.org)
        with self.assertRaises(PermissionDenied):
            participant_remove(participant=row, actor=self.auditor_a)
        row.refresh_from_db()
        self.assertIsNone(row.removed_at)

    def test_removal_sets_removed_at_and_by_and_never_deletes(self):
        row = participant_add(event=self.event, actor=self.staff_a, organisation=self.org)
        with time_machine.travel(datetime(2026, 6, 1, 16, 0, tzinfo=UTC), tick=False):
            participant_remove(participant=row, actor=self.supervisor_a)
        row.refresh_from_db()
        self.assertEqual(row.removed_by, self.supervisor_a)
        self.assertEqual(row.removed_at, datetime(2026, 6, 1, 16, 0, tzinfo=UTC))
        with self.assertRaises(ValidationError):
            participant_remove(participant=row, actor=self.supervisor_a)
        # Added again after removal: a new row; both are kept.
        participant_add(event=self.event, actor=self.staff_a, organisation=self.org)
        self.assertEqual(EventParticipant.objects.filter(event=self.event, organisation=self.org).count(), 2)

    def test_changes_list_additions_and_removals_with_authors_newest_first(self):
        row = participant_add(event=self.event, actor=self.staff_a, organisation=self.org)
        with time_machine.travel(datetime(2026, 6, 2, 15, 0, tzinfo=UTC), tick=False):
            participant_remove(participant=row, actor=self.supervisor_a)
        changes = selectors.participant_changes(self.event)
        self.assertEqual([(c.kind, c.by) for c in changes], [("removed", self.supervisor_a), ("added", self.staff_a)])


@time_machine.travel(NOW, tick=False)
class ParticipantPageTests(BaseTestCase):
    def setUp(self):
        self.event = make_event(self.agency_a, self.staff_a)
        self.org = organisation_create(agency=self.agency_a, actor=self.staff_a, name="Alpha Group", kind="faith")
        self.org_b = organisation_create(agency=self.agency_b, actor=self.staff_b, name="Beta Group", kind="media")
        self.event_b = make_event(self.agency_b, self.staff_b, title="Beta meeting")

    def test_staff_adds_a_participant_and_the_page_groups_them_with_author(self):
        sign_in(self.client, self.staff_a)
        url = reverse("community:participant_add", args=[self.event.public_id])
        response = self.client.post(url, {"organisation": str(self.org.public_id)})
        self.assertRedirects(response, reverse("community:outreach_detail", args=[self.event.public_id]))
        self.client.post(url, {"staff": str(self.supervisor_a.pk)})
        page = self.client.get(reverse("community:outreach_detail", args=[self.event.public_id]))
        groups = page.context["participants"]
        self.assertEqual([p.organisation for p in groups.organisations], [self.org])
        self.assertEqual([p.staff for p in groups.staff], [self.supervisor_a])
        self.assertContains(page, "Alpha Group")
        self.assertContains(page, "staff_a")
        # Shown in the agency's zone: 15:00 UTC is 10:00 CDT in Chicago.
        self.assertContains(page, "2026-06-01 10:00")

    def test_choosing_none_or_two_is_an_error_on_the_form(self):
        sign_in(self.client, self.staff_a)
        url = reverse("community:participant_add", args=[self.event.public_id])
        response = self.client.post(url, {})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].non_field_errors())
        self.assertFalse(EventParticipant.objects.exists())

    def test_another_agencys_organisation_is_refused_at_the_field(self):
        sign_in(self.client, self.staff_a)
        url = reverse("community:participant_add", args=[self.event.public_id])
        response = self.client.post(url, {"organisation": str(self.org_b.public_id)})
        self.assertEqual(response.status_code, 200)
        self.assertIn("organisation", response.context["form"].errors)
        self.assertFalse(EventParticipant.objects.exists())

    def test_remove_through_the_page(self):
        row = participant_add(event=self.event, actor=self.staff_a, organisation=self.org)
        sign_in(self.client, self.supervisor_a)
        url = reverse("community:participant_remove", args=[row.public_id])
        self.assertContains(self.client.get(url), "Alpha Group")
        self.client.post(url)
        row.refresh_from_db()
        self.assertEqual(row.removed_by, self.supervisor_a)
        self.assertEqual(self.client.post(url).status_code, 302)  # already removed: a message, no error

    def test_another_agency_is_404_and_auditors_get_403(self):
        row = participant_add(event=self.event, actor=self.staff_a, organisation=self.org)
        sign_in(self.client, self.staff_b)
        for url in (
            reverse("community:participant_add", args=[self.event.public_id]),
            reverse("community:participant_remove", args=[row.public_id]),
        ):
            self.assertEqual(self.client.get(url).status_code, 404)
            self.assertEqual(self.client.post(url, {"organisation": str(self.org.public_id)}).status_code, 404)
        sign_in(self.client, self.auditor_a)
        self.assertEqual(
            self.client.post(
                reverse("community:participant_add", args=[self.event.public_id]), {"contact": ""}
            ).status_code,
            403,
        )
        self.assertEqual(
            self.client.post(reverse("community:participant_remove", args=[row.public_id])).status_code, 403
        )
        row.refresh_from_db()
        self.assertIsNone(row.removed_at)

    def test_the_list_counts_organisations_and_open_commitments_and_filters(self):
        participant_add(event=self.event, actor=self.staff_a, organisation=self.org)
        commitment_create(
            agency=self.agency_a,
            actor=self.staff_a,
            event=self.event,
            description="Publish the figures",
            owner=self.staff_a,
            due_on=date(2026, 7, 1),
        )
        other = make_event(self.agency_a, self.staff_a, title="Presentation (invented)")
        sign_in(self.client, self.staff_a)
        response = self.client.get(reverse("community:outreach_list"))
        rows = {e.title: e for e in response.context["events"]}
        self.assertEqual(rows["Town hall (invented)"].organisation_count, 1)
        self.assertEqual(rows["Town hall (invented)"].open_commitment_count, 1)
        self.assertEqual(rows[other.title].organisation_count, 0)
        response = self.client.get(reverse("community:outreach_list"), {"organisation": str(self.org.public_id)})
        self.assertEqual([e.title for e in response.context["events"]], ["Town hall (invented)"])
        response = self.client.get(reverse("community:outreach_list"), {"kind": "media"})
        self.assertEqual(response.context["events"], [])

    def test_the_list_with_participants_costs_the_same_number_of_queries_at_any_size(self):
        sign_in(self.client, self.auditor)
        url = reverse("community:outreach_list")
        self.client.get(url)
        with CaptureQueriesContext(connection) as small:
            self.client.get(url)
        for n in range(PAGE_SIZE + 3):
            event = make_event(self.agency_a, self.staff_a, title=f"Bulk {n}")
            org = Organisation.objects.create(agency=self.agency_a, name=f"Org {n}", kind="other")
            participant_add(event=event, actor=self.staff_a, organisation=org)
        with self.assertNumQueries(len(small.captured_queries)):
            response = self.client.get(url)
        self.assertEqual(len(response.context["events"]), PAGE_SIZE)

    def test_the_event_page_includes_the_commitments_partial(self):
        commitment_create(
            agency=self.agency_a,
            actor=self.staff_a,
            event=self.event,
            description="Publish the figures",
            owner=self.staff_a,
            due_on=date(2026, 7, 1),
        )
        sign_in(self.client, self.staff_a)
        response = self.client.get(reverse("community:outreach_detail", args=[self.event.public_id]))
        self.assertContains(response, "Publish the figures")
        self.assertContains(response, f"/outreach/commitments/new/?event={self.event.public_id}")


@time_machine.travel(NOW, tick=False)
class ParticipantHistoryTests(BaseTestCase):
    def test_the_events_history_page_lists_participant_changes_with_their_authors(self):
        event = make_event(self.agency_a, self.staff_a)
        org = organisation_create(agency=self.agency_a, actor=self.staff_a, name="Alpha Group", kind="faith")
        row = participant_add(event=event, actor=self.staff_a, organisation=org)
        with time_machine.travel(datetime(2026, 6, 1, 16, 0, tzinfo=UTC), tick=False):
            participant_remove(participant=row, actor=self.supervisor_a)
        sign_in(self.client, self.auditor_a)
        response = self.client.get(reverse("history", args=["community.outreachevent", event.public_id]))
        entries = response.context["entries"]
        self.assertEqual(
            [(e.type, e.user) for e in entries[:2]],
            [("Participant removed", self.supervisor_a), ("Participant added", self.staff_a)],
        )
        self.assertContains(response, "Alpha Group (organisation)")
        self.assertEqual(entries[-1].type, "Created")
