"""Detainer log page (incidents:detainer_list): keyset paging, capped counts, filters, scope."""

from datetime import UTC, datetime, timedelta
from unittest import mock
from urllib.parse import parse_qs, urlparse

import time_machine
from django.contrib.auth.models import Group, Permission
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.core import access, keyset
from compliance.core.roles import Role
from incidents.detainer_log import paging as detainer_log
from incidents.detainers.models import Detainer
from incidents.detainers.rules import HOLD_LIMIT
from tests.base import BaseTestCase, sign_in

NOW = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
URL = reverse("incidents:detainer_list")
PAGE = detainer_log.PAGE_SIZE


def add(agency, n, *, outcome=Detainer.Outcome.PENDING, received_at=None, released_at=None, **fields):
    """One invented detainer, written directly (volume tests); ``hold_deadline`` derived as the service does."""
    received_at = received_at or NOW - timedelta(days=2)
    values = {
        "agency": agency,
        "subject_last_name": f"Pagingperson{n}",
        "subject_first_name": "Sam",
        "booking_number": f"BK-P{n:05d}",
        "underlying_charge": "Theft (invented)",
        "received_at": received_at,
        "would_be_released_at": released_at,
        "hold_deadline": released_at + HOLD_LIMIT if released_at else None,
        "outcome": outcome,
        "outcome_at": None if outcome == Detainer.Outcome.PENDING else received_at + timedelta(days=1),
    }
    values.update(fields)
    return Detainer.objects.create(**values)


def cursor_of(url: str | None) -> str | None:
    return parse_qs(urlparse(url).query).get("cursor", [None])[0] if url else None


@time_machine.travel(NOW, tick=False)
class PagingTests(BaseTestCase):
    def setUp(self):
        sign_in(self.client, self.staff_a)

    def page(self, url=URL, **params):
        response = self.client.get(url, params)
        self.assertEqual(response.status_code, 200)
        return response

    def look_up(self, number: str, url=URL):
        """The log narrowed to a booking/A-number: typed in the POST form, kept out of the URL (SECURITY.md F6)."""
        response = self.client.post(url, {"booking_or_a_number": number})
        self.assertEqual(response.status_code, 302)
        self.assertNotIn(number.lower(), response.url.lower())
        return self.page(response.url)

    def ids(self, response):
        return [row.pk for row in response.context["detainers"]]

    def walk(self, start_url, link):
        """Every row reached by following ``link`` ("older" or "newer") from ``start_url``, page by page."""
        seen, url, pages = [], start_url, 0
        while url:
            response = self.client.get(URL + url if url.startswith("?") else url)
            seen.extend(self.ids(response) if link == "older" else reversed(self.ids(response)))
            url = response.context["links"][link]
            pages += 1
            self.assertLess(pages, 50)
        return seen

    def test_open_detainers_come_first_then_closed_newest_received_first(self):
        later = add(self.agency_a, 1, released_at=NOW + timedelta(hours=30))
        soon = add(self.agency_a, 2, released_at=NOW - timedelta(hours=40))
        unknown = add(self.agency_a, 3)  # release time not known: last of the open ones
        closed_old = add(self.agency_a, 4, outcome="released", received_at=NOW - timedelta(days=30))
        closed_new = add(self.agency_a, 5, outcome="transferred", received_at=NOW - timedelta(days=3))
        response = self.page()
        self.assertEqual(self.ids(response), [soon.pk, later.pk, unknown.pk, closed_new.pk, closed_old.pk])
        self.assertIsNone(response.context["links"]["older"])
        self.assertFalse(response.context["show_pagination"])
        self.assertContains(response, "2026-03-07 06:00 CST")  # received, in the agency's zone

    def test_older_and_newer_reach_every_row_exactly_once_with_ties(self):
        expected_open, expected_closed = [], []
        same_deadline = NOW + timedelta(hours=5)
        same_received = NOW - timedelta(days=10)
        for n in range(12):  # 12 open rows sharing one deadline and one receipt time
            expected_open.append(add(self.agency_a, n, released_at=same_deadline, received_at=same_received))
        for n in range(12, 20):  # open, no deadline yet, same receipt time
            expected_open.append(add(self.agency_a, n, received_at=same_received))
        for n in range(20, 60):  # closed: 30 with the same receipt time, 10 older
            when = same_received if n < 50 else same_received - timedelta(days=n)
            expected_closed.append(add(self.agency_a, n, outcome="lifted", received_at=when))
        add(self.agency_b, 99, outcome="lifted", received_at=same_received)  # never shown to staff_a

        def key_open(d):
            return (d.hold_deadline is None, d.hold_deadline or NOW, -d.received_at.timestamp(), -d.public_id.int)

        def key_closed(d):
            return (-d.received_at.timestamp(), -d.public_id.int)

        expected = [d.pk for d in sorted(expected_open, key=key_open) + sorted(expected_closed, key=key_closed)]
        self.assertEqual(self.walk("?", "older"), expected)
        first = self.page()
        oldest = first.context["links"]["oldest"]
        self.assertEqual(self.walk(oldest, "newer"), list(reversed(expected)))
        last = self.client.get(URL + oldest)
        self.assertEqual(self.ids(last), expected[-PAGE:])
        self.assertIsNone(last.context["links"]["older"])
        self.assertIsNone(last.context["links"]["oldest"])
        self.assertEqual(self.ids(self.client.get(URL + last.context["links"]["newest"])), expected[:PAGE])
        # Newer from page 2 is page 1, whole.
        second = self.client.get(URL + first.context["links"]["older"])
        self.assertEqual(self.ids(second), expected[PAGE : 2 * PAGE])
        self.assertEqual(self.ids(self.client.get(URL + second.context["links"]["newer"])), expected[:PAGE])

    def test_pagination_links_are_labelled_and_keep_the_filters(self):
        for n in range(PAGE + 3):
            add(self.agency_a, n, outcome="released", received_at=NOW - timedelta(days=n + 1))
        response = self.page(outcome="released", agency=str(self.agency_a.public_id))
        self.assertContains(response, 'aria-label="Older: next page"')
        self.assertContains(response, 'aria-label="Oldest: last page"')
        self.assertContains(response, 'aria-disabled="true">‹ Newer')
        older = parse_qs(urlparse(response.context["links"]["older"]).query)
        self.assertEqual(older["outcome"], ["released"])
        self.assertEqual(older["agency"], [str(self.agency_a.public_id)])
        self.assertEqual(len(self.ids(self.client.get(URL + response.context["links"]["older"]))), 3)

    def test_a_tampered_or_stale_cursor_shows_the_first_page(self):
        for n in range(PAGE + 5):
            add(self.agency_a, n, outcome="released", received_at=NOW - timedelta(days=n + 1))
        first = self.page()
        token = cursor_of(first.context["links"]["older"])
        tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
        # The old signed format (a "last" cursor of before the shared keyset cursors), another list's "last".
        stale = signing.dumps({"v": 1, "d": "last"}, salt="incidents.detainer_log.paging.cursor")
        foreign_last = keyset.cursor_encode(keyset.Cursor(keyset.LAST), salt="compliance.access_log")
        for bad in (tampered, "not-a-cursor", stale, foreign_last, token.replace("A", ".")):
            with self.subTest(cursor=bad):
                response = self.page(cursor=bad)
                self.assertEqual(self.ids(response), self.ids(first))
        self.assertNotEqual(self.ids(self.page(cursor=token)), self.ids(first))

    def test_the_cursor_carries_no_integer_key_and_nothing_readable(self):
        row = add(self.agency_a, 1, outcome="released")
        token = detainer_log.cursor_encode(detainer_log.Cursor(detainer_log.OLDER, detainer_log.position_of(row)))
        self.assertEqual(detainer_log.cursor_decode(token).position.values, (row.received_at, row.public_id))
        for readable in (row.public_id.hex, str(row.public_id), row.received_at.date().isoformat()):
            self.assertNotIn(readable, token)

    # --- counts ----------------------------------------------------------------------------

    def test_open_count_is_exact_and_closed_count_is_capped(self):
        for n in range(4):
            add(self.agency_a, n, released_at=NOW + timedelta(hours=n))
        for n in range(4, 12):
            add(self.agency_a, n, outcome="transferred" if n % 2 else "released")
        with mock.patch.object(detainer_log, "COUNT_CAP", 5):
            response = self.page()
            self.assertEqual(response.context["page"].open_count, 4)
            self.assertTrue(response.context["page"].closed_count_capped)
            self.assertContains(response, "more than 5</strong> closed")
            self.assertContains(response, "narrow the log", count=1)
            narrowed = self.page(outcome="transferred")  # 4 transferred: under the cap, exact
            self.assertFalse(narrowed.context["page"].closed_count_capped)
            self.assertEqual(narrowed.context["page"].closed_count, 4)
            self.assertNotContains(narrowed, "narrow the log")

    # --- filters ---------------------------------------------------------------------------

    def test_outcome_filter(self):
        pending = add(self.agency_a, 1)
        transferred = add(self.agency_a, 2, outcome="transferred")
        released = add(self.agency_a, 3, outcome="released")
        lifted = add(self.agency_a, 4, outcome="lifted")
        for value, expected in (
            ("open", [pending.pk]),
            ("transferred", [transferred.pk]),
            ("released", [released.pk]),
            ("lifted", [lifted.pk]),
            ("all", [pending.pk, transferred.pk, released.pk, lifted.pk]),
        ):
            with self.subTest(outcome=value):
                self.assertCountEqual(self.ids(self.page(outcome=value)), expected)

    def test_received_dates_are_whole_days_in_the_agencys_zone(self):
        # Alder County is in America/Chicago: 2026-03-01 starts at 06:00 UTC and ends at 06:00 UTC on the 2nd.
        before = add(self.agency_a, 1, outcome="released", received_at=datetime(2026, 3, 1, 5, 59, 59, tzinfo=UTC))
        first = add(self.agency_a, 2, outcome="released", received_at=datetime(2026, 3, 1, 6, 0, tzinfo=UTC))
        last = add(self.agency_a, 3, outcome="released", received_at=datetime(2026, 3, 2, 5, 59, 59, tzinfo=UTC))
        after = add(self.agency_a, 4, outcome="released", received_at=datetime(2026, 3, 2, 6, 0, tzinfo=UTC))
        day = self.page(received_from="2026-03-01", received_to="2026-03-01")
        self.assertCountEqual(self.ids(day), [first.pk, last.pk])
        self.assertCountEqual(self.ids(self.page(received_from="2026-03-01")), [first.pk, last.pk, after.pk])
        self.assertCountEqual(self.ids(self.page(received_to="2026-02-28")), [before.pk])

    def test_received_dates_use_each_agencys_zone_for_an_auditor_of_both(self):
        # Birch City is in America/Phoenix (UTC-7 all year): 2026-03-01 starts at 07:00 UTC.
        chicago_in = add(self.agency_a, 1, outcome="released", received_at=datetime(2026, 3, 1, 6, 30, tzinfo=UTC))
        phoenix_out = add(self.agency_b, 2, outcome="released", received_at=datetime(2026, 3, 1, 6, 30, tzinfo=UTC))
        phoenix_in = add(self.agency_b, 3, outcome="released", received_at=datetime(2026, 3, 1, 7, 0, tzinfo=UTC))
        sign_in(self.client, self.auditor)
        response = self.page(received_from="2026-03-01", received_to="2026-03-01")
        self.assertCountEqual(self.ids(response), [chicago_in.pk, phoenix_in.pk])
        self.assertNotIn(phoenix_out.pk, self.ids(response))
        self.assertContains(response, "each detainer's agency's time zone")

    def test_bad_dates_are_reported_next_to_the_field_and_ignored(self):
        row = add(self.agency_a, 1, outcome="released")
        response = self.page(received_from="2026-02-30")
        self.assertContains(response, "Enter a date as YYYY-MM-DD")
        self.assertContains(response, 'id="id_received_from-error"')
        self.assertEqual(self.ids(response), [row.pk])
        response = self.page(received_from="2026-03-05", received_to="2026-03-01")
        self.assertEqual(response.context["form"].errors["received_to"], [
            "This date is before the “received on or after” date."
        ])  # fmt: skip
        self.assertContains(response, 'id="id_received_to-error"')

    def test_booking_number_and_a_number_lookup_is_exact(self):
        booked = add(self.agency_a, 1, booking_number="BK-777")
        numbered = add(self.agency_a, 2, outcome="released", a_number="A012345678")
        add(self.agency_a, 3, booking_number="BK-7770")
        self.assertEqual(self.ids(self.look_up("BK-777")), [booked.pk])
        self.assertEqual(self.ids(self.look_up("A12345678")), [numbered.pk])  # 8 digits: stored as 9
        self.assertEqual(self.ids(self.look_up("a-012-345-678")), [numbered.pk])
        self.assertEqual(self.ids(self.look_up("BK-77")), [])
        self.assertContains(self.look_up("BK-77"), "No detainers match these filters.")

    def test_a_booking_number_typed_in_lower_case_finds_the_upper_case_one(self):
        booked = add(self.agency_a, 1, booking_number="QB-0002")
        self.assertEqual(self.ids(self.look_up("qb-0002")), [booked.pk])

    # --- scope -----------------------------------------------------------------------------

    def test_other_agency_rows_are_never_shown(self):
        own = add(self.agency_a, 1, outcome="released", booking_number="BK-ALDER")
        other = add(self.agency_b, 2, outcome="released", booking_number="BK-BIRCH", received_at=NOW)
        other_cursor = detainer_log.cursor_encode(
            detainer_log.Cursor(detainer_log.NEWER, detainer_log.position_of(own))
        )
        self.assertNotIn(other.pk, self.ids(self.look_up("BK-BIRCH")))
        for params in ({}, {"cursor": other_cursor}, {"outcome": "released"}):
            with self.subTest(params=params):
                response = self.page(**params)
                self.assertNotIn(other.pk, self.ids(response))
                self.assertNotContains(response, "BK-BIRCH</td>")
        self.assertEqual(self.client.get(URL, {"agency": str(self.agency_b.public_id)}).status_code, 404)

    def test_an_outsider_sees_nothing(self):
        add(self.agency_a, 1)
        sign_in(self.client, self.outsider)
        response = self.page()
        self.assertEqual(response.context["detainers"], [])
        self.assertEqual(response.context["page"].open_count, 0)

    # --- query count -----------------------------------------------------------------------

    def test_query_count_does_not_grow_with_the_log(self):
        def grow(start, count):
            for n in range(start, start + count):
                add(self.agency_a, n, released_at=NOW + timedelta(hours=n % 7))
                add(self.agency_a, 1000 + n, outcome="released", received_at=NOW - timedelta(days=n + 1))

        def counts(with_cursors):
            result = {}
            for label, params in with_cursors.items():
                with CaptureQueriesContext(connection) as captured:
                    self.page(**params)
                result[label] = len(captured)
            return result

        grow(0, PAGE + 2)
        first = self.page()
        second = self.client.get(URL + first.context["links"]["older"])
        urls = {
            "first": {},
            "older (open)": {"cursor": cursor_of(first.context["links"]["older"])},
            "older (closed)": {"cursor": cursor_of(second.context["links"]["older"])},
            "oldest": {"cursor": cursor_of(first.context["links"]["oldest"])},
            "filtered": {"outcome": "released", "received_from": "2025-01-01"},
            "agency": {"agency": str(self.agency_a.public_id)},
        }
        self.page()  # session and content types warm
        small = counts(urls)
        grow(PAGE + 2, 3 * PAGE)
        self.assertEqual(counts(urls), small)
        self.assertLessEqual(max(small.values()), 16)


class ModelWidePermissionTests(BaseTestCase):
    """Case A1: model-wide permissions given by mistake never widen the log's scope."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        wrong = Permission.objects.filter(
            content_type__app_label="compliance", codename__in=access.ALL_PERMS
        ) | Permission.objects.filter(content_type__app_label="incidents", content_type__model="detainer")
        Group.objects.get(name=Role.STAFF).permissions.add(*wrong)

    def test_case_A1_detainer_log_pages_and_lookups_stay_in_agency_b(self):
        for n in range(PAGE + 2):
            add(self.agency_a, n, outcome="released", booking_number=f"BK-ALDER-{n}")
        own = add(self.agency_b, 500, outcome="released", booking_number="BK-BIRCH-OWN")
        sign_in(self.client, self.staff_b)
        self.assertTrue(self.staff_b.has_perm("incidents.view_detainer"))
        first = self.client.get(URL)
        self.assertEqual([row.pk for row in first.context["detainers"]], [own.pk])
        self.assertIsNone(first.context["links"]["oldest"])
        last = self.client.get(URL, {"cursor": detainer_log.cursor_encode(detainer_log.Cursor(detainer_log.LAST))})
        self.assertEqual([row.pk for row in last.context["detainers"]], [own.pk])
        found = self.client.get(self.client.post(URL, {"booking_or_a_number": "BK-ALDER-1"}).url)
        self.assertNotContains(found, "BK-ALDER-1</td>")
        self.assertEqual(self.client.get(URL, {"agency": str(self.agency_a.public_id)}).status_code, 404)
