"""'Your sessions' in a real browser (SECURITY.md B6): listed from the user bar, the others signed out."""

import pytest
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.test import Client

from tests.base import make_user, sign_in
from tests.browser.axe import assert_accessible
from tests.browser.signin import sign_in_page

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_B6_a_user_sees_their_two_sessions_and_signs_out_the_other(page, browser, live_server):
    user = make_user("sessions-user")
    # The other browser's session (an authenticator code works once, so it is not a second sign-in page).
    client = Client()
    sign_in(client, user)
    key = client.session.session_key
    UserSession.objects.create(user=user, session_key=key, ip="192.0.2.7", user_agent="Second browser (invented)")
    other = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        other.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": key, "url": live_server.url}])
        elsewhere = other.new_page()
        elsewhere.goto(f"{live_server.url}/roster/")
        assert elsewhere.url == f"{live_server.url}/roster/"
        page.goto(f"{live_server.url}/accounts/login/")
        sign_in_page(page, "sessions-user", then=f"{live_server.url}/")

        page.get_by_role("link", name="Your sessions").click()
        page.wait_for_url(f"{live_server.url}/accounts/sessions/")
        assert page.get_by_role("heading", level=1).inner_text() == "Your sessions"
        assert page.get_by_test_id("session-row").count() == 2
        assert page.get_by_test_id("session-current").count() == 1
        assert "Second browser (invented)" in page.get_by_test_id("sessions-table").inner_text()
        assert_accessible(page)

        page.get_by_role("button", name="Sign out the other 1 session").click()
        page.wait_for_url(f"{live_server.url}/accounts/sessions/")
        assert page.get_by_test_id("session-row").count() == 1
        assert page.get_by_test_id("only-session").is_visible()
        assert_accessible(page)

        elsewhere.goto(f"{live_server.url}/roster/")
        assert "/accounts/login/" in elsewhere.url
    finally:
        other.close()
