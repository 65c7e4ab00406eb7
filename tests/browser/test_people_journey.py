"""An administrator invites a person, who sets a password, enrols an authenticator app, is locked out after
five wrong passwords and is unlocked by the administrator (issue "Accounts and access an agency can go live on";
SECURITY.md A4, A10). axe-core checks every page state the journey visits, except allauth's re-authentication
and authenticator-activation pages, which are not yet in the app's layout (their styling is another change)."""

import re
import time

import pytest
from django.core import mail

from compliance.core.models import Agency, User
from compliance.core.roles import Role
from tests.base import PASSWORD, TOTP_SECRET, enrol_totp, make_user, totp_code
from tests.browser.axe import assert_accessible

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a long river stone by a quiet lamp"  # not her name: context words are refused (A5)


def password_sign_in(page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def fresh_code(secret: str, *, not_in_step_of: float | None = None) -> str:
    """A code with at least 5 s of its 30-second step left (a slow machine must not carry it into the next step,
    allauth accepts no step but the current one), and from a later step than ``not_in_step_of`` if given (a code
    works once, SECURITY.md A2)."""
    while (30 - time.time() % 30) < 5 or (
        not_in_step_of is not None and int(time.time() // 30) == int(not_in_step_of // 30)
    ):
        time.sleep(0.5)
    return totp_code(secret)


def sign_in_with_code(page, username: str, password: str, secret: str = TOTP_SECRET, **kwargs) -> None:
    password_sign_in(page, username, password)
    page.locator("input[name=code]").fill(fresh_code(secret, **kwargs))
    page.locator("form button[type=submit]").first.click()


@pytest.mark.django_db(transaction=True)
def test_invite_enrol_lock_out_and_unlock(browser, page, live_server):
    agency = Agency.objects.create(name="Cedar County Sheriff", state="TX", time_zone="America/Chicago")
    make_user("admin_cedar", agency=agency, role=Role.ADMINISTRATOR)
    base = live_server.url

    # The administrator signs in and invites Nia as staff.
    page.goto(f"{base}/people/")
    enrol_totp(User.objects.get(username="admin_cedar"))
    sign_in_with_code(page, "admin_cedar", PASSWORD)
    page.wait_for_url(f"{base}/people/")
    assert_accessible(page)
    page.get_by_test_id("invite-link").click()
    page.wait_for_url(f"{base}/people/invite/")
    assert_accessible(page)
    page.get_by_label("Username").fill("nia")
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Ngata")
    page.get_by_label("E-mail address").fill("nia@example.test")
    page.get_by_label("Agency").select_option(str(agency.pk))
    page.get_by_label("Role").select_option(Role.STAFF)
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_load_state()
    if "/accounts/reauthenticate/" in page.url:  # granting a role asks for the password again (B5)
        # allauth's own page, not yet in the app's layout (styled in another change): axe is not run on it here.
        page.get_by_label("Password").fill(PASSWORD)
        page.locator("main form button[type=submit], form button[type=submit]").first.click()
        page.wait_for_load_state()
    nia = User.objects.get(username="nia")
    page.wait_for_url(f"{base}/people/{nia.pk}/")
    assert page.get_by_test_id("person-status").inner_text() == "Invited"
    assert_accessible(page)

    # Nia follows the e-mailed link in her own browser and sets a password.
    link = re.search(r"(/people/invitation/\S+)", mail.outbox[-1].body).group(1)
    nia_context = browser.new_context(viewport={"width": 1280, "height": 900})
    nia_page = nia_context.new_page()
    nia_page.set_default_timeout(15_000)
    nia_page.goto(f"{base}{link}")
    assert_accessible(nia_page)
    nia_page.locator("#id_password1").fill(NEW_PASSWORD)
    nia_page.locator("#id_password2").fill(NEW_PASSWORD)
    nia_page.get_by_role("button", name="Set password").click()
    nia_page.wait_for_url(re.compile(r".*/accounts/login/.*"))
    assert_accessible(nia_page)
    nia_page.goto(f"{base}{link}")  # the link is dead once used
    assert nia_page.get_by_role("heading", level=1).inner_text() == "This invitation link no longer works"

    # She signs in and is sent to enrol her authenticator app; the page shows the secret as text.
    nia_page.goto(f"{base}/accounts/login/")
    password_sign_in(nia_page, "nia", NEW_PASSWORD)
    nia_page.wait_for_url(re.compile(r".*/accounts/2fa/.*"))
    nia_page.goto(f"{base}/accounts/2fa/totp/activate/")
    if "/accounts/reauthenticate/" in nia_page.url:
        nia_page.get_by_label("Password").fill(NEW_PASSWORD)
        nia_page.locator("form button[type=submit]").first.click()
        nia_page.wait_for_url(f"{base}/accounts/2fa/totp/activate/")
    secret = nia_page.get_by_test_id("totp-secret").inner_text().strip()
    code = fresh_code(secret)
    enrolled_at = time.time()
    nia_page.get_by_label("Authenticator code").fill(code)
    nia_page.get_by_role("button", name="Activate").click()
    nia_page.wait_for_url(f"{base}/accounts/2fa/recovery-codes/")
    nia_page.goto(f"{base}/")
    assert nia_page.url == f"{base}/"
    assert nia_page.get_by_test_id("header-user").inner_text() == "Nia Ngata"
    assert_accessible(nia_page)
    nia_page.get_by_role("button", name="Sign out").click()
    nia_page.wait_for_url(re.compile(r".*/accounts/login/.*"))

    # Five wrong passwords lock the account; the right one is then refused with the reason.
    for _ in range(5):
        password_sign_in(nia_page, "nia", "wrong password, again")
        nia_page.wait_for_load_state()
        if "/accounts/login/" not in nia_page.url:
            nia_page.goto(f"{base}/accounts/login/")
    nia_page.goto(f"{base}/accounts/login/")
    password_sign_in(nia_page, "nia", NEW_PASSWORD)
    nia_page.wait_for_load_state()
    assert "Ask your agency administrator to unlock it" in nia_page.content()
    assert_accessible(nia_page)
    nia.refresh_from_db()
    assert nia.locked_at is not None

    # The administrator sees her locked and unlocks her.
    page.goto(f"{base}/people/")
    assert page.locator('[data-username="nia"]').get_attribute("data-status") == "locked"
    assert_accessible(page)
    page.goto(f"{base}/people/{nia.pk}/")
    page.get_by_test_id("unlock").click()
    page.wait_for_url(f"{base}/people/{nia.pk}/")
    assert page.get_by_test_id("person-status").inner_text() == "Active"
    actions = page.locator('[data-testid="account-event"]').evaluate_all("rows => rows.map(r => r.dataset.action)")
    assert actions == ["unlocked", "locked", "created", "invited"]
    assert_accessible(page)

    # Nia signs in again: password, then a code from a later step than the one she enrolled with.
    nia_page.goto(f"{base}/accounts/login/")
    sign_in_with_code(nia_page, "nia", NEW_PASSWORD, secret, not_in_step_of=enrolled_at)
    nia_page.wait_for_url(f"{base}/")
    assert_accessible(nia_page)
    nia_context.close()
