"""Records request (issue #14 item 6; SECURITY.md G5, D3, F6, F11, B5): everything held about one subject, in one step.

An auditor types an A-number or a booking number; each agency where they may export and that holds the subject's
detainers gives one report: a PDF (read back with pypdf) with the same content embedded as JSON. The number is never
stored or logged; the access log gets one row per detainer found. The files are for the requester only, once each.
"""

from __future__ import annotations

import html
import io
import json
import re
from datetime import UTC, date, datetime

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from compliance.core.models import AccessLog, Report
from compliance.core.privacy.holds import legal_hold_place, legal_hold_release
from compliance.reports.forms import ERR_SUBJECT_NUMBER, ReportRequestForm
from compliance.reports.records_request import FORMAT, JSON_NAME
from compliance.reports.services import ERR_NO_SUBJECT
from incidents.detainers.selectors import subject_detainers
from incidents.models import CaseEvent
from tests.base import BaseTestCase, sign_in
from tests.compliance.helpers import make_detainer, make_finding, make_incident

A_NUMBER = "A012345678"
OTHER_A_NUMBER = "A098765432"
URL = reverse("reports:records_request")


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def pdf_text(content: bytes) -> str:
    return squeeze(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


class RecordsRequestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # The subject: twice in agency A (booked again), once in agency B; another person in A.
        cls.first = make_detainer(
            cls.agency_a, 1, a_number=A_NUMBER, subject_last_name="Quillfeather", booking_number="BK-QF-1"
        )
        cls.again = make_detainer(cls.agency_a, 2, a_number=A_NUMBER, subject_last_name="Quillfeather")
        cls.in_b = make_detainer(
            cls.agency_b, 3, a_number=A_NUMBER, subject_last_name="Quillfeather", booking_number="BK-BIRCH-9"
        )
        cls.stranger = make_detainer(cls.agency_a, 4, a_number=OTHER_A_NUMBER, subject_last_name="Otherperson")
        # A change with a reason (history), a linked complaint with a case event, a finding on the record.
        cls.first.underlying_charge = "Trespass (invented, amended)"
        cls.first._change_reason = "Charge amended by the court (invented)"
        cls.first.save()
        cls.incident = make_incident(cls.agency_a, 1)
        cls.incident.detainer = cls.first
        cls.incident.title = "Complaint about the hold (invented)"
        cls.incident.save()
        CaseEvent.objects.create(
            incident=cls.incident,
            at=datetime(2026, 2, 1, 15, tzinfo=UTC),
            kind=CaseEvent.Kind.NOTE,
            text="Spoke with the jail (invented note)",
        )
        cls.finding = make_finding(cls.agency_a, cls.first)

    def request_records(self, user, number: str):
        """POST the records request as ``user`` (reports rendered in-process after commit); the response."""
        return self.request_records_with(user, number, "")

    def request_records_with(self, user, number: str, reference: str):
        """POST the records request with a request reference as ``user``; the response."""
        sign_in(self.client, user)
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(URL, {"number": number, "reference": reference})


class SubjectLookupTests(RecordsRequestCase):
    def test_G5_an_a_number_finds_every_detainer_of_the_subject_in_the_agencies_given(self):
        both = subject_detainers(agency_ids=[self.agency_a.pk, self.agency_b.pk], number="a-0123 45678")
        self.assertEqual({d.pk for d in both}, {self.first.pk, self.again.pk, self.in_b.pk})
        only_a = subject_detainers(agency_ids=[self.agency_a.pk], number="12345678")  # 8 digits: A012345678
        self.assertEqual({d.pk for d in only_a}, {self.first.pk, self.again.pk})

    def test_G5_a_booking_number_finds_its_detainer_and_the_subject_s_others_through_its_a_number(self):
        found = subject_detainers(agency_ids=[self.agency_a.pk], number="bk-qf-1")
        self.assertEqual({d.pk for d in found}, {self.first.pk, self.again.pk})

    def test_G5_nothing_for_a_blank_or_unknown_number_or_no_agency(self):
        self.assertEqual(subject_detainers(agency_ids=[self.agency_a.pk], number=" "), [])
        self.assertEqual(subject_detainers(agency_ids=[self.agency_a.pk], number="BK-NOBODY"), [])
        self.assertEqual(subject_detainers(agency_ids=[], number=A_NUMBER), [])


class RecordsRequestTests(RecordsRequestCase):
    def test_G5_one_step_gives_a_pdf_with_everything_held_about_the_subject(self):
        sign_in(self.client, self.staff_a)
        self.client.get(reverse("incidents:detainer_detail", args=[self.first.public_id]))  # who saw the record
        response = self.request_records(self.auditor_a, A_NUMBER)
        self.assertRedirects(response, reverse("reports:list"), fetch_redirect_response=False)
        report = Report.objects.get(kind=Report.Kind.RECORDS_REQUEST)
        self.assertEqual(report.status, Report.Status.READY, report.error)
        self.assertEqual(report.agency, self.agency_a)
        download = self.client.get(reverse("reports:download", args=[report.public_id]))
        self.assertEqual(download.status_code, 200)
        self.assertIn("no-store", download["Cache-Control"])
        text = pdf_text(download.content)
        for expected in (
            "Records request",
            "Detainers found 2",
            "Quillfeather",
            A_NUMBER,
            "BK-QF-1",
            self.again.booking_number,
            "Trespass (invented, amended)",  # the field now
            "Burglary (invented)",  # and its old value in the history
            "Charge amended by the court (invented)",
            "Complaint about the hold (invented)",
            "Spoke with the jail (invented note)",
            "Invented finding.",
            "Legal checks",
            "Incidents: detainer detail",  # the access log: the page staff_a opened, in words
            "staff_a",
        ):
            self.assertIn(expected, text, expected)
        self.assertNotIn("Otherperson", text)
        self.assertNotIn("BK-BIRCH-9", text)  # agency B's record: not this agency's report

    def test_G5_the_json_copy_holds_the_same_records_in_its_documented_shape(self):
        self.request_records(self.auditor_a, A_NUMBER)
        report = Report.objects.get(kind=Report.Kind.RECORDS_REQUEST)
        response = self.client.get(reverse("reports:download_json", args=[report.public_id]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertIn("no-store", response["Cache-Control"])
        data = json.loads(response.content)
        self.assertEqual(data["format"], FORMAT)
        self.assertEqual(data["lookup"], "a_number")
        self.assertEqual(data["agency"]["name"], self.agency_a.name)
        by_id = {item["id"]: item for item in data["detainers"]}
        self.assertEqual(set(by_id), {str(self.first.public_id), str(self.again.public_id)})
        first = by_id[str(self.first.public_id)]
        self.assertEqual(first["fields"]["a_number"], A_NUMBER)
        self.assertEqual(first["fields"]["subject_last_name"], "Quillfeather")
        self.assertEqual(first["fields"]["received_at"], self.first.received_at.astimezone(UTC).isoformat())
        self.assertNotIn("subject_last_name_key", first["fields"])
        changes = [change for entry in first["history"] for change in entry["changes"]]
        self.assertIn(
            {"field": "underlying charge", "old": "Burglary (invented)", "new": "Trespass (invented, amended)"},
            [{**c, "field": c["field"].lower()} for c in changes],
        )
        self.assertEqual(first["incidents"][0]["fields"]["title"], "Complaint about the hold (invented)")
        self.assertEqual(first["incidents"][0]["case_events"][0]["text"], "Spoke with the jail (invented note)")
        self.assertEqual(first["findings"][0]["fields"]["summary"], "Invented finding.")
        self.assertTrue(first["checks"])
        # The same bytes as embedded in the PDF (one stored file).
        with report.file.open("rb") as stored:
            embedded = PdfReader(io.BytesIO(stored.read())).attachments[JSON_NAME][0]
        self.assertEqual(embedded, response.content)

    def test_G5_a_user_of_one_agency_gets_only_their_agency_s_records(self):
        self.request_records(self.auditor_a, A_NUMBER)
        report = Report.objects.get(kind=Report.Kind.RECORDS_REQUEST)
        self.assertEqual(set(report.parameters["detainer_ids"]), {str(self.first.public_id), str(self.again.public_id)})
        data = json.loads(self.client.get(reverse("reports:download_json", args=[report.public_id])).content)
        self.assertNotIn(str(self.in_b.public_id), json.dumps(data))
        self.assertNotIn("BK-BIRCH-9", json.dumps(data))
        # Agency B's supervisor does not see agency A's report at all.
        sign_in(self.client, self.supervisor_b)
        self.assertEqual(self.client.get(reverse("reports:download", args=[report.public_id])).status_code, 404)

    def test_G5_an_auditor_of_two_agencies_gets_one_report_per_agency_in_one_step(self):
        self.request_records(self.auditor, A_NUMBER)
        reports = {r.agency_id: r for r in Report.objects.filter(kind=Report.Kind.RECORDS_REQUEST)}
        self.assertEqual(set(reports), {self.agency_a.pk, self.agency_b.pk})
        self.assertEqual(reports[self.agency_b.pk].parameters["detainer_ids"], [str(self.in_b.public_id)])
        self.assertTrue(all(r.status == Report.Status.READY for r in reports.values()))

    def test_F6_the_number_is_never_stored_in_the_report_nor_the_access_log(self):
        self.request_records(self.auditor_a, "bk-qf-1")
        report = Report.objects.get(kind=Report.Kind.RECORDS_REQUEST)
        self.assertEqual(report.parameters["lookup"], "booking_number")
        stored = json.dumps(report.parameters) + json.dumps(report.plan)
        for secret in (A_NUMBER, "BK-QF-1", "bk-qf-1", "Quillfeather"):
            self.assertNotIn(secret, stored)
        for row in AccessLog.objects.all():
            self.assertNotIn("BK-QF", row.path.upper())
            self.assertNotIn(A_NUMBER, row.path)

    def test_D3_the_request_logs_one_export_row_per_detainer_found(self):
        self.request_records(self.auditor_a, A_NUMBER)
        rows = AccessLog.objects.filter(action=AccessLog.Action.EXPORT, user=self.auditor_a)
        self.assertEqual({row.object_id for row in rows}, {self.first.pk, self.again.pk})
        self.assertTrue(all(row.view_name == "reports:records_request" for row in rows))

    def test_G5_nothing_found_is_said_plainly_as_an_answer_with_a_failed_search_row(self):
        response = self.request_records(self.auditor_a, "A099999999")
        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.context["form"].errors)  # an answer, not a mistake in what was typed
        self.assertTrue(response.context["no_records"])
        page = html.unescape(squeeze(response.content.decode()))
        self.assertIn("No responsive records", page)
        self.assertIn("No records found for that number in the agencies you may see.", page)
        self.assertIn(f"Searched: {self.agency_a.name} (TX).", page)
        self.assertNotIn("Nothing was saved", page)
        self.assertEqual(ERR_NO_SUBJECT, "No records found for that number in the agencies you may see.")
        self.assertFalse(Report.objects.filter(kind=Report.Kind.RECORDS_REQUEST).exists())
        row = AccessLog.objects.get(action=AccessLog.Action.SEARCH, user=self.auditor_a)
        self.assertEqual(row.outcome, AccessLog.Outcome.FAILURE)
        # Agency B's record is not found by a user of agency A either.
        response = self.request_records(self.auditor_a, "BK-BIRCH-9")
        self.assertTrue(response.context["no_records"])
        self.assertNotIn(self.agency_b.name, html.unescape(squeeze(response.content.decode())))

    def test_G5_the_request_reference_is_kept_and_shown_on_the_list_the_pdf_and_the_json(self):
        sign_in(self.client, self.auditor_a)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(URL, {"number": A_NUMBER, "reference": "  PRR-2026-0077 "})
        report = Report.objects.get(kind=Report.Kind.RECORDS_REQUEST)
        self.assertEqual(report.parameters["reference"], "PRR-2026-0077")
        listing = squeeze(self.client.get(reverse("reports:list")).content.decode())
        self.assertIn("Request PRR-2026-0077", listing)
        self.assertIn("The records as they stood when requested", listing)
        self.assertNotIn("As recorded by", listing)  # no basis label left dangling for this kind
        download = self.client.get(reverse("reports:download", args=[report.public_id]))
        self.assertIn("prr-2026-0077", download["Content-Disposition"])
        self.assertIn("Request reference PRR-2026-0077", pdf_text(download.content))
        data = json.loads(self.client.get(reverse("reports:download_json", args=[report.public_id])).content)
        self.assertEqual(data["reference"], "PRR-2026-0077")

    def test_G5_a_reference_with_markup_or_too_long_is_refused_next_to_the_field(self):
        for reference in ("<b>PRR</b>", "P" * 61):
            response = self.request_records_with(self.auditor_a, A_NUMBER, reference)
            self.assertEqual(response.status_code, 200)
            self.assertTrue(response.context["form"].errors["reference"], reference)
        self.assertFalse(Report.objects.filter(kind=Report.Kind.RECORDS_REQUEST).exists())

    def test_G5_the_pdf_opens_with_the_subject_labels_as_written_choices_by_label_and_the_legal_holds(self):
        self.first.pc_basis = ["pending_proceedings"]
        self.first.subject_date_of_birth = date(1980, 4, 2)
        self.first.save()
        released = legal_hold_place(
            record=self.first, actor=self.supervisor_a, scope="record", reason="litigation", reference="CV-2026-11"
        )
        legal_hold_release(hold=released, actor=self.supervisor_a, reason="Case settled (invented)")
        legal_hold_place(
            record=self.first, actor=self.supervisor_a, scope="subject", reason="records_request", reference="PRR-9"
        )
        legal_hold_place(
            record=self.incident, actor=self.supervisor_a, scope="record", reason="investigation", reference="INV-4"
        )
        self.request_records(self.auditor_a, A_NUMBER)
        report = Report.objects.get(kind=Report.Kind.RECORDS_REQUEST)
        text = pdf_text(self.client.get(reverse("reports:download", args=[report.public_id])).content)
        summary = text.index("The subject")
        self.assertLess(summary, text.index("Detainer 1:"))
        for expected in ("Name Quillfeather, Kim", "Date of birth 1980-04-02", f"A-number {A_NUMBER}", "BK-QF-1"):
            self.assertIn(expected, text[summary : text.index("Detainer 1:")], expected)
        for label in ("Triage (R5.2)", "OPLA consulted at", "Escalated to ICE at", "ICE notified at"):
            self.assertIn(label, text, label)
        self.assertNotIn("Ice notified at", text)
        self.assertIn("Pending removal proceedings against the subject", text)
        self.assertNotIn("pending_proceedings", text)
        self.assertIn("Probable-cause basis: (empty) → Pending removal proceedings against the subject", text)
        for expected in ("Legal holds on this record", "CV-2026-11", "Released", "Case settled (invented)"):
            self.assertIn(expected, text, expected)
        for expected in ("PRR-9", "Every record of this subject", "INV-4", "Investigation"):
            self.assertIn(expected, text, expected)
        data = json.loads(self.client.get(reverse("reports:download_json", args=[report.public_id])).content)
        first = next(item for item in data["detainers"] if item["id"] == str(self.first.public_id))
        self.assertEqual(first["fields"]["pc_basis"], ["Pending removal proceedings against the subject"])
        holds = {hold["reference"]: hold for hold in first["legal_holds"]}
        self.assertEqual(set(holds), {"CV-2026-11", "PRR-9"})
        self.assertFalse(holds["CV-2026-11"]["active"])
        self.assertEqual(holds["CV-2026-11"]["release_reason"], "Case settled (invented)")
        self.assertTrue(holds["PRR-9"]["active"])
        self.assertEqual([hold["reference"] for hold in first["incidents"][0]["legal_holds"]], ["INV-4"])
        # The other detainer of the subject is covered by the subject hold only.
        again = next(item for item in data["detainers"] if item["id"] == str(self.again.public_id))
        self.assertEqual([hold["reference"] for hold in again["legal_holds"]], ["PRR-9"])

    def test_G5_a_blank_number_is_refused_next_to_the_field(self):
        response = self.request_records(self.auditor_a, "   ")
        self.assertEqual(response.context["form"].errors["number"], [ERR_SUBJECT_NUMBER])

    def test_F6_a_number_in_the_address_is_ignored(self):
        sign_in(self.client, self.auditor_a)
        response = self.client.get(URL, {"number": A_NUMBER})
        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.context["form"].is_bound)
        self.assertFalse(Report.objects.filter(kind=Report.Kind.RECORDS_REQUEST).exists())

    def test_C1_staff_without_export_permission_get_404(self):
        sign_in(self.client, self.staff_a)
        self.assertEqual(self.client.get(URL).status_code, 404)
        self.assertEqual(self.client.post(URL, {"number": A_NUMBER}).status_code, 404)

    def test_the_files_are_for_the_requester_only_and_each_is_given_once(self):
        self.request_records(self.auditor_a, A_NUMBER)
        report = Report.objects.get(kind=Report.Kind.RECORDS_REQUEST)
        pdf = reverse("reports:download", args=[report.public_id])
        data = reverse("reports:download_json", args=[report.public_id])
        # Another exporter of the same agency: neither file.
        sign_in(self.client, self.supervisor_a)
        self.assertEqual(self.client.get(pdf).status_code, 404)
        self.assertEqual(self.client.get(data).status_code, 404)
        listing = self.client.get(reverse("reports:list")).content.decode()
        self.assertIn("For the person who asked", listing)
        sign_in(self.client, self.auditor_a)
        listing = self.client.get(reverse("reports:list")).content.decode()
        self.assertIn(pdf, listing)
        self.assertIn(data, listing)
        self.assertEqual(self.client.get(pdf).status_code, 200)
        self.assertEqual(self.client.get(data).status_code, 200)
        for url in (pdf, data):
            again = self.client.get(url, follow=True)
            self.assertContains(again, "was already downloaded")
        listing = self.client.get(reverse("reports:list")).content.decode()
        self.assertIn("PDF downloaded", listing)
        self.assertIn("JSON downloaded", listing)
        downloads = AccessLog.objects.filter(
            action=AccessLog.Action.EXPORT,
            content_type=ContentType.objects.get_for_model(Report),
            object_id=report.pk,
            user=self.auditor_a,
        )
        self.assertEqual(downloads.count(), 2)

    def test_the_reports_page_query_count_does_not_grow_with_records_requests(self):
        self.request_records(self.auditor_a, A_NUMBER)
        self.client.get(reverse("reports:list"))  # shows (and clears) the request's message
        with CaptureQueriesContext(connection) as few:
            self.client.get(reverse("reports:list"))
        queries = len(few.captured_queries)
        for _ in range(5):
            self.request_records(self.auditor_a, "BK-QF-1")
        self.assertEqual(Report.objects.filter(kind=Report.Kind.RECORDS_REQUEST).count(), 6)
        first = Report.objects.filter(kind=Report.Kind.RECORDS_REQUEST).order_by("pk").first()
        self.client.get(reverse("reports:download_json", args=[first.public_id]))
        self.client.get(reverse("reports:list"))
        with self.assertNumQueries(queries):
            response = self.client.get(reverse("reports:list"))
        self.assertContains(response, 'data-testid="report-download-json"', count=5)

    def test_the_report_request_form_does_not_offer_the_records_request(self):
        form = ReportRequestForm(user=self.auditor_a)
        self.assertNotIn(Report.Kind.RECORDS_REQUEST, dict(form.fields["kind"].choices))

    @override_settings(RATE_LIMITS_PER_USER={"search": (60, 60), "export": (1, 3600)})
    def test_F11_records_requests_count_as_exports(self):
        self.assertEqual(self.request_records(self.auditor_a, A_NUMBER).status_code, 302)
        self.assertEqual(self.request_records(self.auditor_a, A_NUMBER).status_code, 429)

    def test_B5_a_session_older_than_five_minutes_is_asked_to_re_authenticate(self):
        sign_in(self.client, self.auditor_a)
        session = self.client.session
        for record in session["account_authentication_methods"]:
            record["at"] -= 600
        session.save()
        response = self.client.post(URL, {"number": A_NUMBER})
        self.assertEqual(response.status_code, 302)
        self.assertIn("reauthenticate", response["Location"])
        self.assertFalse(Report.objects.filter(kind=Report.Kind.RECORDS_REQUEST).exists())
