"""Sessions (SECURITY.md B1, B2, B4–B7): idle and absolute limits, sign-out, re-authentication, one's sessions.

B1's idle limit itself is tested in test_idle_sessions.py; here it is checked through allauth's
sign-in pages. B7 (cookie names and flags in production) loads the settings in a subprocess with
the production environment, as test_settings.py does.
"""

import re
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie

import time_machine
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse

from compliance.accounts.session_lifetime import SIGNED_IN_AT
from tests.base import PASSWORD, TOTP_SECRET, BaseTestCase, enrol_totp, sign_in, totp_code
from tests.compliance.helpers import make_ready_report
from tests.compliance.test_settings import run_python

T0 = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
SIGN_IN = "/accounts/login/"
REAUTHENTICATE = "/accounts/reauthenticate/"
DASHBOARD = "/"
NEW_PASSWORD = "a quite different passphrase 7"  # noqa: S105 (invented)


def session_exists(key: str) -> bool:
    return Session.objects.filter(session_key=key).exists()


def sign_in_listed(client, user) -> None:
    """``sign_in``, plus the row allauth's sign-in page adds to "Your sessions" (``force_login`` adds none)."""
    sign_in(client, user)
    UserSession.objects.create(
        user=user, session_key=client.session.session_key, ip="192.0.2.10", user_agent="Invented browser 1.0"
    )


def reauthenticate(client) -> None:
    """Answer allauth's re-authentication page with the password (as a person asked for it would)."""
    response = client.post(REAUTHENTICATE, {"password": PASSWORD})
    assert response.status_code == 302, response.content[:2000]


class AbsoluteLifetimeTests(BaseTestCase):
    """B2: 12 hours after signing in the session ends, however active; the 30-minute idle limit stays (B1)."""

    def test_B2_a_request_every_10_minutes_is_signed_out_at_12_hours_01(self):
        self.assertEqual(settings.SESSION_ABSOLUTE_LIFETIME, timedelta(hours=12))
        with time_machine.travel(T0, tick=False):
            sign_in(self.client, self.staff_a)
        key = self.client.session.session_key
        for minutes in range(10, 12 * 60 + 1, 10):  # 72 requests, the last at exactly 12 h
            with time_machine.travel(T0 + timedelta(minutes=minutes), tick=False):
                response = self.client.get(DASHBOARD)
                self.assertEqual(response.status_code, 200, f"at {minutes} minutes")
        with time_machine.travel(T0 + timedelta(hours=12, minutes=1), tick=False):
            response = self.client.get(DASHBOARD)
            self.assertRedirects(response, f"{SIGN_IN}?next=/", fetch_redirect_response=False)
            self.assertFalse(session_exists(key))
            # The cookie no longer signs anyone in: the next request is anonymous too.
            again = self.client.get(reverse("training:roster"))
        self.assertRedirects(again, f"{SIGN_IN}?next=/roster/", fetch_redirect_response=False)

    def test_B2_the_sign_in_time_is_recorded_by_the_real_sign_in(self):
        enrol_totp(self.staff_a)
        with time_machine.travel(T0, tick=False):
            response = self.client.post(SIGN_IN, {"login": self.staff_a.username, "password": PASSWORD})
            self.assertRedirects(response, reverse("mfa_authenticate"), fetch_redirect_response=False)
        with time_machine.travel(T0 + timedelta(seconds=20), tick=False):
            response = self.client.post(reverse("mfa_authenticate"), {"code": totp_code(TOTP_SECRET)})
            self.assertEqual(response.status_code, 302)
            self.assertEqual(self.client.session[SIGNED_IN_AT], (T0 + timedelta(seconds=20)).timestamp())

    def test_B2_an_htmx_request_after_12_hours_gets_hx_redirect_to_sign_in(self):
        with time_machine.travel(T0, tick=False):
            sign_in(self.client, self.staff_a)
        for minutes in range(20, 12 * 60 + 1, 20):
            with time_machine.travel(T0 + timedelta(minutes=minutes), tick=False):
                self.client.get(DASHBOARD)
        with time_machine.travel(T0 + timedelta(hours=12, minutes=1), tick=False):
            response = self.client.get(
                reverse("incidents:custody_board"),
                headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/custody/"},
            )
        self.assertEqual(response.status_code, 204)
        self.assertEqual(response["HX-Redirect"], f"{SIGN_IN}?next=/custody/")

    def test_B1_31_idle_minutes_send_an_allauth_session_to_sign_in_and_remove_it(self):
        with time_machine.travel(T0, tick=False):
            sign_in(self.client, self.staff_a)
        key = self.client.session.session_key
        with time_machine.travel(T0 + timedelta(minutes=31), tick=False):
            response = self.client.get(DASHBOARD)
            self.assertRedirects(response, f"{SIGN_IN}?next=/", fetch_redirect_response=False)
            Session.objects.filter(expire_date__lt=T0 + timedelta(minutes=31)).delete()  # clearsessions
        self.assertFalse(session_exists(key))


class SignOutTests(BaseTestCase):
    """B4: signing out ends the session on the server; B6 "signed out elsewhere" meets htmx cleanly."""

    def test_B4_a_replayed_cookie_after_sign_out_is_sent_to_sign_in(self):
        sign_in(self.client, self.staff_a)
        cookie = self.client.cookies[settings.SESSION_COOKIE_NAME].value
        self.assertEqual(self.client.get(DASHBOARD).status_code, 200)
        response = self.client.post(reverse("account_logout"))
        self.assertEqual(response.status_code, 302)
        self.assertFalse(session_exists(cookie))
        replay = Client()
        replay.cookies[settings.SESSION_COOKIE_NAME] = cookie
        response = replay.get(DASHBOARD)
        self.assertRedirects(response, f"{SIGN_IN}?next=/", fetch_redirect_response=False)

    def test_B4_an_htmx_request_of_a_session_signed_out_elsewhere_gets_hx_redirect(self):
        sign_in_listed(self.client, self.staff_a)
        other = Client()
        sign_in_listed(other, self.staff_a)
        self.assertEqual(self.client.post(reverse("usersessions_list")).status_code, 302)
        response = other.get(
            reverse("incidents:custody_board"),
            headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/custody/"},
        )
        self.assertEqual(response.status_code, 204)
        self.assertEqual(response["HX-Redirect"], f"{SIGN_IN}?next=/custody/")


class ReauthenticationTests(BaseTestCase):
    """B5: bulk exports of personal data and MFA changes need a sign-in or re-authentication in the last 5 minutes."""

    def setUp(self):
        with time_machine.travel(T0, tick=False):
            sign_in(self.client, self.supervisor_a)
        self.report = make_ready_report(self.agency_a, self.supervisor_a)

    def exports(self) -> dict[str, str]:
        agency = f"?agency={self.agency_a.public_id}"
        return {
            "detainer log": reverse("incidents:detainer_export") + agency,
            "roster CSV": reverse("training:roster_export_csv") + agency,
            "roster XLSX": reverse("training:roster_export_xlsx") + agency,
            "report download": reverse("reports:download", args=[self.report.public_id]),
        }

    def test_B5_the_timeout_is_5_minutes(self):
        self.assertEqual(settings.ACCOUNT_REAUTHENTICATION_TIMEOUT, 300)

    def test_B5_within_5_minutes_of_signing_in_every_export_works(self):
        with time_machine.travel(T0 + timedelta(minutes=4, seconds=59), tick=False):
            for name, url in self.exports().items():
                with self.subTest(name):
                    self.assertEqual(self.client.get(url).status_code, 200)

    def test_B5_an_export_older_than_5_minutes_goes_to_re_authenticate(self):
        with time_machine.travel(T0 + timedelta(minutes=6), tick=False):
            for name, url in self.exports().items():
                with self.subTest(name):
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 302)
                    self.assertTrue(response["Location"].startswith(REAUTHENTICATE), response["Location"])

    def test_B5_after_re_authenticating_the_export_works(self):
        url = self.exports()["detainer log"]
        with time_machine.travel(T0 + timedelta(minutes=6), tick=False):
            response = self.client.get(url)
            self.assertRedirects(
                response, f"{REAUTHENTICATE}?next={url.replace('?', '%3F').replace('=', '%3D')}", target_status_code=200
            )
            response = self.client.post(REAUTHENTICATE + f"?next={url}", {"password": PASSWORD, "next": url})
            self.assertRedirects(response, url, fetch_redirect_response=False)
            export = self.client.get(url)
        self.assertEqual(export.status_code, 200)
        self.assertTrue(export["Content-Disposition"].startswith("attachment"))
        with time_machine.travel(T0 + timedelta(minutes=12), tick=False):
            self.assertEqual(self.client.get(url).status_code, 302)

    def test_B5_a_report_request_older_than_5_minutes_is_kept_until_re_authentication(self):
        form = reverse("reports:request")
        with time_machine.travel(T0 + timedelta(minutes=6), tick=False):
            self.assertEqual(self.client.get(form).status_code, 200)  # the form itself shows no record
            response = self.client.post(
                form, {"agency": self.agency_a.pk, "kind": "training_roster", "as_of": "2026-03-09"}
            )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(REAUTHENTICATE))
        self.assertEqual(self.report.__class__.objects.count(), 1)

    def test_B5_changing_mfa_devices_older_than_5_minutes_goes_to_re_authenticate(self):
        with time_machine.travel(T0 + timedelta(minutes=6), tick=False):
            codes = self.client.post(reverse("mfa_generate_recovery_codes"))
            remove = self.client.post(reverse("mfa_deactivate_totp"))
        for response in (codes, remove):
            self.assertEqual(response.status_code, 302)
            self.assertTrue(response["Location"].startswith(REAUTHENTICATE), response["Location"])
        self.assertEqual(
            list(Authenticator.objects.filter(user=self.supervisor_a).values_list("type", flat=True)),
            [Authenticator.Type.TOTP],
        )

    def test_B5_changing_mfa_devices_after_re_authenticating_with_the_code_works(self):
        with time_machine.travel(T0 + timedelta(minutes=6), tick=False):
            response = self.client.post(reverse("mfa_reauthenticate"), {"code": totp_code(TOTP_SECRET)})
            self.assertEqual(response.status_code, 302)
            response = self.client.post(reverse("mfa_generate_recovery_codes"))
        self.assertRedirects(response, reverse("mfa_view_recovery_codes"), fetch_redirect_response=False)
        self.assertTrue(
            Authenticator.objects.filter(user=self.supervisor_a, type=Authenticator.Type.RECOVERY_CODES).exists()
        )


class YourSessionsTests(BaseTestCase):
    """B6: one's sessions listed, the others signed out on request and after a password or MFA change."""

    def setUp(self):
        sign_in_listed(self.client, self.staff_a)
        self.elsewhere = Client()
        sign_in_listed(self.elsewhere, self.staff_a)
        self.other_user = Client()
        sign_in_listed(self.other_user, self.supervisor_a)

    def assertSignedOutElsewhere(self):
        response = self.elsewhere.get(DASHBOARD)
        self.assertRedirects(response, f"{SIGN_IN}?next=/", fetch_redirect_response=False)
        self.assertEqual(self.client.get(DASHBOARD).status_code, 200)
        self.assertEqual(self.other_user.get(DASHBOARD).status_code, 200)
        self.assertEqual(UserSession.objects.filter(user=self.staff_a).count(), 1)

    def test_B6_the_page_lists_my_sessions_in_the_layout_linked_from_the_user_bar(self):
        dashboard = self.client.get(DASHBOARD)
        self.assertContains(dashboard, f'href="{reverse("usersessions_list")}"')
        page = self.client.get(reverse("usersessions_list"))
        self.assertEqual(page.status_code, 200)
        self.assertTemplateUsed(page, "base.html")
        html = page.content.decode()
        self.assertEqual(len(re.findall(r'data-testid="session-row"', html)), 2)
        self.assertEqual(html.count('data-testid="session-current"'), 1)
        self.assertContains(page, "Sign out the other 1 session<")

    def test_B6_sign_out_the_others(self):
        response = self.client.post(reverse("usersessions_list"))
        self.assertRedirects(response, reverse("usersessions_list"), fetch_redirect_response=False)
        self.assertSignedOutElsewhere()
        self.assertContains(self.client.get(reverse("usersessions_list")), 'data-testid="only-session"')

    def test_B6_a_password_change_signs_out_the_others(self):
        response = self.client.post(
            reverse("account_change_password"),
            {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
        self.assertEqual(response.status_code, 302, response.content[:2000])
        self.assertSignedOutElsewhere()

    def test_B6_a_password_reset_signs_out_every_session(self):
        anonymous = Client()
        response = anonymous.post(reverse("account_reset_password"), {"email": self.staff_a.email})
        self.assertEqual(response.status_code, 302)
        link = re.search(r"http://\S+/accounts/password/reset/key/\S+/", mail.outbox[-1].body).group(0)
        response = anonymous.get(link)
        self.assertEqual(response.status_code, 302)
        response = anonymous.post(response["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
        self.assertEqual(response.status_code, 302)
        for client in (self.client, self.elsewhere):
            self.assertRedirects(client.get(DASHBOARD), f"{SIGN_IN}?next=/", fetch_redirect_response=False)
        self.assertFalse(UserSession.objects.filter(user=self.staff_a).exists())
        self.assertEqual(self.other_user.get(DASHBOARD).status_code, 200)

    def test_B6_new_recovery_codes_sign_out_the_others(self):
        reauthenticate(self.client)
        with self.captureOnCommitCallbacks(execute=True):  # allauth sends authenticator_reset after commit
            response = self.client.post(reverse("mfa_generate_recovery_codes"))
        self.assertRedirects(response, reverse("mfa_view_recovery_codes"), fetch_redirect_response=False)
        self.assertSignedOutElsewhere()

    def test_B6_removing_an_authenticator_signs_out_the_others(self):
        reauthenticate(self.client)
        response = self.client.post(reverse("mfa_deactivate_totp"))
        self.assertEqual(response.status_code, 302, response.content[:2000])
        self.assertFalse(Authenticator.objects.filter(user=self.staff_a, type=Authenticator.Type.TOTP).exists())
        self.assertSignedOutElsewhere()


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "an-invented-production-like-secret-key-0123456789-abcdef",
    "ALLOWED_HOSTS": "compliance.example.gov",
}
COOKIES = """
import django, os
os.environ['DJANGO_SETTINGS_MODULE'] = 'compliance.settings'
django.setup()
from django.conf import settings
from django.contrib.sessions.backends.cache import SessionStore
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.test import RequestFactory

request = RequestFactory().get('/', secure=True, HTTP_HOST='compliance.example.gov')
middleware = SessionMiddleware(lambda r: HttpResponse())
middleware.SessionStore = SessionStore  # the cookie's flags come from settings, whatever the store
middleware.process_request(request)
request.session['signed_in'] = True
get_token(request)
response = CsrfViewMiddleware(lambda r: HttpResponse()).process_response(request, HttpResponse())
response = middleware.process_response(request, response)
for morsel in response.cookies.values():
    print(morsel.OutputString())
"""


def set_cookies(**env) -> dict[str, dict[str, str | bool]]:
    result = run_python(COOKIES, **env)
    assert result.returncode == 0, result.stderr
    cookies = {}
    for line in result.stdout.splitlines():
        parsed = SimpleCookie()
        parsed.load(line)
        (name, morsel), *_ = parsed.items()
        cookies[name] = {
            "secure": bool(morsel["secure"]),
            "httponly": bool(morsel["httponly"]),
            "samesite": morsel["samesite"],
            "path": morsel["path"],
            "domain": morsel["domain"],
        }
    return cookies


def test_B7_production_cookies_are_host_prefixed_secure_and_lax():
    cookies = set_cookies(**PRODUCTION)
    assert set(cookies) == {"__Host-sessionid", "__Host-csrftoken"}
    assert cookies["__Host-sessionid"] == {
        "secure": True,
        "httponly": True,
        "samesite": "Lax",
        "path": "/",
        "domain": "",
    }
    assert cookies["__Host-csrftoken"] == {
        "secure": True,
        "httponly": False,
        "samesite": "Lax",
        "path": "/",
        "domain": "",
    }


def test_B7_debug_over_http_keeps_the_plain_names():
    cookies = set_cookies(DEBUG="1")
    assert set(cookies) == {"sessionid", "csrftoken"}
    assert cookies["sessionid"]["secure"] is False
    assert cookies["sessionid"]["httponly"] is True
