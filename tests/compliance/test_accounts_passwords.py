"""Password rules and password reset (SECURITY.md A5, A6), through Django's validators and allauth's real pages."""

import re
from datetime import UTC, datetime, timedelta

import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from compliance.accounts.passwords import context_words
from compliance.core.models import User
from tests.base import BaseTestCase, enrol_totp, sign_in, totp_code
from tests.compliance.accounts_flows import CODE_URL, post_code, post_password

NEW_PASSWORD = "plum orchard velvet lantern"


def refusals(password: str, user=None) -> list[str]:
    """The messages the configured validators give for ``password`` (empty when it is accepted)."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        return list(error.messages)
    return []


class PasswordRuleTests(BaseTestCase):
    def test_A5_twelve_characters_at_least(self):
        self.assertIn("This password is too short. It must contain at least 12 characters.", refusals("kx7#qv2!mz9"))
        self.assertEqual(refusals("kx7#qv2!mz9w"), [])

    def test_A5_a_long_passphrase_with_spaces_is_accepted(self):
        passphrase = "the quiet heron waits by the cold river while fog lifts slowly up"[:64]
        self.assertEqual(len(passphrase), 64)
        self.assertEqual(refusals(passphrase, self.staff_a), [])

    def test_A5_no_composition_rules(self):
        self.assertEqual(refusals("correcthorsebatterystaple", self.staff_a), [])
        self.assertEqual(refusals("correct horse battery staple", self.staff_a), [])

    def test_A5_a_common_password_is_refused_saying_why(self):
        self.assertEqual(refusals("password", self.staff_a)[-1], "This password is too common.")
        self.assertEqual(refusals("Password123!", self.staff_a), [
            "This password is too common: it is “password” with digits or symbols added, which is among the first "
            "guesses an attacker tries."
        ])  # fmt: skip
        self.assertTrue(refusals("!!dragon2024", self.staff_a))

    def test_A5_context_words_are_refused_naming_the_word(self):
        cases = {
            "alder orchard velvet lantern": "alder",  # agency A is "Alder County Sheriff's Office"
            "AlderCountySheriffsOffice!": "aldercountysheriffsoffice",
            "quiet heron 287g river": "287g",
            "quiet heron 287(g) river": "287g",
            "ICE heron river lantern": "ICE",
            "heron river lantern ice": "ICE",
            "myICEheronriver": "ICE",
            "heron staff_a river lantern": "staffa",
        }
        for password, word in cases.items():
            with self.subTest(password):
                self.assertIn(f"This password contains “{word}”", " ".join(refusals(password, self.staff_a)))

    def test_A5_ice_inside_another_word_is_not_a_context_word(self):
        self.assertEqual(refusals("practice nice slices of rice", self.staff_a), [])

    def test_A5_the_agencies_of_every_grant_count(self):
        words = context_words(self.auditor)
        self.assertIn("alder", words)
        self.assertIn("birch", words)
        self.assertNotIn("county", words)  # too common to be an agency's name
        self.assertTrue(refusals("birch orchard velvet lantern", self.auditor))
        self.assertEqual(refusals("birch orchard velvet lantern", self.staff_a), [])

    def test_A5_the_rules_are_explained_on_the_password_forms(self):
        self.assertIn("Your password cannot contain “287g”, “ICE”, your username or your agency’s name.",
                      password_validators_help_texts())  # fmt: skip

    def test_A5_the_change_password_page_shows_the_reason_next_to_the_field(self):
        sign_in(self.client, self.staff_a)
        response = self.client.post(
            reverse("account_change_password"),
            {"oldpassword": "correct horse battery staple", "password1": "Password123!", "password2": "Password123!"},
        )
        page = response.content.decode()
        self.assertRegex(page, r'id="id_password1-error"[^>]*>This password is too common: it is “password”')
        self.staff_a.refresh_from_db()
        self.assertFalse(self.staff_a.check_password("Password123!"))

    def test_A5_no_truncation_or_case_folding(self):
        long_password = "a" * 99 + "b plus a space"
        self.staff_a.set_password(long_password)
        self.assertTrue(self.staff_a.check_password(long_password))
        self.assertFalse(self.staff_a.check_password(long_password[:-1]))
        self.assertFalse(self.staff_a.check_password(long_password.upper()))
        self.assertFalse(self.staff_a.check_password(long_password.strip() + " "))

    def test_A5_production_stores_passwords_with_pbkdf2_sha256(self):
        self.assertEqual(settings.PRODUCTION_PASSWORD_HASHERS[0], "django.contrib.auth.hashers.PBKDF2PasswordHasher")
        with override_settings(PASSWORD_HASHERS=settings.PRODUCTION_PASSWORD_HASHERS):
            self.staff_a.set_password(NEW_PASSWORD)
            algorithm, iterations, salt, _hash = self.staff_a.password.split("$")
            self.assertEqual((algorithm, int(iterations)), ("pbkdf2_sha256", 1_000_000))
            self.assertGreaterEqual(len(salt), 22)
            self.assertTrue(self.staff_a.check_password(NEW_PASSWORD))

    def test_A5_no_hint_or_security_question_field(self):
        names = {field.name for field in User._meta.get_fields()}
        self.assertEqual({name for name in names if re.search("hint|question|secret_answer", name)}, set())


# The whole test under time-machine: Django's reset token reads the naive local clock, which time-machine keeps
# in UTC, so a token made outside it would look 6 hours old inside it.
@time_machine.travel(datetime(2026, 4, 13, 12, 0, tzinfo=UTC))
class PasswordResetTests(BaseTestCase):
    def setUp(self):
        enrol_totp(self.staff_a)

    def request_reset_link(self) -> str:
        """Ask for a reset of staff_a's password on the page; the link the e-mail carries (a path)."""
        response = self.client.post(reverse("account_reset_password"), {"email": self.staff_a.email})
        self.assertRedirects(response, reverse("account_reset_password_done"), fetch_redirect_response=False)
        self.assertEqual(len(mail.outbox), 1)
        return re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body).group(1)

    def set_new_password(self, link: str):
        """Open ``link`` and post the new password; the last response (followed)."""
        form_page = self.client.get(link, follow=True)
        if form_page.context.get("token_fail"):
            return form_page
        return self.client.post(
            form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
            follow=True,
        )

    def test_A6_after_a_reset_the_sign_in_still_asks_the_second_factor(self):
        self.set_new_password(self.request_reset_link())
        self.staff_a.refresh_from_db()
        self.assertTrue(self.staff_a.check_password(NEW_PASSWORD))
        self.assertNotIn("_auth_user_id", self.client.session)  # not signed in by the reset (ACCOUNT_LOGIN_ON_...)
        response = post_password(self.client, "staff_a", NEW_PASSWORD)
        self.assertRedirects(response, CODE_URL, fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertEqual(post_code(self.client, totp_code()).status_code, 302)
        self.assertEqual(self.client.get("/").status_code, 200)

    def test_A6_a_reset_link_works_once(self):
        link = self.request_reset_link()
        self.set_new_password(link)
        again = self.client.get(link, follow=True)
        self.assertTrue(again.context["token_fail"])
        self.assertContains(again, "The password reset link was invalid")

    def test_A6_the_link_is_dead_after_an_hour(self):
        self.assertLessEqual(settings.PASSWORD_RESET_TIMEOUT, 3600)
        link = self.request_reset_link()
        with time_machine.travel(timezone.now() + timedelta(minutes=61)):
            response = self.set_new_password(link)
            self.assertTrue(response.context["token_fail"])
        self.staff_a.refresh_from_db()
        self.assertFalse(self.staff_a.check_password(NEW_PASSWORD))

    def test_A6_the_link_still_works_at_59_minutes(self):
        link = self.request_reset_link()
        with time_machine.travel(timezone.now() + timedelta(minutes=59)):
            self.set_new_password(link)
        self.staff_a.refresh_from_db()
        self.assertTrue(self.staff_a.check_password(NEW_PASSWORD))
