"""A new user enrols a second factor in a real browser, then signs in with it (SECURITY.md A1, A2).

First an authenticator app: the test reads the key the page shows and computes the code as the
app would (``tests.base.totp_code``). Then a security key: Chromium's virtual authenticator
(DevTools ``WebAuthn.addVirtualAuthenticator``) answers allauth's WebAuthn script.
"""

import time

import pytest
from allauth.mfa.models import Authenticator

from compliance.core.models import Agency
from compliance.core.roles import Role
from tests.base import PASSWORD, make_user, totp_code
from tests.browser.axe import assert_accessible

pytestmark = pytest.mark.browser


def sign_in_with_password(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page, base: str) -> None:
    page.locator(".app-userbox").get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{base}/accounts/login/")


def next_step_code(secret: str, used: str) -> str:
    """The app's code once it differs from ``used`` (each code works once: wait for the next 30-second step)."""
    deadline = time.time() + 35
    while time.time() < deadline:
        code = totp_code(secret)
        if code != used and 30 - time.time() % 30 > 3:
            return code
        time.sleep(0.5)
    raise AssertionError("the authenticator code did not change within 35 s")


@pytest.mark.django_db(transaction=True)
def test_a_new_user_enrols_an_app_and_a_security_key_then_signs_in_with_each(page, live_server):
    base = live_server.url
    agency = Agency.objects.create(name="Alder County Sheriff's Office", state="TX", time_zone="America/Chicago")
    user = make_user("new_officer", agency=agency, role=Role.STAFF)

    # Password only: sent to enrol, with the reason in plain words.
    sign_in_with_password(page, base, "new_officer")
    page.wait_for_url(f"{base}/accounts/2fa/")
    assert (
        "requires a second factor before you can see any record" in page.get_by_test_id("enrolment-reason").inner_text()
    )
    assert_accessible(page)
    page.goto(f"{base}/detainers/")
    assert page.url == f"{base}/accounts/2fa/"

    # The authenticator app: the key is on the page as text beside the QR code.
    page.locator("section", has_text="Authenticator App").get_by_role("link", name="Activate").click()
    page.wait_for_url(f"{base}/accounts/2fa/totp/activate/")
    assert_accessible(page)
    assert page.get_by_role("img", name="QR code").get_attribute("src").startswith("data:image/svg+xml")
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    page.get_by_label("Authenticator code").fill("000000" if totp_code(secret) != "000000" else "111111")
    page.get_by_role("button", name="Activate").click()
    assert page.locator(".usa-error-message").count() == 1  # a wrong code: the error next to the field
    assert_accessible(page)
    first_code = totp_code(secret)
    page.get_by_label("Authenticator code").fill(first_code)
    page.get_by_role("button", name="Activate").click()
    page.wait_for_url(f"{base}/accounts/2fa/recovery-codes/")
    assert len(page.get_by_label("Unused codes").input_value().split()) == 10
    assert_accessible(page)
    page.get_by_test_id("continue-to-dashboard").click()
    page.wait_for_url(f"{base}/")
    assert_accessible(page)

    # Signed out and in again: the password, then the app's next code.
    sign_out(page, base)
    sign_in_with_password(page, base, "new_officer")
    page.wait_for_url(f"{base}/accounts/2fa/authenticate/")
    assert_accessible(page)
    page.get_by_label("Code").fill(next_step_code(secret, first_code))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")

    # A security key, answered by Chromium's virtual authenticator.
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    page.goto(f"{base}/accounts/2fa/webauthn/add/")
    assert_accessible(page)
    page.get_by_label("Name").fill("Desk key")
    page.get_by_role("button", name="Add").click()
    page.wait_for_url(lambda url: not url.endswith("/webauthn/add/"))
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).count() == 1
    assert_accessible(page)
    page.goto(f"{base}/accounts/2fa/webauthn/")
    assert "Desk key" in page.locator("main").inner_text()
    assert_accessible(page)

    sign_out(page, base)
    sign_in_with_password(page, base, "new_officer")
    page.wait_for_url(f"{base}/accounts/2fa/authenticate/")
    page.get_by_role("button", name="Use a security key").click()
    page.wait_for_url(f"{base}/")
    assert_accessible(page)
