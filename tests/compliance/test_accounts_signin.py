"""Signing in with two factors through allauth's real pages (SECURITY.md A1-A4, A11, B3, B8).

The personas sign in by posting the forms (tests/compliance/accounts_flows.py), never
through ``tests.base.sign_in``: these tests are about the sign-in itself.
"""

import re
import uuid
from datetime import UTC, datetime

import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RoutePattern
from hypothesis import given
from hypothesis import settings as settings_hypothesis
from hypothesis.extra.django import TestCase as HypothesisTestCase

from compliance.accounts.code_forms import CODE_LABEL, LOCKED_MESSAGE
from compliance.accounts.middleware import ENROLMENT_URL_NAMES
from compliance.core.models import User
from tests.base import PASSWORD, BaseTestCase, enrol_totp, sign_in, totp_code
from tests.compliance.accounts_flows import (
    CODE_URL,
    ENROL_URL,
    LOGIN_URL,
    post_code,
    post_password,
    session_key,
    sign_out,
)
from tests.compliance.test_hostile_forms import hostile_text

# The middle of a 30-second step: the code of this instant stays the same for 15 s either side.
MID_STEP = datetime(2026, 4, 13, 12, 0, 15, tzinfo=UTC)
SAMPLE_BY_CONVERTER = {"uuid": str(uuid.UUID(int=1)), "int": "1", "str": "sample", "slug": "sample", "path": "sample"}


def _regex_sample(body: str) -> str:
    """A value a regular expression group ``body`` matches: its first alternative when it lists words, else a word."""
    return body.split("|")[0] if re.fullmatch(r"[\w|]+", body) else "sample1"


def sample_paths() -> dict[str, str]:
    """Every URL pattern of the site as one concrete path (its parameters filled in), keyed by a readable name.

    Walks the resolver: ``path()`` converters get a sample value of their type; a regular
    expression's named groups get a value its own pattern accepts (admin's app label and
    the like are read from the alternatives). Patterns that cannot be filled are listed
    with the value None, so the test fails on them instead of skipping them.
    """
    paths: dict[str, str] = {}

    def fill(pattern) -> str | None:
        text = str(pattern.pattern)
        if isinstance(pattern.pattern, RoutePattern):
            return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE_BY_CONVERTER[m.group(1) or "str"], text)
        # A regular expression: each group becomes a value it matches.
        text = re.sub(r"\(\?P<\w+>([^()]*)\)", lambda m: _regex_sample(m.group(1)), text)
        text = re.sub(r"\((?!\?)[^()]*\)", "sample1", text)
        text = text.lstrip("^").rstrip("$").replace("\\Z", "").replace(".*", "sample1")  # a catch-all: any path
        return text if re.fullmatch(r"[\w\-./]*", text) else None

    def walk(patterns, prefix: str, namespace: str | None):
        for pattern in patterns:
            piece = fill(pattern)
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or namespace
                walk(pattern.url_patterns, prefix + (piece or ""), f"{inner}" if inner else None)
            elif isinstance(pattern, URLPattern):
                label = f"{namespace}:{pattern.name}" if namespace else str(pattern.name or pattern.pattern)
                paths[f"{label} ({prefix}{pattern.pattern})"] = None if piece is None else "/" + prefix + piece

    walk(get_resolver().url_patterns, "", None)
    return paths


class SecondFactorRequiredTests(BaseTestCase):
    def test_A1_every_url_sends_a_password_only_session_without_an_authenticator_to_enrol(self):
        paths = sample_paths()
        self.assertGreater(len(paths), 150)  # the whole site, not a sample of it
        self.assertEqual([name for name, path in paths.items() if path is None], [])
        # The password form, as a new user would: the account has no authenticator yet.
        self.assertRedirects(post_password(self.client, "staff_a"), "/", fetch_redirect_response=False)
        enrolment = [name for name, path in paths.items() if resolve(path).view_name in ENROLMENT_URL_NAMES]
        # Only sign-out, re-authentication and the enrolment pages (the passkey sign-up page is off: not routed).
        self.assertEqual(len(enrolment), len(ENROLMENT_URL_NAMES - {"mfa_signup_webauthn"}))
        for name, path in paths.items():
            if name in enrolment:
                continue
            with self.subTest(name):
                for method in ("get", "post"):
                    response = getattr(self.client, method)(path)
                    self.assertNotEqual(response.status_code, 200, (method, path))
                    self.assertLess(response.status_code, 500, (method, path))
                    self.assertEqual(response.status_code, 302, (method, path))
                    self.assertEqual(response["Location"], ENROL_URL, (method, path))

    def test_A1_the_enrolment_page_says_why_and_what_to_choose(self):
        post_password(self.client, "staff_a")
        response = self.client.get("/", follow=True)
        self.assertEqual(response.redirect_chain, [(ENROL_URL, 302)])
        reason = response.content.decode()
        self.assertIn("Your agency requires a second factor before you can see any record", reason)
        self.assertIn("An authenticator app", reason)
        self.assertIn("A security key", reason)
        self.assertIn("recovery codes", reason)

    def test_A1_an_enrolled_user_whose_session_never_passed_the_code_is_sent_to_sign_in(self):
        # A password-only session (signed in before the user enrolled elsewhere): no page, not even enrolment.
        post_password(self.client, "staff_a")
        enrol_totp(self.staff_a)
        for path in ("/", reverse("incidents:detainer_list"), ENROL_URL, reverse("mfa_add_webauthn")):
            with self.subTest(path):
                response = self.client.get(path)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].startswith(LOGIN_URL), response["Location"])
                post_password(self.client, "staff_a")
        # Signed out by it: the next request is anonymous.
        self.client.get("/")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_A1_the_password_alone_never_signs_an_enrolled_user_in(self):
        enrol_totp(self.staff_a)
        response = post_password(self.client, "staff_a")
        self.assertRedirects(response, CODE_URL, fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertTrue(self.client.get("/")["Location"].startswith(LOGIN_URL))

    def test_A1_admin_needs_both_factors_and_its_own_login_form_is_not_reachable(self):
        root = User.objects.create_superuser("root", "root@example.test", PASSWORD)
        enrol_totp(root)
        # Django admin's password-only form answers with the app's sign-in, for GET and POST alike.
        for response in (
            self.client.get("/admin/login/"),
            self.client.post("/admin/login/", {"username": "root", "password": PASSWORD}),
        ):
            self.assertEqual(response.status_code, 302)
            self.assertTrue(response["Location"].startswith(LOGIN_URL))
        self.assertNotIn("_auth_user_id", self.client.session)
        post_password(self.client, "root")  # the password alone: the code step is pending
        chain = self.client.get("/admin/", follow=True).redirect_chain
        # To the sign-in, which resumes at the pending code step.
        self.assertEqual(chain[-1][0], CODE_URL, chain)
        post_password(self.client, "root")
        post_code(self.client, totp_code())
        self.assertEqual(self.client.get("/admin/").status_code, 200)


@time_machine.travel(MID_STEP, tick=False)
class CodeTests(BaseTestCase):
    def setUp(self):
        enrol_totp(self.staff_a)

    def test_A2_a_code_works_once(self):
        self.assertEqual(settings.MFA_TOTP_PERIOD, 30)
        code = totp_code()
        post_password(self.client, "staff_a")
        self.assertRedirects(post_code(self.client, code), "/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/").status_code, 200)
        sign_out(self.client)
        post_password(self.client, "staff_a")
        replay = post_code(self.client, code)  # the same 30-second step
        self.assertEqual(replay.status_code, 200)
        self.assertContains(replay, "Incorrect code")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_A2_the_next_steps_code_is_accepted(self):
        post_password(self.client, "staff_a")
        post_code(self.client, totp_code())
        sign_out(self.client)
        with time_machine.travel(MID_STEP.timestamp() + 30, tick=False):
            post_password(self.client, "staff_a")
            self.assertEqual(post_code(self.client, totp_code()).status_code, 302)
            self.assertIn("_auth_user_id", self.client.session)

    def test_recovery_codes_each_work_once(self):
        codes = RecoveryCodes.activate(self.staff_a).get_unused_codes()
        self.assertGreaterEqual(len(codes), 10)
        for code in codes[:2]:
            post_password(self.client, "staff_a")
            self.assertEqual(post_code(self.client, code).status_code, 302)
            self.assertIn("_auth_user_id", self.client.session)
            sign_out(self.client)
        post_password(self.client, "staff_a")
        self.assertContains(post_code(self.client, codes[0]), "Incorrect code")
        self.assertNotIn("_auth_user_id", self.client.session)
        recovery = Authenticator.objects.get(user=self.staff_a, type=Authenticator.Type.RECOVERY_CODES)
        self.assertEqual(len(recovery.wrap().get_unused_codes()), len(codes) - 2)

    def test_A4_five_wrong_codes_after_the_right_password_lock_the_account(self):
        post_password(self.client, "staff_a")
        for attempt in range(1, 6):
            response = post_code(self.client, "000000" if totp_code() != "000000" else "111111")
            self.assertEqual(AccessAttempt.objects.get(username="staff_a").failures_since_start, attempt)
        self.assertNotIn("_auth_user_id", self.client.session)
        request = RequestFactory().post(LOGIN_URL, {"username": "staff_a"})
        self.assertTrue(AxesProxyHandler.is_locked(request, {"username": "staff_a"}))
        # Locked: the right password, in another browser, no longer reaches the code step.
        browser = self.client_class()
        response = post_password(browser, "staff_a")
        self.assertContains(response, LOCKED_MESSAGE)  # locked until an administrator unlocks it (lockout.py)
        self.assertNotIn("_auth_user_id", browser.session)
        self.assertFalse(AxesProxyHandler.is_locked(request, {"username": "staff_b"}))

    def test_A4_a_locked_account_is_refused_at_the_code_step_even_with_the_right_code(self):
        post_password(self.client, "staff_a")
        for _ in range(4):
            post_code(self.client, "000000" if totp_code() != "000000" else "111111")
        # Four failures at the code step and one more elsewhere (a wrong password in another browser).
        self.client_class().post(LOGIN_URL, {"login": "staff_a", "password": "wrong password"})
        self.assertEqual(AccessAttempt.objects.get(username="staff_a").failures_since_start, 5)
        response = post_code(self.client, totp_code())
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertNotEqual(response.status_code, 302)

    def test_A4_the_code_step_names_its_field_and_shows_the_error_next_to_it(self):
        post_password(self.client, "staff_a")
        page = self.client.get(CODE_URL).content.decode()
        self.assertIn(f'<label class="usa-label" for="id_code">{CODE_LABEL}', page)
        wrong = post_code(self.client, "12345x").content.decode()
        self.assertIn('class="usa-error-message" id="id_code-error"', wrong)
        self.assertNotIn(LOCKED_MESSAGE, wrong)


class SessionKeyTests(BaseTestCase):
    def test_B3_the_session_key_changes_at_the_password_and_again_at_the_code(self):
        enrol_totp(self.staff_a)
        session = self.client.session  # a session before signing in (e.g. planted by an attacker)
        session["before"] = True
        session.save()
        before = session_key(self.client)
        post_password(self.client, "staff_a")
        after_password = session_key(self.client)
        post_code(self.client, totp_code())
        after_code = session_key(self.client)
        self.assertEqual(len({before, after_password, after_code}), 3)
        self.assertEqual(self.client.get("/").status_code, 200)


class SettingsTests(BaseTestCase):
    def test_A3_no_email_or_sms_codes(self):
        self.assertIs(settings.ACCOUNT_LOGIN_BY_CODE_ENABLED, False)
        self.assertIs(settings.ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED, False)
        self.assertEqual(sorted(settings.MFA_SUPPORTED_TYPES), ["recovery_codes", "totp", "webauthn"])
        # allauth keeps the code pages' addresses, but with codes off they sign nobody in: back to the password.
        for path in ("/accounts/login/code/confirm/", "/accounts/reauthenticate/code/"):
            response = self.client.post(path, {"code": "123456"})
            self.assertEqual(response.status_code, 302, path)
            self.assertNotIn("_auth_user_id", self.client.session)
        self.assertNotIn("phone", " ".join(sample_paths()))
        self.assertEqual(self.client.get("/accounts/login/code/").status_code, 404)

    def test_B8_trust_this_browser_is_off(self):
        self.assertIs(settings.MFA_TRUST_ENABLED, False)
        enrol_totp(self.staff_a)
        post_password(self.client, "staff_a")
        page = self.client.get(CODE_URL).content.decode()
        self.assertNotIn("Trust", page)
        self.assertEqual(self.client.get("/accounts/2fa/trust/").status_code, 404)


class SignInPageTests(BaseTestCase):
    def test_A11_the_sign_in_page_holds_the_four_system_use_statements(self):
        page = self.client.get(LOGIN_URL).content.decode()
        for statement in (
            "You are accessing a restricted information system.",
            "Use of this system is monitored, recorded and subject to audit.",
            "Unauthorized use is prohibited and subject to criminal and civil penalties.",
            "Use of this system indicates consent to monitoring and recording.",
        ):
            self.assertIn(statement, page)
        self.assertLess(page.index("System use notice"), page.index('name="password"'))


class CodeStepHostileInputTests(HypothesisTestCase, BaseTestCase):
    """Whatever is typed at the code steps: an answer, never a server error, and nobody signed in by it."""

    @given(code=hostile_text())
    @settings_hypothesis(max_examples=15)
    def test_the_sign_in_code_step_refuses_hostile_input_without_a_server_error(self, code):
        enrol_totp(self.staff_a)
        client = self.client_class()
        post_password(client, "staff_a")
        response = post_code(client, code)
        self.assertLess(response.status_code, 500)
        self.assertNotIn("_auth_user_id", client.session)

    @given(code=hostile_text())
    @settings_hypothesis(max_examples=15)
    def test_the_reauthentication_code_refuses_hostile_input_without_a_server_error(self, code):
        client = self.client_class()
        sign_in(client, self.staff_a)
        response = client.post(reverse("mfa_reauthenticate"), {"code": code})
        self.assertLess(response.status_code, 500)
        self.assertNotEqual(response.status_code, 302)
