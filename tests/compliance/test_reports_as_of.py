"""The incident log and the outreach report answer "as recorded by" the end of their day (issue #13 item 1).

A case closed after the report's day shows the stage it was in at the end of that day, and a commitment done
after it shows as open then; both covers say which basis applies.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import time_machine
from django.template.loader import render_to_string

from community.commitments.models import Commitment
from compliance.core.models import Report
from compliance.reports.catalog import KINDS
from compliance.reports.incident_log import incident_log_context
from compliance.reports.outreach import outreach_context
from incidents.incident_log import services as incident_services
from incidents.incident_log.models import Incident
from tests.base import BaseTestCase

AS_OF = date(2026, 3, 31)
CHECKED_AT = datetime(2026, 4, 1, 5, 0, tzinfo=UTC)  # the end of 2026-03-31 in America/Chicago (CDT)
LATER = datetime(2026, 5, 1, 15, 0, tzinfo=UTC)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


class IncidentLogAsOfTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        with time_machine.travel(at(2026, 3, 5, 15), tick=False):
            cls.case = incident_services.incident_create(
                agency=cls.agency_a,
                actor=cls.supervisor_a,
                kind=Incident.Kind.COMPLAINT,
                severity=Incident.Severity.MEDIUM,
                title="Closed after the day (invented)",
                occurred_at=at(2026, 3, 5, 13),
            )
        with time_machine.travel(at(2026, 3, 10, 15), tick=False):
            cls.case.status = Incident.Status.UNDER_INVESTIGATION
            cls.case.save()
        with time_machine.travel(at(2026, 4, 10, 15), tick=False):
            cls.case.status = Incident.Status.CLOSED
            cls.case.closure = Incident.Closure.REVIEWED
            cls.case.closed_at = at(2026, 4, 10, 15)
            cls.case.save()

    def _context(self):
        report = Report(
            agency=self.agency_a,
            kind=Report.Kind.INCIDENT_LOG,
            as_of=AS_OF,
            checked_at=CHECKED_AT,
            basis=Report.Basis.RECORDED,
            requested_by=self.supervisor_a,
        )
        return incident_log_context(report=report, generated_at=LATER)

    def test_a_case_closed_later_shows_its_stage_at_the_end_of_the_day(self):
        context = self._context()
        [row] = context["rows"]
        self.assertEqual(row.incident.status, Incident.Status.UNDER_INVESTIGATION)
        self.assertEqual(row.incident.closure, "")
        self.assertIsNone(row.time_to_close)
        counts = context["counts"]
        self.assertEqual(counts.open_at_end, 1)
        self.assertIn(("Under investigation", 1), counts.open_by_stage)
        self.assertEqual(counts.open_closed_since, 0)
        self.assertEqual(counts.closed_in_period, 0)

    def test_the_cover_says_as_recorded_by(self):
        context = self._context()
        html = render_to_string(KINDS[Report.Kind.INCIDENT_LOG].templates[0], context)
        self.assertIn("as recorded by the end of 2026-03-31", html)
        self.assertIn("Under investigation", html)
        self.assertEqual(KINDS[Report.Kind.INCIDENT_LOG].bases, (Report.Basis.RECORDED,))

    def test_the_period_follows_the_chosen_start(self):
        report = Report(
            agency=self.agency_a,
            kind=Report.Kind.INCIDENT_LOG,
            as_of=AS_OF,
            period_start=date(2026, 3, 20),
            checked_at=CHECKED_AT,
            requested_by=self.supervisor_a,
        )
        context = incident_log_context(report=report, generated_at=LATER)
        self.assertEqual(context["period_days"], 12)
        self.assertEqual(context["rows"], [])  # received on 2026-03-05, before the chosen start
        html = render_to_string(KINDS[Report.Kind.INCIDENT_LOG].templates[0], context)
        self.assertIn("12 days ending on the report date", html)


class OutreachAsOfTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        with time_machine.travel(at(2025, 12, 1, 15), tick=False):
            cls.earlier = Commitment.objects.create(
                agency=cls.agency_a,
                owner=cls.supervisor_a,
                description="Made before, done later",
                due_on=date(2026, 6, 1),
            )
        with time_machine.travel(at(2026, 2, 1, 15), tick=False):
            cls.made = Commitment.objects.create(
                agency=cls.agency_a, owner=cls.supervisor_a, description="Made in the period", due_on=date(2026, 3, 15)
            )
        with time_machine.travel(at(2026, 4, 15, 15), tick=False):
            for commitment in (cls.earlier, cls.made):
                commitment.status = Commitment.Status.DONE
                commitment.completed_on = date(2026, 4, 15)
                commitment.evidence = "Done after the day (invented)"
                commitment.closed_at = at(2026, 4, 15, 15)
                commitment.closed_by = cls.supervisor_a
                commitment.save()

    def test_commitments_show_their_status_at_the_end_of_the_day(self):
        report = Report(
            agency=self.agency_a,
            kind=Report.Kind.OUTREACH,
            as_of=AS_OF,
            checked_at=CHECKED_AT,
            basis=Report.Basis.RECORDED,
            requested_by=self.supervisor_a,
        )
        context = outreach_context(report=report, generated_at=LATER)
        rows = {row.commitment.description: row for row in context["commitments"]}
        self.assertEqual(sorted(rows), ["Made before, done later", "Made in the period"])
        self.assertEqual(rows["Made in the period"].commitment.status, Commitment.Status.OPEN)
        self.assertTrue(rows["Made in the period"].overdue)  # due 2026-03-15, open at the end of 2026-03-31
        self.assertFalse(rows["Made before, done later"].made_in_period)
        counts = context["counts"]
        self.assertEqual((counts.made, counts.open, counts.done, counts.overdue, counts.earlier_open), (1, 1, 0, 1, 1))
        html = render_to_string(KINDS[Report.Kind.OUTREACH].templates[0], context)
        self.assertIn("as recorded by the end of 2026-03-31", html)
        self.assertNotIn("Done after the day", html)

    def test_after_the_change_the_report_of_a_later_day_shows_it_done(self):
        report = Report(
            agency=self.agency_a,
            kind=Report.Kind.OUTREACH,
            as_of=date(2026, 4, 30),
            checked_at=datetime(2026, 5, 1, 5, 0, tzinfo=UTC),
            requested_by=self.supervisor_a,
        )
        context = outreach_context(report=report, generated_at=LATER + timedelta(days=1))
        [row] = context["commitments"]  # made in the period (from 2026-01-31), done by then
        self.assertEqual(row.commitment.status, Commitment.Status.DONE)


class LandscapeFooterTests(BaseTestCase):
    """A part whose own CSS turns its pages (the single-part incident log) gets its footer at the right margin of
    the landscape page, as the roster's do: the overlay follows each page's shape, not the part's declaration."""

    def test_page_x_of_y_sits_at_the_right_margin_of_a_landscape_page(self):
        import io

        from pypdf import PdfReader

        from compliance.reports.services import report_request

        with time_machine.travel(LATER, tick=False), self.captureOnCommitCallbacks(execute=True):
            report = report_request(
                actor=self.supervisor_a, agency=self.agency_a, kind=Report.Kind.INCIDENT_LOG, as_of=AS_OF
            )
        report.refresh_from_db()
        self.assertEqual(report.status, Report.Status.READY, report.error)
        with report.file.open("rb") as handle:
            reader = PdfReader(io.BytesIO(handle.read()))
        for page in reader.pages:
            width, height = float(page.mediabox.width), float(page.mediabox.height)
            self.assertGreater(width, height)  # letter landscape
            found = []

            def visit(text, cm, tm, _font, _size, found=found):
                if "Page " in text:
                    found.append(cm[0] * tm[4] + cm[2] * tm[5] + cm[4])

            page.extract_text(visitor_text=visit)
            self.assertTrue(found, "no footer on the page")
            # "Page X of Y" (right-aligned) starts in the last fifth of the landscape width (a portrait footer: ~67 %).
            self.assertGreater(max(found), width * 0.8)
