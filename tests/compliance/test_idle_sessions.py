"""Sessions end after 30 minutes without activity (SECURITY.md B1), and an htmx request meets the end cleanly.

``compliance.core.sessions``: every request a person makes moves the session's
expiry to now + 30 minutes; a request a page makes by itself (``passive_request``,
the custody board's polling) does not. An htmx request that finds the session
ended is sent to the sign-in page whole (``HX-Redirect``), never given the sign-in
form to swap into a fragment.
"""

from datetime import UTC, datetime, timedelta

import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse

from tests.base import BaseTestCase, sign_in

T0 = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
DASHBOARD = "/"
SIGN_IN = "/accounts/login/"


class IdleTimeoutTests(BaseTestCase):
    def sign_in_at(self, when):
        with time_machine.travel(when, tick=False):
            sign_in(self.client, self.staff_a)

    def expiry(self) -> datetime:
        return Session.objects.get(session_key=self.client.session.session_key).expire_date

    def test_the_idle_limit_is_30_minutes_and_every_request_counts(self):
        self.assertEqual(settings.SESSION_COOKIE_AGE, 30 * 60)
        self.sign_in_at(T0)
        with time_machine.travel(T0 + timedelta(minutes=29), tick=False):
            self.assertEqual(self.client.get(DASHBOARD).status_code, 200)
        self.assertEqual(self.expiry(), T0 + timedelta(minutes=59))

    def test_a_request_after_31_idle_minutes_is_sent_to_sign_in(self):
        self.sign_in_at(T0)
        with time_machine.travel(T0 + timedelta(minutes=31), tick=False):
            response = self.client.get(DASHBOARD)
        self.assertRedirects(response, f"{SIGN_IN}?next=/", fetch_redirect_response=False)

    def test_an_htmx_request_of_an_ended_session_gets_hx_redirect_to_sign_in_and_back_to_its_page(self):
        self.sign_in_at(T0)
        detainer_page = "/detainers/?agency=" + str(self.agency_a.public_id)
        with time_machine.travel(T0 + timedelta(minutes=31), tick=False):
            response = self.client.get(
                reverse("incidents:custody_board"),
                headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{detainer_page}"},
            )
        self.assertEqual(response.status_code, 204)
        self.assertEqual(response["HX-Redirect"], f"{SIGN_IN}?next=/detainers/%3Fagency%3D{self.agency_a.public_id}")
        self.assertEqual(response.content, b"")

    def test_an_htmx_request_from_a_foreign_page_is_sent_to_sign_in_without_that_page(self):
        with time_machine.travel(T0, tick=False):
            response = self.client.get(
                "/custody/", headers={"HX-Request": "true", "HX-Current-URL": "https://elsewhere.example/x"}
            )
        self.assertEqual(response.status_code, 204)
        self.assertEqual(response["HX-Redirect"], f"{SIGN_IN}?next=/custody/")

    def test_a_plain_request_of_an_ended_session_keeps_the_ordinary_redirect(self):
        response = self.client.get("/custody/")
        self.assertRedirects(response, f"{SIGN_IN}?next=/custody/", fetch_redirect_response=False)
        self.assertNotIn("HX-Redirect", response)

    def test_an_htmx_redirect_elsewhere_than_sign_in_is_left_alone(self):
        sign_in(self.client, self.staff_a)
        # CommonMiddleware's APPEND_SLASH redirect: any redirect that is not to sign in.
        response = self.client.get("/roster", headers={"HX-Request": "true"})
        self.assertEqual(response.status_code, 301)
        self.assertNotIn("HX-Redirect", response)
