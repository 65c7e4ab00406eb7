"""The access-log page auditors read (SECURITY.md D3, D9, G5): who viewed what, when, from where."""

from datetime import UTC, datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.core.models import AccessLog
from tests.base import BaseTestCase, sign_in
from tests.incidents.helpers import make_detainer

URL = reverse("access_log")
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
class AccessLogPageTests(BaseTestCase):
    def setUp(self):
        self.detainer_a = make_detainer(self.agency_a, actor=self.staff_a, booking_number="BK-A-1")
        self.detainer_b = make_detainer(self.agency_b, actor=self.staff_b, booking_number="BK-B-1", number=2)

    def view(self, user, detainer, *, when):
        with time_machine.travel(when, tick=False):
            sign_in(self.client, user)
            response = self.client.get(reverse("incidents:detainer_detail", args=[detainer.public_id]))
            self.assertEqual(response.status_code, 200)

    def test_an_auditor_reads_who_viewed_which_record_when_and_from_where(self):
        self.view(self.staff_a, self.detainer_a, when=datetime(2026, 11, 20, 16, 5, tzinfo=UTC))
        sign_in(self.client, self.auditor_a)
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        rows = [e for e, _ in response.context["entries"] if e.action == AccessLog.Action.VIEW]
        self.assertEqual([(r.user, r.object_id) for r in rows], [(self.staff_a, self.detainer_a.pk)])
        self.assertContains(response, "2026-11-20 10:05 CST")  # agency A's zone
        self.assertContains(response, "127.0.0.1")
        self.assertContains(response, reverse("incidents:detainer_detail", args=[self.detainer_a.public_id]))
        # The log shows the record's type and link, never the person's name.
        self.assertNotContains(response, self.detainer_a.subject_last_name)

    def test_reading_the_log_changes_no_row_and_adds_only_its_own(self):
        self.view(self.staff_a, self.detainer_a, when=datetime(2026, 11, 20, 16, 5, tzinfo=UTC))
        before = list(AccessLog.objects.order_by("pk").values_list("pk", "at", "user", "action", "object_id"))
        sign_in(self.client, self.auditor_a)
        self.client.get(URL)
        after = list(AccessLog.objects.order_by("pk").values_list("pk", "at", "user", "action", "object_id"))
        self.assertEqual(after[: len(before)], before)  # the originals untouched (D9)
        self.assertEqual(
            [row[2:] for row in after[len(before) :]], [(self.auditor_a.pk, "list", None)]
        )  # the read (D1)

    def test_other_agencys_rows_are_not_shown(self):
        self.view(self.staff_b, self.detainer_b, when=datetime(2026, 11, 20, 16, 5, tzinfo=UTC))
        sign_in(self.client, self.auditor_a)
        response = self.client.get(URL)
        self.assertEqual([e for e, _ in response.context["entries"]], [])
        self.assertEqual(self.client.get(URL, {"agency": self.agency_b.public_id}).status_code, 404)

    def test_staff_and_outsiders_may_not_read_it(self):
        for user in (self.staff_a, self.outsider):
            with self.subTest(user=user.username):
                sign_in(self.client, user)
                self.assertEqual(self.client.get(URL).status_code, 403)

    def test_who_viewed_one_record(self):
        other = make_detainer(self.agency_a, actor=self.staff_a, booking_number="BK-A-2", number=3)
        when = datetime(2026, 11, 20, 16, 5, tzinfo=UTC)
        self.view(self.staff_a, self.detainer_a, when=when)
        self.view(self.supervisor_a, other, when=when)
        sign_in(self.client, self.auditor_a)
        response = self.client.get(URL, {"record": f"incidents.detainer:{other.public_id}"})
        self.assertEqual(
            [(e.user, e.object_id) for e, _ in response.context["entries"]], [(self.supervisor_a, other.pk)]
        )
        self.assertContains(response, 'data-testid="record-filter"')
        for bad in (
            "incidents.detainer:not-a-uuid",
            "nope.nothing:1",
            f"incidents.detainer:{self.detainer_b.public_id}",
        ):
            with self.subTest(record=bad):
                self.assertEqual(self.client.get(URL, {"record": bad}).context["entries"], [])

    def test_period_is_agency_local_days_inclusive(self):
        # 2026-11-21 05:30 UTC is still 20 Nov (23:30 CST) in agency A.
        self.view(self.staff_a, self.detainer_a, when=datetime(2026, 11, 21, 5, 30, tzinfo=UTC))
        self.view(self.staff_a, self.detainer_a, when=datetime(2026, 11, 21, 6, 30, tzinfo=UTC))
        sign_in(self.client, self.auditor_a)
        response = self.client.get(URL, {"start": "2026-11-20", "end": "2026-11-20", "action": "view"})
        self.assertEqual([e.at for e, _ in response.context["entries"]], [datetime(2026, 11, 21, 5, 30, tzinfo=UTC)])
        response = self.client.get(URL, {"start": "2026-11-21", "end": "2026-11-21", "action": "view"})
        self.assertEqual([e.at for e, _ in response.context["entries"]], [datetime(2026, 11, 21, 6, 30, tzinfo=UTC)])

    def test_end_before_start_is_reported_next_to_the_field(self):
        sign_in(self.client, self.auditor_a)
        response = self.client.get(URL, {"start": "2026-11-20", "end": "2026-11-19"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["filters"].errors["end"], ["The end date is before the start date."])

    def queries_for_the_page(self) -> int:
        sign_in(self.client, self.auditor_a)
        self.client.get(URL)  # warm caches (content types, session)
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        return len(captured.captured_queries), len(response.context["entries"])

    def test_query_count_does_not_grow_with_the_rows(self):
        when = datetime(2026, 11, 20, 16, 5, tzinfo=UTC)
        self.view(self.staff_a, self.detainer_a, when=when)
        few, shown_few = self.queries_for_the_page()
        for number in range(4, 24):
            self.view(self.staff_a, make_detainer(self.agency_a, actor=self.staff_a, number=number), when=when)
        many, shown_many = self.queries_for_the_page()
        self.assertGreater(shown_many, shown_few + 19)
        self.assertEqual(many, few)


class AccessLogLinksTests(BaseTestCase):
    def test_the_detainer_page_links_an_auditor_to_who_viewed_it(self):
        detainer = make_detainer(self.agency_a, actor=self.staff_a)
        page = reverse("incidents:detainer_detail", args=[detainer.public_id])
        sign_in(self.client, self.auditor_a)
        response = self.client.get(page)
        self.assertContains(response, 'data-testid="who-viewed"')
        self.assertContains(response, f"record=incidents.detainer:{detainer.public_id}")
        sign_in(self.client, self.staff_a)
        self.assertNotContains(self.client.get(page), 'data-testid="who-viewed"')

    def test_the_record_link_shows_views_older_than_thirty_days(self):
        detainer = make_detainer(self.agency_a, actor=self.staff_a)
        with time_machine.travel(datetime(2026, 1, 5, 16, 0, tzinfo=UTC), tick=False):
            sign_in(self.client, self.staff_a)
            self.client.get(reverse("incidents:detainer_detail", args=[detainer.public_id]))
        sign_in(self.client, self.auditor_a)
        response = self.client.get(
            URL, {"agency": self.agency_a.public_id, "record": f"incidents.detainer:{detainer.public_id}"}
        )
        self.assertEqual([e.at for e, _ in response.context["entries"]], [datetime(2026, 1, 5, 16, 0, tzinfo=UTC)])

    def test_dashboard_links_auditors_but_not_staff(self):
        sign_in(self.client, self.auditor_a)
        self.assertContains(self.client.get(reverse("dashboard")), 'data-testid="access-log-link"')
        sign_in(self.client, self.staff_a)
        self.assertNotContains(self.client.get(reverse("dashboard")), 'data-testid="access-log-link"')


class MultiAgencyListLoggingTests(BaseTestCase):
    def test_a_list_spanning_two_agencies_is_in_each_agencys_access_log(self):
        make_detainer(self.agency_a, actor=self.staff_a, booking_number="BK-A-9")
        make_detainer(self.agency_b, actor=self.staff_b, booking_number="BK-B-9", number=2)
        sign_in(self.client, self.auditor)  # reads both agencies
        for url in (reverse("incidents:detainer_list"), reverse("incidents:custody_board")):
            with self.subTest(url=url):
                self.client.get(url)
                rows = AccessLog.objects.filter(action=AccessLog.Action.LIST, user=self.auditor, path=url)
                self.assertEqual({(r.agency, r.object_count) for r in rows}, {(self.agency_a, 1), (self.agency_b, 1)})
        sign_in(self.client, self.auditor_a)
        entries = [e for e, _ in self.client.get(URL, {"action": "list"}).context["entries"]]
        self.assertEqual({(e.user, e.agency) for e in entries}, {(self.auditor, self.agency_a)})
