"""The event "as of" a day (issue #12 item 1): its fields from history and its participants at the end of that
agency-local day; one selector answers "participants at instant T"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import time_machine
from django.urls import reverse

from community.organisations.services import contact_create, organisation_create
from community.outreach import selectors
from community.outreach.services import (
    outreach_event_create,
    outreach_event_update,
    participant_add,
    participant_remove,
)
from tests.base import BaseTestCase, sign_in

# Agency A is in Chicago (CDT, UTC-5 in May/June).
T1 = datetime(2026, 5, 20, 15, 0, tzinfo=UTC)  # 2026-05-20 10:00 CDT
T2 = datetime(2026, 5, 21, 15, 0, tzinfo=UTC)
T3 = datetime(2026, 5, 22, 15, 0, tzinfo=UTC)
T4 = datetime(2026, 5, 23, 15, 0, tzinfo=UTC)
LATE = datetime(2026, 5, 24, 4, 30, tzinfo=UTC)  # 2026-05-23 23:30 CDT: still the 23rd in Chicago
NOW = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)


def at(instant):
    return time_machine.travel(instant, tick=False)


class ParticipantsAtTests(BaseTestCase):
    """Add, remove and add again: at every instant the selector gives the set the record had."""

    def setUp(self):
        with at(T1):
            self.event = outreach_event_create(
                agency=self.agency_a, actor=self.staff_a, kind="presentation", title="Talk", held_on=date(2026, 5, 19)
            )
            self.org = organisation_create(agency=self.agency_a, actor=self.staff_a, name="Alpha Group", kind="faith")
            self.contact = contact_create(agency=self.agency_a, actor=self.staff_a, name="Ana Invented")
            self.first = participant_add(event=self.event, actor=self.staff_a, organisation=self.org)
        with at(T2):
            participant_add(event=self.event, actor=self.staff_a, contact=self.contact)
            participant_remove(participant=self.first, actor=self.supervisor_a)
        with at(T3):
            self.again = participant_add(event=self.event, actor=self.staff_a, organisation=self.org)
        with at(T4):
            participant_remove(participant=self.again, actor=self.supervisor_a)

    def names(self, instant):
        return sorted((row.organisation or row.contact).name for row in selectors.participants_at(self.event, instant))

    def test_before_anything_was_added(self):
        self.assertEqual(self.names(T1 - timedelta(seconds=1)), [])

    def test_at_the_instant_it_was_added_it_counts(self):
        self.assertEqual(self.names(T1), ["Alpha Group"])

    def test_at_the_instant_it_was_removed_it_no_longer_counts(self):
        self.assertEqual(self.names(T2), ["Ana Invented"])

    def test_re_added_counts_once(self):
        self.assertEqual(self.names(T3), ["Alpha Group", "Ana Invented"])
        self.assertEqual(len(selectors.participants_at(self.event, T3)), 2)

    def test_removed_again(self):
        self.assertEqual(self.names(T4), ["Ana Invented"])
        self.assertEqual(self.names(None), ["Ana Invented"])

    def test_end_of_local_day_is_the_last_instant_of_that_day_in_the_agency_zone(self):
        end = selectors.end_of_local_day(date(2026, 5, 23), self.agency_a.zone)
        self.assertEqual(end, datetime(2026, 5, 24, 4, 59, 59, 999999, tzinfo=UTC))


@time_machine.travel(NOW, tick=False)
class AsOfPageTests(BaseTestCase):
    def setUp(self):
        with at(T1):
            self.event = outreach_event_create(
                agency=self.agency_a,
                actor=self.staff_a,
                kind="presentation",
                title="First title",
                held_on=date(2026, 5, 19),
            )
            self.org = organisation_create(agency=self.agency_a, actor=self.staff_a, name="Alpha Group", kind="faith")
            self.row = participant_add(event=self.event, actor=self.staff_a, organisation=self.org)
        with at(T3):
            outreach_event_update(
                event=self.event, actor=self.staff_a, title="Second title", languages="English, Spanish"
            )
        with at(LATE):
            participant_remove(participant=self.row, actor=self.supervisor_a)
        sign_in(self.client, self.auditor_a)
        self.url = reverse("community:outreach_detail", args=[self.event.public_id])

    def test_fields_and_participants_as_they_stood_at_the_end_of_the_day(self):
        response = self.client.get(self.url, {"as_of": "2026-05-21"})
        self.assertContains(response, "As it stood at the end of 2026-05-21")
        self.assertEqual(response.context["shown"].title, "First title")
        self.assertEqual([p.organisation for p in response.context["participants"].organisations], [self.org])
        self.assertFalse(response.context["can_change"])

    def test_a_change_late_in_the_local_day_belongs_to_that_day(self):
        # Removed at 23:30 CDT on the 23rd (04:30 UTC on the 24th): gone at the end of the 23rd.
        response = self.client.get(self.url, {"as_of": "2026-05-23"})
        self.assertEqual(response.context["shown"].title, "Second title")
        self.assertEqual(response.context["participants"].organisations, [])
        response = self.client.get(self.url, {"as_of": "2026-05-22"})
        self.assertEqual(len(response.context["participants"].organisations), 1)

    def test_now_without_as_of(self):
        response = self.client.get(self.url)
        self.assertEqual(response.context["shown"].title, "Second title")
        self.assertNotContains(response, "As it stood")
        self.assertEqual(response.context["participants"].organisations, [])

    def test_a_day_before_the_event_existed_says_so(self):
        response = self.client.get(self.url, {"as_of": "2026-05-19"})
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(response.context["shown"])
        self.assertContains(response, "had not been recorded yet at the end of 2026-05-19")

    def test_bad_dates_are_a_message_not_a_server_error(self):
        for value in ("yesterday", "2026-13-40", "0001-01-01", "9999-12-31", "2026-06-02", "\x00"):
            with self.subTest(value=value):
                response = self.client.get(self.url, {"as_of": value})
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response.context["as_of_form"].errors)
                self.assertIsNone(response.context["as_of_day"])
                self.assertEqual(response.context["shown"].title, "Second title")

    def test_another_agency_is_404(self):
        sign_in(self.client, self.staff_b)
        self.assertEqual(self.client.get(self.url, {"as_of": "2026-05-21"}).status_code, 404)
