"""Materials shared at an event (issue #12 item 1): PDF/PNG/JPEG checked by content, at most 10 MB, stored
privately under a random name, scanned where a scanner is configured, never deleted, served access-logged."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse

from community.models import EventMaterial
from community.outreach.services import material_add, outreach_event_create
from compliance.core.models import AccessLog
from tests.base import BaseTestCase, sign_in
from tests.community.helpers import EICAR, pdf_bytes, png_bytes, upload
from tests.incidents.test_case_files import FakeClamd, _ThreadingTCPServer, start


class MaterialTests(BaseTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clamd = _ThreadingTCPServer(("127.0.0.1", 0), FakeClamd)
        start(cls.clamd)

    @classmethod
    def tearDownClass(cls):
        cls.clamd.shutdown()
        cls.clamd.server_close()
        super().tearDownClass()

    def setUp(self):
        self.event = outreach_event_create(
            agency=self.agency_a, actor=self.staff_a, kind="presentation", title="Talk", held_on=date(2026, 5, 19)
        )
        self.add_url = reverse("community:material_add", args=[self.event.public_id])

    def clamd_address(self) -> str:
        return f"127.0.0.1:{self.clamd.server_address[1]}"

    def test_a_pdf_is_stored_privately_under_a_random_name_not_scanned_without_a_scanner(self):
        material = material_add(
            event=self.event,
            actor=self.staff_a,
            upload=upload("Flyer Know Your Rights.pdf", pdf_bytes()),
            description="Flyer, Spanish",
        )
        self.assertEqual(material.content_type, "application/pdf")
        self.assertEqual(material.scan, EventMaterial.Scan.NOT_SCANNED)
        self.assertEqual(material.file_name, "Flyer Know Your Rights.pdf")
        self.assertTrue(material.file.name.startswith("outreach-materials/"))
        self.assertNotIn("Flyer", material.file.name)
        self.assertEqual(material.uploaded_by, self.staff_a)
        self.assertEqual(material.history.first().history_user, self.staff_a)

    def test_with_a_scanner_a_clean_file_is_marked_clean_and_a_flagged_one_is_refused(self):
        with override_settings(CLAMD_ADDRESS=self.clamd_address()):
            material = material_add(event=self.event, actor=self.staff_a, upload=upload("slide.png", png_bytes()))
            self.assertEqual(material.scan, EventMaterial.Scan.CLEAN)
            with self.assertRaises(ValidationError) as caught:
                material_add(event=self.event, actor=self.staff_a, upload=upload("bad.pdf", b"%PDF-1.4\n" + EICAR))
        self.assertIn("file", caught.exception.message_dict)
        self.assertEqual(EventMaterial.objects.count(), 1)

    def test_a_file_that_is_not_a_pdf_png_or_jpeg_by_its_bytes_is_refused(self):
        for name, data in (("notes.pdf", b"MZ\x90\x00 an executable"), ("page.png", b"<html><script>"), ("x.pdf", b"")):
            with self.subTest(name=name), self.assertRaises(ValidationError) as caught:
                material_add(event=self.event, actor=self.staff_a, upload=upload(name, data))
            self.assertIn("file", caught.exception.message_dict)
        self.assertFalse(EventMaterial.objects.exists())

    @override_settings(CASE_FILE_MAX_BYTES=1000)
    def test_a_file_over_the_limit_is_refused(self):
        with self.assertRaises(ValidationError) as caught:
            material_add(event=self.event, actor=self.staff_a, upload=upload("big.pdf", pdf_bytes() + b"\0" * 2000))
        self.assertIn("at most", caught.exception.message_dict["file"][0])
        self.assertFalse(EventMaterial.objects.exists())

    def test_an_auditor_may_not_add(self):
        with self.assertRaises(PermissionDenied):
            material_add(event=self.event, actor=self.auditor_a, upload=upload("slide.png", png_bytes()))
        sign_in(self.client, self.auditor_a)
        self.assertEqual(self.client.post(self.add_url, {"file": upload("slide.png", png_bytes())}).status_code, 403)
        self.assertFalse(EventMaterial.objects.exists())

    def test_staff_add_through_the_page_and_it_is_listed(self):
        sign_in(self.client, self.staff_a)
        response = self.client.post(self.add_url, {"file": upload("slide.png", png_bytes()), "description": "Slides"})
        self.assertRedirects(response, reverse("community:outreach_detail", args=[self.event.public_id]))
        page = self.client.get(reverse("community:outreach_detail", args=[self.event.public_id]))
        self.assertContains(page, "slide.png")
        self.assertContains(page, "Not scanned")

    def test_a_bad_file_is_shown_next_to_the_field(self):
        sign_in(self.client, self.staff_a)
        response = self.client.post(self.add_url, {"file": upload("slide.png", b"GIF89a not a png")})
        self.assertEqual(response.status_code, 200)
        self.assertIn("file", response.context["form"].errors)

    def test_download_is_access_logged_no_store_and_404_for_another_agency(self):
        material = material_add(event=self.event, actor=self.staff_a, upload=upload("slide.png", png_bytes()))
        url = reverse("community:material_download", args=[material.public_id])
        sign_in(self.client, self.auditor_a)
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(b"".join(response.streaming_content), png_bytes())
        self.assertIn("no-store", response["Cache-Control"])
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertTrue(
            AccessLog.objects.filter(
                action=AccessLog.Action.EXPORT, object_id=material.pk, agency=self.agency_a
            ).exists()
        )
        sign_in(self.client, self.staff_b)
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_the_events_history_page_lists_a_material_added_with_who_when_and_the_file_name(self):
        material = material_add(
            event=self.event,
            actor=self.supervisor_a,
            upload=upload("Flyer Know Your Rights.pdf", pdf_bytes()),
            description="Flyer, Spanish",
        )
        sign_in(self.client, self.auditor_a)
        response = self.client.get(reverse("history", args=["community.outreachevent", self.event.public_id]))
        entries = response.context["entries"]
        added = [entry for entry in entries if entry.type == "Material added"]
        self.assertEqual(len(added), 1)
        self.assertEqual(added[0].user, self.supervisor_a)
        self.assertEqual(added[0].date, material.uploaded_at)
        self.assertEqual(added[0].changes[0].new, "Flyer Know Your Rights.pdf (Flyer, Spanish)")
        self.assertEqual(entries[0].type, "Material added")
        self.assertContains(response, "Flyer Know Your Rights.pdf (Flyer, Spanish)")

    def test_there_is_no_way_to_delete_a_material(self):
        from django.urls import get_resolver

        names = [name for name in get_resolver().reverse_dict if isinstance(name, str) and "material" in name]
        self.assertFalse([name for name in names if "delete" in name or "remove" in name])
