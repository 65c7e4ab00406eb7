from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.core.models import AccessLog
from compliance.core.pages import PAGE_SIZE
from compliance.core.roles import Role
from incidents.detainers.models import Detainer
from tests.base import BaseTestCase, make_user, sign_in
from tests.incidents.helpers import local_datetime_post, make_detainer

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)  # 2026-03-09 07:00 CDT


def detainer_post(**overrides) -> dict:
    data = {
        "subject_last_name": "Newperson",
        "subject_first_name": "Robin",
        "subject_date_of_birth": "1988-07-14",
        "booking_number": "BK-20001",
        "underlying_charge": "Theft (invented)",
        "form": "I-247A",
        "warrant_type": "I-205",
        "warrant_signed": "on",
        "handling_officer": "",
        **local_datetime_post("booked_at", "2026-03-06", "20:00"),
        **local_datetime_post("issued_at", "2026-03-07", "08:00"),
        **local_datetime_post("received_at", "2026-03-07", "08:30"),
        **local_datetime_post("would_be_released_at", "2026-03-07", "09:00"),
    }
    data.update(overrides)
    return data


@time_machine.travel(NOW, tick=False)
class DetainerViewTests(BaseTestCase):
    def setUp(self):
        self.released = datetime(2026, 3, 7, 9, 0, tzinfo=CHICAGO)  # D1: deadline 2026-03-09 10:00 CDT
        self.detainer_a = make_detainer(
            self.agency_a, actor=self.staff_a, subject_last_name="Alphaperson", would_be_released_at=self.released
        )
        self.detainer_b = make_detainer(
            self.agency_b,
            actor=self.staff_b,
            number=2,
            subject_last_name="Betaperson",
            would_be_released_at=datetime(2026, 3, 8, 9, 0, tzinfo=UTC),
        )

    def login(self, user):
        sign_in(self.client, user)

    def url(self, name, detainer=None):
        from django.urls import reverse

        return reverse(f"incidents:{name}", args=[detainer.public_id] if detainer else [])

    # --- list ---------------------------------------------------------------------------------

    def test_anonymous_users_are_sent_to_login(self):
        for url in (self.url("detainer_list"), self.url("detainer_detail", self.detainer_a)):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302)
            self.assertIn("/accounts/login/", response["Location"])

    def test_the_list_shows_only_the_users_agency(self):
        self.login(self.staff_a)
        response = self.client.get(self.url("detainer_list"))
        self.assertContains(response, "Alphaperson")
        self.assertNotContains(response, "Betaperson")
        self.assertEqual(response["Cache-Control"].count("no-store"), 1)

    def test_case_D1_the_list_shows_the_deadline_in_the_agencys_zone(self):
        self.login(self.staff_a)
        response = self.client.get(self.url("detainer_list"))
        self.assertContains(response, "2026-03-09 10:00 CDT")
        self.assertContains(response, "3 h 00 min")  # 07:00 CDT now

    def test_open_detainers_come_first_by_deadline_and_past_ones_are_flagged(self):
        later = make_detainer(
            self.agency_a,
            actor=self.staff_a,
            number=3,
            subject_last_name="Laterperson",
            would_be_released_at=self.released + timedelta(days=1),
        )
        past = make_detainer(
            self.agency_a,
            actor=self.staff_a,
            number=4,
            subject_last_name="Pastperson",
            would_be_released_at=self.released - timedelta(days=1),
        )
        closed = make_detainer(
            self.agency_a,
            actor=self.staff_a,
            number=5,
            subject_last_name="Closedperson",
            would_be_released_at=self.released - timedelta(days=3),
        )
        closed.outcome = Detainer.Outcome.RELEASED
        closed.save()
        self.login(self.staff_a)
        response = self.client.get(self.url("detainer_list"))
        self.assertEqual(
            [d.pk for d in response.context["detainers"]], [past.pk, self.detainer_a.pk, later.pk, closed.pk]
        )
        body = response.content.decode()
        self.assertEqual(body.count('data-testid="past-deadline"'), 1)
        self.assertIn("Past deadline", body)
        self.assertIn("overdue by 21 h 00 min", body)

    def test_an_auditor_of_both_agencies_sees_both(self):
        self.login(self.auditor)
        response = self.client.get(self.url("detainer_list"))
        self.assertContains(response, "Alphaperson")
        self.assertContains(response, "Betaperson")
        self.assertContains(response, self.agency_b.name)
        self.assertNotContains(response, "Log a detainer")

    def test_an_outsider_sees_an_empty_list(self):
        self.login(self.outsider)
        response = self.client.get(self.url("detainer_list"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["detainers"], [])

    def test_the_list_writes_one_access_log_row_with_the_count(self):
        make_detainer(self.agency_a, actor=self.staff_a, number=3)
        self.login(self.staff_a)
        self.client.get(self.url("detainer_list"))
        [row] = AccessLog.objects.all()
        self.assertEqual((row.user, row.action, row.object_count, row.agency), (self.staff_a, "list", 2, self.agency_a))
        self.assertIsNone(row.object_id)

    def test_the_list_costs_the_same_number_of_queries_at_any_size(self):
        self.login(self.staff_a)
        self.client.get(self.url("detainer_list"))  # warm up the session and content types
        with CaptureQueriesContext(connection) as small:
            self.client.get(self.url("detainer_list"))
        for n in range(PAGE_SIZE + 5):
            make_detainer(self.agency_a, actor=self.staff_a, number=100 + n, would_be_released_at=self.released)
        with self.assertNumQueries(len(small.captured_queries)):
            response = self.client.get(self.url("detainer_list"))
        self.assertEqual(len(response.context["detainers"]), PAGE_SIZE)
        self.assertTrue(response.context["page"].has_older)

    # --- detail -------------------------------------------------------------------------------

    def test_detail_shows_the_record_and_links_to_history(self):
        self.login(self.staff_a)
        response = self.client.get(self.url("detainer_detail", self.detainer_a))
        self.assertContains(response, "Alphaperson")
        self.assertContains(response, "2026-03-09 10:00 CDT")
        self.assertContains(response, f"/history/incidents.detainer/{self.detainer_a.public_id}/")
        self.assertContains(response, "Record the outcome")

    def test_detail_writes_one_access_log_row(self):
        self.login(self.staff_a)
        self.client.get(self.url("detainer_detail", self.detainer_a))
        [row] = AccessLog.objects.all()
        self.assertEqual((row.user, row.action, row.object_id), (self.staff_a, "view", self.detainer_a.pk))
        self.assertEqual(row.agency, self.agency_a)

    def test_another_agencys_detainer_is_404(self):
        for user in (self.staff_b, self.supervisor_b, self.outsider):
            self.login(user)
            for name in ("detainer_detail", "detainer_edit"):
                self.assertEqual(self.client.get(self.url(name, self.detainer_a)).status_code, 404, (user, name))
            response = self.client.post(self.url("detainer_outcome", self.detainer_a), {"outcome": "released"})
            self.assertEqual(response.status_code, 404)
        self.assertFalse(AccessLog.objects.filter(object_id=self.detainer_a.pk).exists())

    def test_an_auditor_reads_but_cannot_change(self):
        self.login(self.auditor_a)
        response = self.client.get(self.url("detainer_detail", self.detainer_a))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "Record the outcome")
        self.assertNotContains(response, self.url("detainer_edit", self.detainer_a))
        self.assertEqual(self.client.get(self.url("detainer_edit", self.detainer_a)).status_code, 403)
        self.assertEqual(self.client.post(self.url("detainer_edit", self.detainer_a), detainer_post()).status_code, 403)
        outcome = {"outcome": "released", **local_datetime_post("outcome_at", "2026-03-09", "06:00")}
        self.assertEqual(self.client.post(self.url("detainer_outcome", self.detainer_a), outcome).status_code, 403)
        self.assertEqual(self.client.get(self.url("detainer_create")).status_code, 403)
        self.assertEqual(self.client.post(self.url("detainer_create"), detainer_post()).status_code, 403)
        self.detainer_a.refresh_from_db()
        self.assertEqual(self.detainer_a.outcome, "pending")
        self.assertEqual(Detainer.objects.count(), 2)

    def test_a_past_deadline_is_flagged_on_the_detail_page(self):
        with time_machine.travel(datetime(2026, 3, 9, 16, 0, tzinfo=UTC), tick=False):
            self.login(self.staff_a)  # inside: sessions end after 30 idle minutes
            response = self.client.get(self.url("detainer_detail", self.detainer_a))
        # The R4.7–R4.8 check fails, and the summary at the top leads with it (the most urgent reason).
        passed = (
            "No hold authorized: the hold deadline 2026-03-09 10:00 CDT has passed. "
            "Release the person or record the transfer now."
        )
        [deadline_check] = [c for c in response.context["checks"] if c.name == "Within the 48-hour hold limit"]
        self.assertEqual((deadline_check.passed, deadline_check.message), (False, passed))
        self.assertRegex(
            response.content.decode(), rf'<tr data-check="failed">\s*<th scope="row">{deadline_check.name}</th>'
        )
        self.assertContains(response, f"<td>{passed}</td>", html=False)
        verdict = response.context["hold_verdict"]
        self.assertEqual((verdict.authorized, verdict.text, verdict.reason), (False, passed, deadline_check))
        self.assertContains(response, f"<strong>{passed}</strong> (R4.7–R4.8)")
        self.assertNotContains(response, "Hold deadline passed")  # no second alert box repeating the check

    # --- create -------------------------------------------------------------------------------

    def test_staff_logs_a_detainer_and_the_deadline_is_derived(self):
        self.login(self.staff_a)
        self.assertEqual(self.client.get(self.url("detainer_create")).status_code, 200)
        response = self.client.post(self.url("detainer_create"), detainer_post())
        detainer = Detainer.objects.get(booking_number="BK-20001")
        self.assertRedirects(response, self.url("detainer_detail", detainer), fetch_redirect_response=False)
        self.assertEqual(detainer.agency, self.agency_a)
        self.assertEqual(detainer.hold_deadline, datetime(2026, 3, 9, 15, 0, tzinfo=UTC))
        self.assertEqual(detainer.history.first().history_user, self.staff_a)

    def test_a_typed_deadline_is_ignored(self):
        self.login(self.staff_a)
        self.client.post(self.url("detainer_create"), detainer_post(hold_deadline="2030-01-01T00:00Z"))
        detainer = Detainer.objects.get(booking_number="BK-20001")
        self.assertEqual(detainer.hold_deadline, datetime(2026, 3, 9, 15, 0, tzinfo=UTC))

    def test_case_D3_the_form_page_refuses_a_nonexistent_time_without_a_server_error(self):
        self.login(self.staff_a)
        response = self.client.post(
            self.url("detainer_create"),
            detainer_post(**local_datetime_post("would_be_released_at", "2026-03-08", "02:30")),
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "2026-03-08 02:30 does not exist in America/Chicago")
        self.assertContains(response, "usa-form-group--error")
        self.assertFalse(Detainer.objects.filter(booking_number="BK-20001").exists())

    def test_case_D3_the_form_page_asks_which_repeated_time_then_saves_it(self):
        with time_machine.travel(datetime(2026, 11, 20, 12, 0, tzinfo=UTC), tick=False):
            self.login(self.staff_a)  # inside: sessions end after 30 idle minutes
            data = detainer_post(
                **local_datetime_post("booked_at", "2026-10-30", "20:00"),
                **local_datetime_post("issued_at", "2026-10-31", "08:00"),
                **local_datetime_post("received_at", "2026-10-31", "08:30"),
                **local_datetime_post("would_be_released_at", "2026-11-01", "01:30"),
            )
            response = self.client.post(self.url("detainer_create"), data)
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, "01:30 CDT (UTC−05:00) = 06:30 UTC")
            self.assertContains(response, "01:30 CST (UTC−06:00) = 07:30 UTC")
            self.assertContains(response, 'name="would_be_released_at_which"')
            data["would_be_released_at_which"] = "later"
            response = self.client.post(self.url("detainer_create"), data)
        detainer = Detainer.objects.get(booking_number="BK-20001")
        self.assertEqual(detainer.would_be_released_at, datetime(2026, 11, 1, 7, 30, tzinfo=UTC))
        self.assertEqual(detainer.hold_deadline, datetime(2026, 11, 3, 7, 30, tzinfo=UTC))

    def test_a_single_agency_user_cannot_post_into_another_agency(self):
        self.login(self.staff_a)
        self.client.post(self.url("detainer_create"), detainer_post(agency=str(self.agency_b.public_id)))
        self.assertEqual(Detainer.objects.get(booking_number="BK-20001").agency, self.agency_a)

    def test_a_multi_agency_user_picks_among_agencies_where_they_may_change(self):
        multi = make_user("multi_staff", agency=self.agency_a, role=Role.STAFF, agencies=[self.agency_a, self.agency_b])
        self.login(multi)
        response = self.client.get(self.url("detainer_create"))
        self.assertContains(response, 'name="agency"')
        self.assertContains(response, str(self.agency_b.public_id))
        self.client.post(self.url("detainer_create"), detainer_post(agency=str(self.agency_b.public_id)))
        detainer = Detainer.objects.get(booking_number="BK-20001")
        self.assertEqual(detainer.agency, self.agency_b)
        # Typed on Phoenix's clock (UTC−7 all year).
        self.assertEqual(detainer.would_be_released_at, datetime(2026, 3, 7, 16, 0, tzinfo=UTC))

    def test_an_agency_where_the_user_only_reads_is_not_offered(self):
        reader_writer = make_user("rw", agency=self.agency_a, role=Role.STAFF)
        from compliance.core.roles import role_grant

        role_grant(user=reader_writer, agency=self.agency_b, role=Role.AUDITOR)
        self.login(reader_writer)
        response = self.client.get(self.url("detainer_create"))
        self.assertNotContains(response, 'name="agency"')
        self.client.post(self.url("detainer_create"), detainer_post(agency=str(self.agency_b.public_id)))
        self.assertEqual(Detainer.objects.get(booking_number="BK-20001").agency, self.agency_a)

    # --- edit and outcome -------------------------------------------------------------------

    def test_an_edit_through_the_page_is_attributed_to_the_request_user(self):
        self.login(self.supervisor_a)
        response = self.client.get(self.url("detainer_edit", self.detainer_a))
        self.assertContains(response, 'value="2026-03-07"')
        self.assertContains(response, 'value="09:00"')
        data = detainer_post(
            subject_last_name="Alphaperson",
            booking_number="BK-55555",
            **local_datetime_post("would_be_released_at", "2026-03-08", "09:00"),
        )
        response = self.client.post(self.url("detainer_edit", self.detainer_a), data)
        self.assertRedirects(response, self.url("detainer_detail", self.detainer_a), fetch_redirect_response=False)
        self.detainer_a.refresh_from_db()
        self.assertEqual(self.detainer_a.booking_number, "BK-55555")
        self.assertEqual(self.detainer_a.hold_deadline, datetime(2026, 3, 10, 14, 0, tzinfo=UTC))
        latest = self.detainer_a.history.first()
        self.assertEqual(latest.history_user, self.supervisor_a)
        self.assertEqual(latest.history_type, "~")

    def test_the_edit_page_is_access_logged(self):
        self.login(self.staff_a)
        self.client.get(self.url("detainer_edit", self.detainer_a))
        self.assertEqual(AccessLog.objects.filter(action="view", object_id=self.detainer_a.pk).count(), 1)

    def test_staff_records_the_outcome(self):
        self.login(self.staff_a)
        data = {"outcome": "transferred", "lift_reason": "", **local_datetime_post("outcome_at", "2026-03-09", "06:30")}
        response = self.client.post(self.url("detainer_outcome", self.detainer_a), data)
        self.assertRedirects(response, self.url("detainer_detail", self.detainer_a), fetch_redirect_response=False)
        self.detainer_a.refresh_from_db()
        self.assertEqual(self.detainer_a.outcome, "transferred")
        self.assertEqual(self.detainer_a.outcome_at, datetime(2026, 3, 9, 11, 30, tzinfo=UTC))
        self.assertEqual(self.detainer_a.history.first().history_user, self.staff_a)

    def test_a_bad_outcome_shows_errors_on_the_detail_page(self):
        self.login(self.staff_a)
        data = {"outcome": "lifted", "lift_reason": "", **local_datetime_post("outcome_at", "2026-03-09", "06:30")}
        response = self.client.post(self.url("detainer_outcome", self.detainer_a), data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Say why the detainer was lifted or declined.")
        self.detainer_a.refresh_from_db()
        self.assertEqual(self.detainer_a.outcome, "pending")

    def test_custody_cannot_end_before_the_booking_on_the_page(self):
        Detainer.objects.filter(pk=self.detainer_a.pk).update(booked_at=datetime(2026, 3, 7, 2, 0, tzinfo=UTC))
        self.login(self.staff_a)
        data = {"outcome": "released", "lift_reason": "", **local_datetime_post("outcome_at", "2026-03-06", "19:59")}
        response = self.client.post(self.url("detainer_outcome", self.detainer_a), data)
        self.assertEqual(response.status_code, 200)
        # The booking in the agency's zone (CST), next to the field.
        self.assertContains(response, "Custody cannot end before the booking (2026-03-06 20:00 CST)")
        self.detainer_a.refresh_from_db()
        self.assertEqual(self.detainer_a.outcome, "pending")

    def test_the_outcome_url_refuses_get(self):
        self.login(self.staff_a)
        self.assertEqual(self.client.get(self.url("detainer_outcome", self.detainer_a)).status_code, 405)
