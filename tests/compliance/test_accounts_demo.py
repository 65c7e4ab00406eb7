"""The demo logins sign in through the real pages under ``make run``; the shortcut code never outside DEBUG."""

import os
import re
import subprocess
import sys
from io import StringIO

from allauth.mfa import app_settings as mfa_settings
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import SimpleTestCase, TestCase, override_settings

from compliance.management.commands.seed_demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, login_lines
from tests.base import totp_code
from tests.compliance.accounts_flows import CODE_URL, post_code, post_password


def printed_code(lines: list[str]) -> str:
    """The code the printed logins tell a person to type at the second step."""
    return re.search(r"Code at the second step: (\d{6}) ", "\n".join(lines)).group(1)


@override_settings(DEBUG=True, MFA_TOTP_INSECURE_BYPASS_CODE="000000")
class DemoSignInTests(TestCase):
    def setUp(self):
        out = StringIO()
        call_command("seed_demo", stdout=out)
        self.lines = out.getvalue().splitlines()

    def test_a_demo_login_signs_in_with_the_password_then_the_printed_code(self):
        self.assertEqual(self.lines[-1], f"Password for every demo login: {DEMO_PASSWORD}")
        code = printed_code(self.lines)
        self.assertEqual(code, "000000")
        self.assertRedirects(post_password(self.client, "demo-staff", DEMO_PASSWORD), CODE_URL,
                             fetch_redirect_response=False)  # fmt: skip
        self.assertRedirects(post_code(self.client, code), "/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/").status_code, 200)

    def test_a_demo_login_signs_in_with_an_authenticator_app_holding_the_printed_key(self):
        self.assertIn(f"for the key {DEMO_TOTP_SECRET}", self.lines[-2])
        post_password(self.client, "demo-supervisor", DEMO_PASSWORD)
        self.assertRedirects(post_code(self.client, totp_code(DEMO_TOTP_SECRET)), "/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/").status_code, 200)

    def test_seeding_again_keeps_one_authenticator_per_demo_login(self):
        from allauth.mfa.models import Authenticator

        call_command("seed_demo", stdout=StringIO())
        self.assertEqual(Authenticator.objects.filter(user__username__startswith="demo-").count(), 4)


@override_settings(DEBUG=True, MFA_TOTP_INSECURE_BYPASS_CODE=None)
class DemoLinesWithoutTheShortcutTests(SimpleTestCase):
    def test_without_demo_mfa_code_the_logins_name_only_the_app_key(self):
        lines = login_lines(sign_in_url="http://127.0.0.1:8000/accounts/login/")
        self.assertEqual(
            lines[-2], f"Code at the second step: an authenticator app's code for the key {DEMO_TOTP_SECRET}"
        )


class BypassRefusedWithoutDebugTests(SimpleTestCase):
    @override_settings(DEBUG=False, MFA_TOTP_INSECURE_BYPASS_CODE="000000")
    def test_allauth_refuses_the_bypass_code_when_debug_is_off(self):
        with self.assertRaisesMessage(
            ImproperlyConfigured, "MFA_TOTP_INSECURE_BYPASS_CODE is for testing purposes only"
        ):
            mfa_settings.TOTP_INSECURE_BYPASS_CODE  # noqa: B018 (reading the setting is the check)

    def test_settings_ignore_demo_mfa_code_when_debug_is_off(self):
        code = (
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.MFA_TOTP_INSECURE_BYPASS_CODE)"
        )
        for debug, expected in (("0", "None"), ("1", "000000")):
            env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEMO_MFA_CODE"}}
            env.update(DJANGO_SETTINGS_MODULE="compliance.settings", DEBUG=debug, DEMO_MFA_CODE="000000",
                       SECRET_KEY="x" * 64, TESTING="1")  # fmt: skip
            result = subprocess.run(  # noqa: S603 (our own interpreter)
                [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=True
            )
            self.assertEqual(result.stdout.strip().splitlines()[-1], expected, debug)
