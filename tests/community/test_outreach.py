from datetime import UTC, date, datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community.models import OutreachEvent
from community.outreach import services
from compliance.core.pages import PAGE_SIZE
from compliance.core.roles import Role
from tests.base import BaseTestCase, make_user, sign_in

# 2026-06-01 03:00 UTC is still 2026-05-31 in Chicago (22:00 CDT) and Phoenix (20:00 MST).
NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)


def make_event(agency, *, actor, title="Town hall on the 287(g) agreement", **fields):
    values = {"kind": OutreachEvent.Kind.COMMUNITY_MEETING, "held_on": date(2026, 5, 20)}
    values.update(fields)
    return services.outreach_event_create(agency=agency, actor=actor, title=title, **values)


def outreach_post(**overrides) -> dict:
    data = {
        "kind": "community_meeting",
        "title": "Town hall, second quarter",
        "held_on": "2026-05-28",
        "location": "County building, room 2",
        "attendance": "14",
        "languages": "English, Spanish",
        "interpretation_provided": "true",
        "topics": "Detainer figures; how to file a complaint.",
        "summary": "Reviewed detainer figures.",
    }
    data.update(overrides)
    return data


@time_machine.travel(NOW, tick=False)
class OutreachViewTests(BaseTestCase):
    def setUp(self):
        self.event_a = make_event(self.agency_a, actor=self.staff_a, title="Alpha town hall")
        self.event_b = make_event(self.agency_b, actor=self.staff_b, title="Beta town hall")

    def login(self, user):
        sign_in(self.client, user)

    def url(self, name, event=None):
        return reverse(f"community:{name}", args=[event.public_id] if event else [])

    def test_the_list_keeps_its_url_name(self):
        self.assertEqual(self.url("outreach_list"), "/outreach/")

    def test_the_list_shows_only_the_users_agency(self):
        self.login(self.staff_a)
        response = self.client.get(self.url("outreach_list"))
        self.assertContains(response, "Alpha town hall")
        self.assertNotContains(response, "Beta town hall")

    def test_the_list_costs_the_same_number_of_queries_at_any_size(self):
        self.login(self.auditor)
        self.client.get(self.url("outreach_list"))
        with CaptureQueriesContext(connection) as small:
            self.client.get(self.url("outreach_list"))
        for n in range(PAGE_SIZE + 3):
            make_event(
                self.agency_b if n % 2 else self.agency_a,
                actor=self.staff_a,
                title=f"Bulk {n}",
            )
        with self.assertNumQueries(len(small.captured_queries)):
            response = self.client.get(self.url("outreach_list"))
        self.assertEqual(len(response.context["events"]), PAGE_SIZE)

    def test_another_agencys_event_is_404(self):
        for user in (self.staff_b, self.supervisor_b, self.outsider):
            self.login(user)
            for name in ("outreach_detail", "outreach_edit"):
                self.assertEqual(self.client.get(self.url(name, self.event_a)).status_code, 404)
            self.assertEqual(
                self.client.post(self.url("outreach_edit", self.event_a), outreach_post()).status_code, 404
            )

    def test_an_auditor_reads_but_cannot_change(self):
        self.login(self.auditor_a)
        response = self.client.get(self.url("outreach_detail", self.event_a))
        self.assertContains(response, "Alpha town hall")
        self.assertContains(response, f"/history/community.outreachevent/{self.event_a.public_id}/")
        self.assertEqual(self.client.get(self.url("outreach_edit", self.event_a)).status_code, 403)
        self.assertEqual(self.client.post(self.url("outreach_edit", self.event_a), outreach_post()).status_code, 403)
        self.assertEqual(self.client.post(self.url("outreach_create"), outreach_post()).status_code, 403)
        self.assertEqual(OutreachEvent.objects.count(), 2)

    def test_staff_logs_an_event(self):
        self.login(self.staff_a)
        response = self.client.post(self.url("outreach_create"), outreach_post())
        event = OutreachEvent.objects.get(title="Town hall, second quarter")
        self.assertRedirects(response, self.url("outreach_detail", event), fetch_redirect_response=False)
        self.assertEqual((event.agency, event.held_on, event.attendance), (self.agency_a, date(2026, 5, 28), 14))
        self.assertEqual((event.languages, event.interpretation_provided), ("English, Spanish", True))
        self.assertEqual(event.history.first().history_user, self.staff_a)

    def test_a_multi_agency_user_picks_the_agency(self):
        multi = make_user("multi_staff", agency=self.agency_a, role=Role.STAFF, agencies=[self.agency_a, self.agency_b])
        self.login(multi)
        response = self.client.post(self.url("outreach_create"), outreach_post())
        self.assertContains(response, "Choose the agency this record belongs to.")
        self.client.post(self.url("outreach_create"), outreach_post(agency=str(self.agency_b.public_id)))
        self.assertEqual(OutreachEvent.objects.get(title="Town hall, second quarter").agency, self.agency_b)

    def test_bad_input_is_reported_at_each_field(self):
        self.login(self.staff_a)
        response = self.client.post(
            self.url("outreach_create"),
            outreach_post(held_on="2026-06-05", attendance="12"),
        )
        form = response.context["form"]
        self.assertEqual(
            form.errors["attendance"], ["Attendance can only be recorded for an event that has been held."]
        )

    def test_an_attendance_past_the_columns_range_is_refused_next_to_the_field(self):
        self.login(self.staff_a)
        for typed in ("2147483648", "9223372036854775808", "100001"):
            with self.subTest(typed=typed):
                response = self.client.post(self.url("outreach_create"), outreach_post(attendance=typed))
                self.assertEqual(response.status_code, 200)
                self.assertEqual(
                    response.context["form"].errors["attendance"],
                    ["Ensure this value is less than or equal to 100000."],
                )
        self.assertFalse(OutreachEvent.objects.filter(title="Town hall, second quarter").exists())

    def test_an_edit_is_attributed_to_the_request_user(self):
        self.login(self.supervisor_a)
        response = self.client.post(
            self.url("outreach_edit", self.event_a), outreach_post(title="Alpha town hall", kind="media")
        )
        self.assertRedirects(response, self.url("outreach_detail", self.event_a), fetch_redirect_response=False)
        self.event_a.refresh_from_db()
        self.assertEqual(self.event_a.kind, "media")
        self.assertEqual(self.event_a.history.first().history_user, self.supervisor_a)

    def test_saving_unchanged_writes_no_history(self):
        for _ in range(3):
            services.outreach_event_update(event=self.event_a, actor=self.staff_a, title="Alpha town hall")
        self.assertEqual(self.event_a.history.count(), 1)

    def test_unknown_fields_are_refused(self):
        with self.assertRaises(TypeError):
            services.outreach_event_update(event=self.event_a, actor=self.staff_a, agency=self.agency_b)
