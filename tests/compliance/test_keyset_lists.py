"""Keyset pages (compliance.core.keyset) and the lists that use them: access log, findings, incidents, outreach
events, commitments.

Each list: every row exactly once walking forward, "last" is the tail, "previous" walks back to the start,
across rows with equal sort keys (the unique tie-breaker); the filters kept in every link; the same number
of queries at two sizes; hostile cursors in the query string give the first page, never a 500.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community.commitments.models import Commitment
from community.outreach.models import OutreachEvent
from compliance.core import keyset
from compliance.core.models import AccessLog, Finding, Severity
from compliance.views import access_log as access_log_view
from incidents.incident_log.models import Incident
from tests.base import BaseTestCase, sign_in

NOW = datetime(2026, 5, 4, 15, 0, tzinfo=UTC)

HOSTILE_CURSORS = [
    "not-a-cursor",
    "",
    "x" * 5000,
    "gAAAAABnotreallyfernet==",
    "../../etc/passwd",
    "ünïcødé",
    "' OR 1=1 --",
    "%00",
    "\x00",
]


def cursor_of(link: str) -> str:
    return parse_qs(urlparse(link).query)["cursor"][0]


def add_findings(agency, count: int, *, status="open", kind=Finding.Kind.OTHER, start: int = 0) -> list[Finding]:
    """``count`` findings, three to an instant (ties on ``opened_at``), opened hours apart."""
    record_type = ContentType.objects.get_for_model(Incident)
    return Finding.objects.bulk_create(
        Finding(
            agency=agency,
            kind=kind,
            severity=Severity.MEDIUM,
            status=status,
            rule="R0 (test)",
            summary="Invented.",
            content_type=record_type,
            object_id=start + n + 1,
            opened_at=NOW - timedelta(hours=(start + n) // 3),
            resolved_at=None if status in ("open", "acknowledged") else NOW,
        )
        for n in range(count)
    )


class KeysetHelperTests(BaseTestCase):
    """The shared helper on its own: ties, two segments with a nullable key, cursors."""

    SALT = "tests.keyset"

    def segments(self):
        findings = Finding.objects.filter(agency=self.agency_a)
        return [
            keyset.Segment(
                findings.filter(status="open"), (keyset.Key("opened_at", descending=True), keyset.Key("pk", True))
            ),
            keyset.Segment(
                findings.exclude(status="open"), (keyset.Key("resolved_at", nullable=True), keyset.Key("pk"))
            ),
        ]

    def expected(self) -> list[int]:
        open_rows = sorted(
            Finding.objects.filter(agency=self.agency_a, status="open"), key=lambda f: (f.opened_at, f.pk), reverse=True
        )
        closed = sorted(
            Finding.objects.filter(agency=self.agency_a).exclude(status="open"),
            key=lambda f: (f.resolved_at is None, f.resolved_at or NOW, f.pk),
        )
        return [f.pk for f in open_rows + closed]

    def walk(self, cursor, link: str) -> list[list[int]]:
        pages = []
        while cursor is not None:
            token = keyset.cursor_encode(cursor, salt=self.SALT)  # through the URL form, as a browser would
            page = keyset.keyset_page(self.segments(), keyset.cursor_decode(token, salt=self.SALT), size=4)
            pages.append([row.pk for row in page.rows])
            cursor = getattr(page, link)
        return pages

    def setUp(self):
        add_findings(self.agency_a, 7)
        acknowledged = add_findings(self.agency_a, 6, status="acknowledged", start=100)
        # Ties and NULLs on the nullable key of the second segment: two share an instant, three have none.
        for n, finding in enumerate(acknowledged):
            finding.resolved_at = None if n < 3 else NOW - timedelta(days=1 if n < 5 else 2)
            finding.save(update_fields=["resolved_at"])
        add_findings(self.agency_b, 5, start=200)

    def test_forward_backward_and_last_give_every_row_once_in_order(self):
        expected = self.expected()
        self.assertEqual(len(expected), 13)
        forward = self.walk(keyset.Cursor(keyset.FIRST), "next")
        self.assertEqual([pk for page in forward for pk in page], expected)
        self.assertEqual([len(page) for page in forward], [4, 4, 4, 1])
        backward = self.walk(keyset.Cursor(keyset.LAST), "previous")
        self.assertEqual(backward[0], expected[-4:])
        self.assertEqual([pk for page in reversed(backward) for pk in page], expected)
        self.assertEqual([len(page) for page in backward], [4, 4, 4, 1])  # the short page is at the start

    def test_one_query_per_segment_read(self):
        with CaptureQueriesContext(connection) as first:
            keyset.keyset_page(self.segments(), keyset.Cursor(keyset.FIRST), size=4)
        with CaptureQueriesContext(connection) as last:
            keyset.keyset_page(self.segments(), keyset.Cursor(keyset.LAST), size=4)
        self.assertEqual((len(first), len(last)), (2, 2))

    def test_a_position_that_does_not_fit_or_a_deleted_row_gives_the_first_page(self):
        first = [row.pk for row in keyset.keyset_page(self.segments(), keyset.Cursor(keyset.FIRST), size=4).rows]
        for position in (
            keyset.Position(5, (NOW, 1)),  # no such segment
            keyset.Position(0, (NOW,)),  # too few values
            keyset.Position(0, (None, 1)),  # NULL on a key that has none
            keyset.Position(0, ("not a date", 1)),  # a value the database refuses
            keyset.Position(1, (None, 10**9)),  # past the end of the last segment: an empty page
        ):
            with self.subTest(position=position):
                page = keyset.keyset_page(self.segments(), keyset.Cursor(keyset.NEXT, position), size=4)
                self.assertEqual([row.pk for row in page.rows], first)

    def test_cursors_are_opaque_bound_to_their_list_and_never_raise(self):
        finding = Finding.objects.filter(agency=self.agency_a).order_by("pk").first()
        cursor = keyset.Cursor(keyset.NEXT, keyset.Position(0, (finding.opened_at, finding.pk)))
        token = keyset.cursor_encode(cursor, salt=self.SALT)
        self.assertEqual(keyset.cursor_decode(token, salt=self.SALT), cursor)
        self.assertNotIn(finding.opened_at.isoformat()[:10], token)  # the sort value is not readable
        self.assertEqual(keyset.cursor_decode(token, salt="another list"), keyset.Cursor(keyset.FIRST))
        tampered = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
        for bad in [tampered, token[:40], token + "x", *HOSTILE_CURSORS, None]:
            with self.subTest(bad=bad):
                self.assertEqual(keyset.cursor_decode(bad, salt=self.SALT), keyset.Cursor(keyset.FIRST))


class ListWalk:
    """Mixin: follow a list page's links through the test client."""

    url: str

    def get(self, params=None, **kwargs):
        response = self.client.get(self.url, params or {}, **kwargs)
        self.assertEqual(response.status_code, 200)
        return response

    def follow(self, response, link: str):
        target = response.context["links"][link]
        self.assertIsNotNone(target, f"no {link} link")
        return self.client_get(target)

    def client_get(self, query: str):
        response = self.client.get(self.url + query)
        self.assertEqual(response.status_code, 200)
        return response

    def walk_forward(self, params=None) -> list:
        response = self.get(params)
        shown = list(self.ids(response))
        while response.context["links"]["next"]:
            response = self.follow(response, "next")
            shown += self.ids(response)
        return shown

    def walk_back_from_last(self, params=None) -> list:
        response = self.follow(self.get(params), "last")
        pages = [self.ids(response)]
        while response.context["links"]["previous"]:
            response = self.follow(response, "previous")
            pages.append(self.ids(response))
        return [pk for page in reversed(pages) for pk in page]

    def queries(self, params=None) -> int:
        with CaptureQueriesContext(connection) as captured:
            self.get(params)
        return len(captured)

    def assert_hostile_cursors_give_the_first_page(self, params=None):
        first = self.ids(self.get(params))
        for bad in HOSTILE_CURSOR_SET:
            with self.subTest(cursor=bad):
                self.assertEqual(self.ids(self.get({**(params or {}), "cursor": bad})), first)


#: Hostile values plus a valid cursor of another list (refused: each list has its own key).
HOSTILE_CURSOR_SET = [
    *HOSTILE_CURSORS,
    keyset.cursor_encode(keyset.Cursor(keyset.LAST), salt="tests.another-list"),
]


@time_machine.travel(NOW, tick=False)
class FindingListTests(ListWalk, BaseTestCase):
    url = reverse("findings:list")

    def ids(self, response):
        return [finding.pk for finding, _ in response.context["rows"]]

    def setUp(self):
        sign_in(self.client, self.auditor)

    def expected(self, **lookups):
        return list(
            Finding.objects.filter(agency__in=[self.agency_a, self.agency_b], **lookups)
            .order_by("-opened_at", "-pk")
            .values_list("pk", flat=True)
        )

    def test_paging_across_ties_forward_back_and_last(self):
        add_findings(self.agency_a, 40)
        add_findings(self.agency_b, 20, start=40)
        add_findings(self.agency_a, 9, status="resolved", start=200)
        expected = self.expected(status__in=["open", "acknowledged"])
        self.assertEqual(len(expected), 60)
        self.assertEqual(self.walk_forward(), expected)
        self.assertEqual(self.walk_back_from_last(), expected)
        last = self.follow(self.get(), "last")
        self.assertEqual(self.ids(last), expected[-25:])
        self.assertContains(last, 'aria-label="Previous page"')
        self.assertContains(last, 'aria-disabled="true">Last »')
        self.assertContains(self.get(), "<strong>60</strong> findings match")

    def test_filters_are_kept_in_every_link(self):
        add_findings(self.agency_a, 30, status="resolved")
        add_findings(self.agency_a, 30, status="resolved", kind=Finding.Kind.NO_WARRANT, start=30)
        params = {"status": "resolved", "kind": Finding.Kind.NO_WARRANT, "agency": str(self.agency_a.public_id)}
        response = self.get(params)
        for link in ("next", "last"):
            query = parse_qs(urlparse(response.context["links"][link]).query)
            self.assertEqual(query["status"], ["resolved"])
            self.assertEqual(query["kind"], [Finding.Kind.NO_WARRANT])
            self.assertEqual(query["agency"], [str(self.agency_a.public_id)])
        expected = self.expected(status="resolved", kind=Finding.Kind.NO_WARRANT)
        self.assertEqual(self.walk_forward(params), expected)
        self.assertEqual(self.walk_back_from_last(params), expected)
        # "Any status" (an empty value) is kept too: it is not the default.
        any_status = self.get({"status": ""})
        self.assertEqual(
            parse_qs(urlparse(any_status.context["links"]["next"]).query, keep_blank_values=True)["status"], [""]
        )

    def test_query_count_does_not_grow_and_hostile_cursors_give_the_first_page(self):
        add_findings(self.agency_a, 3)
        small = self.queries()
        add_findings(self.agency_a, 80, start=3)
        add_findings(self.agency_b, 40, start=100)
        last = cursor_of(self.get().context["links"]["last"])
        middle = cursor_of(self.follow(self.get(), "next").context["links"]["next"])
        self.assertEqual(
            [self.queries(), self.queries({"cursor": last}), self.queries({"cursor": middle})], [small] * 3
        )
        self.assert_hostile_cursors_give_the_first_page()


@time_machine.travel(NOW, tick=False)
class AccessLogListTests(ListWalk, BaseTestCase):
    url = reverse("access_log")

    def ids(self, response):
        return [entry.pk for entry, _ in response.context["entries"]]

    def setUp(self):
        sign_in(self.client, self.supervisor_a)

    def add(self, count: int, *, agency=None, action=AccessLog.Action.VIEW):
        # auto_now_add, and the rows are append-only: each written at its instant, four to an instant (ties on ``at``).
        rows = []
        for start in range(0, count, 4):
            with time_machine.travel(NOW - timedelta(minutes=10 + start // 4), tick=False):
                rows += AccessLog.objects.bulk_create(
                    AccessLog(user=self.staff_a, agency=agency or self.agency_a, action=action, path="/x/")
                    for _ in range(min(4, count - start))
                )
        return rows

    def expected(self, **lookups):
        return list(
            AccessLog.objects.filter(agency=self.agency_a, at__lt=NOW, **lookups)
            .order_by("-at", "-pk")
            .values_list("pk", flat=True)
        )

    def test_paging_across_ties_with_a_filter_kept(self):
        self.add(70)
        self.add(45, action=AccessLog.Action.EXPORT)
        self.add(10, agency=self.agency_b)
        params = {"action": AccessLog.Action.VIEW, "start": "2026-04-10"}
        expected = self.expected(action=AccessLog.Action.VIEW)
        self.assertEqual(len(expected), 70)
        response = self.get(params)
        query = parse_qs(urlparse(response.context["links"]["next"]).query)
        self.assertEqual((query["action"], query["start"]), (["view"], ["2026-04-10"]))
        self.assertEqual(self.walk_forward(params), expected)
        self.assertEqual(self.walk_back_from_last(params), expected)
        self.assertEqual(self.ids(self.follow(response, "last")), expected[-access_log_view.PAGE_SIZE :])

    def test_query_count_does_not_grow_and_hostile_cursors_give_the_first_page(self):
        self.add(3)
        self.get()  # the page's own "list" rows exist from now on at both sizes
        small = self.queries()
        self.add(130)
        response = self.get()
        last = cursor_of(response.context["links"]["last"])
        self.assertEqual([self.queries(), self.queries({"cursor": last})], [small, small])
        self.assert_hostile_cursors_give_the_first_page({"action": AccessLog.Action.VIEW})


@time_machine.travel(NOW, tick=False)
class OutreachAndCommitmentListTests(ListWalk, BaseTestCase):
    def setUp(self):
        sign_in(self.client, self.supervisor_a)

    def add_events(self, count: int, agency=None):
        return OutreachEvent.objects.bulk_create(
            OutreachEvent(
                agency=agency or self.agency_a,
                kind=OutreachEvent.Kind.PRESENTATION if n % 2 else OutreachEvent.Kind.MEDIA,
                title=f"Event {n}",
                held_on=date(2026, 4, 1) - timedelta(days=n // 3),  # three to a day: ties
            )
            for n in range(count)
        )

    def add_commitments(self, count: int, *, status="open"):
        return Commitment.objects.bulk_create(
            Commitment(
                agency=self.agency_a,
                description=f"Promise {n}",
                owner=self.supervisor_a,
                due_on=date(2026, 6, 1) + timedelta(days=n // 4),
                status=status,
                closed_at=None if status == "open" else NOW - timedelta(days=n // 4),
                closed_by=None if status == "open" else self.supervisor_a,
            )
            for n in range(count)
        )

    def test_outreach_events_page_across_ties_with_the_kind_filter(self):
        self.url = reverse("community:outreach_list")
        self.ids = lambda response: [event.pk for event in response.context["events"]]
        self.add_events(61)
        self.add_events(5, agency=self.agency_b)
        params = {"kind": OutreachEvent.Kind.PRESENTATION}
        expected = list(
            OutreachEvent.objects.filter(agency=self.agency_a, **params)
            .order_by("-held_on", "-pk")
            .values_list("pk", flat=True)
        )
        self.assertEqual(len(expected), 30)
        self.assertEqual(self.walk_forward(params), expected)
        self.assertEqual(self.walk_back_from_last(params), expected)
        everything = OutreachEvent.objects.filter(agency=self.agency_a).order_by("-held_on", "-pk")
        self.assertEqual(self.walk_forward(), list(everything.values_list("pk", flat=True)))
        small = self.queries()
        self.add_events(40)
        self.assertEqual(self.queries(), small)
        self.assertEqual(self.queries({"cursor": cursor_of(self.get().context["links"]["last"])}), small)
        self.assert_hostile_cursors_give_the_first_page(params)

    def test_commitments_page_in_each_order_with_the_filters_kept(self):
        self.url = reverse("community:commitment_list")
        self.ids = lambda response: [row.commitment.pk for row in response.context["rows"]]
        self.add_commitments(55)
        self.add_commitments(30, status="done")
        agency = str(self.agency_a.public_id)
        for show, order, lookups in (
            ("open", ("due_on", "pk"), {"status": "open"}),
            ("done", ("-closed_at", "-pk"), {"status": "done"}),
            ("all", ("due_on", "pk"), {}),
        ):
            with self.subTest(show=show):
                params = {"agency": agency, "show": show}
                expected = list(
                    Commitment.objects.filter(agency=self.agency_a, **lookups)
                    .order_by(*order)
                    .values_list("pk", flat=True)
                )
                self.assertEqual(self.walk_forward(params), expected)
                self.assertEqual(self.walk_back_from_last(params), expected)
                query = parse_qs(urlparse(self.get(params).context["links"]["next"]).query)
                self.assertEqual((query["show"], query["agency"]), ([show], [agency]))
        small = self.queries({"agency": agency})
        self.add_commitments(60)
        self.assertEqual(self.queries({"agency": agency}), small)
        self.assert_hostile_cursors_give_the_first_page({"agency": agency, "show": "all"})


@time_machine.travel(NOW, tick=False)
class IncidentListTests(ListWalk, BaseTestCase):
    url = reverse("incidents:incident_list")

    def ids(self, response):
        return [row.incident.pk for row in response.context["rows"]]

    def add(self, count: int, agency=None):
        from incidents.incident_log import services

        made = []
        for n in range(count):
            incident = services.incident_create(
                agency=agency or self.agency_a,
                actor=self.staff_a,
                kind=Incident.Kind.OTHER,
                severity=Incident.Severity.LOW,
                title=f"Case {n}",
                occurred_at=NOW - timedelta(days=3),
            )
            made.append(incident.pk)
        Incident.objects.filter(pk__in=made).update(received_at=NOW - timedelta(days=1))  # all tied
        return made

    def test_a_fixed_query_count_and_hostile_cursors(self):
        sign_in(self.client, self.auditor)
        self.add(2)
        small = self.queries()
        self.add(30)
        self.add(3, agency=self.agency_b)
        last = cursor_of(self.get().context["links"]["last"])
        self.assertEqual([self.queries(), self.queries({"cursor": last})], [small, small])
        expected = list(
            Incident.objects.filter(agency__in=[self.agency_a, self.agency_b])
            .order_by("-received_at", "-pk")
            .values_list("pk", flat=True)
        )
        self.assertEqual(self.walk_forward(), expected)
        self.assertEqual(self.walk_back_from_last(), expected)
        self.assert_hostile_cursors_give_the_first_page({"kind": Incident.Kind.OTHER})
