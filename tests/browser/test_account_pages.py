"""allauth's account pages in the app's layout pass axe: password reset, password change, re-authentication, codes."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from compliance.core.models import Agency
from compliance.core.roles import Role
from tests.base import make_user
from tests.browser.axe import assert_accessible
from tests.browser.signin import sign_in_page

pytestmark = pytest.mark.browser

NEW_PASSWORD = "plum orchard velvet lantern"


@pytest.mark.django_db(transaction=True)
def test_password_reset_pages_are_in_the_app_layout_and_accessible(page, live_server):
    base = live_server.url
    agency = Agency.objects.create(name="Alder County Sheriff's Office", state="TX", time_zone="America/Chicago")
    user = make_user("reset_me", agency=agency, role=Role.STAFF)

    page.goto(f"{base}/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.wait_for_url(f"{base}/accounts/password/reset/")
    assert page.locator("header .usa-logo").count() == 1  # the app's header: our layout, not allauth's
    assert_accessible(page)
    page.get_by_role("button", name="Reset my password").click()  # empty: the error next to the field
    assert page.locator("#id_email-error").count() == 1
    assert_accessible(page)
    page.get_by_label("Email").fill(user.email)
    page.get_by_role("button", name="Reset my password").click()
    page.wait_for_url(f"{base}/accounts/password/reset/done/")
    assert_accessible(page)

    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(f"{base}{link}")
    page.wait_for_url(re.compile(r".*-set-password/$"))
    assert_accessible(page)
    page.locator("#id_password1").fill("Password123!")
    page.locator("#id_password2").fill("Password123!")
    page.get_by_role("button", name="Change password").click()
    assert "with digits or symbols added" in page.locator(".usa-error-message").first.inner_text()
    assert_accessible(page)
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.locator("#id_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    page.wait_for_url(f"{base}/accounts/password/reset/key/done/")
    assert_accessible(page)
    page.goto(f"{base}{link}")  # the same link again
    assert "invalid" in page.locator("main").inner_text()
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_signed_in_account_pages_are_in_the_app_layout_and_accessible(page, live_server):
    base = live_server.url
    agency = Agency.objects.create(name="Alder County Sheriff's Office", state="TX", time_zone="America/Chicago")
    make_user("settled", agency=agency, role=Role.STAFF)
    page.goto(f"{base}/accounts/login/")
    sign_in_page(page, "settled", then=f"{base}/")

    for path in (
        "/accounts/password/change/",
        "/accounts/2fa/",
        "/accounts/2fa/recovery-codes/generate/",
        "/accounts/2fa/webauthn/",
        "/accounts/reauthenticate/",
        "/accounts/2fa/reauthenticate/",
    ):
        page.goto(f"{base}{path}")
        assert page.locator("header .usa-logo").count() == 1, path
        assert page.get_by_role("heading", level=1).count() == 1, path
        assert_accessible(page)

    page.goto(f"{base}/accounts/password/change/")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".usa-error-message").first).to_be_visible()  # waits for the answer to the post
    assert_accessible(page)
