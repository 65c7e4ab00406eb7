"""Case A2: a deleted object leaves no guardian object permissions behind (compliance.core.signals)."""

from io import StringIO

from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db.models import ProtectedError
from guardian.ctypes import get_content_type
from guardian.models import GroupObjectPermission, UserObjectPermission
from guardian.shortcuts import assign_perm

from compliance.core import access
from compliance.core.models import Agency, Agreement, AgreementModel
from compliance.core.roles import Role, role_grant
from tests.base import BaseTestCase, make_user
from tests.training.helpers import make_course, make_officer
from training.roster.models import Course, Officer


def permission_rows(obj, pk=None) -> int:
    """User and group object-permission rows pointing at ``obj``'s content type and key."""
    lookup = {"content_type": get_content_type(obj), "object_pk": str(pk if pk is not None else obj.pk)}
    return (
        UserObjectPermission.objects.filter(**lookup).count() + GroupObjectPermission.objects.filter(**lookup).count()
    )


def orphan_sweep() -> str:
    out = StringIO()
    call_command("clean_orphan_obj_perms", stdout=out)
    return out.getvalue()


class OrphanPermissionTests(BaseTestCase):
    def setUp(self):
        self.agency = Agency.objects.create(
            name="Dogwood Township Police", state="OH", county="Dogwood County", time_zone="America/New_York"
        )
        # The user's home agency is agency A, so nothing but the grants points at the new agency.
        self.user = make_user("grantee", agency=self.agency_a, role=Role.STAFF)
        role_grant(user=self.user, agency=self.agency, role=Role.SUPERVISOR)
        self.group = Group.objects.create(name="Regional reviewers")
        assign_perm("compliance.view_records", self.group, self.agency)

    def test_case_A2_deleted_agency_leaves_no_object_permissions(self):
        pk = self.agency.pk
        others = UserObjectPermission.objects.exclude(object_pk=str(pk)).count()
        self.assertEqual(permission_rows(self.agency), 5)  # four supervisor permissions and one group permission

        self.agency.delete()

        self.assertEqual(permission_rows(Agency, pk), 0)
        self.assertEqual(UserObjectPermission.objects.count(), others)  # grants on other agencies untouched
        self.assertTrue(access.can(self.user, access.CHANGE, self.agency_a))
        self.assertEqual(orphan_sweep(), "Removed 0 object permission entries with no targets\n")
        # A new agency given the old key inherits nothing (the reason orphans matter).
        reused = Agency.objects.create(pk=pk, name="Elm Village Police", state="OH", time_zone="America/New_York")
        self.assertFalse(access.can(self.user, access.VIEW, reused))
        self.assertNotIn(reused, access.agencies_for(self.user))

    def test_an_agency_with_records_cannot_be_deleted_and_keeps_its_permissions(self):
        Agreement.objects.create(agency=self.agency, model=AgreementModel.WSO)

        with self.assertRaises(ProtectedError):
            self.agency.delete()

        self.assertEqual(permission_rows(self.agency), 5)
        self.assertTrue(access.can(self.user, access.REVIEW, self.agency))

    def test_case_A2_deleted_generic_object_leaves_no_object_permissions(self):
        course = make_course(self.agency_a, "UOF", required=False)
        assign_perm("training.view_course", self.user, course)
        assign_perm("training.change_course", self.group, course)
        pk = course.pk
        self.assertEqual(permission_rows(course), 2)

        course.delete()

        self.assertEqual(permission_rows(Course, pk), 0)
        self.assertEqual(orphan_sweep(), "Removed 0 object permission entries with no targets\n")

    def test_case_A2_queryset_delete_and_cascades_clean_up_too(self):
        officers = [make_officer(self.agency_a, f"A-{n}") for n in range(3)]
        for officer in officers:
            assign_perm("training.view_officer", self.user, officer)
        doomed = [officer.pk for officer in officers[:2]]

        Officer.objects.filter(pk__in=doomed).delete()

        for pk in doomed:
            self.assertEqual(permission_rows(Officer, pk), 0)
        self.assertEqual(permission_rows(officers[2]), 1)  # the kept officer keeps its permission
        self.assertEqual(orphan_sweep(), "Removed 0 object permission entries with no targets\n")

    def test_the_sweep_would_find_a_permission_left_by_a_delete_that_skips_signals(self):
        # Control: a raw SQL delete sends no signal, so the orphan stays and the sweep finds it.
        course = make_course(self.agency_a, "UOF", required=False)
        assign_perm("training.view_course", self.user, course)
        Course.objects.filter(pk=course.pk)._raw_delete(Course.objects.db)

        self.assertEqual(permission_rows(Course, course.pk), 1)
        self.assertEqual(orphan_sweep(), "Removed 1 object permission entries with no targets\n")
