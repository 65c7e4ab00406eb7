"""Sessions end after 30 minutes without activity (SECURITY.md B1), and an htmx request meets the end cleanly.

``compliance.core.sessions``: every request a person makes moves the session's
expiry to now + 30 minutes; a request a page makes by itself (``passive_request``,
the custody board's polling) does not. An htmx request that finds the session
ended is sent to the sign-in page whole (``HX-Redirect``), never given the sign-in
form to swap into a fragment. An unchanged session is written at most once a minute.
"""

from datetime import UTC, datetime, timedelta

import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.base import BaseTestCase, sign_in

T0 = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
DASHBOARD = "/"
SIGN_IN = "/accounts/login/"
NOTIFICATIONS = "/roster/notifications/"


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


class ThrottledSessionSaveTests(BaseTestCase):
    """An unchanged session is saved at most once a minute (``SESSION_SAVE_INTERVAL``): the idle limit then ends
    a session between 29 and 30 minutes after the last request, never later (SECURITY.md B1)."""

    def sign_in_at(self, when):
        with time_machine.travel(when, tick=False):
            sign_in(self.client, self.staff_a)

    def expiry(self) -> datetime:
        return Session.objects.get(session_key=self.client.session.session_key).expire_date

    def test_a_request_within_the_minute_writes_neither_the_session_nor_the_cookie(self):
        self.assertEqual(settings.SESSION_SAVE_INTERVAL, 60)
        self.sign_in_at(T0)
        with (
            time_machine.travel(T0 + timedelta(seconds=59), tick=False),
            CaptureQueriesContext(connection) as queries,
        ):
            response = self.client.get(NOTIFICATIONS)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn(settings.SESSION_COOKIE_NAME, response.cookies)
        self.assertFalse(
            [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
        )
        self.assertEqual(self.expiry(), T0 + timedelta(minutes=30))

    def test_a_request_a_minute_after_the_last_save_moves_the_expiry_and_the_cookie(self):
        self.sign_in_at(T0)
        with time_machine.travel(T0 + timedelta(seconds=60), tick=False):
            response = self.client.get(NOTIFICATIONS)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.cookies[settings.SESSION_COOKIE_NAME]["max-age"], settings.SESSION_COOKIE_AGE)
        self.assertEqual(self.expiry(), T0 + timedelta(minutes=31))

    def test_a_request_that_changes_the_session_saves_it_at_once(self):
        self.sign_in_at(T0)
        with time_machine.travel(T0 + timedelta(seconds=10), tick=False):
            # The roster's name search is kept in the session (compliance.core.private_search): a change.
            response = self.client.post(f"/roster/?agency={self.agency_a.public_id}", {"q": "Invented"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.expiry(), T0 + timedelta(seconds=10, minutes=30))

    def test_the_idle_limit_errs_early_by_less_than_the_minute_never_late(self):
        self.sign_in_at(T0)
        with time_machine.travel(T0 + timedelta(seconds=50), tick=False):
            self.assertEqual(self.client.get(NOTIFICATIONS).status_code, 200)  # not saved: expiry stays T0 + 30 min
        # 29 min 11 s after the last request: already ended (the saved expiry was T0 + 30 min).
        with time_machine.travel(T0 + timedelta(minutes=30, seconds=1), tick=False):
            response = self.client.get(DASHBOARD)
        self.assertRedirects(response, f"{SIGN_IN}?next=/", fetch_redirect_response=False)

    def test_29_minutes_after_the_last_request_the_session_still_holds(self):
        self.sign_in_at(T0)
        with time_machine.travel(T0 + timedelta(seconds=59), tick=False):
            self.assertEqual(self.client.get(NOTIFICATIONS).status_code, 200)
        with time_machine.travel(T0 + timedelta(seconds=59, minutes=29), tick=False):
            self.assertEqual(self.client.get(NOTIFICATIONS).status_code, 200)

    def test_sessions_read_alike_by_djangos_own_store(self):
        """The store signs with Django's salt (its class name): ``Session.get_decoded`` (sessions_end, "your
        sessions") reads what it wrote, and sessions written before it keep working."""
        self.sign_in_at(T0)
        row = Session.objects.get(session_key=self.client.session.session_key)
        self.assertEqual(row.get_decoded()["_auth_user_id"], str(self.staff_a.pk))
