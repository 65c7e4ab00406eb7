"""Lockout until an administrator unlocks (SECURITY.md A4 (1)-(6)) and throttling by address (A4a).

Every sign-in here posts allauth's real forms (django-axes needs the request).
"""

from datetime import timedelta

import time_machine
from django.urls import reverse

from compliance.accounts.lockout import LOCKED_MESSAGE
from compliance.accounts.services import person_unlock
from compliance.core.models import AccountEvent, User
from compliance.core.roles import Role
from tests.base import PASSWORD, BaseTestCase, enrol_totp, make_user, totp_code

WRONG = "not the password at all"


class LockoutTests(BaseTestCase):
    def setUp(self):
        self.person = make_user("locky", agency=self.agency_a, role=Role.STAFF)

    def post_password(self, password, username="locky", client=None):
        return (client or self.client).post(reverse("account_login"), {"login": username, "password": password})

    def fail_times(self, times, username="locky"):
        for _ in range(times):
            response = self.post_password(WRONG, username)
            self.assertIn(response.status_code, (200, 403, 429))

    def assert_signed_in(self, response):
        """The right password passed: allauth moves on (to the code step or enrolment), never re-shows the form."""
        self.assertEqual(response.status_code, 302, response.content[:300])
        self.assertNotIn(reverse("account_login"), response["Location"])

    def test_A4_1_five_failures_lock_the_account_even_for_the_right_password(self):
        self.fail_times(5)
        response = self.post_password(PASSWORD)
        self.assertContains(response, LOCKED_MESSAGE.split(".")[0], status_code=200)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.person.refresh_from_db()
        self.assertIsNotNone(self.person.locked_at)

    def test_A4_the_fifth_failure_answers_with_the_locked_page(self):
        self.fail_times(4)
        response = self.post_password(WRONG)
        self.assertContains(response, "Ask your agency administrator", status_code=429)

    def test_A4_2_still_locked_after_sixteen_minutes(self):
        self.fail_times(5)
        with time_machine.travel(timedelta(minutes=16)):
            response = self.post_password(PASSWORD)
        self.assertContains(response, "Ask your agency administrator", status_code=200)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_A4_3_administrator_unlock_lets_the_person_sign_in(self):
        self.fail_times(5)
        self.person.refresh_from_db()
        person_unlock(actor=self.admin_a, request=None, user=self.person)
        self.assert_signed_in(self.post_password(PASSWORD))
        self.assertEqual(AccountEvent.objects.filter(target=self.person, action="unlocked").count(), 1)

    def test_A4_4_the_window_rolls_four_failures_then_sixteen_minutes_then_one(self):
        self.fail_times(4)
        with time_machine.travel(timedelta(minutes=16)):
            self.fail_times(1)
            self.person.refresh_from_db()
            self.assertIsNone(self.person.locked_at)
            self.assert_signed_in(self.post_password(PASSWORD))

    def test_A4_5_the_lockout_writes_one_audit_row(self):
        self.fail_times(5)
        self.fail_times(2)  # further tries do not lock again
        rows = AccountEvent.objects.filter(target=self.person, action="locked")
        self.assertEqual(rows.count(), 1)
        row = rows.get()
        self.assertIsNone(row.actor)
        self.assertEqual((row.agency, row.ip_address), (self.agency_a, "127.0.0.1"))

    def test_A4_6_failed_authenticator_codes_count(self):
        enrol_totp(self.person)
        response = self.post_password(PASSWORD)
        self.assertEqual(response["Location"], reverse("mfa_authenticate"))
        for _ in range(5):
            self.client.post(reverse("mfa_authenticate"), {"code": "000000"})
        self.person.refresh_from_db()
        self.assertIsNotNone(self.person.locked_at)
        # The code step refuses the right code now, and so does a new sign-in with the right password.
        refused = self.client.post(reverse("mfa_authenticate"), {"code": totp_code()})
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertContains(refused, "Ask your agency administrator")
        fresh = self.client_class()
        self.assertContains(self.post_password(PASSWORD, client=fresh), "Ask your agency administrator")

    def test_A4a_one_address_failing_across_40_usernames_is_throttled_without_locking_them(self):
        for number in range(40):
            make_user(f"crowd{number:02d}", agency=self.agency_a, role=Role.STAFF)
        responses = [self.post_password(WRONG, f"crowd{number:02d}") for number in range(40)]
        statuses = [response.status_code for response in responses]
        self.assertIn(429, statuses)
        self.assertEqual(statuses.index(429), 30)  # allauth's "login" limit: 30 posts per address per 15 minutes
        # A page that says what happened and what to do (allauth's handler429), not the search-limit page's blanks.
        self.assertContains(responses[30], "Too many sign-in, password-reset or code attempts", status_code=429)
        self.assertNotContains(responses[30], "You have made", status_code=429)
        self.assertFalse(User.objects.filter(username__startswith="crowd", locked_at__isnull=False).exists())
        other_address = self.client_class(REMOTE_ADDR="10.0.0.9")
        self.assert_signed_in(self.post_password(PASSWORD, "crowd00", client=other_address))

    def test_A4_admin_sign_in_failures_count_too(self):
        response = self.client.get("/admin/login/")
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("account_login")))
        self.fail_times(5)
        self.person.refresh_from_db()
        self.assertIsNotNone(self.person.locked_at)
