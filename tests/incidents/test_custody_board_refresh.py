"""The custody board refreshes its rows by itself, without keeping an unattended session alive.

The board page polls ``/custody/rows/`` every minute (htmx). The poll is a passive
request (``compliance.core.sessions.passive_request``): it shows fresh rows but does
not move the session's expiry, so a board left alone signs out 30 minutes after
the person's last own request (SECURITY.md B1), and the poll then sends the page
to the sign-in page (``HX-Redirect``) instead of putting a sign-in form in the table.
"""

from datetime import UTC, datetime, timedelta

import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session

from compliance.core.models import AccessLog
from tests.base import BaseTestCase, sign_in
from tests.incidents.helpers import make_detainer

T0 = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)  # 2026-03-09 07:00 CDT
BOARD = "/custody/"
ROWS = "/custody/rows/"
POLL = {"HX-Request": "true", "HX-Trigger": "custody-board-rows", "HX-Current-URL": f"http://testserver{BOARD}"}


class BoardRefreshTests(BaseTestCase):
    def setUp(self):
        self.held = make_detainer(
            self.agency_a,
            actor=self.staff_a,
            subject_last_name="Pollperson",
            would_be_released_at=datetime(2026, 3, 8, 12, 0, tzinfo=UTC),  # deadline 2026-03-10 12:00 UTC
        )
        with time_machine.travel(T0, tick=False):
            sign_in(self.client, self.staff_a)
            self.client.get(BOARD)

    def session_expiry(self) -> datetime:
        return Session.objects.get(session_key=self.client.session.session_key).expire_date

    def poll(self, minutes: int, **params):
        with time_machine.travel(T0 + timedelta(minutes=minutes), tick=False):
            return self.client.get(ROWS, params, headers=POLL)

    def test_the_board_polls_its_rows_every_minute(self):
        with time_machine.travel(T0, tick=False):
            response = self.client.get(BOARD, {"agency": str(self.agency_a.public_id)})
        self.assertContains(
            response,
            f'<div id="custody-board-rows" hx-get="{ROWS}?agency={self.agency_a.public_id}" '
            'hx-trigger="every 60s, refresh" hx-swap="outerHTML" data-testid="board-rows">',
            html=False,
        )
        self.assertContains(response, 'src="/static/js/custody_board.js"')

    def test_a_poll_returns_the_rows_alone_with_the_time_left_now(self):
        response = self.poll(20)
        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        self.assertTrue(body.startswith('<div id="custody-board-rows"'), body[:120])
        self.assertNotIn("<html", body)
        self.assertIn("Pollperson", body)
        self.assertIn("23 h 40 min", body)  # deadline 2026-03-10 12:00 UTC, polled at 12:20 UTC
        self.assertIn("Last refreshed 2026-03-09 07:20 CDT", body)

    def test_a_poll_keeps_the_boards_agency_and_page(self):
        agency = str(self.agency_a.public_id)
        response = self.poll(1, agency=agency)
        self.assertEqual(response.context["only_agency"], self.agency_a)
        self.assertContains(response, f'hx-get="{ROWS}?agency={agency}"')

    def test_a_poll_does_not_move_the_sessions_expiry(self):
        before = self.session_expiry()
        self.assertEqual(before, T0 + timedelta(seconds=settings.SESSION_COOKIE_AGE))
        response = self.poll(10)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn(settings.SESSION_COOKIE_NAME, response.cookies)  # no fresh cookie either
        self.assertEqual(self.session_expiry(), before)

    def test_the_persons_own_request_still_moves_the_expiry(self):
        self.poll(10)
        with time_machine.travel(T0 + timedelta(minutes=20), tick=False):
            self.client.get(BOARD)
        self.assertEqual(self.session_expiry(), T0 + timedelta(minutes=50))

    def test_polls_alone_end_the_session_after_30_minutes_and_the_page_goes_to_sign_in(self):
        for minute in (1, 10, 20, 29):
            self.assertEqual(self.poll(minute).status_code, 200, minute)
        response = self.poll(31)
        self.assertEqual(response.status_code, 204)
        self.assertEqual(response["HX-Redirect"], "/accounts/login/?next=/custody/")
        self.assertEqual(response.content, b"")  # no sign-in form to swap into the table

    def test_each_poll_is_access_logged_like_the_board(self):
        shown = AccessLog.objects.filter(user=self.staff_a, action=AccessLog.Action.LIST, path=BOARD).count()
        self.poll(1)
        log = AccessLog.objects.filter(user=self.staff_a, action=AccessLog.Action.LIST).latest("pk")
        self.assertEqual((log.path, log.object_count, log.agency), (ROWS, 1, self.agency_a))
        self.assertEqual(shown, 1)

    def test_another_agencys_board_rows_are_404(self):
        response = self.poll(1, agency=str(self.agency_b.public_id))
        self.assertEqual(response.status_code, 404)
