"""Account events and denied requests in the audit trail (SECURITY.md D1, D2).

Each event is performed through the real pages (allauth's forms, django-axes' lockout) and
must leave exactly one new row of its kind, with the fields D2 asks for.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from compliance.core.models import AccessLog
from tests.base import PASSWORD, TOTP_SECRET, BaseTestCase, enrol_totp, sign_in, totp_code
from tests.incidents.helpers import make_detainer

Action = AccessLog.Action
Outcome = AccessLog.Outcome
LOGIN = reverse("account_login")


class AccountEventTests(BaseTestCase):
    def setUp(self):
        cache.clear()  # allauth's and axes' counters

    def rows(self, action):
        return list(AccessLog.objects.filter(action=action).order_by("pk"))

    def password_step(self, username, password=PASSWORD):
        return self.client.post(LOGIN, {"login": username, "password": password})

    def signed_in_recently(self, user):
        """Signed in, then re-authenticated with the password (allauth asks it before MFA changes: B5)."""
        sign_in(self.client, user)
        response = self.client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        self.assertEqual(response.status_code, 302)

    def sign_in_with_both_factors(self, user):
        enrol_totp(user)
        response = self.password_step(user.username)
        self.assertRedirects(response, reverse("mfa_authenticate"), fetch_redirect_response=False)
        return self.client.post(reverse("mfa_authenticate"), {"code": totp_code(TOTP_SECRET)})

    def test_D1_sign_in_success_writes_one_row(self):
        self.sign_in_with_both_factors(self.staff_a)
        [row] = self.rows(Action.SIGN_IN)
        self.assertEqual(
            (row.user, row.username, row.outcome, row.agency, row.ip_address),
            (self.staff_a, "staff_a", Outcome.SUCCESS, self.agency_a, "127.0.0.1"),
        )

    def test_D1_sign_in_password_step_alone_writes_no_success_row(self):
        enrol_totp(self.staff_a)
        self.password_step("staff_a")
        self.assertEqual(self.rows(Action.SIGN_IN), [])

    def test_D1_sign_in_failure_wrong_password_writes_one_row(self):
        self.password_step("staff_a", "wrong password")
        [row] = self.rows(Action.SIGN_IN)
        self.assertEqual(
            (row.user, row.username, row.outcome, row.agency, row.view_name),
            (self.staff_a, "staff_a", Outcome.FAILURE, self.agency_a, "account_login"),
        )

    def test_D1_sign_in_failure_unknown_username_keeps_the_typed_name(self):
        self.password_step("nobody_here", "wrong password")
        [row] = self.rows(Action.SIGN_IN)
        self.assertEqual(
            (row.user, row.username, row.outcome, row.agency), (None, "nobody_here", Outcome.FAILURE, None)
        )

    def test_D1_no_password_is_ever_stored(self):
        self.password_step("staff_a", "s3cret-typed-by-mistake")
        values = AccessLog.objects.values_list("username", "path", "view_name", "session_hash")
        self.assertNotIn("s3cret", repr(list(values)))

    def test_D1_sign_out_writes_one_row(self):
        sign_in(self.client, self.staff_a)
        self.client.post(reverse("account_logout"))
        [row] = self.rows(Action.SIGN_OUT)
        self.assertEqual((row.user, row.outcome, row.agency), (self.staff_a, Outcome.SUCCESS, self.agency_a))

    def test_D1_sign_out_without_a_session_writes_nothing(self):
        self.client.post(reverse("account_logout"))
        self.assertEqual(self.rows(Action.SIGN_OUT), [])

    # allauth calls authenticate(username=...): django-axes must read "username" from the credentials
    # (main's AXES_USERNAME_FORM_FIELD = "login" reads None, so nothing locks: reported to the lockout work).
    @override_settings(AXES_USERNAME_FORM_FIELD="username")
    def test_D1_lockout_writes_a_row_when_the_fifth_failure_locks(self):
        for _ in range(4):
            self.password_step("staff_a", "wrong password")
        self.assertEqual(self.rows(Action.LOCKED_OUT), [])
        self.password_step("staff_a", "wrong password")
        [row] = self.rows(Action.LOCKED_OUT)
        self.assertEqual(
            (row.user, row.username, row.outcome, row.agency), (self.staff_a, "staff_a", Outcome.DENIED, self.agency_a)
        )
        self.assertEqual(len(self.rows(Action.SIGN_IN)), 5)  # five failed sign-ins, each its own row

    def test_D1_mfa_added_writes_one_row(self):
        self.signed_in_recently(self.staff_a)
        Authenticator.objects.filter(user=self.staff_a).delete()
        # The session passed its second factor; adding an authenticator app again through allauth's page.
        response = self.client.get(reverse("mfa_activate_totp"))
        self.assertEqual(response.status_code, 200)
        secret = self.client.session["mfa.totp.secret"]
        with self.captureOnCommitCallbacks(execute=True):  # allauth sends its MFA signals on commit
            self.client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
        # The app, and the recovery codes allauth creates with the first one: one row per authenticator.
        added = self.rows(Action.MFA_ADDED)
        self.assertEqual(len(added), Authenticator.objects.filter(user=self.staff_a).count())
        self.assertEqual(
            {(r.user, r.outcome, r.agency) for r in added}, {(self.staff_a, Outcome.SUCCESS, self.agency_a)}
        )

    def test_D1_mfa_added_refused_code_writes_no_added_row(self):
        self.signed_in_recently(self.staff_a)
        Authenticator.objects.filter(user=self.staff_a).delete()
        self.client.get(reverse("mfa_activate_totp"))
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("mfa_activate_totp"), {"code": "000000"})
        self.assertEqual(self.rows(Action.MFA_ADDED), [])

    def test_D1_mfa_reset_writes_one_row(self):
        self.signed_in_recently(self.staff_a)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("mfa_generate_recovery_codes"))
        [row] = self.rows(Action.MFA_RESET)
        self.assertEqual((row.user, row.agency), (self.staff_a, self.agency_a))

    def test_D1_mfa_removed_writes_one_row(self):
        self.signed_in_recently(self.staff_a)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("mfa_deactivate_totp"))
        [row] = self.rows(Action.MFA_REMOVED)
        self.assertEqual((row.user, row.agency), (self.staff_a, self.agency_a))

    def test_D1_password_changed_writes_one_row(self):
        sign_in(self.client, self.staff_a)
        self.client.post(
            reverse("account_change_password"),
            {"oldpassword": PASSWORD, "password1": "a new long passphrase 42", "password2": "a new long passphrase 42"},
        )
        [row] = self.rows(Action.PASSWORD_CHANGED)
        self.assertEqual((row.user, row.outcome, row.agency), (self.staff_a, Outcome.SUCCESS, self.agency_a))

    def test_D1_password_change_refused_writes_no_changed_row(self):
        sign_in(self.client, self.staff_a)
        self.client.post(
            reverse("account_change_password"),
            {"oldpassword": "wrong", "password1": "a new long passphrase 42", "password2": "a new long passphrase 42"},
        )
        self.assertEqual(self.rows(Action.PASSWORD_CHANGED), [])


class DeniedRequestTests(BaseTestCase):
    def setUp(self):
        self.detainer_b = make_detainer(self.agency_b, actor=self.staff_b, booking_number="BK-B-9")

    def test_D1_denied_record_of_another_agency_writes_one_row(self):
        sign_in(self.client, self.staff_a)
        url = reverse("incidents:detainer_detail", args=[self.detainer_b.public_id])
        response = self.client.get(url + "?q=Someone")
        self.assertEqual(response.status_code, 404)
        [row] = AccessLog.objects.filter(action=Action.DENIED)
        self.assertEqual(
            (row.user, row.outcome, row.agency, row.path, row.view_name, row.content_type, row.object_id),
            (self.staff_a, Outcome.DENIED, self.agency_a, url, "incidents:detainer_detail", None, None),
        )

    def test_D1_allowed_read_of_own_record_writes_no_denied_row(self):
        sign_in(self.client, self.staff_b)
        response = self.client.get(reverse("incidents:detainer_detail", args=[self.detainer_b.public_id]))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(AccessLog.objects.filter(action=Action.DENIED).exists())

    def test_D1_forbidden_page_writes_one_denied_row(self):
        sign_in(self.client, self.staff_a)
        self.assertEqual(self.client.get(reverse("access_log")).status_code, 403)
        [row] = AccessLog.objects.filter(action=Action.DENIED)
        self.assertEqual((row.user, row.view_name, row.outcome), (self.staff_a, "access_log", Outcome.DENIED))

    def test_D1_a_404_for_a_page_that_names_no_record_writes_nothing(self):
        sign_in(self.client, self.staff_a)
        self.assertEqual(self.client.get("/no-such-page/").status_code, 404)
        self.assertFalse(AccessLog.objects.filter(action=Action.DENIED).exists())


class AuditRowFieldTests(BaseTestCase):
    def test_D2_each_row_says_what_when_where_source_outcome_who_and_session(self):
        detainer = make_detainer(self.agency_a, actor=self.staff_a, booking_number="BK-A-9")
        sign_in(self.client, self.staff_a)
        self.client.get(reverse("incidents:detainer_detail", args=[detainer.public_id]))
        row = AccessLog.objects.get(action=Action.VIEW)
        for field in ("action", "at", "path", "view_name", "ip_address", "outcome", "user_id", "agency_id"):
            with self.subTest(field=field):
                self.assertTrue(getattr(row, field), field)
        self.assertEqual((row.content_type.model, row.object_id), ("detainer", detainer.pk))
        self.assertEqual(len(row.session_hash), 64)
        self.assertNotIn(self.client.session.session_key, row.session_hash)
        self.assertIsNotNone(row.at.tzinfo)

    def test_D2_rows_of_one_session_share_its_hash_and_another_session_differs(self):
        detainer = make_detainer(self.agency_a, actor=self.staff_a, booking_number="BK-A-9")
        url = reverse("incidents:detainer_detail", args=[detainer.public_id])
        sign_in(self.client, self.staff_a)
        self.client.get(url)
        self.client.get(url)
        sign_in(self.client_class(), self.staff_a)
        other = self.client_class()
        sign_in(other, self.supervisor_a)
        other.get(url)
        hashes = list(
            AccessLog.objects.filter(action=Action.VIEW).order_by("pk").values_list("session_hash", flat=True)
        )
        self.assertEqual(hashes[0], hashes[1])
        self.assertNotEqual(hashes[0], hashes[2])

    def test_D5_rows_cannot_be_deleted(self):
        sign_in(self.client, self.staff_a)
        self.client.get(reverse("access_log"))
        row = AccessLog.objects.first()
        with self.assertRaises(PermissionError):
            row.delete()
