"""Organisations and contacts (issue #12 item 1): services' rules by name, pages, access, query counts."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community.models import CommitteeMember, Contact, Organisation
from community.organisations import services
from community.organisations.selectors import organisations_for, search_by_name
from community.outreach.services import outreach_event_create, participant_add
from compliance.core.models import AccessLog
from compliance.core.pages import PAGE_SIZE
from tests.base import BaseTestCase, sign_in


def make_org(agency, actor, name="Casa de la Cultura (invented)", kind=Organisation.Kind.COMMUNITY_GROUP, **fields):
    return services.organisation_create(agency=agency, actor=actor, name=name, kind=kind, **fields)


class OrganisationServiceTests(BaseTestCase):
    def test_an_organisation_is_added_with_its_author_in_history(self):
        org = make_org(self.agency_a, self.staff_a, website="example.org")
        self.assertEqual(org.agency, self.agency_a)
        self.assertTrue(org.active)
        self.assertEqual(org.history.first().history_user, self.staff_a)

    def test_a_duplicate_name_in_the_agency_is_refused_on_the_name_by_name_key(self):
        make_org(self.agency_a, self.staff_a, name="Casa de la Cultura")
        with self.assertRaises(ValidationError) as caught:
            make_org(self.agency_a, self.staff_a, name="  CASA  de la cultura ")
        self.assertIn("name", caught.exception.message_dict)
        self.assertIn("already has an organisation", caught.exception.message_dict["name"][0])
        self.assertEqual(Organisation.objects.filter(agency=self.agency_a).count(), 1)

    def test_the_same_name_in_another_agency_is_allowed(self):
        make_org(self.agency_a, self.staff_a, name="Casa de la Cultura")
        make_org(self.agency_b, self.staff_b, name="Casa de la Cultura")
        self.assertEqual(Organisation.objects.count(), 2)

    def test_renaming_onto_another_organisations_name_is_refused(self):
        make_org(self.agency_a, self.staff_a, name="First")
        second = make_org(self.agency_a, self.staff_a, name="Second")
        with self.assertRaises(ValidationError) as caught:
            services.organisation_update(organisation=second, actor=self.staff_a, name="first")
        self.assertIn("name", caught.exception.message_dict)
        second.refresh_from_db()
        self.assertEqual(second.name, "Second")

    def test_the_unique_constraint_race_is_a_validation_error_not_a_server_error(self):
        org = make_org(self.agency_a, self.staff_a, name="Raced")
        duplicate = Organisation(agency=self.agency_a, name="raced", kind=Organisation.Kind.OTHER)
        with self.assertRaises(ValidationError) as caught:
            services._save_organisation(duplicate, actor=self.staff_a, reason=None)
        self.assertIn("name", caught.exception.message_dict)
        self.assertEqual(Organisation.objects.filter(agency=self.agency_a).count(), 1)
        self.assertTrue(Organisation.objects.filter(pk=org.pk).exists())

    def test_an_auditor_may_not_add_or_change(self):
        with self.assertRaises(PermissionDenied):
            make_org(self.agency_a, self.auditor_a)
        org = make_org(self.agency_a, self.staff_a)
        with self.assertRaises(PermissionDenied):
            services.organisation_set_active(organisation=org, actor=self.auditor_a, active=False)

    def test_deactivate_and_reactivate_never_delete(self):
        org = make_org(self.agency_a, self.staff_a)
        services.organisation_set_active(organisation=org, actor=self.staff_a, active=False)
        org.refresh_from_db()
        self.assertFalse(org.active)
        # Deactivating what is already inactive writes no history row (case H2).
        services.organisation_set_active(organisation=org, actor=self.staff_a, active=False)
        services.organisation_set_active(organisation=org, actor=self.supervisor_a, active=True)
        org.refresh_from_db()
        self.assertTrue(org.active)
        reasons = list(org.history.order_by("history_date").values_list("history_change_reason", flat=True))
        self.assertEqual(reasons[1:], ["Deactivated", "Reactivated"])

    def test_unknown_fields_are_refused(self):
        with self.assertRaises(TypeError):
            services.organisation_create(agency=self.agency_a, actor=self.staff_a, name="X", kind="other", active=False)

    def test_a_contacts_organisation_must_be_of_its_agency(self):
        org_b = make_org(self.agency_b, self.staff_b)
        with self.assertRaises(ValidationError) as caught:
            services.contact_create(agency=self.agency_a, actor=self.staff_a, name="Ana Invented", organisation=org_b)
        self.assertIn("organisation", caught.exception.message_dict)
        self.assertFalse(Contact.objects.exists())

    def test_search_compares_name_keys(self):
        make_org(self.agency_a, self.staff_a, name="Iglesia San José (invented)")
        make_org(self.agency_a, self.staff_a, name="Legal Aid Clinic (invented)")
        found = search_by_name(organisations_for(self.staff_a), "  SAN   JOSÉ ")
        self.assertEqual([org.name for org in found], ["Iglesia San José (invented)"])


class OrganisationPageTests(BaseTestCase):
    def setUp(self):
        self.org_a = make_org(self.agency_a, self.staff_a, name="Alpha Group")
        self.org_b = make_org(self.agency_b, self.staff_b, name="Beta Group")
        self.contact_a = services.contact_create(
            agency=self.agency_a,
            actor=self.staff_a,
            name="Ana Invented",
            organisation=self.org_a,
            email="ana@example.test",
            phone="555-0100",
        )

    def test_the_list_shows_only_the_users_agency_and_filters_by_kind_and_name(self):
        make_org(self.agency_a, self.staff_a, name="Consulado (invented)", kind=Organisation.Kind.CONSULATE)
        sign_in(self.client, self.staff_a)
        response = self.client.get(reverse("community:organisation_list"))
        self.assertContains(response, "Alpha Group")
        self.assertNotContains(response, "Beta Group")
        response = self.client.get(reverse("community:organisation_list"), {"kind": "consulate"})
        self.assertEqual([o.name for o in response.context["organisations"]], ["Consulado (invented)"])
        response = self.client.get(reverse("community:organisation_list"), {"q": "alpha"})
        self.assertEqual([o.name for o in response.context["organisations"]], ["Alpha Group"])

    def test_the_list_costs_the_same_number_of_queries_at_any_size(self):
        sign_in(self.client, self.auditor)
        url = reverse("community:organisation_list")
        self.client.get(url)
        with CaptureQueriesContext(connection) as small:
            self.client.get(url)
        for n in range(PAGE_SIZE + 3):
            org = make_org(
                self.agency_a if n % 2 else self.agency_b, self.admin_a if n % 2 else self.staff_b, name=f"Bulk {n}"
            )
            if n % 2:
                services.contact_create(agency=self.agency_a, actor=self.staff_a, name=f"Person {n}", organisation=org)
        with self.assertNumQueries(len(small.captured_queries)):
            response = self.client.get(url)
        self.assertEqual(len(response.context["organisations"]), PAGE_SIZE)
        contacts_url = reverse("community:contact_list")
        self.client.get(contacts_url)
        with CaptureQueriesContext(connection) as contacts:
            self.client.get(contacts_url)
        for n in range(PAGE_SIZE):
            services.contact_create(agency=self.agency_a, actor=self.staff_a, name=f"More {n}", organisation=self.org_a)
        with self.assertNumQueries(len(contacts.captured_queries)):
            self.client.get(contacts_url)

    def test_a_duplicate_name_is_shown_next_to_the_name_field(self):
        sign_in(self.client, self.staff_a)
        response = self.client.post(reverse("community:organisation_create"), {"name": "alpha  group", "kind": "faith"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("already has an organisation", response.context["form"].errors["name"][0])
        self.assertEqual(Organisation.objects.filter(agency=self.agency_a).count(), 1)

    def test_staff_adds_and_edits_an_organisation(self):
        sign_in(self.client, self.staff_a)
        response = self.client.post(
            reverse("community:organisation_create"), {"name": "Gamma School Board", "kind": "school"}
        )
        org = Organisation.objects.get(name="Gamma School Board")
        self.assertRedirects(response, reverse("community:organisation_detail", args=[org.public_id]))
        url = reverse("community:organisation_edit", args=[org.public_id])
        self.client.post(url, {"name": "Gamma School Board", "kind": "school", "notes": "Meets monthly."})
        org.refresh_from_db()
        self.assertEqual(org.notes, "Meets monthly.")

    def test_the_organisation_page_shows_contacts_events_and_committee_members(self):
        event = outreach_event_create(
            agency=self.agency_a,
            actor=self.staff_a,
            kind="community_meeting",
            title="Town hall",
            held_on=date(2026, 1, 5),
        )
        participant_add(event=event, actor=self.staff_a, organisation=self.org_a)
        CommitteeMember.objects.create(
            agency=self.agency_a, name="Member Invented", organisation=self.org_a, term_start=date(2026, 1, 1)
        )
        sign_in(self.client, self.auditor_a)
        response = self.client.get(reverse("community:organisation_detail", args=[self.org_a.public_id]))
        self.assertContains(response, "Ana Invented")
        self.assertContains(response, "Town hall")
        self.assertContains(response, "Member Invented")
        self.assertNotContains(response, "ana@example.test")

    def test_the_contact_page_is_access_logged_and_shows_events(self):
        sign_in(self.client, self.auditor_a)
        before = AccessLog.objects.filter(action=AccessLog.Action.VIEW, object_id=self.contact_a.pk).count()
        response = self.client.get(reverse("community:contact_detail", args=[self.contact_a.public_id]))
        self.assertContains(response, "ana@example.test")
        self.assertContains(response, "555-0100")
        after = AccessLog.objects.filter(action=AccessLog.Action.VIEW, object_id=self.contact_a.pk).count()
        self.assertEqual(after, before + 1)
        self.assertNotIn("ana@example.test", response.request["PATH_INFO"])

    def test_another_agencys_records_are_404(self):
        sign_in(self.client, self.staff_b)
        for name, record in (
            ("organisation_detail", self.org_a),
            ("organisation_edit", self.org_a),
            ("organisation_status", self.org_a),
            ("contact_detail", self.contact_a),
            ("contact_edit", self.contact_a),
            ("contact_status", self.contact_a),
        ):
            with self.subTest(name):
                self.assertEqual(
                    self.client.get(reverse(f"community:{name}", args=[record.public_id])).status_code, 404
                )

    def test_an_auditor_reads_but_gets_403_on_writes(self):
        sign_in(self.client, self.auditor_a)
        self.assertEqual(self.client.get(reverse("community:organisation_create")).status_code, 403)
        self.assertEqual(self.client.get(reverse("community:contact_create")).status_code, 403)
        for name, record in (("organisation_edit", self.org_a), ("contact_status", self.contact_a)):
            url = reverse(f"community:{name}", args=[record.public_id])
            self.assertEqual(self.client.post(url, {"active": "0", "name": "X", "kind": "other"}).status_code, 403)
        self.org_a.refresh_from_db()
        self.assertEqual(self.org_a.name, "Alpha Group")

    def test_deactivate_and_reactivate_through_the_pages(self):
        sign_in(self.client, self.staff_a)
        url = reverse("community:organisation_status", args=[self.org_a.public_id])
        self.assertContains(self.client.get(url), "Deactivate")
        self.client.post(url, {"active": "0"})
        self.org_a.refresh_from_db()
        self.assertFalse(self.org_a.active)
        self.client.post(url, {"active": "1"})
        self.org_a.refresh_from_db()
        self.assertTrue(self.org_a.active)

    def test_a_contact_of_another_agencys_organisation_is_refused_at_the_field(self):
        sign_in(self.client, self.staff_a)
        response = self.client.post(
            reverse("community:contact_create"), {"name": "Bad Link", "organisation": str(self.org_b.public_id)}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("organisation", response.context["form"].errors)
        self.assertFalse(Contact.objects.filter(name="Bad Link").exists())
