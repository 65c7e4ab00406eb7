"""Admin registrations, the role groups migration and the refusal to delete users or the audit trail."""

from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory

from compliance.core.append_only import AppendOnlyRow
from compliance.core.models import AccessLog, Finding, User
from compliance.core.roles import Role
from tests.base import BaseTestCase, sign_in
from tests.compliance.helpers import make_finding, make_incident, make_ready_report


class RoleGroupsMigrationTests(BaseTestCase):
    def test_the_four_role_groups_exist_without_model_permissions(self):
        groups = Group.objects.filter(name__in=Role.ALL)
        self.assertEqual(sorted(groups.values_list("name", flat=True)), sorted(Role.ALL))
        for group in groups:
            self.assertFalse(group.permissions.exists(), group.name)


class AdminTests(BaseTestCase):
    def setUp(self):
        self.root = User.objects.create_superuser("root", "root@example.test", "invented-root-password")
        sign_in(self.client, self.root)

    def test_every_core_admin_page_loads(self):
        make_finding(self.agency_a, make_incident(self.agency_a, 1))
        make_ready_report(self.agency_a, self.supervisor_a)
        for model in ("agency", "agreement", "user", "finding", "report"):
            with self.subTest(model=model):
                self.assertEqual(self.client.get(f"/admin/compliance/{model}/").status_code, 200)
        self.assertEqual(self.client.get(f"/admin/compliance/agency/{self.agency_a.pk}/change/").status_code, 200)
        self.assertEqual(self.client.get(f"/admin/compliance/agency/{self.agency_a.pk}/history/").status_code, 200)
        permissions = self.client.get(f"/admin/compliance/agency/{self.agency_a.pk}/permissions/")
        self.assertEqual(permissions.status_code, 200)

    def test_users_cannot_be_deleted_from_the_admin(self):
        response = self.client.get(f"/admin/compliance/user/{self.staff_a.pk}/delete/")
        self.assertEqual(response.status_code, 403)
        self.client.post(
            "/admin/compliance/user/",
            {"action": "delete_selected", "_selected_action": [self.staff_a.pk], "post": "yes"},
        )
        self.assertTrue(User.objects.filter(pk=self.staff_a.pk).exists())

    def test_the_admin_deactivates_users(self):
        self.client.post("/admin/compliance/user/", {"action": "deactivate", "_selected_action": [self.staff_a.pk]})
        self.staff_a.refresh_from_db()
        self.assertFalse(self.staff_a.is_active)

    def test_agency_changes_in_the_admin_are_attributed(self):
        self.client.post(
            f"/admin/compliance/agency/{self.agency_a.pk}/change/",
            {
                "name": self.agency_a.name,
                "state": "TX",
                "county": "Renamed County",
                "agency_type": "county",
                "ori": "",
                "time_zone": "America/Chicago",
                "agreements-TOTAL_FORMS": "0",
                "agreements-INITIAL_FORMS": "0",
                "agreements-MIN_NUM_FORMS": "0",
                "agreements-MAX_NUM_FORMS": "1000",
            },
        )
        self.agency_a.refresh_from_db()
        self.assertEqual(self.agency_a.county, "Renamed County")
        self.assertEqual(self.agency_a.history.latest("history_date").history_user, self.root)


class AdminCannotRewriteTheAuditTrailTests(BaseTestCase):
    """SECURITY.md D5: not even a superuser deletes findings, history or access-log rows through the admin."""

    def setUp(self):
        self.root = User.objects.create_superuser("root", "root@example.test", "invented-root-password")
        sign_in(self.client, self.root)
        self.finding = make_finding(self.agency_a, make_incident(self.agency_a, 1))

    def test_D5_a_superuser_cannot_delete_a_finding(self):
        self.assertEqual(self.client.get(f"/admin/compliance/finding/{self.finding.pk}/delete/").status_code, 403)
        self.assertEqual(self.client.post(f"/admin/compliance/finding/{self.finding.pk}/delete/").status_code, 403)
        changelist = self.client.get("/admin/compliance/finding/")
        self.assertNotContains(changelist, "delete_selected")
        self.client.post(
            "/admin/compliance/finding/",
            {"action": "delete_selected", "_selected_action": [self.finding.pk], "post": "yes"},
        )
        self.assertTrue(Finding.objects.filter(pk=self.finding.pk).exists())

    def test_D5_the_access_log_account_events_and_history_are_not_in_the_admin(self):
        AccessLog.objects.create(action=AccessLog.Action.VIEW, path="/x/")
        for url in (
            "/admin/compliance/accesslog/",
            "/admin/compliance/accountevent/",
            "/admin/compliance/historicalfinding/",
            "/admin/incidents/historicaldetainer/",
        ):
            with self.subTest(url):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_D5_no_admin_lets_anyone_delete_or_change_an_audit_row(self):
        request = RequestFactory().get("/admin/")
        request.user = self.root
        for model, model_admin in admin.site._registry.items():
            if issubclass(model, AppendOnlyRow) or model is Finding:
                with self.subTest(model._meta.label):
                    self.assertFalse(model_admin.has_delete_permission(request))
                    if issubclass(model, AppendOnlyRow):
                        self.assertFalse(model_admin.has_change_permission(request))

    def test_D5_the_findings_history_page_still_shows_every_change(self):
        response = self.client.get(f"/admin/compliance/finding/{self.finding.pk}/history/")
        self.assertEqual(response.status_code, 200)
