"""The custody board and its quick actions (R4.6–R4.7, R5.1)."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from compliance.core.models import AccessLog, Finding
from incidents.citizenship.services import citizenship_claim_record
from incidents.detainers import services
from incidents.detainers.models import Detainer
from incidents.incident_log.models import Incident
from tests.base import BaseTestCase, sign_in
from tests.incidents.helpers import local_datetime_post, make_detainer
from training.roster.models import Officer

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)  # 2026-03-09 07:00 CDT
BOARD = "/custody/"


def focused_input(body: str) -> str:
    """The one ``<input … autofocus …>`` tag of ``body`` (htmx focuses it after the swap)."""
    (tag,) = re.findall(r"<input [^>]*\bautofocus\b[^>]*>", body)
    return tag


@time_machine.travel(NOW, tick=False)
class CustodyBoardTests(BaseTestCase):
    def setUp(self):
        # D1: released 2026-03-07 09:00 CST → deadline 2026-03-09 10:00 CDT (15:00 UTC): 3 h left, "warning".
        self.soon = make_detainer(
            self.agency_a,
            actor=self.staff_a,
            subject_last_name="Soonperson",
            would_be_released_at=datetime(2026, 3, 7, 9, 0, tzinfo=CHICAGO),
        )
        self.overdue = make_detainer(
            self.agency_a,
            actor=self.staff_a,
            number=2,
            subject_last_name="Lateperson",
            would_be_released_at=datetime(2026, 3, 7, 11, 0, tzinfo=UTC),  # deadline 2026-03-09 11:00 UTC
        )
        self.later = make_detainer(
            self.agency_a,
            actor=self.staff_a,
            number=3,
            subject_last_name="Laterperson",
            would_be_released_at=datetime(2026, 3, 8, 12, 0, tzinfo=UTC),  # 24 h left
        )
        self.unknown = make_detainer(self.agency_a, actor=self.staff_a, number=4, subject_last_name="Noreleaseperson")
        self.closed = make_detainer(self.agency_a, actor=self.staff_a, number=5, subject_last_name="Closedperson")
        self.closed.outcome = Detainer.Outcome.RELEASED
        self.closed.save()
        self.other = make_detainer(
            self.agency_b,
            actor=self.staff_b,
            number=6,
            subject_last_name="Betaperson",
            would_be_released_at=datetime(2026, 3, 8, 9, 0, tzinfo=UTC),
        )

    def login(self, user):
        sign_in(self.client, user)

    def action_url(self, detainer, action):
        return reverse("incidents:custody_action", args=[detainer.public_id, action])

    def test_url_and_nav_link(self):
        self.assertEqual(reverse("incidents:custody_board"), BOARD)
        self.login(self.staff_a)
        response = self.client.get(reverse("dashboard"))
        self.assertContains(response, f'href="{BOARD}"')
        self.assertContains(response, "Custody board")

    def test_open_detainers_of_the_agency_by_nearest_deadline_with_time_left_in_its_zone(self):
        self.login(self.staff_a)
        response = self.client.get(BOARD)
        self.assertEqual(response.status_code, 200)
        rows = [row["detainer"] for row in response.context["board"]]
        self.assertEqual(rows, [self.overdue, self.soon, self.later, self.unknown])
        self.assertEqual([row["urgency"] for row in response.context["board"]], ["overdue", "warning", "ok", "unknown"])
        body = response.content.decode()
        self.assertIn("2026-03-09 10:00 CDT", body)  # D1 deadline on the agency's clock
        self.assertIn("3 h 00 min", body)
        self.assertIn("overdue by 1 h 00 min", body)
        self.assertIn('data-urgency="overdue"', body)
        self.assertNotIn("Closedperson", body)
        self.assertNotIn("Betaperson", body)

    def test_the_view_is_access_logged_with_the_count(self):
        self.login(self.staff_a)
        self.client.get(BOARD)
        log = AccessLog.objects.filter(user=self.staff_a, action=AccessLog.Action.LIST).latest("pk")
        self.assertEqual((log.object_count, log.agency, log.path), (4, self.agency_a, BOARD))

    def test_hold_authorized_is_shown_per_row(self):
        self.login(self.staff_a)
        response = self.client.get(BOARD)
        if not response.context["show_authorized"]:
            self.skipTest("incidents.detainers.checks.hold_authorized not available")
        # Not served on the subject (R4.5): no hold authorized yet.
        self.assertEqual([row["hold_authorized"] for row in response.context["board"]], [False] * 4)

    def test_query_count_does_not_grow_with_the_number_of_detainers(self):
        # Rows with a handling officer too: the officer authorization check is batched per page.
        officer = Officer.objects.create(
            agency=self.agency_a, first_name="Ines", last_name="Harrow", badge_number="H-1"
        )
        self.soon.handling_officer = officer
        self.soon.save()
        self.login(self.supervisor_a)

        def count():
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(BOARD).status_code, 200)
            return len(queries)

        small = count()
        for n in range(10, 18):
            make_detainer(
                self.agency_a,
                actor=self.staff_a,
                number=n,
                would_be_released_at=datetime(2026, 3, 8, n, 0, tzinfo=UTC),
                handling_officer=officer,
                # The officer is a nominee, not authorized: recorded as it happened (R2.7), with an explanation.
                explanation="Recorded after the fact.",
            )
        with CaptureQueriesContext(connection) as queries:
            self.client.get(BOARD)
        self.assertEqual(len(queries), small, "\n".join(q["sql"][:200] for q in queries.captured_queries))

    def test_auditor_reads_but_sees_no_actions_and_cannot_post(self):
        self.login(self.auditor_a)
        response = self.client.get(BOARD)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(response.context["board"]), 4)
        self.assertNotContains(response, "custody/" + str(self.soon.public_id))
        self.assertContains(response, "Read only")
        data = local_datetime_post("ice_notified_at", "2026-03-09", "06:00")
        self.assertEqual(self.client.post(self.action_url(self.soon, "ice-notified"), data).status_code, 403)
        self.soon.refresh_from_db()
        self.assertIsNone(self.soon.ice_notified_at)

    def test_other_agency_gets_404_on_every_action(self):
        self.login(self.staff_b)
        for action in ("service", "ice-notified", "transfer", "release"):
            self.assertEqual(self.client.post(self.action_url(self.soon, action), {}).status_code, 404)
        self.assertEqual(self.client.post(self.action_url(self.other, "nonsense"), {}).status_code, 404)

    def test_record_service_on_the_subject(self):
        self.login(self.staff_a)
        data = {
            **local_datetime_post("served_on_subject_at", "2026-03-08", "18:30"),
            "served_by": "Deputy Example #41",
            "service_language": "Spanish",
            "interpreter_used": "on",
            "service_interpreter_type": "telephone",
        }
        response = self.client.post(self.action_url(self.soon, "service"), data)
        self.assertRedirects(response, BOARD)
        self.soon.refresh_from_db()
        self.assertEqual(self.soon.served_on_subject_at, datetime(2026, 3, 8, 23, 30, tzinfo=UTC))  # CDT, UTC−5
        self.assertEqual(
            (
                self.soon.served_by,
                self.soon.service_language,
                self.soon.interpreter_used,
                self.soon.service_interpreter_type,
            ),
            ("Deputy Example #41", "Spanish", True, "telephone"),
        )
        self.assertEqual(self.soon.history.first().history_user, self.staff_a)

    def test_service_errors_are_shown_next_to_the_fields(self):
        self.login(self.staff_a)
        data = {**local_datetime_post("served_on_subject_at", "2026-03-08", "02:30"), "served_by": ""}
        response = self.client.post(self.action_url(self.soon, "service"), data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "This field is required.", status_code=200)
        # 2026-03-08 02:30 does not exist in Chicago (spring forward, case D3).
        self.assertContains(response, "does not exist in America/Chicago", status_code=200)
        self.soon.refresh_from_db()
        self.assertIsNone(self.soon.served_on_subject_at)

    def test_ice_notified(self):
        self.login(self.staff_a)
        response = self.client.post(
            self.action_url(self.soon, "ice-notified"), local_datetime_post("ice_notified_at", "2026-03-09", "06:15")
        )
        self.assertRedirects(response, BOARD)
        self.soon.refresh_from_db()
        self.assertEqual(self.soon.ice_notified_at, datetime(2026, 3, 9, 11, 15, tzinfo=UTC))

    def test_a_future_time_is_refused(self):
        self.login(self.staff_a)
        response = self.client.post(
            self.action_url(self.soon, "ice-notified"), local_datetime_post("ice_notified_at", "2026-03-09", "09:00")
        )
        self.assertContains(response, "cannot be in the future", status_code=200)

    def test_transfer_to_ice_custody_takes_it_off_the_board(self):
        self.login(self.staff_a)
        response = self.client.post(
            self.action_url(self.soon, "transfer"), local_datetime_post("outcome_at", "2026-03-09", "06:45")
        )
        self.assertRedirects(response, BOARD)
        self.soon.refresh_from_db()
        self.assertEqual(self.soon.outcome, Detainer.Outcome.TRANSFERRED)
        self.assertEqual(self.soon.outcome_at, datetime(2026, 3, 9, 11, 45, tzinfo=UTC))
        self.assertNotIn(self.soon, [row["detainer"] for row in self.client.get(BOARD).context["board"]])

    def test_a_citizenship_stop_refuses_transfer_and_service_at_the_form(self):
        citizenship_claim_record(
            detainer=self.soon,
            actor=self.staff_a,
            uscitizenship_claimed=True,
            recorded_at=datetime(2026, 3, 9, 10, 0, tzinfo=UTC),
        )
        self.login(self.staff_a)
        transfer = self.client.post(
            self.action_url(self.soon, "transfer"), local_datetime_post("outcome_at", "2026-03-09", "06:45")
        )
        self.assertEqual(transfer.status_code, 200)
        self.assertContains(transfer, "citizenship")
        service = self.client.post(
            self.action_url(self.soon, "service"),
            {
                **local_datetime_post("served_on_subject_at", "2026-03-09", "06:00"),
                "served_by": "Deputy Vale",
                "service_language": "English",
            },
        )
        self.assertEqual(service.status_code, 200)
        self.soon.refresh_from_db()
        self.assertEqual(self.soon.outcome, Detainer.Outcome.PENDING)
        self.assertIsNone(self.soon.served_on_subject_at)

    def test_release_after_the_deadline_opens_the_finding_and_incident(self):
        self.login(self.staff_a)
        data = local_datetime_post("outcome_at", "2026-03-09", "06:30")
        # Issue 9 point 2: custody that ended past the deadline is recorded, with the explanation it asks for.
        asked = self.client.post(self.action_url(self.overdue, "release"), data)
        self.assertEqual(asked.status_code, 200)
        self.assertIn("after the hold deadline", asked.context["form"].errors["explanation"][0])
        response = self.client.post(
            self.action_url(self.overdue, "release"), {**data, "explanation": "Released late (invented)."}
        )
        self.assertRedirects(response, BOARD)
        self.overdue.refresh_from_db()
        self.assertEqual(self.overdue.outcome, Detainer.Outcome.RELEASED)
        self.assertEqual(Finding.objects.filter(object_id=self.overdue.pk).count(), 1)
        self.assertEqual(Incident.objects.filter(detainer=self.overdue).count(), 1)

    # --- the action pages (the board renders no form; each link opens one) ---

    def test_get_of_each_action_page_for_staff(self):
        self.login(self.staff_a)
        for action, label, field in (
            ("service", "Record service on the subject", "Served by (name or badge)"),
            ("ice-notified", "Record ICE notified", "ICE notified at"),
            ("transfer", "Transferred to ICE custody", "When"),
            ("release", "Released", "When"),
        ):
            with self.subTest(action=action):
                response = self.client.get(self.action_url(self.soon, action))
                self.assertEqual(response.status_code, 200)
                self.assertTemplateUsed(response, "incidents/custody_action.html")
                self.assertContains(response, f"<h1>{label}</h1>", html=True)
                self.assertContains(response, "Soonperson, Alex")
                self.assertContains(response, "booking BK-00001")
                # D1: the deadline on the agency's clock, and the time left.
                self.assertContains(response, "hold deadline 2026-03-09 10:00 CDT (time remaining: 3 h 00 min)")
                self.assertContains(response, f">{field}")
                self.assertContains(response, 'href="/custody/">Back to the custody board</a>')
                self.assertContains(response, 'name="next" value="/custody/"')
                self.assertContains(response, f'action="{self.action_url(self.soon, action)}"')
                self.assertFalse(response.context["form"].is_bound)

    def test_the_action_page_is_access_logged_as_naming_the_detainer(self):
        self.login(self.staff_a)
        self.client.get(self.action_url(self.soon, "service"))
        log = AccessLog.objects.filter(user=self.staff_a, action=AccessLog.Action.VIEW).latest("pk")
        self.assertEqual((log.object_id, log.agency), (self.soon.pk, self.agency_a))

    def test_auditor_gets_403_on_every_action_page(self):
        self.login(self.auditor_a)
        for action in ("service", "ice-notified", "transfer", "release"):
            with self.subTest(action=action):
                self.assertEqual(self.client.get(self.action_url(self.soon, action)).status_code, 403)
                self.assertEqual(self.client.post(self.action_url(self.soon, action), {}).status_code, 403)

    def test_other_agency_gets_404_on_every_action_page(self):
        self.login(self.staff_b)
        for action in ("service", "ice-notified", "transfer", "release"):
            with self.subTest(action=action):
                self.assertEqual(self.client.get(self.action_url(self.soon, action)).status_code, 404)
        self.assertEqual(self.client.get(self.action_url(self.other, "nonsense")).status_code, 404)

    def test_htmx_get_renders_only_the_form_fragment_with_focus_on_its_first_field(self):
        self.login(self.staff_a)
        url = self.action_url(self.soon, "service")
        response = self.client.get(url, headers={"HX-Request": "true"})
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "incidents/_custody_action_form.html")
        self.assertTemplateNotUsed(response, "base.html")
        body = response.content.decode()
        self.assertNotIn("<html", body)
        self.assertEqual(body.count("<form"), 1)
        self.assertIn(f'hx-post="{url}"', body)
        self.assertIn("Record service on the subject: Soonperson, Alex", body)  # the legend
        self.assertIn("Times on the America/Chicago clock.", body)
        # Ids unique per row and action, every input labelled; the date input takes the focus.
        prefix = f"id_{self.soon.public_id.hex[:12]}_service_"
        self.assertEqual(body.count("autofocus"), 1)
        self.assertIn(f'id="{prefix}served_on_subject_at_0"', focused_input(body))
        for name in ("served_on_subject_at_0", "served_on_subject_at_1", "served_by", "service_language"):
            self.assertIn(f'for="{prefix}{name}"', body)
        self.assertIn("HX-Request", response["Vary"])
        self.assertIn("no-store", response["Cache-Control"])

    def test_htmx_post_errors_come_back_as_the_fragment_and_success_redirects_the_board(self):
        self.login(self.staff_a)
        url = self.action_url(self.soon, "ice-notified")
        htmx = {"HX-Request": "true"}
        bad = self.client.post(url, local_datetime_post("ice_notified_at", "2026-03-09", "09:00"), headers=htmx)
        self.assertEqual(bad.status_code, 200)
        self.assertTemplateUsed(bad, "incidents/_custody_action_form.html")
        self.assertContains(bad, "cannot be in the future")
        self.assertIn('_ice-notified_ice_notified_at_0"', focused_input(bad.content.decode()))  # the field in error
        back = f"/custody/?agency={self.agency_a.public_id}"
        good = self.client.post(
            url, {**local_datetime_post("ice_notified_at", "2026-03-09", "06:15"), "next": back}, headers=htmx
        )
        self.assertEqual((good.status_code, good["HX-Redirect"]), (204, back))
        self.soon.refresh_from_db()
        self.assertEqual(self.soon.ice_notified_at, datetime(2026, 3, 9, 11, 15, tzinfo=UTC))
        self.assertContains(self.client.get(back), "ICE notification recorded.")

    def test_the_board_has_four_links_per_row_and_no_quick_action_form(self):
        self.login(self.supervisor_a)
        response = self.client.get(BOARD)
        body = response.content.decode()
        self.assertEqual(body.count("<form"), 1)  # the header's sign-out form only
        self.assertNotIn('method="post" action="/custody/', body)
        for action in ("service", "ice-notified", "transfer", "release"):
            url = self.action_url(self.soon, action)
            self.assertIn(f'href="{url}" hx-get="{url}" hx-target="#quick-action-{self.soon.public_id}"', body)
        self.assertEqual(body.count('data-testid="action-'), 4 * 4)
        for label in ("Record service", "ICE notified", "Transferred to ICE custody", "Released"):
            self.assertIn(f'>{label}<span class="usa-sr-only">: Soonperson, Alex</span></a>', body)

    # --- back to the board: ``next`` ---

    def test_success_returns_to_a_local_next(self):
        self.login(self.staff_a)
        back = f"/custody/?agency={self.agency_a.public_id}&page=1"
        data = {**local_datetime_post("outcome_at", "2026-03-09", "06:45"), "next": back}
        response = self.client.post(self.action_url(self.soon, "transfer"), data)
        self.assertRedirects(response, back)

    def test_an_external_next_is_ignored(self):
        self.login(self.staff_a)
        for evil in ("https://evil.example/custody/", "//evil.example/custody/", "javascript:alert(1)"):
            with self.subTest(next=evil):
                page = self.client.get(self.action_url(self.later, "ice-notified"), {"next": evil})
                self.assertEqual(page.context["next_url"], BOARD)
                self.assertNotContains(page, "evil.example")
                response = self.client.post(
                    self.action_url(self.later, "ice-notified"),
                    {**local_datetime_post("ice_notified_at", "2026-03-09", "06:15"), "next": evil},
                )
                self.assertRedirects(response, BOARD, fetch_redirect_response=False)

    def test_a_next_that_is_not_a_local_path_is_ignored_and_the_action_saved_once(self):
        # A newline used to pass the host check and fail the redirect after the action was saved.
        self.login(self.staff_a)
        url = self.action_url(self.later, "ice-notified")
        for odd in (
            "/custody/\r\nSet-Cookie: x=1",
            "/custody/\x00",
            "http://testserver/custody/",  # this very host, but absolute: not a path
            "custody/?page=2",  # relative
            "/\\evil.example/",
            " /custody/",
        ):
            with self.subTest(next=odd):
                response = self.client.post(
                    url, {**local_datetime_post("ice_notified_at", "2026-03-09", "06:15"), "next": odd}
                )
                self.assertRedirects(response, BOARD, fetch_redirect_response=False)
                htmx = self.client.post(
                    url,
                    {**local_datetime_post("ice_notified_at", "2026-03-09", "06:20"), "next": odd},
                    headers={"HX-Request": "true"},
                )
                self.assertEqual((htmx.status_code, htmx["HX-Redirect"]), (204, BOARD))
        self.later.refresh_from_db()
        self.assertEqual(
            self.later.ice_notified_at, datetime(2026, 3, 9, 11, 20, tzinfo=UTC)
        )  # 06:20 CDT, the last post


@time_machine.travel(NOW, tick=False)
class CustodyBoardQueryCountTests(BaseTestCase):
    """The board's query count is the same for 5 and 30 open detainers (30: two pages)."""

    def setUp(self):
        self.officer = Officer.objects.create(
            agency=self.agency_a, first_name="Ines", last_name="Harrow", badge_number="H-1"
        )
        self.made = 0
        self.add_open(5)
        sign_in(self.client, self.supervisor_a)

    def add_open(self, count):
        for _ in range(count):
            self.made += 1
            make_detainer(
                self.agency_a,
                actor=self.staff_a,
                number=100 + self.made,
                would_be_released_at=datetime(2026, 3, 8, 0, 0, tzinfo=UTC) + timedelta(minutes=self.made),
                handling_officer=self.officer,
                # The officer is a nominee, not authorized: recorded as it happened (R2.7), with an explanation.
                explanation="Recorded after the fact.",
            )

    def board_queries(self, params=None) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(BOARD, params or {})
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def test_query_count_is_the_same_for_5_and_30_open_detainers(self):
        self.board_queries()  # session warm
        five = self.board_queries()
        self.add_open(25)
        with self.assertNumQueries(five):
            response = self.client.get(BOARD)
        self.assertEqual(len(response.context["board"]), 25)
        with self.assertNumQueries(five):
            response = self.client.get(BOARD, {"page": "2"})
        self.assertEqual(len(response.context["board"]), 5)

    def test_links_on_page_two_of_one_agency_come_back_to_it(self):
        self.add_open(25)
        agency = str(self.agency_a.public_id)
        response = self.client.get(BOARD, {"agency": agency, "page": "2"})
        row = response.context["board"][0]
        back = f"/custody/?agency={agency}&page=2"
        self.assertEqual(row["actions"][0]["url"].split("?", 1)[1], urlencode({"next": back}))
        self.assertContains(response, escape(row["actions"][0]["url"]))
        page = self.client.get(row["actions"][2]["url"])
        self.assertEqual(page.context["next_url"], back)
        self.assertContains(page, f'href="{escape(back)}">Back to the custody board</a>')
        done = self.client.post(
            row["actions"][2]["url"], {**local_datetime_post("outcome_at", "2026-03-09", "06:45"), "next": back}
        )
        self.assertRedirects(done, back)
        # The plain first page needs no ``next``: the board is the default.
        first = self.client.get(BOARD).context["board"][0]["actions"][0]["url"]
        self.assertNotIn("?", first)


class AlreadyRecordedWarningTests(BaseTestCase):
    def test_the_service_page_warns_that_saving_replaces_an_earlier_record(self):
        detainer = make_detainer(self.agency_a, actor=self.staff_a)
        url = reverse("incidents:custody_action", args=[detainer.public_id, "service"])
        sign_in(self.client, self.staff_a)
        self.assertNotContains(self.client.get(url), 'data-testid="already-recorded"')
        services.detainer_record_ice_notified(
            detainer=detainer, actor=self.staff_a, ice_notified_at=datetime(2026, 1, 5, 18, 0, tzinfo=UTC)
        )
        notified = reverse("incidents:custody_action", args=[detainer.public_id, "ice-notified"])
        self.assertContains(self.client.get(notified), "Already recorded: 2026-01-05 12:00 CST")
        self.assertNotContains(
            self.client.get(reverse("incidents:custody_action", args=[detainer.public_id, "release"])),
            "Already recorded",
        )
