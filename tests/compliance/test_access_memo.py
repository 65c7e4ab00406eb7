"""One answer per request to "which agencies may this user …" (``compliance.core.access``, the signed-in floor).

Within a request the first question about a user reads every agency permission they hold (one
query); the page, the header's notifications badge and the administrator's nav link then ask
without a query. The memo must give guardian's answers exactly, forget them when a permission or a
group membership changes (even within the request), never outlive its request, and be absent
outside requests (jobs, the shell), where guardian is asked each time as before.
"""

from django.contrib.auth.models import Group
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm, get_objects_for_user

from compliance.core import access
from compliance.core.models import Agency
from compliance.core.roles import Role, role_grant, role_revoke
from tests.base import BaseTestCase, make_user, sign_in

NOTIFICATIONS = "/roster/notifications/"


def in_request(function):
    """Run ``function()`` inside ``AccessMemoMiddleware`` as a request would; its result."""
    result = {}

    def view(request):
        result["value"] = function()
        return HttpResponse()

    access.AccessMemoMiddleware(view)(RequestFactory().get("/"))
    return result["value"]


def guardian_ids(user, perm) -> set[int]:
    return set(
        get_objects_for_user(user, f"compliance.{perm}", klass=Agency, accept_global_perms=False).values_list(
            "pk", flat=True
        )
    )


class AccessMemoAnswersTests(BaseTestCase):
    def test_the_memo_gives_guardians_answer_for_every_persona_and_permission(self):
        group_member = make_user("group_member")
        group = Group.objects.create(name="Invented group with an object permission")
        assign_perm(f"compliance.{access.REVIEW}", group, self.agency_b)
        group_member.groups.add(group)
        people = [
            self.staff_a, self.supervisor_a, self.admin_a, self.auditor_a, self.auditor, self.staff_b,
            self.supervisor_b, self.outsider, group_member,
        ]  # fmt: skip
        for person in people:
            for perm in access.ALL_PERMS:
                with self.subTest(person=person.username, perm=perm):
                    expected = guardian_ids(person, perm)
                    self.assertEqual(in_request(lambda: set(access.agency_ids_for(person, perm))), expected)  # noqa: B023
                    self.assertEqual(
                        in_request(lambda: set(access.agencies_for(person, perm).values_list("pk", flat=True))),  # noqa: B023
                        expected,
                    )
        self.assertEqual(in_request(lambda: access.agency_ids_for(group_member, access.REVIEW)), {self.agency_b.pk})

    def test_one_query_answers_every_question_about_a_user_in_a_request(self):
        def questions():
            with CaptureQueriesContext(connection) as queries:
                answers = [
                    access.holds_anywhere(self.auditor, access.VIEW),
                    access.can(self.auditor, access.EXPORT, self.agency_b),
                    access.can(self.auditor, access.CHANGE, self.agency_a),
                    access.holds_anywhere(self.auditor, access.ADMINISTER),
                    sorted(access.agency_ids_for(self.auditor, access.VIEW)),
                ]
            return answers, len(queries.captured_queries)

        answers, count = in_request(questions)
        self.assertEqual(answers, [True, True, False, False, sorted([self.agency_a.pk, self.agency_b.pk])])
        self.assertEqual(count, 1)

    def test_a_role_granted_or_revoked_within_the_request_is_seen_at_once(self):
        def grant_then_revoke():
            before = set(access.agency_ids_for(self.staff_a, access.VIEW))
            role_grant(user=self.staff_a, agency=self.agency_b, role=Role.STAFF)
            granted = set(access.agency_ids_for(self.staff_a, access.VIEW))
            role_revoke(user=self.staff_a, agency=self.agency_a)
            revoked = set(access.agency_ids_for(self.staff_a, access.VIEW))
            return before, granted, revoked

        before, granted, revoked = in_request(grant_then_revoke)
        self.assertEqual(before, {self.agency_a.pk})
        self.assertEqual(granted, {self.agency_a.pk, self.agency_b.pk})
        self.assertEqual(revoked, {self.agency_b.pk})

    def test_joining_a_group_with_object_permissions_within_the_request_is_seen_at_once(self):
        group = Group.objects.create(name="Invented reviewers of B")
        assign_perm(f"compliance.{access.REVIEW}", group, self.agency_b)

        def join():
            before = access.can(self.staff_a, access.REVIEW, self.agency_b)
            self.staff_a.groups.add(group)
            return before, access.can(self.staff_a, access.REVIEW, self.agency_b)

        self.assertEqual(in_request(join), (False, True))

    def test_outside_a_request_every_question_asks_guardian(self):
        with CaptureQueriesContext(connection) as queries:
            self.assertTrue(access.can(self.staff_a, access.VIEW, self.agency_a))
            self.assertTrue(access.can(self.staff_a, access.VIEW, self.agency_a))
        asked = [query for query in queries.captured_queries if "guardian_userobjectpermission" in query["sql"]]
        self.assertEqual(len(asked), 2)

    def test_inactive_and_anonymous_users_hold_nothing_and_a_superuser_every_agency(self):
        self.staff_a.is_active = False
        root = make_user("root")
        root.is_superuser = True
        self.assertEqual(in_request(lambda: access.agency_ids_for(self.staff_a, access.VIEW)), frozenset())
        self.assertEqual(
            in_request(lambda: set(access.agency_ids_for(root, access.ADMINISTER))),
            set(Agency.objects.values_list("pk", flat=True)),
        )


class AccessMemoRequestTests(BaseTestCase):
    def test_a_revocation_between_two_requests_is_seen_by_the_second(self):
        sign_in(self.client, self.staff_a)
        self.assertContains(self.client.get(NOTIFICATIONS), "Notifications")
        self.assertEqual(self.client.get("/roster/").status_code, 200)
        role_revoke(user=self.staff_a, agency=self.agency_a)
        self.assertEqual(self.client.get("/roster/").status_code, 404)

    def test_the_signed_in_floor_takes_a_fixed_number_of_queries(self):
        """The trivial page (one's notifications, none here): the session, the user, their agency permissions
        (one query for every question of the request), the page's count, the header's groups and agency, the
        badge's count. No "may administer" query (the memo answers), and no session write: signing in has just
        saved it (``compliance.core.sessions``: at most once a minute)."""
        sign_in(self.client, self.admin_a)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(NOTIFICATIONS)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'data-testid="nav-people"')  # the administrator's link, from the memo
        self.assertContains(response, "Reminder settings")  # the page's own "may administer", from the memo
        statements = [query["sql"] for query in queries.captured_queries]
        self.assertEqual(len(statements), 7, "\n".join(statements))
        self.assertEqual(sum("guardian_userobjectpermission" in sql for sql in statements), 1)
        self.assertFalse([sql for sql in statements if sql.startswith(("UPDATE", "INSERT"))])
