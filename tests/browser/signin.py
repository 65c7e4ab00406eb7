"""Signing in through the real pages: username and password, then the authenticator app's code.

The user is enrolled with the test secret first (``tests.base.enrol_totp``) unless already
enrolled (the demo logins hold the demo key), so the second page asks for the code, which is
computed from the user's own key as the app would show it.
"""

import time

from allauth.mfa.adapter import get_adapter

from compliance.core.models import User
from tests.base import PASSWORD, enrol_totp, totp_code


def sign_in_page(page, username: str, *, password: str = PASSWORD, then: str | None = None) -> None:
    """Fill the sign-in page that ``page`` shows, then the second-factor page; wait for ``then`` (a URL) if given."""
    authenticator = enrol_totp(User.objects.get(username=username))
    # The demo logins come enrolled with the demo key (seed_demo); others with the test key.
    secret = get_adapter().decrypt(authenticator.data["secret"])
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    while 30 - time.time() % 30 < 5:  # a code with under 5 s left could reach the server in the next step: wait
        time.sleep(0.5)
    page.locator("input[name=code]").fill(totp_code(secret))
    page.locator("form button[type=submit]").first.click()
    if then is not None:
        page.wait_for_url(then)
