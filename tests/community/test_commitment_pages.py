"""Commitment pages: the agency's list and its filters, make (at an event or on its own), page, change, done, drop,
reopen; the panel on an event's page; the dashboard's figures. Real database, the personas of tests/base.py."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community.commitments import services
from community.commitments.models import Commitment
from community.outreach import services as outreach_services
from community.outreach.models import OutreachEvent
from compliance.core.pages import PAGE_SIZE
from compliance.core.roles import Role
from tests.base import BaseTestCase, make_user, sign_in
from tests.compliance.helpers import figure

# 2026-06-01 03:00 UTC is still 2026-05-31 in Chicago (agency A, 22:00 CDT): the agency's today is 31 May.
NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
TODAY_A = date(2026, 5, 31)


def make_event(agency, actor, *, title="Town hall on the 287(g) agreement (invented)", held_on=date(2026, 5, 1)):
    return outreach_services.outreach_event_create(
        agency=agency, actor=actor, kind=OutreachEvent.Kind.COMMUNITY_MEETING, title=title, held_on=held_on
    )


def make_commitment(agency, actor, owner, due_on, *, description="Publish the detainer figures", **origin):
    return services.commitment_create(
        agency=agency, actor=actor, description=description, owner=owner, due_on=due_on, **origin
    )


def url(name, commitment=None):
    return reverse(f"community:{name}", args=[commitment.public_id] if commitment else [])


@time_machine.travel(NOW, tick=False)
class CommitmentListTests(BaseTestCase):
    def setUp(self):
        self.event = make_event(self.agency_a, self.staff_a)
        self.overdue = make_commitment(
            self.agency_a, self.staff_a, self.staff_a, date(2026, 5, 30), description="Overdue item", event=self.event
        )
        # Due on the agency's today (31 May), although UTC is already 1 June: not overdue.
        self.due_today = make_commitment(
            self.agency_a, self.staff_a, self.supervisor_a, TODAY_A, description="Due today item"
        )
        self.later = make_commitment(self.agency_a, self.staff_a, self.staff_a, date(2026, 7, 1), description="Later")
        self.done = make_commitment(self.agency_a, self.staff_a, self.staff_a, date(2026, 6, 5), description="Done x")
        services.commitment_complete(
            commitment=self.done, actor=self.staff_a, evidence="Posted on the website", completed_on=TODAY_A
        )
        self.dropped = make_commitment(self.agency_a, self.staff_a, self.staff_a, date(2026, 6, 5), description="Drop")
        services.commitment_drop(commitment=self.dropped, actor=self.supervisor_a, reason="Superseded")
        self.other = make_commitment(self.agency_b, self.staff_b, self.staff_b, date(2026, 6, 2), description="Birch")

    def descriptions(self, response):
        return [row.commitment.description for row in response.context["rows"]]

    def test_the_default_list_is_open_commitments_soonest_due_first_of_the_users_agency(self):
        sign_in(self.client, self.auditor_a)
        response = self.client.get(url("commitment_list"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.descriptions(response), ["Overdue item", "Due today item", "Later"])
        self.assertNotContains(response, "Birch")

    def test_overdue_is_by_the_agencys_own_date(self):
        sign_in(self.client, self.auditor_a)
        rows = {
            row.commitment.description: row.overdue for row in self.client.get(url("commitment_list")).context["rows"]
        }
        self.assertEqual(rows, {"Overdue item": True, "Due today item": False, "Later": False})
        response = self.client.get(url("commitment_list"))
        self.assertContains(response, 'data-testid="overdue-tag"', count=1)

    def test_each_filter(self):
        sign_in(self.client, self.staff_a)
        expected = {
            "overdue": ["Overdue item"],
            "due_soon": ["Due today item"],
            "done": ["Done x"],
            "dropped": ["Drop"],
            "all": ["Overdue item", "Due today item", "Done x", "Drop", "Later"],
            "open": ["Overdue item", "Due today item", "Later"],
            "bogus": ["Overdue item", "Due today item", "Later"],  # an unknown value: the default
        }
        for show, descriptions in expected.items():
            with self.subTest(show=show):
                response = self.client.get(url("commitment_list"), {"show": show})
                self.assertEqual(self.descriptions(response), descriptions)

    def test_mine_and_origin_filters(self):
        sign_in(self.client, self.supervisor_a)
        self.assertEqual(self.descriptions(self.client.get(url("commitment_list"), {"mine": "on"})), ["Due today item"])
        self.assertEqual(
            self.descriptions(self.client.get(url("commitment_list"), {"origin": "event"})), ["Overdue item"]
        )
        self.assertEqual(
            self.descriptions(self.client.get(url("commitment_list"), {"origin": "none"})), ["Due today item", "Later"]
        )
        self.assertEqual(self.descriptions(self.client.get(url("commitment_list"), {"origin": "meeting"})), [])

    def test_each_row_links_to_its_page_and_its_event(self):
        sign_in(self.client, self.staff_a)
        response = self.client.get(url("commitment_list"))
        self.assertContains(response, url("commitment_detail", self.overdue))
        self.assertContains(response, reverse("community:outreach_detail", args=[self.event.public_id]))

    def test_an_item_without_an_owner_is_flagged_with_a_way_to_assign_one(self):
        Commitment.objects.filter(pk=self.later.pk).update(owner=None)  # as migration 0004 carries them over
        sign_in(self.client, self.staff_a)
        response = self.client.get(url("commitment_list"))
        self.assertContains(response, 'data-testid="no-owner"', count=1)
        self.assertContains(response, f'href="{url("commitment_edit", self.later)}"')
        sign_in(self.client, self.auditor_a)  # reads, never writes: no link
        response = self.client.get(url("commitment_list"))
        self.assertContains(response, 'data-testid="no-owner"', count=1)
        self.assertNotContains(response, url("commitment_edit", self.later))

    def test_another_agency_in_the_query_is_404(self):
        sign_in(self.client, self.staff_a)
        self.assertEqual(self.client.get(url("commitment_list"), {"agency": self.agency_b.public_id}).status_code, 404)

    def test_an_auditor_of_two_agencies_switches(self):
        sign_in(self.client, self.auditor)
        response = self.client.get(url("commitment_list"), {"agency": self.agency_b.public_id})
        self.assertEqual(self.descriptions(response), ["Birch"])

    def test_the_list_costs_the_same_number_of_queries_at_any_size(self):
        sign_in(self.client, self.supervisor_a)
        self.client.get(url("commitment_list"), {"show": "all"})
        with CaptureQueriesContext(connection) as small:
            self.client.get(url("commitment_list"), {"show": "all"})
        for n in range(PAGE_SIZE + 3):
            owner = make_user(f"owner_{n}", agency=self.agency_a, role=Role.STAFF)
            event = make_event(self.agency_a, self.staff_a, title=f"Bulk {n}")
            make_commitment(self.agency_a, self.staff_a, owner, date(2026, 6, 10), event=event)
        with self.assertNumQueries(len(small.captured_queries)):
            response = self.client.get(url("commitment_list"), {"show": "all"})
        self.assertEqual(len(response.context["rows"]), PAGE_SIZE)

    def test_the_outreach_list_links_to_the_commitments(self):
        sign_in(self.client, self.staff_a)
        self.assertContains(self.client.get(reverse("community:outreach_list")), url("commitment_list"))


@time_machine.travel(NOW, tick=False)
class CommitmentCreateTests(BaseTestCase):
    def setUp(self):
        self.event = make_event(self.agency_a, self.staff_a)
        self.event_b = make_event(self.agency_b, self.staff_b)

    def post(self, query="", **overrides):
        data = {"description": "Hold a town hall in Spanish", "owner": self.staff_a.pk, "due_on": "2026-06-30"}
        data.update(overrides)
        return self.client.post(url("commitment_create") + query, data)

    def test_made_at_an_event_from_its_query(self):
        sign_in(self.client, self.staff_a)
        page = self.client.get(url("commitment_create"), {"event": self.event.public_id})
        self.assertContains(page, self.event.title)
        self.assertNotIn("agency", page.context["form"].fields)
        response = self.post(f"?event={self.event.public_id}")
        commitment = Commitment.objects.get()
        self.assertRedirects(response, url("commitment_detail", commitment))
        self.assertEqual(
            (commitment.event, commitment.owner, commitment.due_on), (self.event, self.staff_a, date(2026, 6, 30))
        )
        self.assertEqual(commitment.created_by, self.staff_a)
        self.assertEqual(commitment.history.first().history_user, self.staff_a)

    def test_another_agencys_event_or_a_malformed_id_is_404(self):
        sign_in(self.client, self.staff_a)
        for query in (
            f"?event={self.event_b.public_id}",
            "?event=not-a-uuid",
            "?meeting=00000000-0000-0000-0000-000000000000",
        ):
            with self.subTest(query=query):
                self.assertEqual(self.client.get(url("commitment_create") + query).status_code, 404)
                self.assertEqual(self.post(query).status_code, 404)
        self.assertFalse(Commitment.objects.exists())

    def test_an_auditor_may_not_make_one(self):
        sign_in(self.client, self.auditor_a)
        self.assertEqual(self.client.get(url("commitment_create"), {"event": self.event.public_id}).status_code, 403)
        self.assertEqual(self.post().status_code, 403)
        self.assertFalse(Commitment.objects.exists())

    def test_a_due_date_before_the_event_is_refused_next_to_the_field(self):
        sign_in(self.client, self.staff_a)
        response = self.post(f"?event={self.event.public_id}", due_on="2026-04-30")
        self.assertEqual(response.status_code, 200)
        self.assertIn(
            "cannot be before the day it was promised (2026-05-01)", str(response.context["form"].errors["due_on"])
        )
        self.assertContains(response, 'data-testid="error-summary"')
        self.assertFalse(Commitment.objects.exists())

    def test_an_owner_of_another_agency_or_nobody_is_refused(self):
        sign_in(self.client, self.staff_a)
        for owner in (self.staff_b.pk, "", self.auditor_a.pk):
            with self.subTest(owner=owner):
                response = self.post(owner=owner)
                self.assertEqual(response.status_code, 200)
                self.assertIn("owner", response.context["form"].errors)
        self.assertFalse(Commitment.objects.exists())

    def test_on_its_own_a_user_of_two_agencies_chooses_the_agency(self):
        both = make_user("staff_ab", agency=self.agency_a, role=Role.STAFF, agencies=[self.agency_a, self.agency_b])
        sign_in(self.client, both)
        page = self.client.get(url("commitment_create"))
        self.assertIn("agency", page.context["form"].fields)
        # An owner who may change agency A's records only, for agency B: refused next to the owner.
        response = self.post(agency=self.agency_b.public_id, owner=self.staff_a.pk)
        self.assertIn("owner", response.context["form"].errors)
        self.post(agency=self.agency_b.public_id, owner=self.staff_b.pk)
        self.assertEqual(Commitment.objects.get().agency, self.agency_b)

    def test_the_event_panel_links_to_adding_and_to_each_commitment(self):
        commitment = make_commitment(self.agency_a, self.staff_a, self.staff_a, date(2026, 5, 20), event=self.event)
        request = RequestFactory().get("/")
        template = Template("{% load commitment_panels %}{% commitments_panel event=event %}")
        for user, can_add in ((self.staff_a, True), (self.auditor_a, False)):
            request.user = user
            html = template.render(Context({"request": request, "event": self.event}))
            self.assertIn(url("commitment_detail", commitment), html)
            self.assertIn('data-testid="overdue-tag"', html)  # due 20 May, the agency's today 31 May
            add = f"{url('commitment_create')}?event={self.event.public_id}"
            self.assertEqual(add in html, can_add)


@time_machine.travel(NOW, tick=False)
class CommitmentStepTests(BaseTestCase):
    def setUp(self):
        self.event = make_event(self.agency_a, self.staff_a)
        self.commitment = make_commitment(
            self.agency_a, self.staff_a, self.staff_a, date(2026, 6, 10), event=self.event
        )
        self.other_staff = make_user("staff_a2", agency=self.agency_a, role=Role.STAFF)

    def test_the_page_shows_what_who_when_and_the_history_link(self):
        sign_in(self.client, self.auditor_a)
        response = self.client.get(url("commitment_detail", self.commitment))
        self.assertContains(response, "Publish the detainer figures")
        self.assertContains(response, reverse("community:outreach_detail", args=[self.event.public_id]))
        history = reverse("history", args=["community.commitment", self.commitment.public_id])
        self.assertContains(response, history)
        self.assertEqual(self.client.get(history).status_code, 200)
        self.assertNotContains(response, url("commitment_complete", self.commitment))

    def test_another_agencys_commitment_is_404_on_every_page(self):
        sign_in(self.client, self.staff_b)
        for name in (
            "commitment_detail",
            "commitment_edit",
            "commitment_complete",
            "commitment_drop",
            "commitment_reopen",
        ):
            with self.subTest(name=name):
                self.assertEqual(self.client.get(url(name, self.commitment)).status_code, 404)

    def test_the_owner_records_it_done_and_the_page_shows_who_and_when_in_the_agencys_zone(self):
        sign_in(self.client, self.staff_a)
        response = self.client.post(
            url("commitment_complete", self.commitment),
            {"evidence": "Posted on the county site", "completed_on": "2026-05-31"},
        )
        self.assertRedirects(response, url("commitment_detail", self.commitment))
        self.commitment.refresh_from_db()
        self.assertEqual((self.commitment.status, self.commitment.completed_on), ("done", TODAY_A))
        page = self.client.get(url("commitment_detail", self.commitment))
        self.assertContains(page, "Posted on the county site")
        self.assertContains(page, "2026-05-31 22:00")  # closed_at 03:00 UTC shown on Chicago's clock
        self.assertContains(page, "staff_a")

    def test_someone_else_of_the_staff_may_not_record_it_done_a_supervisor_may(self):
        sign_in(self.client, self.other_staff)
        self.assertEqual(self.client.get(url("commitment_complete", self.commitment)).status_code, 403)
        sign_in(self.client, self.supervisor_a)
        self.assertEqual(self.client.get(url("commitment_complete", self.commitment)).status_code, 200)

    def test_done_needs_evidence_and_no_future_day(self):
        sign_in(self.client, self.staff_a)
        response = self.client.post(
            url("commitment_complete", self.commitment), {"evidence": "  ", "completed_on": "2026-06-01"}
        )
        self.assertEqual(response.status_code, 200)
        errors = response.context["form"].errors
        self.assertIn("evidence", errors)
        self.commitment.refresh_from_db()
        self.assertEqual(self.commitment.status, "open")
        response = self.client.post(
            url("commitment_complete", self.commitment), {"evidence": "x", "completed_on": "2026-06-01"}
        )
        self.assertIn("cannot be after today (2026-05-31", str(response.context["form"].errors["completed_on"]))

    def test_drop_and_reopen_are_for_supervisors_with_a_reason(self):
        sign_in(self.client, self.staff_a)
        self.assertEqual(self.client.get(url("commitment_drop", self.commitment)).status_code, 403)
        sign_in(self.client, self.supervisor_a)
        response = self.client.post(url("commitment_drop", self.commitment), {"reason": ""})
        self.assertIn("reason", response.context["form"].errors)
        self.client.post(url("commitment_drop", self.commitment), {"reason": "The board withdrew the request"})
        self.commitment.refresh_from_db()
        self.assertEqual(
            (self.commitment.status, self.commitment.drop_reason), ("dropped", "The board withdrew the request")
        )
        self.assertContains(
            self.client.get(url("commitment_detail", self.commitment)), "The board withdrew the request"
        )
        # Editing a dropped one changes nothing.
        self.client.post(
            url("commitment_edit", self.commitment),
            {"description": "New", "owner": self.staff_a.pk, "due_on": "2026-06-20"},
        )
        self.commitment.refresh_from_db()
        self.assertEqual(self.commitment.description, "Publish the detainer figures")
        self.client.post(url("commitment_reopen", self.commitment), {"reason": "Asked again at the June meeting"})
        self.commitment.refresh_from_db()
        self.assertEqual(self.commitment.status, "open")
        self.assertEqual(self.commitment.history.first().history_change_reason, "Asked again at the June meeting")

    def test_reopening_an_open_one_changes_nothing(self):
        sign_in(self.client, self.supervisor_a)
        response = self.client.post(url("commitment_reopen", self.commitment), {"reason": "x"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.commitment.history.count(), 1)

    def test_edit_assigns_an_owner_to_a_carried_over_item(self):
        Commitment.objects.filter(pk=self.commitment.pk).update(owner=None)
        sign_in(self.client, self.staff_a)
        response = self.client.post(
            url("commitment_edit", self.commitment),
            {"description": "Publish the detainer figures", "owner": self.other_staff.pk, "due_on": "2026-06-10"},
        )
        self.assertRedirects(response, url("commitment_detail", self.commitment))
        self.commitment.refresh_from_db()
        self.assertEqual(self.commitment.owner, self.other_staff)

    def test_an_auditor_may_read_but_take_no_step(self):
        sign_in(self.client, self.auditor_a)
        self.assertEqual(self.client.get(url("commitment_detail", self.commitment)).status_code, 200)
        for name in ("commitment_edit", "commitment_complete", "commitment_drop", "commitment_reopen"):
            with self.subTest(name=name):
                self.assertEqual(self.client.post(url(name, self.commitment), {"reason": "x"}).status_code, 403)
        self.assertEqual(self.commitment.history.count(), 1)


@time_machine.travel(NOW, tick=False)
class CommitmentDashboardTests(BaseTestCase):
    def add(self, n: int) -> None:
        for i in range(n):
            make_commitment(self.agency_a, self.staff_a, self.staff_a, date(2026, 5, 1 + i % 20))  # overdue
            make_commitment(self.agency_a, self.staff_a, self.staff_a, date(2026, 6, 1 + i % 7))  # due within 7 days
            make_commitment(self.agency_a, self.staff_a, self.staff_a, date(2026, 8, 1))  # later
            make_commitment(self.agency_b, self.staff_b, self.staff_b, date(2026, 5, 1))  # another agency

    def test_overdue_and_due_soon_counts_link_to_the_filtered_list(self):
        self.add(2)
        make_commitment(self.agency_a, self.staff_a, self.staff_a, TODAY_A)  # due today: due soon, not overdue
        sign_in(self.client, self.supervisor_a)
        response = self.client.get("/")
        self.assertEqual(figure(response, "commitments-overdue"), "2")
        self.assertEqual(figure(response, "commitments-due-soon"), "3")
        list_url = url("commitment_list")
        self.assertContains(response, f"{list_url}?agency={self.agency_a.public_id}&amp;show=overdue")
        self.assertContains(response, f"{list_url}?agency={self.agency_a.public_id}&amp;show=due_soon")
        overdue = self.client.get(list_url, {"agency": self.agency_a.public_id, "show": "overdue"})
        self.assertEqual(len(overdue.context["rows"]), 2)

    def test_the_dashboards_queries_do_not_grow_with_commitments(self):
        sign_in(self.client, self.supervisor_a)
        self.add(1)
        self.client.get("/")  # the dashboard's cached part (trends and the like; commitments are never cached)
        with CaptureQueriesContext(connection) as small:
            self.client.get("/")
        expected = len(small.captured_queries)  # now: the query log is a bounded deque that later work rotates
        self.add(30)
        self.client.get("/")
        with self.assertNumQueries(expected):
            response = self.client.get("/")
        self.assertEqual(figure(response, "commitments-overdue"), "31")
