"""Inspection readiness (issue #15 item 2): the content of the page and the PDF, the period, reproducibility.

One agreement of Alder County (Chicago) with invented requirements: the agreement's term (``agreement_term``,
confirmed against the MOA), a published complaint procedure (``document``, not confirmed, two status changes in the
period, a document attached), complaints referred to ICE (an evaluator registered by this module, with a figure, a
list and the finding kind "referral overdue": one finding resolved in the period with a corrective action, one still
open), an inactive clause and another agency's clause (neither shown).
"""

from __future__ import annotations

import io
import re
from datetime import date

import time_machine
from pypdf import PdfReader

from compliance.core.models import Clause, Finding, Report
from compliance.moa.evidence import Period
from compliance.moa.inspection import default_period, inspection_context, period_shortcuts
from compliance.reports.inspection_readiness import parameters
from compliance.reports.services import report_request
from tests.base import BaseTestCase
from tests.compliance import inspection_fixtures as fx
from tests.compliance.helpers import make_incident

END_OF_PERIOD = fx.utc(2026, 4, 1, 5)  # midnight starting 2026-04-01 in Chicago (CDT): the report's instant


def setUpModule():
    fx.register_test_evaluator()


def tearDownModule():
    fx.unregister_test_evaluator()


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def pdf_text(report) -> str:
    with report.file.open("rb") as handle:
        return squeeze(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages))


class InspectionCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        fx.build(cls)

    def context(self, *, start=fx.PERIOD_START, end=fx.PERIOD_END, at=END_OF_PERIOD, basis="effective"):
        return inspection_context(agreement=self.agreement_a, period=Period(start, end, at), basis=basis)["inspection"]

    def section(self, inspection, title):
        for clause in inspection.clauses:
            for section in clause.requirements:
                if section.requirement.title == title:
                    return section
        raise AssertionError(f"{title} not in the inspection")

    def request_pdf(self, *, actor=None, now=fx.NOW, basis=None, start=fx.PERIOD_START, end=fx.PERIOD_END):
        with time_machine.travel(now, tick=False), self.captureOnCommitCallbacks(execute=True):
            report = report_request(
                actor=actor or self.supervisor_a,
                agency=self.agency_a,
                kind=Report.Kind.INSPECTION_READINESS,
                as_of=end,
                period_start=start,
                basis=basis,
                parameters=parameters(self.agreement_a),
            )
        report.refresh_from_db()
        self.assertEqual(report.status, Report.Status.READY, report.error)
        return report


class ContentTests(InspectionCase):
    def test_active_requirements_of_the_agreement_only_in_position_order_grouped_by_clause(self):
        inspection = self.context()
        shown = [(c.label, [s.requirement.title for s in c.requirements]) for c in inspection.clauses]
        self.assertEqual(
            shown,
            [
                ("Duration and termination", ["Agreement signed and in force"]),
                ("Complaint procedures", ["Complaint procedure published", "Complaints referred to ICE"]),
            ],
        )

    def test_status_at_the_end_is_the_evaluators_answer_with_its_reason(self):
        inspection = self.context()
        term = self.section(inspection, "Agreement signed and in force")
        # Expires 2026-06-01, 62 days after the period's end: within the 90-day renewal window (R3.9).
        self.assertEqual(term.status_label, "At risk")
        self.assertIn("expires on 2026-06-01", term.evidence.reason)
        self.assertEqual(
            [(f.label, f.value) for f in term.evidence.figures],
            [("Signed", "2024-01-15"), ("Expires", "2026-06-01"), ("Status", "In force")],
        )
        policy = self.section(inspection, "Complaint procedure published")
        self.assertEqual(policy.status_label, "Met")
        self.assertEqual([item.label for item in policy.evidence.items], ["Complaint policy 2026"])
        self.assertEqual(policy.last_met_on, fx.PERIOD_END)

    def test_summary_counts_statuses_findings_and_unconfirmed_requirements(self):
        summary = self.context().summary
        self.assertEqual(
            [(label, n) for _value, label, n in summary.by_status],
            [("Met", 2), ("At risk", 1), ("Not met", 0), ("Not checked yet", 0)],
        )
        self.assertEqual((summary.requirements, summary.unconfirmed), (3, 2))
        self.assertEqual((summary.findings, summary.open_findings, summary.changes), (2, 1, 2))

    def test_status_changes_in_the_period_come_from_history_with_who_and_why(self):
        policy = self.section(self.context(), "Complaint procedure published")
        self.assertEqual(policy.status_at_start, "Not checked yet")
        self.assertEqual(
            [(c.at, c.old, c.new, c.reason, c.by) for c in policy.changes],
            [
                (
                    fx.utc(2026, 2, 1, 15),
                    "Not checked yet",
                    "Not met",
                    "No valid document is attached.",
                    "Pat Quillfeather",
                ),
                (fx.utc(2026, 2, 15, 15), "Not met", "Met", "1 valid document attached.", "Pat Quillfeather"),
            ],
        )

    def test_a_change_before_the_period_is_its_status_at_the_start_not_a_change_in_it(self):
        policy = self.section(self.context(start=date(2026, 2, 10)), "Complaint procedure published")
        self.assertEqual(policy.status_at_start, "Not met")
        self.assertEqual([c.new for c in policy.changes], ["Met"])

    def test_confirmed_against_the_signed_moa_or_not(self):
        inspection = self.context()
        term = self.section(inspection, "Agreement signed and in force")
        self.assertTrue(term.confirmed)
        self.assertEqual(term.confirmed_by, self.admin_a.username)
        self.assertFalse(self.section(inspection, "Complaint procedure published").confirmed)

    def test_findings_against_a_requirement_with_what_was_done_and_the_cases_corrective_action(self):
        cases = self.section(self.context(), "Complaints referred to ICE")
        self.assertEqual([f.label for f in cases.evidence.figures], ["Complaints referred on time"])
        lines = {line.finding.summary: line for line in cases.findings}
        self.assertEqual(set(lines), {"Complaint not referred in 48 h.", "Second complaint not referred in 48 h."})
        resolved = lines["Complaint not referred in 48 h."]
        self.assertEqual((resolved.state, resolved.open_at_end), ("Resolved", False))
        self.assertEqual(
            [(a.what, a.at, a.by, a.note) for a in resolved.actions],
            [
                ("Acknowledged", fx.utc(2026, 2, 6, 15), "Pat Quillfeather", ""),
                ("Resolved", fx.utc(2026, 2, 20, 15), "Pat Quillfeather", "Referred to ICE OPR on 2026-02-19."),
            ],
        )
        self.assertEqual(
            [(a.get_kind_display(), a.status, a.completed_on) for a in resolved.corrective_actions],
            [("Training", "done", date(2026, 3, 10))],
        )
        still_open = lines["Second complaint not referred in 48 h."]
        self.assertEqual((still_open.state, still_open.open_at_end, still_open.actions), ("Open", True, []))

    def test_requirements_without_the_finding_kind_list_no_finding(self):
        inspection = self.context()
        self.assertEqual(self.section(inspection, "Agreement signed and in force").findings, [])
        self.assertEqual(self.section(inspection, "Complaint procedure published").findings, [])


class PeriodTests(InspectionCase):
    def test_a_finding_opened_just_before_local_midnight_ending_the_period_is_in_it(self):
        # 2026-03-31 23:30 in Chicago (CDT, UTC-5) is 2026-04-01 04:30 UTC.
        late = fx.finding_on(
            make_incident(self.agency_a, 9), Finding.Kind.REFERRAL_OVERDUE, fx.utc(2026, 4, 1, 4, 30), summary="Late."
        )
        after = fx.finding_on(
            make_incident(self.agency_a, 10), Finding.Kind.REFERRAL_OVERDUE, fx.utc(2026, 4, 1, 5), summary="After."
        )
        summaries = {
            line.finding.summary for line in self.section(self.context(), "Complaints referred to ICE").findings
        }
        self.assertIn(late.summary, summaries)
        self.assertNotIn(after.summary, summaries)

    def test_a_finding_closed_before_the_first_local_day_is_not_in_the_period(self):
        # "Old finding." was resolved on 2025-10-03: not open at any time from 2026-01-01 (Chicago).
        summaries = {
            line.finding.summary for line in self.section(self.context(), "Complaints referred to ICE").findings
        }
        self.assertNotIn("Old finding.", summaries)
        earlier = self.context(start=date(2025, 10, 1))
        self.assertIn(
            "Old finding.",
            {line.finding.summary for line in self.section(earlier, "Complaints referred to ICE").findings},
        )

    def test_status_changes_after_the_instant_are_left_out(self):
        fx.status_change(self.policy, "at_risk", "Later.", at=fx.utc(2026, 4, 2, 15), actor=self.supervisor_a)
        self.assertEqual(
            [c.new for c in self.section(self.context(), "Complaint procedure published").changes], ["Not met", "Met"]
        )

    def test_default_period_is_the_last_twelve_months_and_shortcuts_end_by_today(self):
        self.assertEqual(default_period(date(2026, 3, 31)), (date(2025, 4, 1), date(2026, 3, 31)))
        self.assertEqual(default_period(date(2028, 2, 29)), (date(2027, 3, 1), date(2028, 2, 29)))
        shortcuts = period_shortcuts(date(2026, 11, 5))
        self.assertEqual(
            [(label, start, end) for label, start, end in shortcuts],
            [
                ("Last 12 months", date(2025, 11, 6), date(2026, 11, 5)),
                ("Last full quarter", date(2026, 7, 1), date(2026, 9, 30)),
                ("Fiscal year 2027 so far", date(2026, 10, 1), date(2026, 11, 5)),
                ("Fiscal year 2026", date(2025, 10, 1), date(2026, 9, 30)),
            ],
        )


class PdfTests(InspectionCase):
    def test_the_pdf_shows_cover_requirements_statuses_evidence_documents_findings_and_what_was_done(self):
        text = pdf_text(self.request_pdf())
        for expected in (
            "Inspection readiness",
            "Alder County Sheriff's Office (TX)",
            "Signed 2024-01-15",
            "Expires 2026-06-01",
            "2026-01-01 to 2026-03-31 (90 days",
            "Met 2",
            "At risk 1",
            "Open findings at the end 1",
            "Not yet checked against the signed MOA 2",
            "Duration and termination",
            "Complaint procedures",
            "Agreement signed and in force (Section XX)",
            "The agreement expires on 2026-06-01",
            "Complaint policy 2026",
            "Complaints referred on time 4 of 4",
            "Not yet: the shipped template's text",
            "Referred to ICE OPR on 2026-02-19.",
            "Corrective action: Training, done, due 2026-03-15, done 2026-03-10",
            "Second complaint not referred in 48 h.",
            "No valid document is attached.",
        ):
            self.assertIn(expected, text)
        for absent in ("Inactive media clause", "Birch media clause", "Birch finding.", "Unrelated finding."):
            self.assertNotIn(absent, text)

    def test_the_contents_lists_each_clause(self):
        report = self.request_pdf()
        with report.file.open("rb") as handle:
            pages = [squeeze(p.extract_text()) for p in PdfReader(io.BytesIO(handle.read())).pages]
        self.assertIn("Contents", pages[1])
        self.assertIn("Duration and termination", pages[1])
        self.assertIn("Complaint procedures", pages[1])

    def test_same_request_same_text_and_records_written_later_do_not_change_it(self):
        first = self.request_pdf()
        second = self.request_pdf()
        self.assertEqual(first.sha256, second.sha256)
        text = pdf_text(first)
        # Written after the instant: a finding, a document, a status change, a new requirement, the agreement renewed.
        later = fx.utc(2026, 4, 5, 15)
        fx.finding_on(make_incident(self.agency_a, 11), Finding.Kind.REFERRAL_OVERDUE, later, summary="Recorded later.")
        fx.document(self.cases, "Later document", at=later, actor=self.supervisor_a)
        fx.status_change(self.cases, "not_met", "Later change.", at=later, actor=self.supervisor_a)
        with time_machine.travel(later, tick=False):
            agreement = type(self.agreement_a).objects.get(pk=self.agreement_a.pk)
            agreement.expires_on = date(2029, 6, 1)
            agreement.save()
        fx.requirement(
            self.agreement_a,
            "later",
            clause="media",
            evidence="document",
            position=9,
            title="Recorded later clause",
            actor=self.admin_a,
            at=later,
        )
        third = self.request_pdf(basis="recorded")
        fourth = self.request_pdf(basis="recorded")
        self.assertEqual(third.sha256, fourth.sha256)
        for report in (third, self.request_pdf()):
            again = pdf_text(report)
            for absent in ("Recorded later.", "Later document", "Later change.", "2029-06-01"):
                self.assertNotIn(absent, again)
        self.assertNotIn("Recorded later clause", pdf_text(third))
        self.assertEqual(pdf_text(second), text)

    def test_an_agreement_of_another_agency_in_the_parameters_reports_nothing(self):
        with time_machine.travel(fx.NOW, tick=False), self.captureOnCommitCallbacks(execute=True):
            report = report_request(
                actor=self.supervisor_a,
                agency=self.agency_a,
                kind=Report.Kind.INSPECTION_READINESS,
                as_of=fx.PERIOD_END,
                period_start=fx.PERIOD_START,
                parameters=parameters(self.agreement_b),
            )
        report.refresh_from_db()
        self.assertEqual(report.status, Report.Status.READY, report.error)
        text = pdf_text(report)
        self.assertIn("is not an agreement of Alder County Sheriff's Office", text)
        self.assertNotIn("Birch", text)


class AddedAfterThePeriodTests(InspectionCase):
    def add_later(self):
        return fx.requirement(
            self.agreement_a,
            "custom-later",
            clause=Clause.COMPLAINTS,
            evidence="document",
            position=5,
            title="Quarterly complaint briefing",
            actor=self.admin_a,
            at=fx.utc(2026, 4, 5, 15),
        )

    def test_a_requirement_entered_after_the_period_is_shown_as_added_after_and_not_counted(self):
        before = self.context(at=fx.NOW).summary
        self.add_later()
        inspection = self.context(at=fx.NOW)
        section = self.section(inspection, "Quarterly complaint briefing")
        self.assertTrue(section.added_after)
        self.assertEqual(section.findings, [])
        summary = inspection.summary
        self.assertEqual(summary.by_status, before.by_status)
        self.assertEqual((summary.requirements, summary.unconfirmed, summary.added_after), (3, 2, 1))
        self.assertFalse(self.section(inspection, "Complaint procedure published").added_after)

    def test_a_requirement_entered_within_the_period_is_assessed_and_counted(self):
        fx.requirement(
            self.agreement_a,
            "custom-within",
            clause=Clause.COMPLAINTS,
            evidence="document",
            position=5,
            title="Quarterly complaint briefing",
            actor=self.admin_a,
            at=fx.utc(2026, 3, 31, 20),  # 15:00 on the period's last day in Chicago
        )
        inspection = self.context(at=fx.NOW)
        self.assertFalse(self.section(inspection, "Quarterly complaint briefing").added_after)
        self.assertEqual((inspection.summary.requirements, inspection.summary.added_after), (4, 0))

    def test_the_pdf_and_the_page_say_added_after_the_period_and_leave_it_out_of_the_counts(self):
        self.add_later()
        text = pdf_text(self.request_pdf())
        self.assertIn("Added after the period", text)
        self.assertIn("Added after the period (not counted) 1", text)
        self.assertIn("Not met 0", text)
        self.assertIn("3 requirements at the end of the period", text)
