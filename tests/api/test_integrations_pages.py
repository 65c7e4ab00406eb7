"""The integrations pages of the agency administrator (issue #15 item 3): the token shown once, revoke, permissions."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from compliance.api.authentication import token_hash
from compliance.core.models import AccessLog, AccountEvent, Integration
from compliance.integrations.services import integration_create
from tests.api.helpers import api_client
from tests.base import PASSWORD, BaseTestCase, sign_in
from tests.compliance.test_people import reauthenticated


class IntegrationsPageTests(BaseTestCase):
    def setUp(self):
        reauthenticated(self.client, self.admin_a)

    def create(self, name="Jail management system (invented)"):
        return self.client.post(reverse("integrations:create"), {"name": name})

    def test_create_shows_the_token_once_and_stores_only_its_hash(self):
        response = self.create()
        self.assertEqual(response.status_code, 200)
        token = response.context["token"]
        self.assertContains(response, token)
        self.assertIn("no-store", response["Cache-Control"])
        integration = Integration.objects.get()
        self.assertEqual(integration.token_hash, token_hash(token))
        self.assertNotIn(token, str(Integration.objects.values().get()))
        listing = self.client.get(reverse("integrations:list"))
        self.assertNotContains(listing, token)
        self.assertContains(listing, f"pgc_{integration.token_prefix}_")
        self.assertEqual(
            api_client(token).get(f"/api/v1/officers/{integration.public_id}/authorization/").status_code, 404
        )

    def test_the_integrations_account_can_never_sign_in(self):
        self.create()
        user = Integration.objects.get().user
        self.assertFalse(user.has_usable_password())
        self.assertEqual((user.email, list(user.groups.all())), ("", []))
        self.assertTrue(user.username.startswith("integration-"))
        self.assertFalse(user.check_password(PASSWORD))
        event = AccountEvent.objects.get(target=user)
        self.assertEqual((event.actor, event.action, event.agency), (self.admin_a, "created", self.agency_a))

    def test_a_blank_or_duplicate_name_is_refused_next_to_the_field(self):
        self.assertEqual(self.create("  ").context["form"].errors["name"], ["This field is required."])
        self.create("JMS")
        response = self.create("JMS")
        self.assertIn("already has an active integration", response.context["form"].errors["name"][0])

    def test_revoke_confirms_then_the_token_answers_401_at_once(self):
        created = integration_create(agency=self.agency_a, actor=self.admin_a, name="JMS")
        client = api_client(created.token)
        url = f"/api/v1/officers/{created.integration.public_id}/authorization/"
        self.assertEqual(client.get(url).status_code, 404)
        page = self.client.get(reverse("integrations:revoke", args=[created.integration.public_id]))
        self.assertContains(page, "Revoke the integration")
        response = self.client.post(reverse("integrations:revoke", args=[created.integration.public_id]))
        self.assertRedirects(response, reverse("integrations:list"))
        self.assertEqual(client.get(url).status_code, 401)
        created.integration.refresh_from_db()
        self.assertEqual(created.integration.revoked_by, self.admin_a)
        self.assertEqual(created.integration.history.first().history_user, self.admin_a)
        self.assertFalse(created.integration.user.is_active)

    def test_create_and_revoke_need_a_recent_sign_in(self):
        created = integration_create(agency=self.agency_a, actor=self.admin_a, name="JMS")
        with time_machine.travel(timezone.now() + timedelta(seconds=301)):
            response = self.create("Other")
            self.assertIn(reverse("account_reauthenticate"), response["Location"])
            response = self.client.post(reverse("integrations:revoke", args=[created.integration.public_id]))
            self.assertIn(reverse("account_reauthenticate"), response["Location"])
        self.assertEqual(Integration.objects.count(), 1)
        self.assertIsNone(Integration.objects.get().revoked_at)

    def test_others_get_403_logged_and_another_agencys_integration_is_404(self):
        other = integration_create(agency=self.agency_b, actor=self.supervisor_b, name="Birch JMS")
        response = self.client.get(reverse("integrations:revoke", args=[other.integration.public_id]))
        self.assertEqual(response.status_code, 404)
        self.assertNotContains(self.client.get(reverse("integrations:list")), "Birch JMS")
        for user in (self.staff_a, self.outsider):
            with self.subTest(user=user.username):
                sign_in(self.client, user)
                before = AccessLog.objects.filter(action="denied").count()
                self.assertEqual(self.client.get(reverse("integrations:list")).status_code, 403)
                self.assertEqual(self.client.post(reverse("integrations:create"), {"name": "x"}).status_code, 403)
                self.assertEqual(AccessLog.objects.filter(action="denied").count(), before + 2)
        for user in (self.supervisor_a, self.auditor_a):
            with self.subTest(user=user.username):
                sign_in(self.client, user)
                before = AccessLog.objects.filter(action="denied").count()
                self.assertEqual(self.client.post(reverse("integrations:create"), {"name": "x"}).status_code, 403)
                self.assertEqual(AccessLog.objects.filter(action="denied").count(), before + 1)
        self.assertEqual(Integration.objects.count(), 1)

    def test_supervisors_and_auditors_read_the_list_without_the_links_that_change_it(self):
        mine = integration_create(agency=self.agency_a, actor=self.admin_a, name="Alder JMS").integration
        integration_create(agency=self.agency_b, actor=self.supervisor_b, name="Birch JMS")
        for user in (self.supervisor_a, self.auditor_a):
            with self.subTest(user=user.username):
                sign_in(self.client, user)
                response = self.client.get(reverse("integrations:list"))
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "Alder JMS")
                self.assertContains(response, f"pgc_{mine.token_prefix}_")
                self.assertNotContains(response, "Birch JMS")
                for testid in ("integration-create-link", "revoke-link", "webhook-link"):
                    self.assertNotContains(response, f'data-testid="{testid}"')
                self.assertContains(self.client.get(reverse("dashboard")), 'data-testid="nav-integrations"')
        reauthenticated(self.client, self.admin_a)
        response = self.client.get(reverse("integrations:list"))
        for testid in ("integration-create-link", "revoke-link", "webhook-link"):
            self.assertContains(response, f'data-testid="{testid}"')

    def test_the_navigation_links_integrations_for_the_roles_that_read_them(self):
        self.assertContains(self.client.get(reverse("dashboard")), 'data-testid="nav-integrations"')
        sign_in(self.client, self.staff_a)
        self.assertNotContains(self.client.get(reverse("dashboard")), 'data-testid="nav-integrations"')
