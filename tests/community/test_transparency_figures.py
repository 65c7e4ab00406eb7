"""The raw transparency figures (issue #12 item 4): the right count in the right period, one agency only.

Real database, invented rows. Agency A keeps Chicago time, agency B Phoenix time: a detainer received at
05:30 UTC on 1 January 2026 is 31 December 2025 in Chicago (2025-Q4) and counts in no 2026 period there.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from community.outreach.models import OutreachEvent
from community.steering_committee.models import CommitteeMeeting
from community.transparency.figures import FIGURES_QUERY_COUNT, median_days, transparency_sections
from community.transparency.periods import Period, period_bounds, period_parse, periods_available
from community.transparency.sections import SECTION_KEYS
from community.transparency.suppression import published_sections
from incidents.detainer_log.rows import HELD_PAST_DEADLINE, RELEASE_LATE, release_against_deadline
from incidents.detainers.models import Detainer
from incidents.detainers.selectors import held_past_deadline_q
from incidents.incident_log.models import Allegation, Incident
from incidents.referrals.models import Referral
from tests.base import BaseTestCase

Q1 = Period("quarter", 2026, 1)
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def detainer(agency, received_at, number, **fields) -> Detainer:
    return Detainer.objects.create(
        agency=agency,
        subject_last_name=f"Invented{number}",
        booking_number=f"BK-T{number:05d}",
        underlying_charge="Trespass (invented)",
        received_at=received_at,
        **fields,
    )


def complaint(agency, received_at, *, user, closed_after: timedelta | None = None, **fields) -> Incident:
    values = {
        "agency": agency,
        "kind": Incident.Kind.COMPLAINT,
        "severity": "low",
        "source": Incident.Source.PUBLIC,
        "title": "Complaint (invented)",
        "occurred_at": received_at - timedelta(days=1),
        "received_at": received_at,
        "reported_by": None,
    }
    if closed_after is not None:
        values.update(
            status=Incident.Status.CLOSED, closure=Incident.Closure.REVIEWED, closed_at=received_at + closed_after
        )
    values.update(fields)
    return Incident.objects.create(**values)


def table_of(sections, key):
    for section in sections:
        for table in section.tables:
            if getattr(table, "source", table).key == key:
                return table
    raise KeyError(key)


def fact_of(sections, key):
    for section in sections:
        for fact in section.facts:
            if fact.key == key:
                return fact
    raise KeyError(key)


class PeriodTests(BaseTestCase):
    def test_period_names_parse_and_bad_ones_are_none(self):
        self.assertEqual(period_parse("2026-Q3"), Period("quarter", 2026, 3))
        self.assertEqual(period_parse("2026"), Period("year", 2026))
        for bad in ("", None, "2026-Q5", "26", "2026-Q", "abcd", "2026Q1", "9999", "2026-Q1; drop"):
            self.assertIsNone(period_parse(bad), bad)

    def test_bounds_are_the_agency_local_days(self):
        start, end = period_bounds(Q1, self.agency_a.zone)
        self.assertEqual(start, datetime(2026, 1, 1, 6, 0, tzinfo=UTC))  # midnight CST
        self.assertEqual(end, datetime(2026, 4, 1, 5, 0, tzinfo=UTC))  # midnight CDT
        self.assertEqual(
            period_bounds(Period("year", 2026), self.agency_b.zone)[1], datetime(2027, 1, 1, 7, 0, tzinfo=UTC)
        )

    def test_available_periods_stop_at_today(self):
        periods = periods_available(self.agency_a, date(2026, 2, 10))
        self.assertEqual([p.key for p in periods[:3]], ["2026-Q1", "2025-Q4", "2025-Q3"])
        self.assertEqual(len([p for p in periods if p.kind == "quarter"]), 8)
        self.assertEqual([p.key for p in periods if p.kind == "year"], ["2026", "2025", "2024"])
        self.assertEqual(Period("quarter", 2025, 2).last_day, date(2025, 6, 30))


class DetainerFigureTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        a = cls.agency_a
        # Just before Q1 on Chicago's clock (31 Dec 23:30 CST), in Q1, and the last minutes of Q1 (31 Mar 23:30 CDT).
        detainer(a, datetime(2026, 1, 1, 5, 30, tzinfo=UTC), 1, offense_level=1)
        cls.first = detainer(a, datetime(2026, 1, 1, 6, 30, tzinfo=UTC), 2, offense_level=1)
        detainer(a, datetime(2026, 4, 1, 4, 30, tzinfo=UTC), 3, offense_level=3, outcome="released")
        detainer(a, datetime(2026, 4, 1, 5, 30, tzinfo=UTC), 4, offense_level=3)  # 1 April CDT: Q2
        for n in range(5, 17):  # twelve transferred, level 2, in February
            detainer(
                a,
                datetime(2026, 2, 3, 15, 0, tzinfo=UTC) + timedelta(hours=n),
                n,
                offense_level=2,
                outcome="transferred",
            )
        # Agency B, in Q1 on any clock: never in A's figures.
        for n in range(20, 25):
            detainer(cls.agency_b, datetime(2026, 2, 3, 15, 0, tzinfo=UTC), n, offense_level=2)

    def test_the_level_by_outcome_table_counts_each_detainer_in_its_local_quarter(self):
        sections = transparency_sections(agency=self.agency_a, period=Q1, now=NOW, threshold=10)
        table = table_of(sections, "detainers_by_level_and_outcome")
        # rows: level 1, 2, 3, not recorded; columns: pending, transferred, released, lifted
        self.assertEqual(table.cells, ((1, 0, 0, 0), (0, 12, 0, 0), (0, 0, 1, 0), (0, 0, 0, 0)))
        self.assertTrue(table.row_totals and table.column_totals)
        q2 = transparency_sections(agency=self.agency_a, period=Period("quarter", 2026, 2), now=NOW, threshold=10)
        self.assertEqual(table_of(q2, "detainers_by_level_and_outcome").cells[2], (1, 0, 0, 0))
        q4 = transparency_sections(agency=self.agency_a, period=Period("quarter", 2025, 4), now=NOW, threshold=10)
        self.assertEqual(table_of(q4, "detainers_by_level_and_outcome").cells[0], (1, 0, 0, 0))

    def test_published_the_small_cells_are_hidden_and_the_twelve_shown(self):
        raw = transparency_sections(agency=self.agency_a, period=Q1, now=NOW, threshold=10)
        published = table_of(published_sections(raw, threshold=10), "detainers_by_level_and_outcome")
        self.assertEqual(published.cells[1][1].value, 12)
        self.assertIsNone(published.cells[0][0].value)
        self.assertIsNone(published.cells[2][2].value)
        self.assertEqual(published.grand_total.value, 14)

    def test_every_section_in_order(self):
        sections = transparency_sections(agency=self.agency_a, period=Q1, now=NOW, threshold=10)
        self.assertEqual([section.key for section in sections], list(SECTION_KEYS))
        self.assertIn("today", str(sections[1].note))

    def test_the_query_count_does_not_grow_with_the_detainers(self):
        with CaptureQueriesContext(connection) as small:
            transparency_sections(agency=self.agency_a, period=Q1, now=NOW)
        for n in range(100, 160):
            detainer(self.agency_a, datetime(2026, 3, 3, 15, 0, tzinfo=UTC), n, offense_level=n % 3 + 1)
            complaint(
                self.agency_a,
                datetime(2026, 3, 3, 15, 0, tzinfo=UTC),
                user=self.staff_a,
                closed_after=timedelta(days=n % 7),
            )
        OutreachEvent.objects.bulk_create(
            OutreachEvent(agency=self.agency_a, kind="presentation", title="Talk (invented)", held_on=date(2026, 2, 1))
            for _n in range(20)
        )
        with CaptureQueriesContext(connection) as large:
            sections = transparency_sections(agency=self.agency_a, period=Q1, now=NOW)
        self.assertEqual(len(small), len(large))
        self.assertLessEqual(len(large), FIGURES_QUERY_COUNT)
        self.assertEqual(sum(map(sum, table_of(sections, "detainers_by_level_and_outcome").cells)), 74)


class HoldAndConsularTests(BaseTestCase):
    def test_held_past_the_deadline_is_the_check_and_the_log_s_answer(self):
        a, released = self.agency_a, datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
        deadline = released + timedelta(hours=48)
        cases = {
            "on_time": {"outcome": "released", "outcome_at": deadline},
            "late": {"outcome": "transferred", "outcome_at": deadline + timedelta(minutes=1)},
            "still_held": {},
            "held_within": {"hold_deadline": NOW + timedelta(hours=1)},
            "ended_no_time": {"outcome": "released"},
            "no_deadline": {"hold_deadline": None},
        }
        rows = {}
        for n, (name, fields) in enumerate(cases.items()):
            values = {"would_be_released_at": released, "hold_deadline": deadline} | fields
            rows[name] = detainer(a, released - timedelta(days=1), n, **values)
        flagged = set(Detainer.objects.filter(held_past_deadline_q(NOW)).values_list("pk", flat=True))
        for name, row in rows.items():
            row.refresh_from_db()
            expected = release_against_deadline(row, at=NOW) in (RELEASE_LATE, HELD_PAST_DEADLINE)
            self.assertEqual(row.pk in flagged, expected, name)
        self.assertEqual(flagged, {rows["late"].pk, rows["still_held"].pk, rows["ended_no_time"].pk})
        sections = transparency_sections(agency=a, period=Q1, now=NOW, threshold=10)
        self.assertEqual(fact_of(sections, "detainers_held_past_48_hours").value, 3)

    def test_consular_notifications_on_time_late_and_not_made(self):
        a, booked = self.agency_a, datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
        common = {"booked_at": booked, "consular_mandatory": True}
        detainer(a, booked, 1, consular_notified_at=booked + timedelta(hours=71, minutes=59), **common)
        detainer(a, booked, 2, consular_notified_at=booked + timedelta(hours=72), **common)  # at 72 h: overdue
        detainer(a, booked, 3, **common)
        detainer(a, booked, 4, consular_mandatory=False, consular_requested=True)  # asked, not yet notified
        detainer(a, booked, 5, consular_mandatory=False, consular_requested=False)  # no duty to notify
        detainer(a, booked, 6, uscitizenship_claimed=True)
        detainer(a, booked, 7, citizenship_sign_us_id=True, citizenship_resolution="citizen_confirmed")
        sections = transparency_sections(agency=a, period=Q1, now=NOW, threshold=10)
        self.assertEqual(table_of(sections, "consular_notifications").cells, ((1,), (1,), (2,)))
        self.assertEqual(fact_of(sections, "detainers_citizenship_claims").value, 2)
        self.assertEqual(fact_of(sections, "detainers_citizens_confirmed").value, 1)


class ComplaintFigureTests(BaseTestCase):
    def test_received_referred_sustained_and_the_median_from_the_threshold_on(self):
        a, day = self.agency_a, datetime(2026, 2, 2, 15, 0, tzinfo=UTC)
        referred = complaint(a, day, user=self.staff_a)
        Referral.objects.create(
            agency=a, incident=referred, recipient=Referral.Recipient.ICE_OPR, referred_at=day, recorded_by=self.staff_a
        )
        other_referral = complaint(a, day, user=self.staff_a)
        Referral.objects.create(
            agency=a,
            incident=other_referral,
            recipient=Referral.Recipient.DHS_OIG,
            referred_at=day,
            recorded_by=self.staff_a,
        )
        sustained = complaint(a, day, user=self.staff_a)
        Allegation.objects.create(incident=sustained, text="(invented)", disposition="sustained", created_at=day)
        Allegation.objects.create(incident=sustained, text="(invented)", disposition="sustained", created_at=day)
        complaint(a, day, user=self.staff_a, source=Incident.Source.STAFF)  # not from the public
        for days in (2, 4, 6, 10):
            complaint(a, day, user=self.staff_a, closed_after=timedelta(days=days))
        complaint(self.agency_b, day, user=self.staff_b, closed_after=timedelta(days=1))
        sections = transparency_sections(agency=a, period=Q1, now=NOW, threshold=5)
        self.assertEqual(table_of(sections, "complaints").cells, ((7,), (1,), (1,), (4,)))
        median = fact_of(sections, "complaints_median_days_to_close")
        self.assertIsNone(median.value)  # 4 closed < 5
        self.assertTrue(median.suppressed)
        complaint(a, day, user=self.staff_a, closed_after=timedelta(days=7))
        sections = transparency_sections(agency=a, period=Q1, now=NOW, threshold=5)
        self.assertEqual(fact_of(sections, "complaints_median_days_to_close").value, 6)

    def test_median_days_rounds_half_up_and_averages_the_middle_pair(self):
        self.assertEqual(median_days([timedelta(days=1), timedelta(days=2)]), 2)  # 1.5 → 2
        self.assertEqual(median_days([timedelta(hours=10)]), 0)


class OutreachFigureTests(BaseTestCase):
    def test_events_by_kind_meetings_held_and_the_next_meeting_date_only(self):
        a = self.agency_a
        for kind, held_on in (
            ("community_meeting", date(2026, 1, 1)),
            ("community_meeting", date(2026, 3, 31)),
            ("media", date(2026, 2, 14)),
            ("media", date(2025, 12, 31)),
        ):
            OutreachEvent.objects.create(agency=a, kind=kind, title="Event (invented)", held_on=held_on)
        OutreachEvent.objects.create(agency=self.agency_b, kind="media", title="B (invented)", held_on=date(2026, 2, 1))
        CommitteeMeeting.objects.create(agency=a, starts_at=datetime(2026, 2, 10, 18, 0, tzinfo=UTC), status="held")
        CommitteeMeeting.objects.create(
            agency=a, starts_at=datetime(2026, 3, 10, 18, 0, tzinfo=UTC), status="cancelled"
        )
        # 2 July 03:00 UTC is 1 July on Chicago's clock: the date published is the agency's.
        CommitteeMeeting.objects.create(agency=a, starts_at=datetime(2026, 7, 2, 3, 0, tzinfo=UTC))
        CommitteeMeeting.objects.create(agency=a, starts_at=datetime(2026, 9, 2, 18, 0, tzinfo=UTC))
        sections = transparency_sections(agency=a, period=Q1, now=NOW, threshold=10)
        self.assertEqual(table_of(sections, "outreach_events").cells, ((2,), (0,), (0,), (1,), (0,)))
        self.assertEqual(fact_of(sections, "committee_meetings_held").value, 1)
        next_meeting = fact_of(sections, "committee_next_meeting")
        self.assertEqual((next_meeting.value, next_meeting.kind), (date(2026, 7, 1), "date"))

    def test_agreements_in_force_with_their_model(self):
        sections = transparency_sections(agency=self.agency_b, period=Q1, now=NOW, threshold=10)
        facts = sections[0].facts
        self.assertEqual([str(fact.label) for fact in facts], ["Warrant Service Officer model"])
