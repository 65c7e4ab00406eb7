"""The public complaint intake (issue #11 item 1; SECURITY.md F6, F8): no account, tracking number, abuse limits."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core import mail
from django.core.files.storage import default_storage
from django.test import override_settings
from django.urls import reverse

from compliance.core.models import AccessLog
from incidents.case_files.models import CaseAttachment
from incidents.complaints.models import ComplaintContact
from incidents.complaints.tracking import ALPHABET
from incidents.incident_log.models import CaseEvent, Incident
from tests.base import BaseTestCase
from tests.community.helpers import complaint_values, pdf_bytes, png_bytes, upload

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


class IntakeTests(BaseTestCase):
    url = reverse("complaints:new")

    def post(self, values, files=(), address="198.51.100.7", **extra):
        data = dict(values)
        if files:
            data["attachments"] = list(files)
        return self.client.post(self.url, data, REMOTE_ADDR=address, **extra)

    def stored_files(self) -> list[Path]:
        root = Path(settings.PRIVATE_MEDIA_ROOT)
        return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []

    # --- the page ---

    def test_the_form_needs_no_sign_in(self):
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "File a complaint about an officer")
        self.assertContains(response, 'name="agency"')

    def test_the_form_says_why_contact_details_are_asked_and_how_long_they_are_kept(self):
        response = self.client.get(self.url)
        self.assertContains(response, 'data-testid="contact-retention"')
        self.assertContains(response, "only to reach you about this complaint")
        self.assertContains(response, "then they are deleted")
        self.assertContains(response, "the supervisors and the administrators of the agency")

    def test_the_sign_in_page_links_to_the_public_pages(self):
        response = self.client.get(reverse("account_login"))
        self.assertContains(response, f'href="{self.url}"')
        self.assertContains(response, f'href="{reverse("complaints:status")}"')

    def test_an_agency_link_preselects_the_agency(self):
        response = self.client.get(self.url, {"agency": str(self.agency_b.public_id)})
        self.assertContains(response, f'<option value="{self.agency_b.public_id}" selected>')
        self.assertEqual(self.client.get(self.url, {"agency": "not-a-uuid"}).status_code, 200)

    def test_the_honeypot_is_hidden_by_a_class_not_an_inline_style(self):
        html = self.client.get(self.url).content.decode()
        self.assertIn('<div class="app-honeypot" aria-hidden="true">', html)
        self.assertNotIn("style=", html)

    # --- a complaint ---

    def test_a_complaint_opens_a_received_public_case_with_a_tracking_number(self):
        values = complaint_values(self.agency_a, name="Rosa Peña", email="rosa@example.test", language="es")
        response = self.post(values)
        self.assertRedirects(response, reverse("complaints:received"), fetch_redirect_response=False)
        incident = Incident.objects.get()
        self.assertEqual(incident.agency, self.agency_a)
        self.assertEqual(
            (incident.source, incident.kind, incident.status, incident.severity, incident.title),
            ("public", "complaint", "received", "medium", f"Public complaint {incident.tracking_number}"),
        )
        self.assertEqual(incident.immigration_related, "yes")
        self.assertEqual(incident.officer_description, "Badge 4471")
        self.assertEqual(incident.location, "Highway 9 near Alder")
        # 14:30 on 2026-11-20 in Alder County (America/Chicago, CST = UTC-6).
        self.assertEqual(incident.occurred_at, datetime(2026, 11, 20, 20, 30, tzinfo=UTC))
        self.assertRegex(incident.tracking_number, rf"^[{ALPHABET}]{{4}}-[{ALPHABET}]{{3}}-[{ALPHABET}]{{3}}$")
        self.assertIsNone(incident.reported_by)
        event = incident.events.get(kind=CaseEvent.Kind.RECEIVED)
        self.assertIsNone(event.actor)
        contact = ComplaintContact.objects.get(incident=incident)
        self.assertEqual((contact.name, contact.email, contact.language), ("Rosa Peña", "rosa@example.test", "es"))

    def test_the_tracking_number_is_shown_once_and_never_in_a_url(self):
        response = self.post(complaint_values(self.agency_a))
        number = Incident.objects.get().tracking_number
        self.assertNotIn(number, response["Location"])
        page = self.client.get(reverse("complaints:received"))
        self.assertContains(page, number)
        self.assertEqual(page.request["QUERY_STRING"], "")
        self.assertIn("no-store", page["Cache-Control"])
        again = self.client.get(reverse("complaints:received"))
        self.assertRedirects(again, self.url, fetch_redirect_response=False)

    def test_an_anonymous_complaint_has_no_contact_and_sends_no_mail(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.post(complaint_values(self.agency_a))
        incident = Incident.objects.get()
        self.assertFalse(ComplaintContact.objects.filter(incident=incident).exists())
        # Only the agency's supervisors are told (a complaint to triage); nothing goes to a complainant.
        staff = {self.supervisor_a.email, self.admin_a.email}
        self.assertEqual(sorted(address for message in mail.outbox for address in message.to), sorted(staff))

    def test_the_received_notice_is_in_the_complainants_language_and_has_no_names(self):
        values = complaint_values(self.agency_a, name="Rosa Peña", email="rosa@example.test", language="es")
        with self.captureOnCommitCallbacks(execute=True):
            self.post(values)
        incident = Incident.objects.get()
        [message] = [message for message in mail.outbox if "rosa@example.test" in message.to]
        self.assertEqual(message.to, ["rosa@example.test"])
        self.assertEqual(message.subject, "Recibimos su queja")
        self.assertIn(incident.tracking_number, message.body)
        for private in ("Rosa", "Peña", "Badge 4471", "Highway 9", "Alder"):
            self.assertNotIn(private, message.subject + message.body)
        self.assertTrue(incident.events.filter(kind=CaseEvent.Kind.COMPLAINANT_NOTIFIED, text="received").exists())

    def test_the_time_is_optional(self):
        self.post(complaint_values(self.agency_b, occurred_time=""))
        # Midnight of that day in Birch City (America/Phoenix, UTC-7).
        self.assertEqual(Incident.objects.get().occurred_at, datetime(2026, 11, 20, 7, 0, tzinfo=UTC))

    # --- refusals keep what was typed ---

    def test_a_rejected_submission_keeps_what_was_typed_and_asks_for_files_again(self):
        values = complaint_values(self.agency_a, description="", name="Rosa Peña", email="rosa@example.test")
        response = self.post(values, files=[upload("photo.png", png_bytes())])
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'data-testid="error-summary"')
        self.assertContains(response, 'value="Rosa Peña"')
        self.assertContains(response, 'value="rosa@example.test"')
        self.assertContains(response, "Highway 9 near Alder")
        self.assertContains(response, 'data-testid="files-dropped"')
        self.assertEqual(Incident.objects.count(), 0)
        self.assertEqual(self.stored_files(), [])

    def test_a_future_date_is_refused_in_the_agencys_zone(self):
        response = self.post(complaint_values(self.agency_a, occurred_on="2199-01-01"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["form"].errors["occurred_on"], ["The date cannot be in the future."])
        self.assertEqual(Incident.objects.count(), 0)

    def test_a_bad_e_mail_and_nul_bytes_are_refused_next_to_their_fields(self):
        response = self.post(complaint_values(self.agency_a, email="not-an-address", location="Main\x00Street"))
        errors = response.context["form"].errors
        self.assertIn("email", errors)
        self.assertIn("location", errors)
        self.assertEqual(Incident.objects.count(), 0)

    def test_decomposed_accents_are_stored_composed(self):
        self.post(complaint_values(self.agency_a, location="Calle Pen\u0303a"))
        self.assertEqual(Incident.objects.get().location, "Calle Pe\u00f1a")

    # --- attachments (SECURITY.md F8) ---

    def test_a_pdf_and_a_png_are_stored_privately_under_random_names(self):
        self.post(
            complaint_values(self.agency_a),
            files=[upload("statement.pdf", pdf_bytes()), upload("photo.PNG", png_bytes())],
        )
        incident = Incident.objects.get()
        attachments = list(incident.attachments.order_by("file_name"))
        self.assertEqual([a.file_name for a in attachments], ["photo.PNG", "statement.pdf"])
        self.assertEqual([a.content_type for a in attachments], ["image/png", "application/pdf"])
        for attachment in attachments:
            self.assertTrue(attachment.from_public)
            self.assertIsNone(attachment.uploaded_by)
            self.assertEqual(attachment.scan, CaseAttachment.Scan.NOT_SCANNED)  # no CLAMD_ADDRESS in tests
            self.assertRegex(attachment.file.name, r"^case-files/[0-9a-f]{32}$")
            self.assertTrue(
                Path(default_storage.path(attachment.file.name)).is_relative_to(settings.PRIVATE_MEDIA_ROOT)
            )
            self.assertEqual(len(attachment.sha256), 64)
        self.assertEqual(incident.events.filter(kind=CaseEvent.Kind.ATTACHMENT_ADDED).count(), 2)

    def test_a_path_traversal_name_is_stored_under_a_random_name(self):
        self.post(complaint_values(self.agency_a), files=[upload("../../etc/x.pdf", pdf_bytes())])
        attachment = CaseAttachment.objects.get()
        self.assertEqual(attachment.file_name, "x.pdf")
        self.assertRegex(attachment.file.name, r"^case-files/[0-9a-f]{32}$")
        self.assertNotIn("..", attachment.file.name)
        self.assertEqual(len(self.stored_files()), 1)

    def test_a_renamed_exe_is_refused(self):
        response = self.post(complaint_values(self.agency_a), files=[upload("statement.pdf", EXE)])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["form"].errors["attachments"],
            [
                "“statement.pdf” is not a PDF, PNG or JPEG file. "
                "Only PDF documents and PNG or JPEG pictures can be attached."
            ],
        )
        self.assertEqual((Incident.objects.count(), CaseAttachment.objects.count(), self.stored_files()), (0, 0, []))

    def test_an_svg_is_refused(self):
        response = self.post(complaint_values(self.agency_a), files=[upload("picture.svg", SVG, "image/svg+xml")])
        self.assertIn("is not a PDF, PNG or JPEG file", response.context["form"].errors["attachments"][0])
        self.assertEqual(Incident.objects.count(), 0)

    def test_a_png_renamed_to_pdf_is_refused_with_the_name_to_use(self):
        response = self.post(complaint_values(self.agency_a), files=[upload("photo.pdf", png_bytes())])
        self.assertEqual(
            response.context["form"].errors["attachments"],
            ["“photo.pdf” is a PNG file but its name ends in “.pdf”. Rename it to end in .png and attach it again."],
        )
        self.assertEqual(Incident.objects.count(), 0)

    def test_an_11_mb_file_is_refused(self):
        start = pdf_bytes() + b"\n%"
        big = start + b"x" * (11 * 1024 * 1024 - len(start))  # 11 MB exactly (1 MB = 1,048,576 bytes)
        response = self.post(complaint_values(self.agency_a), files=[upload("big.pdf", big)])
        self.assertEqual(
            response.context["form"].errors["attachments"], ["“big.pdf” is 11 MB; each file may be at most 10 MB."]
        )
        self.assertEqual((Incident.objects.count(), self.stored_files()), (0, []))

    def test_four_files_are_refused(self):
        files = [upload(f"photo{n}.png", png_bytes()) for n in range(4)]
        response = self.post(complaint_values(self.agency_a), files=files)
        self.assertEqual(response.context["form"].errors["attachments"], ["Attach at most 3 files."])
        self.assertEqual(Incident.objects.count(), 0)

    def test_nothing_is_half_saved_when_the_second_file_is_refused(self):
        files = [upload("photo.png", png_bytes()), upload("run.jpg", EXE)]
        self.post(complaint_values(self.agency_a, email="rosa@example.test"), files=files)
        self.assertEqual(
            (Incident.objects.count(), ComplaintContact.objects.count(), CaseAttachment.objects.count()), (0, 0, 0)
        )
        self.assertEqual(CaseEvent.objects.count(), 0)
        self.assertEqual(self.stored_files(), [])

    # --- abuse ---

    def test_the_honeypot_stores_nothing(self):
        with self.captureOnCommitCallbacks(execute=True):
            response = self.post(
                complaint_values(self.agency_a, email="bot@example.test", website="http://spam.example"),
                files=[upload("photo.png", png_bytes())],
            )
        self.assertRedirects(response, reverse("complaints:received"), fetch_redirect_response=False)
        page = self.client.get(reverse("complaints:received"))
        self.assertContains(page, 'data-testid="tracking-number"')  # looks like a success
        self.assertEqual((Incident.objects.count(), ComplaintContact.objects.count()), (0, 0))
        self.assertEqual((CaseAttachment.objects.count(), self.stored_files(), mail.outbox), (0, [], []))

    def test_the_sixth_submission_from_one_address_in_an_hour_is_refused_with_429(self):
        for _ in range(5):
            self.assertEqual(self.post(complaint_values(self.agency_a)).status_code, 302)
        response = self.post(complaint_values(self.agency_a))
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, 'data-testid="throttled"', status_code=429)
        self.assertGreater(int(response["Retry-After"]), 3500)
        self.assertEqual(Incident.objects.count(), 5)
        row = AccessLog.objects.get(outcome=AccessLog.Outcome.THROTTLED)
        self.assertEqual((row.user, row.agency, row.path, row.ip_address), (None, None, self.url, "198.51.100.7"))
        # Another address is not limited.
        self.assertEqual(self.post(complaint_values(self.agency_a), address="203.0.113.9").status_code, 302)

    def test_refused_forms_do_not_use_up_the_complaints_a_resident_may_file(self):
        """A resident who gets the form wrong five times can still file (the trial found them locked out)."""
        for _ in range(6):
            self.assertEqual(self.post({**complaint_values(self.agency_a), "description": ""}).status_code, 200)
        self.assertEqual(self.post(complaint_values(self.agency_a)).status_code, 302)
        self.assertEqual(Incident.objects.count(), 1)

    @override_settings(
        RATE_LIMITS_PER_ADDRESS={"complaint": (5, 3600), "complaint_attempt": (8, 3600), "status": (20, 3600)}
    )
    def test_posts_of_the_form_are_bounded_too_refused_ones_included(self):
        for _ in range(8):
            self.assertEqual(self.post({**complaint_values(self.agency_a), "description": ""}).status_code, 200)
        self.assertEqual(self.post(complaint_values(self.agency_a)).status_code, 429)
        self.assertEqual(Incident.objects.count(), 0)

    def test_the_429_page_is_in_spanish_for_a_spanish_visitor(self):
        for _ in range(5):
            self.post(complaint_values(self.agency_a))
        response = self.post(complaint_values(self.agency_a), HTTP_ACCEPT_LANGUAGE="es")
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, '<html lang="es">', status_code=429)
        self.assertContains(response, "Demasiados intentos por ahora", status_code=429)

    @override_settings(PROXY_COUNT=1)
    def test_behind_the_proxy_the_limit_counts_the_forwarded_client_not_the_proxy(self):
        for n in range(5):
            self.post(complaint_values(self.agency_a), address="10.0.0.2", HTTP_X_FORWARDED_FOR=f"192.0.2.{n + 1}")
        self.assertEqual(Incident.objects.count(), 5)
        for _ in range(5):
            self.post(complaint_values(self.agency_a), address="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.50")
        response = self.post(complaint_values(self.agency_a), address="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.50")
        self.assertEqual(response.status_code, 429)

    def test_a_huge_description_is_refused_not_a_server_error(self):
        response = self.post(complaint_values(self.agency_a, description="x" * 100_001))
        self.assertEqual(response.status_code, 200)
        self.assertIn("description", response.context["form"].errors)
        self.assertEqual(Incident.objects.count(), 0)

    def test_fields_the_form_does_not_offer_change_nothing(self):
        # SECURITY.md C3: a tampered post cannot pick the stage, source, severity, title, author or number.
        values = complaint_values(
            self.agency_a,
            status="closed",
            closure="reviewed",
            source="staff",
            kind="use_of_force",
            severity="critical",
            title="Chosen title",
            tracking_number="2222-222-222",
            reported_by=str(self.supervisor_a.pk),
            investigator=str(self.staff_a.pk),
        )
        self.assertEqual(self.post(values).status_code, 302)
        incident = Incident.objects.get()
        self.assertEqual(
            (incident.status, incident.closure, incident.source, incident.kind, incident.severity, incident.title),
            ("received", "", "public", "complaint", "medium", f"Public complaint {incident.tracking_number}"),
        )
        self.assertNotEqual(incident.tracking_number, "2222-222-222")
        self.assertEqual((incident.reported_by, incident.investigator), (None, None))
