"""The people pages of an agency administrator (SECURITY.md A9, A10, C5, C7; issue "People, managed by the agency")."""

import re
import time
from datetime import timedelta

import time_machine
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.usersessions.models import UserSession
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import get_perms

from compliance.accounts.invitations import INVITATION_TIMEOUT
from compliance.core import access
from compliance.core.models import AccountEvent, User
from compliance.core.roles import Role
from tests.base import PASSWORD, BaseTestCase, make_user, sign_in


def reauthenticated(client, user) -> None:
    """Sign ``user`` in on ``client`` with a password re-entered just now (what allauth's reauthentication records)."""
    sign_in(client, user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY].append(
        {"method": "password", "at": time.time(), "username": user.username, "reauthenticated": True}
    )
    session.save()


def events(user, action=None):
    rows = AccountEvent.objects.filter(target=user)
    return rows.filter(action=action) if action else rows


class PeoplePageTests(BaseTestCase):
    def setUp(self):
        reauthenticated(self.client, self.admin_a)

    def test_list_shows_people_of_the_administrators_agency_only(self):
        response = self.client.get(reverse("people:list"))
        self.assertEqual(response.status_code, 200)
        usernames = re.findall(r'data-username="([^"]+)"', response.content.decode())
        self.assertEqual(usernames, ["admin_a", "auditor", "auditor_a", "staff_a", "supervisor_a"])
        self.assertContains(response, "Agency staff in Alder County Sheriff")
        self.assertContains(response, 'data-testid="nav-people"')

    def test_people_link_only_for_administrators(self):
        sign_in(self.client, self.supervisor_a)
        self.assertNotContains(self.client.get(reverse("dashboard")), 'data-testid="nav-people"')

    def test_foreign_user_answers_404(self):
        for name in ("detail", "deactivate", "unlock", "role"):
            method = self.client.get if name == "detail" else self.client.post
            self.assertEqual(method(reverse(f"people:{name}", args=[self.staff_b.pk])).status_code, 404, name)
        self.staff_b.refresh_from_db()
        self.assertTrue(self.staff_b.is_active)

    def test_C5_staff_calling_people_pages_is_refused_and_recorded(self):
        sign_in(self.client, self.staff_a)
        before = AccountEvent.objects.filter(action="denied").count()
        self.assertEqual(self.client.get(reverse("people:list")).status_code, 403)
        self.assertEqual(self.client.post(reverse("people:deactivate", args=[self.supervisor_a.pk])).status_code, 403)
        self.assertEqual(self.client.post(reverse("people:unlock", args=[self.supervisor_a.pk])).status_code, 403)
        denied = AccountEvent.objects.filter(action="denied").order_by("pk")[before:]
        self.assertEqual([row.actor for row in denied], [self.staff_a] * 3)
        self.supervisor_a.refresh_from_db()
        self.assertTrue(self.supervisor_a.is_active)

    def test_C5_administrator_use_is_recorded_with_actor_and_target(self):
        response = self.client.post(reverse("people:deactivate", args=[self.staff_a.pk]))
        self.assertRedirects(response, reverse("people:detail", args=[self.staff_a.pk]))
        row = events(self.staff_a).get()
        self.assertEqual((row.action, row.actor, row.target), ("deactivated", self.admin_a, self.staff_a))
        self.assertEqual(row.ip_address, "127.0.0.1")

    def test_A10_each_change_writes_exactly_one_row_shown_on_the_users_page(self):
        self.client.post(
            reverse("people:invite"),
            {
                "username": "newbie",
                "first_name": "Nia",
                "last_name": "Ngata",
                "email": "nia@example.test",
                "agency": self.agency_a.pk,
                "role": Role.STAFF,
            },
        )
        newbie = User.objects.get(username="newbie")
        self.assertEqual(events(newbie, "invited").count(), 1)
        self.client.post(
            reverse("people:role", args=[newbie.pk]), {"role-agency": self.agency_a.pk, "role-role": Role.SUPERVISOR}
        )
        self.assertEqual(events(newbie, "role_changed").count(), 1)
        self.client.post(reverse("people:deactivate", args=[newbie.pk]))
        self.assertEqual(events(newbie, "deactivated").count(), 1)
        self.client.post(reverse("people:reactivate", args=[newbie.pk]))
        self.assertEqual(events(newbie, "reactivated").count(), 1)
        self.assertEqual(events(newbie).count(), 4)
        for row in events(newbie):
            self.assertEqual((row.actor, row.target), (self.admin_a, newbie))
            self.assertIsNotNone(row.at)
        page = self.client.get(reverse("people:detail", args=[newbie.pk])).content.decode()
        self.assertEqual(
            re.findall(r'data-testid="account-event" data-action="([^"]+)"', page),
            ["reactivated", "deactivated", "role_changed", "invited"],
        )

    def test_invitation_link_sets_a_password_once(self):
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("people:invite"),
                {
                    "username": "invitee",
                    "first_name": "Ivo",
                    "last_name": "Ito",
                    "email": "ivo@example.test",
                    "agency": self.agency_a.pk,
                    "role": Role.STAFF,
                },
            )
        invitee = User.objects.get(username="invitee")
        self.assertRedirects(response, reverse("people:detail", args=[invitee.pk]))
        self.assertFalse(invitee.has_usable_password())
        self.assertEqual(set(get_perms(invitee, self.agency_a)), {"change_records", "view_records"})
        self.assertEqual(len(mail.outbox), 1)
        self.assertNotIn("Ivo", mail.outbox[0].body)
        path = re.search(r"https?://[^/]+(/people/invitation/\S+)", mail.outbox[0].body).group(1)
        anonymous = self.client_class()
        self.assertContains(anonymous.get(path), "Set your password")
        weak = anonymous.post(path, {"password1": "short", "password2": "short"})
        self.assertContains(weak, "too short", status_code=200)
        done = anonymous.post(path, {"password1": PASSWORD, "password2": PASSWORD})
        self.assertRedirects(done, reverse("account_login"), fetch_redirect_response=False)
        invitee.refresh_from_db()
        self.assertTrue(invitee.check_password(PASSWORD))
        created = events(invitee, "created").get()
        self.assertEqual((created.actor, created.agency), (invitee, self.agency_a))
        self.assertEqual(anonymous.get(path).status_code, 404)  # single use
        self.assertEqual(anonymous.post(path, {"password1": "x" * 20, "password2": "x" * 20}).status_code, 404)

    def test_invitation_link_dies_after_48_hours(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                reverse("people:invite"),
                {
                    "username": "late",
                    "first_name": "L",
                    "last_name": "Ate",
                    "email": "late@example.test",
                    "agency": self.agency_a.pk,
                    "role": Role.STAFF,
                },
            )
        path = re.search(r"https?://[^/]+(/people/invitation/\S+)", mail.outbox[0].body).group(1)
        anonymous = self.client_class()
        with time_machine.travel(timedelta(seconds=INVITATION_TIMEOUT - 60)):
            self.assertEqual(anonymous.get(path).status_code, 200)
        with time_machine.travel(timedelta(seconds=INVITATION_TIMEOUT + 60)):
            self.assertEqual(anonymous.get(path).status_code, 404)

    def test_cannot_grant_more_than_held_nor_in_another_agency_nor_own_role(self):
        url = reverse("people:role", args=[self.staff_a.pk])
        response = self.client.post(url, {"role-agency": self.agency_b.pk, "role-role": Role.STAFF})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(get_perms(self.staff_a, self.agency_b), [])
        supervisor = make_user("sup_admin_probe", agency=self.agency_a, role=Role.SUPERVISOR)
        reauthenticated(self.client, supervisor)
        self.assertEqual(
            self.client.post(url, {"role-agency": self.agency_a.pk, "role-role": Role.ADMINISTRATOR}).status_code, 403
        )
        reauthenticated(self.client, self.admin_a)
        own = self.client.post(
            reverse("people:role", args=[self.admin_a.pk]), {"role-agency": self.agency_a.pk, "role-role": Role.STAFF}
        )
        self.assertContains(own, "cannot change your own role", status_code=400)
        self.assertTrue(access.can(self.admin_a, access.ADMINISTER, self.agency_a))
        own = self.client.post(reverse("people:deactivate", args=[self.admin_a.pk]))
        self.assertContains(own, "cannot deactivate your own account", status_code=400)
        self.assertEqual(events(self.admin_a).count(), 0)

    def test_role_change_needs_a_recent_sign_in(self):
        with time_machine.travel(timezone.now() + timedelta(seconds=301)):
            response = self.client.post(
                reverse("people:role", args=[self.staff_a.pk]),
                {"role-agency": self.agency_a.pk, "role-role": Role.SUPERVISOR},
            )
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("account_reauthenticate"), response["Location"])
        self.assertEqual(set(get_perms(self.staff_a, self.agency_a)), {"change_records", "view_records"})

    def test_move_ends_the_old_grants_at_once(self):
        admin_ab = make_user(
            "admin_ab", agency=self.agency_a, role=Role.ADMINISTRATOR, agencies=[self.agency_a, self.agency_b]
        )
        reauthenticated(self.client, admin_ab)
        mover = make_user("mover", agency=self.agency_a, role=Role.STAFF)
        response = self.client.post(
            reverse("people:move", args=[mover.pk]),
            {"move-from_agency": self.agency_a.pk, "move-to_agency": self.agency_b.pk, "move-role": Role.SUPERVISOR},
        )
        self.assertRedirects(response, reverse("people:detail", args=[mover.pk]))
        mover.refresh_from_db()
        self.assertEqual(get_perms(mover, self.agency_a), [])
        self.assertEqual(
            set(get_perms(mover, self.agency_b)), {"view_records", "change_records", "review_records", "export_reports"}
        )
        self.assertEqual(mover.home_agency, self.agency_b)
        self.assertEqual(mover.role_names, [Role.SUPERVISOR])
        row = events(mover).get()
        self.assertEqual((row.action, row.agency), ("moved", self.agency_b))

    def test_A9_deactivation_ends_every_session_at_once(self):
        victim_client = self.client_class()
        sign_in(victim_client, self.staff_a)
        self.assertEqual(victim_client.get(reverse("dashboard")).status_code, 200)
        warm_up = make_user(
            "warm_up", agency=self.agency_a, role=Role.STAFF
        )  # first-request costs kept out of the figure
        self.client.post(reverse("people:deactivate", args=[warm_up.pk]))
        started = time.perf_counter()
        self.client.post(reverse("people:deactivate", args=[self.staff_a.pk]))
        response = victim_client.get(reverse("dashboard"))
        elapsed = time.perf_counter() - started
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("account_login")))
        self.assertFalse(UserSession.objects.filter(user=self.staff_a).exists())
        self.assertLess(elapsed, 1.0)

    def test_C7_revoked_role_is_denied_on_the_next_request_of_the_same_session(self):
        victim_client = self.client_class()
        sign_in(victim_client, self.supervisor_a)
        self.assertEqual(victim_client.get(reverse("access_log")).status_code, 200)
        self.client.post(
            reverse("people:role", args=[self.supervisor_a.pk]),
            {"role-agency": self.agency_a.pk, "role-role": Role.STAFF},
        )
        self.assertEqual(victim_client.get(reverse("access_log")).status_code, 403)

    def test_unlock_clears_the_lock(self):
        User.objects.filter(pk=self.staff_a.pk).update(locked_at=timezone.now())
        page = self.client.get(reverse("people:detail", args=[self.staff_a.pk]))
        self.assertContains(page, 'data-testid="unlock"')
        self.client.post(reverse("people:unlock", args=[self.staff_a.pk]))
        self.staff_a.refresh_from_db()
        self.assertIsNone(self.staff_a.locked_at)
        self.assertEqual(events(self.staff_a, "unlocked").count(), 1)

    def test_invite_form_errors_are_next_to_the_fields(self):
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("people:invite"), {"username": "staff_a", "email": "nope", "role": Role.STAFF}
            )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'data-testid="error-summary"')
        self.assertContains(response, "This username is taken")
        self.assertContains(response, 'id="id_email-error"')
        self.assertEqual(User.objects.filter(username__startswith="staff_a").count(), 1)
