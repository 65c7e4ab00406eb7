"""The report catalog's new kinds, read back from their PDFs with pypdf (issue #13 item 2).

Findings with their resolution times (as effective on / as recorded by), the access-log extract in parts by key
range with page numbers running on across parts, the audit trail of one record and its related records, and the
steering-committee review packet whose contents page lists each section on the page it really starts on.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from unittest import mock

import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from compliance.core.findings import finding_reopen, finding_resolve
from compliance.core.models import AccessLog, Finding, Report
from compliance.reports import access_log as access_log_report
from compliance.reports.audit_trail import audit_parameters, record_resolve
from compliance.reports.engine import report_plan, report_run
from compliance.reports.services import report_request
from tests.base import BaseTestCase
from tests.compliance.helpers import make_certification, make_course, make_detainer, make_officer

AS_OF = date(2026, 3, 31)  # the period: 2026-01-01 to 2026-03-31, Chicago days
PERIOD_START = date(2026, 1, 1)
NOW = datetime(2026, 4, 10, 15, 0, tzinfo=UTC)  # requested (and rendered) ten days later


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def pages_of(report) -> list[str]:
    with report.file.open("rb") as handle:
        return [page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text)


class CatalogCase(BaseTestCase):
    def request_and_render(self, kind, *, actor=None, basis=None, parameters=None, period_start=PERIOD_START, **kw):
        with time_machine.travel(kw.get("now", NOW), tick=False), self.captureOnCommitCallbacks(execute=True):
            report = report_request(
                actor=actor or self.supervisor_a,
                agency=kw.get("agency", self.agency_a),
                kind=kind,
                as_of=kw.get("as_of", AS_OF),
                period_start=period_start,
                basis=basis,
                parameters=parameters,
            )
        report.refresh_from_db()
        self.assertEqual(report.status, Report.Status.READY, report.error)
        return report


def finding(agency, record, kind, severity, opened_at, *, recorded_at=None) -> Finding:
    with time_machine.travel(recorded_at or opened_at, tick=False):
        return Finding.objects.create(
            agency=agency,
            kind=kind,
            severity=severity,
            rule="Invented rule",
            summary=f"Invented finding opened {opened_at:%Y-%m-%d}.",
            content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk,
            opened_at=opened_at,
        )


def resolve(found: Finding, actor, at: datetime) -> None:
    with time_machine.travel(at, tick=False):
        finding_resolve(finding=Finding.objects.get(pk=found.pk), actor=actor, note="Fixed (invented).")


class FindingsReportTests(CatalogCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.supervisor_a.first_name, cls.supervisor_a.last_name = "Pat", "Quillfeather"
        cls.supervisor_a.save()
        a, boss = cls.agency_a, cls.supervisor_a
        records = [make_officer(a, n) for n in range(8)]
        other, medium = Finding.Kind.OTHER, Finding.Severity.MEDIUM
        expired, high = Finding.Kind.CERTIFICATION_EXPIRED, Finding.Severity.HIGH
        # Opened in the period, resolved 2 days later: closed in the period.
        cls.quick = finding(a, records[0], other, medium, utc(2026, 2, 1, 15))
        resolve(cls.quick, boss, utc(2026, 2, 3, 15))
        # Opened in the period, resolved 10 days later.
        cls.slow = finding(a, records[1], other, medium, utc(2026, 2, 10, 15))
        resolve(cls.slow, boss, utc(2026, 2, 20, 15))
        # Open since before the period, still open: over 90 days old at the end.
        cls.old = finding(a, records[2], expired, high, utc(2025, 12, 1, 15))
        # Opened late in the period, open at its end: 7 to 30 days old.
        cls.recent = finding(a, records[3], expired, high, utc(2026, 3, 20, 15))
        # Closed before the period: not in the report.
        cls.gone = finding(a, records[4], other, medium, utc(2025, 11, 1, 15))
        resolve(cls.gone, boss, utc(2025, 12, 1, 15))
        # Opened in the period, resolved after it: open at its end.
        cls.after = finding(a, records[5], other, medium, utc(2026, 3, 1, 15))
        resolve(cls.after, boss, utc(2026, 4, 5, 15))
        # Happened in the period but recorded after it: in "as effective on", not in "as recorded by".
        cls.late = finding(a, records[6], other, medium, utc(2026, 3, 10, 15), recorded_at=utc(2026, 4, 6, 15))
        # Closed before the period, reopened in it: open at its end, the earlier closure from its history.
        cls.reopened = finding(a, records[7], other, medium, utc(2025, 10, 1, 15))
        resolve(cls.reopened, boss, utc(2025, 10, 5, 15))
        with time_machine.travel(utc(2026, 1, 15, 15), tick=False):
            finding_reopen(finding=Finding.objects.get(pk=cls.reopened.pk), actor=boss, reason="Came back (invented).")
        finding(cls.agency_b, make_officer(cls.agency_b, 2), other, medium, utc(2026, 2, 1))

    def test_effective_counts_resolution_times_and_ages(self):
        report = self.request_and_render(Report.Kind.FINDINGS)
        text = squeeze("\n".join(pages_of(report)))
        self.assertIn("as effective on 2026-04-01 00:00 CDT", text)  # the end of 31 March in Chicago
        # Opened in the period: quick, slow, recent, after, late (5); open at its start: old (1); the reopened
        # one was closed on 1 January (closed 2025-10-05, reopened 2026-01-15) but is in: open at the end.
        self.assertIn("Opened in the period 5", text)
        self.assertIn("Open at the start of the period 1", text)
        self.assertIn("Closed in the period 2", text)
        self.assertIn("Open at the end of the period 5", text)  # old, recent, after, late, reopened
        # Median of 2 and 10 days (the lower middle of two) and the longest, for the one kind and severity closed.
        self.assertIn("Other Medium 2 2 days 10 days", text)
        # Ages at 2026-04-01 05:00 UTC: recent 12 days, late 22, after 30 (resolved only on 5 April), old 121,
        # reopened 182 (from its first opening).
        self.assertIn("Under 7 days 0 7 to 30 days 3 31 to 90 days 0 Over 90 days 2", text)
        self.assertIn("Resolved 2026-02-03 09:00 CST Pat Quillfeather 2 days", text)
        self.assertIn("Invented finding opened 2026-03-10.", text)  # happened in the period, recorded after it
        self.assertNotIn("opened 2025-11-01", text)  # closed before the period
        self.assertNotIn("Birch", text)

    def test_recorded_leaves_out_what_was_recorded_later(self):
        report = self.request_and_render(Report.Kind.FINDINGS, basis=Report.Basis.RECORDED)
        text = squeeze("\n".join(pages_of(report)))
        self.assertIn("as recorded by 2026-04-01 00:00 CDT", text)
        self.assertIn("Opened in the period 4", text)
        self.assertIn("Open at the end of the period 4", text)
        self.assertNotIn("Invented finding opened 2026-03-10.", text)


def log_row(agency, user, at: datetime, *, address: str | None, record=None, action=AccessLog.Action.VIEW):
    with time_machine.travel(at, tick=False):
        return AccessLog.objects.create(
            agency=agency,
            user=user,
            action=action,
            path="/invented/",
            view_name="incidents:detainer_detail",
            ip_address=address,
            content_type=ContentType.objects.get_for_model(record) if record is not None else None,
            object_id=record.pk if record is not None else None,
        )


class AccessLogReportTests(CatalogCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.officer = make_officer(cls.agency_a, 1)
        a, viewer = cls.agency_a, cls.staff_a
        log_row(a, viewer, utc(2025, 12, 31, 12), address="10.0.0.1")  # before the period (Chicago)
        addresses = ["10.1.2.3", "8.8.8.8", "127.0.0.1", None, "192.168.5.6", "9.9.9.9", "172.16.0.9"]
        for day, address in enumerate(addresses, start=1):
            log_row(a, viewer, utc(2026, 2, day, 15), address=address, record=cls.officer)
        log_row(a, cls.auditor_a, utc(2026, 3, 2, 15), address="10.1.2.3", action=AccessLog.Action.EXPORT)
        log_row(a, viewer, utc(2026, 4, 2, 15), address="10.0.0.2")  # after the as-of day
        log_row(cls.agency_b, cls.staff_b, utc(2026, 2, 1, 15), address="10.0.0.3")

    def test_the_extract_in_parts_by_key_range_pages_numbered_on(self):
        with mock.patch.object(access_log_report, "CHUNK", 3):
            report = self.request_and_render(Report.Kind.ACCESS_LOG)
            run = report_run(Report.objects.select_related("agency", "requested_by").get(pk=report.pk))
            with self.assertNumQueries(2):  # planning: the last id, and every 3rd id (not the rows)
                parts = report_plan(run)
        self.assertEqual(Report.objects.get(pk=report.pk).plan, [])  # stored while rendering only
        self.assertEqual(len(parts), 1 + 3)  # the summary, then 8 rows in parts of 3, 3 and 2
        pages = pages_of(report)
        self.assertEqual(report.page_count, len(pages))
        for number, page in enumerate(pages, start=1):
            self.assertIn(f"Page {number} of {len(pages)}", page)
        text = squeeze("\n".join(pages))
        self.assertIn("as recorded by", text)
        self.assertIn("Rows in the period 8", text)
        self.assertIn("Viewed 7", text)
        self.assertIn("Exported 1", text)
        for label, count in (("Internal network", 4), ("Loopback", 1), ("External", 2), ("Unknown", 1)):
            self.assertIn(f"{label} {count}", text)
        # Addresses by class only, never the address; records by type and id, never by name.
        for address in ("8.8.8.8", "10.1.2.3", "192.168.5.6"):
            self.assertNotIn(address, text)
        self.assertIn(f"Officer{self.officer.public_id}", re.sub(r"\s+", "", text))
        self.assertIn("Incidents: detainer detail", text)  # the page in words (legend on the summary)
        self.assertNotIn("incidents:detainer_detail", text)
        self.assertNotIn(self.officer.last_name, text)
        # Rows in the order they were written; nothing before the period, after the as-of day or of agency B.
        days = re.findall(r"2026-0[1-4]-\d\d \d\d:\d\d C[SD]T", squeeze("\n".join(pages[1:])))
        self.assertEqual(days, sorted(days))
        self.assertNotIn("2025-12-31", text)
        self.assertNotIn("2026-04-02", text)
        self.assertNotIn("staff_b", text)

    def test_an_empty_period_gives_the_summary_alone(self):
        report = self.request_and_render(Report.Kind.ACCESS_LOG, as_of=date(2025, 6, 30), period_start=None)
        text = squeeze("\n".join(pages_of(report)))
        self.assertIn("Rows in the period 0", text)


class AuditTrailReportTests(CatalogCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from compliance.core.audit import acting_as

        cls.supervisor_a.first_name, cls.supervisor_a.last_name = "Pat", "Quillfeather"
        cls.supervisor_a.save()
        with time_machine.travel(utc(2026, 1, 5, 15), tick=False), acting_as(cls.supervisor_a):
            cls.officer = make_officer(cls.agency_a, 7, last_name="Oldname")
            course = make_course(cls.agency_a, "IADP")
        with time_machine.travel(utc(2026, 2, 10, 15), tick=False), acting_as(cls.supervisor_a, reason="Married"):
            cls.officer.last_name = "Newname"
            cls.officer.save()
        with time_machine.travel(utc(2026, 2, 12, 15), tick=False), acting_as(cls.supervisor_a):
            make_certification(cls.officer, course, date(2026, 2, 11))
        finding(cls.agency_a, cls.officer, Finding.Kind.OTHER, Finding.Severity.LOW, utc(2026, 3, 3, 15))
        with time_machine.travel(utc(2026, 4, 5, 15), tick=False), acting_as(cls.supervisor_a):
            cls.officer.last_name = "Aftername"  # after the as-of day: not in the report
            cls.officer.save()
        cls.officer_b = make_officer(cls.agency_b, 7)

    def test_the_record_and_its_related_records_as_the_history_page_shows_them(self):
        record = record_resolve(
            agency=self.agency_a, record_type="training.officer", reference=f"  {self.officer.badge_number} "
        )
        self.assertEqual(record, self.officer)
        parameters = audit_parameters(record)
        self.assertEqual(parameters, {"record_type": "training.officer", "record_id": str(self.officer.public_id)})
        report = self.request_and_render(Report.Kind.AUDIT_TRAIL, parameters=parameters)
        text = squeeze("\n".join(pages_of(report)))
        self.assertIn(str(self.officer.public_id), text)
        self.assertIn("Last name: Oldname → Newname", text)
        self.assertIn("(Newname, Robin", text)  # named as it stood then
        self.assertIn("Married", text)
        self.assertIn("Pat Quillfeather", text)
        self.assertIn("Certification:", text)  # the related certification's own section
        self.assertIn("Finding:", text)
        self.assertNotIn("Aftername", text)
        self.assertLess(text.index("2026-01-05"), text.index("2026-02-10"))  # oldest first

    def test_a_record_is_looked_up_in_the_agency_only(self):
        for reference in (self.officer_b.badge_number, str(self.officer_b.public_id), "", "no such badge"):
            with self.subTest(reference=reference), self.assertRaises(ValidationError):
                record_resolve(agency=self.agency_a, record_type="training.officer", reference=reference)
        with self.assertRaises(ValidationError):
            record_resolve(agency=self.agency_a, record_type="compliance.user", reference="1")
        self.assertEqual(
            record_resolve(agency=self.agency_a, record_type="training.officer", reference=str(self.officer.public_id)),
            self.officer,
        )


class ReviewPacketTests(CatalogCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        course = make_course(cls.agency_a, "IADP", months=24)
        for n in range(6):
            officer = make_officer(cls.agency_a, n, last_name=f"Packetofficer{n}")
            make_certification(officer, course, date(2025, 1, 10) if n else date(2023, 1, 10))
        make_detainer(cls.agency_a, 1, received_at=utc(2026, 2, 2, 15))
        make_detainer(cls.agency_a, 2, received_at=utc(2025, 12, 2, 15))  # before the period
        cls.open_one = finding(
            cls.agency_a, officer, Finding.Kind.CERTIFICATION_EXPIRED, Finding.Severity.HIGH, utc(2026, 2, 14, 15)
        )

    def test_contents_page_lists_each_section_on_the_page_it_starts(self):
        report = self.request_and_render(Report.Kind.REVIEW_PACKET)
        pages = pages_of(report)
        self.assertEqual(report.page_count, len(pages))
        self.assertIn("Steering-committee review packet", pages[0])
        self.assertIn("Contents", pages[1])
        entries = re.findall(r"^(.+?) (\d+)$", pages[1], flags=re.MULTILINE)
        sections = {
            "Figures and charts": "Figures and charts",
            "Open findings": "Open findings",
            "Training roster": "Training roster",
            "Detainer log summary": "Detainer log summary",
            "Incidents and complaints summary": "Incidents and complaints summary",
            "Outreach and steering committee summary": "Outreach and steering committee summary",
        }
        listed = {title.strip(): int(page) for title, page in entries if title.strip() in sections}
        for entry, heading in sections.items():
            with self.subTest(section=entry):
                self.assertIn(entry, listed, pages[1])
                page = listed[entry]
                self.assertEqual(pages[page - 1].split("\n")[0], heading)  # the section's heading opens its page
                self.assertNotIn(heading, pages[page - 2].split("\n"))
        self.assertEqual(list(listed.values()), sorted(listed.values()))
        # The PDF outline holds the same sections on the same pages, each once, in order.
        with report.file.open("rb") as handle:
            reader = PdfReader(io.BytesIO(handle.read()))
        outline = [
            (item.title, reader.get_destination_page_number(item) + 1)
            for item in reader.outline
            if not isinstance(item, list)
        ]
        self.assertEqual(outline, list(listed.items()))
        text = squeeze("\n".join(pages))
        # The dashboard's chart, drawn from its SVG; the figures and the open finding.
        figures_pages = pages[listed["Figures and charts"] - 1 : listed["Open findings"] - 1]
        self.assertIn("Officers by training status", squeeze("\n".join(figures_pages)))
        self.assertIn("Invented finding opened 2026-02-14.", text)
        self.assertIn("Designated officers 6", text)
        self.assertIn("Detainers received 1", text)
        self.assertIn('"today" then: 2026-03-31', text)
        # The dashboard's own periods are named where they differ from the packet's.
        self.assertIn('"this quarter" is the calendar quarter 2026-01-01 to 2026-03-31', text)
        self.assertIn("trend charts cover the 12 calendar months ending in March 2026", text)
        self.assertIn("Outreach events this quarter (from 2026-01-01)", text)
        self.assertIn("The contents, with page numbers, follow on the next page.", pages[0])
        self.assertIn("Expired 1", text)
        self.assertNotIn("Packetofficer", text)  # summaries only: no officer's row


def test_page_labels_read_as_words_for_every_kind_of_url_name():
    from compliance.core.models.access_log import page_label

    assert page_label("incidents:detainer_detail") == "Incidents: detainer detail"
    assert page_label("training:roster") == "Training: roster"
    assert page_label("mfa_authenticate") == "Second factor: authenticate"
    assert page_label("account_login") == "Account: login"
    assert page_label("usersessions_list") == "Your sessions: list"
    assert page_label("people:detail") == "People: detail"
    assert page_label("dashboard") == "Dashboard"
    assert page_label("") == ""
