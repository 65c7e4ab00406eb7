"""Admin registrations, the role groups migration and the refusal to delete users."""

from django.contrib.auth.models import Group

from compliance.core.models import User
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
