"""PDF report "Incidents and complaints": real figures read back from the PDF with pypdf, scope, R2, query count."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from unittest import mock

import time_machine
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from compliance.core.models import Report
from compliance.reports.catalog import KINDS
from compliance.reports.fetcher import REPORT_BASE_URL, StaticOnlyURLFetcher
from compliance.reports.incident_log import incident_log_context
from compliance.reports.pdf import pdf_render
from compliance.reports.periods import PERIOD_DAYS
from compliance.reports.services import report_request
from incidents.complaints.models import ComplaintContact
from incidents.corrective_actions.models import CorrectiveAction
from incidents.incident_log import services as incident_services
from incidents.incident_log.models import Allegation, Disposition, Incident, SubjectOfficer
from incidents.referrals.models import Referral
from tests.base import BaseTestCase
from tests.compliance.helpers import make_officer

AS_OF = date(2026, 3, 31)
GENERATED_AT = datetime(2026, 4, 1, 15, 0, tzinfo=UTC)  # 10:00 CDT the next day
CHECKED_AT = datetime(2026, 4, 1, 5, 0, tzinfo=UTC)  # the end of 31 March, Chicago
HOSTILE = '<img src="file:///etc/passwd">'


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def make_case(agency, *, actor, title, received_at, **fields):
    """A case logged through the service, then moved as the workflow would leave it (a direct update)."""
    incident = incident_services.incident_create(
        agency=agency,
        actor=actor,
        kind=fields.pop("kind", Incident.Kind.COMPLAINT),
        severity=Incident.Severity.MEDIUM,
        title=title,
        occurred_at=received_at - timedelta(hours=2),
    )
    if fields.get("status") == Incident.Status.CLOSED:
        fields.setdefault("closure", Incident.Closure.REVIEWED)
    Incident.objects.filter(pk=incident.pk).update(received_at=received_at, **fields)
    incident.refresh_from_db()
    return incident


def allegation(incident, disposition="", text="Invented allegation"):
    return Allegation.objects.create(
        incident=incident, text=text, disposition=disposition, created_at=incident.received_at
    )


def referral(incident, recipient, at, actor):
    return Referral.objects.create(
        agency=incident.agency, incident=incident, recipient=recipient, referred_at=at, recorded_by=actor
    )


def action(incident, actor, status=CorrectiveAction.Status.OPEN):
    return CorrectiveAction.objects.create(
        agency=incident.agency,
        incident=incident,
        kind=CorrectiveAction.Kind.TRAINING,
        description="Refresher on use of force (invented)",
        owner=actor,
        due_on=date(2026, 2, 1),
        status=status,
        created_by=actor,
    )


def build_cases(case):
    """The period's cases of agency A (default settings: 48 h, 90 days) and the ones around it."""
    a, actor = case.agency_a, case.supervisor_a
    yes = Incident.Immigration.YES
    case.on_time = make_case(
        a,
        actor=actor,
        title="Public complaint",
        received_at=utc(2026, 1, 5, 15),
        source=Incident.Source.PUBLIC,
        immigration_related=yes,
        status=Incident.Status.CLOSED,
        closed_at=utc(2026, 1, 15, 15),  # 10 days
        review_narrative=HOSTILE,
        tracking_number="K7Q-4MX-29P",
    )
    ComplaintContact.objects.create(
        incident=case.on_time, name="Zelda Complainantova", email="zelda@example.org", phone="555-0199"
    )
    referral(case.on_time, Referral.Recipient.ICE_OPR, utc(2026, 1, 6, 1), actor)  # 10 h: on time
    allegation(case.on_time, Disposition.SUSTAINED)
    allegation(case.on_time, Disposition.SUSTAINED)
    allegation(case.on_time, Disposition.UNFOUNDED)
    action(case.on_time, actor)
    action(case.on_time, actor, status=CorrectiveAction.Status.DONE)
    officer_1, officer_2 = make_officer(a, 101), make_officer(a, 102)
    case.badges = [officer_1.badge_number, officer_2.badge_number]
    for officer in (officer_1, officer_2):
        SubjectOfficer.objects.create(incident=case.on_time, officer=officer, added_at=utc(2026, 1, 6), added_by=actor)

    case.late = make_case(
        a,
        actor=actor,
        title="Second public complaint",
        received_at=utc(2026, 2, 1, 15),
        source=Incident.Source.PUBLIC,
        immigration_related=yes,
        status=Incident.Status.CLOSED,
        closed_at=utc(2026, 2, 21, 15),  # 20 days
    )
    referral(case.late, Referral.Recipient.ICE_OPR, utc(2026, 2, 4, 3), actor)  # 60 h: 12 h late
    referral(case.late, Referral.Recipient.DHS_OIG, utc(2026, 2, 5, 3), actor)
    allegation(case.late, Disposition.EXONERATED)

    case.overdue = make_case(
        a,
        actor=actor,
        title="Use of force at intake",
        kind=Incident.Kind.USE_OF_FORCE,
        received_at=utc(2026, 3, 1, 15),
        immigration_related=yes,
        status=Incident.Status.UNDER_INVESTIGATION,
    )
    allegation(case.overdue)
    case.not_yet_due = make_case(
        a,
        actor=actor,
        title="Complaint on the last day",
        received_at=utc(2026, 3, 31, 20),  # 15:00 CDT on the report date: due 2 April
        source=Incident.Source.PUBLIC,
        immigration_related=yes,
    )
    case.rule = make_case(
        a,
        actor=actor,
        title="Hold past deadline (rule)",
        kind=Incident.Kind.HOLD_VIOLATION,
        received_at=utc(2026, 3, 10, 15),
        source=Incident.Source.RULE,
        status=Incident.Status.SUPERVISOR_REVIEW,
    )
    case.closed_since = make_case(
        a,
        actor=actor,
        title="Closed after the period",
        kind=Incident.Kind.OTHER,
        received_at=utc(2026, 3, 15, 15),
        immigration_related=Incident.Immigration.NO,
        status=Incident.Status.CLOSED,
        closed_at=utc(2026, 4, 1, 10),
    )
    # Around the period: received on 31 December (Chicago), still open; received in November, closed in the
    # period after 91 days; received on 1 April (Chicago); another agency's case.
    make_case(
        a,
        actor=actor,
        title="Received on New Year's Eve",
        received_at=utc(2026, 1, 1, 5, 30),
        status=Incident.Status.UNDER_INVESTIGATION,
    )
    make_case(
        a,
        actor=actor,
        title="Old case closed in the period",
        received_at=utc(2025, 11, 1, 15),
        status=Incident.Status.CLOSED,
        closed_at=utc(2026, 1, 31, 15),
    )
    make_case(a, actor=actor, title="Received after the period", received_at=utc(2026, 4, 1, 6))
    make_case(case.agency_b, actor=case.supervisor_b, title="Birch case", received_at=utc(2026, 2, 10, 15))


class IncidentReportTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.supervisor_a.first_name, cls.supervisor_a.last_name = "Pat", "Quillfeather"
        cls.supervisor_a.save()
        build_cases(cls)
        report = Report(agency=cls.agency_a, kind=Report.Kind.INCIDENT_LOG, as_of=AS_OF, requested_by=cls.supervisor_a)
        cls.context = incident_log_context(report=report, generated_at=GENERATED_AT)
        rendered = pdf_render(render_to_string(KINDS[Report.Kind.INCIDENT_LOG].templates[0], cls.context))
        cls.text = pdf_text(rendered.content)
        cls.refused = rendered.refused_urls

    def test_the_period_is_the_90_agency_local_days_ending_on_the_report_date(self):
        self.assertEqual(PERIOD_DAYS, 90)
        self.assertEqual(self.context["period_start"], date(2026, 1, 1))
        self.assertEqual(self.context["checked_at"], CHECKED_AT)
        self.assertEqual(
            [row.incident.title for row in self.context["rows"]],
            [
                "Public complaint",
                "Second public complaint",
                "Use of force at intake",
                "Hold past deadline (rule)",
                "Closed after the period",
                "Complaint on the last day",
            ],
        )

    def test_summary_figures(self):
        counts = self.context["counts"]
        self.assertEqual(counts.received, 6)
        self.assertEqual(
            counts.by_kind,
            [
                ("Complaint", 3),
                ("Use of force", 1),
                ("Hold past deadline", 1),
                ("Action outside the agreement", 0),
                ("U.S.-citizenship claim", 0),
                ("Other", 1),
            ],
        )
        self.assertEqual(
            counts.by_source, [("Public complaint", 3), ("Logged by staff", 2), ("Opened from a finding", 1)]
        )
        self.assertEqual(counts.allegations, 5)
        self.assertEqual(
            counts.by_disposition,
            [
                ("Sustained", 2),
                ("Not sustained", 0),
                ("Exonerated", 1),
                ("Unfounded", 1),
                ("Policy/training failure", 0),
                ("Not yet disposed", 1),
            ],
        )
        self.assertEqual(counts.referrals, {"on_time": 1, "late": 1, "overdue": 1, "not_yet_due": 1})
        # Closed in the period: 10 days, 20 days, and the November case after 91 days.
        self.assertEqual(counts.closed_in_period, 3)
        self.assertEqual(counts.median_to_close, timedelta(days=20))
        self.assertEqual(counts.longest_to_close, timedelta(days=91))
        # Open at the end: New Year's Eve and the use of force (investigation), the last day's complaint
        # (received), the rule's case (review), and the case closed after the period.
        self.assertEqual(counts.open_at_end, 5)
        self.assertEqual(counts.open_by_stage, [("Received", 1), ("Under investigation", 2), ("Supervisor review", 1)])
        self.assertEqual(counts.open_closed_since, 1)

    def test_the_pdf_prints_the_figures(self):
        text = " ".join(self.text.split())  # a label may wrap inside its cell
        for line in (
            "Cases received: 6",
            "Complaint 3",
            "Use of force 1",
            "Public complaint 3",
            "Opened from a finding 1",
            "Allegations: 5",
            "Sustained 2",
            "Exonerated 1",
            "Not yet disposed 1",
            "Made on time 1",
            "Made late 1",
            "Overdue (none made) 1",
            "Not yet due 1",
            "Cases closed in the period 3",
            "Median time to close 20 days 0 hours",
            "Longest time to close 91 days 0 hours",
            "Open at the end: 5",
            "Under investigation 2",
            "Closed since 1",
            "Cases (6)",
        ):
            with self.subTest(line=line):
                self.assertIn(line, text)
        self.assertIn("Answers at 2026-04-01 00:00 CDT", text)
        self.assertNotIn("Quillfeather", text)
        self.assertEqual(self.refused, [])

    def test_the_case_rows(self):
        rows = {row.incident.title: row for row in self.context["rows"]}
        first = rows["Public complaint"]
        self.assertEqual(first.officers, sorted(self.badges))
        self.assertEqual(first.dispositions, [("Sustained", 2), ("Unfounded", 1)])
        self.assertEqual((first.actions_total, first.actions_open), (2, 1))
        self.assertEqual((first.referral, first.referral_text), ("on_time", "ICE: on time"))
        self.assertEqual(first.time_to_close_text, "10 days")
        second = rows["Second public complaint"]
        self.assertEqual(second.referral_text, "ICE: late by 12 hours")
        self.assertEqual(second.other_referrals, ["DHS Office of Inspector General"])
        # Due 3 March 15:00 UTC; asked at 1 April 05:00 UTC: 28 days 14 hours late.
        self.assertEqual(rows["Use of force at intake"].referral_text, "ICE: overdue by 28 days 14 hours")
        self.assertEqual(rows["Use of force at intake"].time_to_close_text, "Open")
        self.assertEqual(rows["Complaint on the last day"].referral_text, "ICE: not yet due")
        self.assertEqual(rows["Hold past deadline (rule)"].referral_text, "Not required")
        self.assertEqual(rows["Closed after the period"].time_to_close_text, "Open")  # closed after the end
        squeezed = squeeze(self.text)
        for piece in ("2026-01-0509:00CST", "ICE:lateby12hours", "ICE:overdueby28days14hours"):
            self.assertIn(piece, squeezed)
        for badge in self.badges:
            self.assertIn(badge, squeezed)
        self.assertIn("Sustained×2", squeezed)
        self.assertIn("2(1)", squeezed)

    def test_no_complainant_contact_and_no_other_agency(self):
        for secret in ("Zelda", "Complainantova", "zelda@example.org", "555-0199", "Birch case", "New Year"):
            self.assertNotIn(secret, self.text)
        self.assertNotIn("Received after the period", self.text)

    def test_a_fixed_number_of_queries_whatever_the_number_of_cases(self):
        report = Report(
            agency=self.agency_a, kind=Report.Kind.INCIDENT_LOG, as_of=AS_OF, requested_by=self.supervisor_a
        )
        with CaptureQueriesContext(connection) as before:
            incident_log_context(report=report, generated_at=GENERATED_AT)
        officer = make_officer(self.agency_a, 500)
        for n in range(30):
            extra = make_case(
                self.agency_a,
                actor=self.supervisor_a,
                title=f"Extra {n}",
                received_at=utc(2026, 2, 1 + n % 27, 12),
                immigration_related=Incident.Immigration.YES,
            )
            allegation(extra, Disposition.NOT_SUSTAINED)
            action(extra, self.supervisor_a)
            referral(extra, Referral.Recipient.ICE_OPR, extra.received_at + timedelta(hours=5), self.supervisor_a)
            SubjectOfficer.objects.create(
                incident=extra, officer=officer, added_at=extra.received_at, added_by=self.staff_a
            )
        with CaptureQueriesContext(connection) as after:
            context = incident_log_context(report=report, generated_at=GENERATED_AT)
        self.assertEqual(context["counts"].received, 36)
        self.assertEqual(context["counts"].referrals["on_time"], 31)
        self.assertEqual(len(after.captured_queries), len(before.captured_queries))


class _RecordingFetcher(StaticOnlyURLFetcher):
    """The real static-only fetcher, keeping every URL the renderer asked for."""

    asked: list[str] = []

    def fetch(self, url, headers=None):
        type(self).asked.append(url)
        return super().fetch(url, headers)


class IncidentReportRequestTests(BaseTestCase):
    """Through ``report_request`` and the task, as a user asks for it: case R2 and scope."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.case = make_case(
            cls.agency_a,
            actor=cls.supervisor_a,
            title=HOSTILE,
            received_at=utc(2026, 1, 6, 15),
            status=Incident.Status.CLOSED,
            closed_at=utc(2026, 1, 8, 15),
            review_narrative=HOSTILE,
        )
        make_case(cls.agency_b, actor=cls.supervisor_b, title="Birch own case", received_at=utc(2026, 1, 7, 15))

    @time_machine.travel(datetime(2026, 1, 20, 18, 0, tzinfo=UTC), tick=False)
    def test_case_R2_a_hostile_narrative_prints_as_text_and_nothing_is_fetched(self):
        _RecordingFetcher.asked = []
        recording = mock.patch("compliance.reports.pdf.StaticOnlyURLFetcher", _RecordingFetcher)
        with recording, self.captureOnCommitCallbacks(execute=True):
            report = report_request(
                actor=self.auditor_a, agency=self.agency_a, kind=Report.Kind.INCIDENT_LOG, as_of=date(2026, 1, 20)
            )
        report.refresh_from_db()
        self.assertEqual(report.status, Report.Status.READY, report.error)
        with report.file.open("rb") as handle:
            text = pdf_text(handle.read())
        self.assertEqual(squeeze(text).count('<imgsrc="file:///etc/passwd">'), 2)  # the title and the narrative
        self.assertNotIn("root:", text)
        self.assertNotIn("Birch own case", text)
        self.assertIn("Cases received: 1", text)
        self.assertIn("Median time to close 2 days 0 hours", text)
        self.assertEqual(_RecordingFetcher.asked, [f"{REPORT_BASE_URL}static/css/report.css"])
