"""Certificate files on certifications (SECURITY.md F8): type by content, size, storage, access."""

import io
from datetime import UTC, date, datetime
from pathlib import Path

import time_machine
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image
from pypdf import PdfWriter

from compliance.core.models import AccessLog
from tests.base import BaseTestCase, sign_in
from tests.training.helpers import make_certification, make_course, make_officer
from training.evidence import services as evidence
from training.evidence.models import CertificateFile

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def tiny_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=100)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def tiny_image(image_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 4), (20, 80, 160)).save(buffer, image_format)
    return buffer.getvalue()


# A Windows executable's first bytes ("MZ" header and DOS stub), invented padding after.
FAKE_EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"This program cannot be run in DOS mode." * 20
)
HTML_PAGE = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


@time_machine.travel(NOW, tick=False)
class EvidenceTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.course_a = make_course(cls.agency_a, "IADP")
        cls.officer_a = make_officer(cls.agency_a, "A-1", last="Alvarez", first="Rosa")
        cls.certification_a = make_certification(cls.officer_a, cls.course_a, date(2025, 6, 2))
        course_b = make_course(cls.agency_b, "WSO1")
        cls.officer_b = make_officer(cls.agency_b, "B-1", last="Bergstrom", first="Eli")
        cls.certification_b = make_certification(cls.officer_b, course_b, date(2025, 6, 2))

    def login(self, user):
        sign_in(self.client, user)

    def attach_url(self, certification=None):
        return reverse("training:certificate_attach", args=[(certification or self.certification_a).public_id])

    def upload(self, data: bytes, name: str, *, certification=None, user=None):
        self.login(user or self.staff_a)
        return self.client.post(self.attach_url(certification), {"file": SimpleUploadedFile(name, data)})

    def attach(self, data: bytes, name: str, *, certification=None, actor=None) -> CertificateFile:
        return evidence.certificate_attach(
            actor=actor or self.staff_a,
            certification=certification or self.certification_a,
            upload=SimpleUploadedFile(name, data),
        )


class AcceptedFileTests(EvidenceTestCase):
    def test_it_attaches_a_real_pdf_under_a_random_name_in_private_storage(self):
        data = tiny_pdf()
        response = self.upload(data, "IADP certificate.pdf")
        self.assertRedirects(response, reverse("training:officer_detail", args=[self.officer_a.public_id]))
        stored = CertificateFile.objects.get()
        self.assertEqual(stored.certification, self.certification_a)
        self.assertEqual(stored.agency, self.agency_a)
        self.assertEqual(stored.content_type, "application/pdf")
        self.assertEqual(stored.original_name, "IADP certificate.pdf")
        self.assertEqual(stored.size_bytes, len(data))
        self.assertEqual(stored.uploaded_by, self.staff_a)
        self.assertRegex(stored.file.name, r"^certificates/[0-9a-f]{32}\.pdf$")
        self.assertNotIn("IADP", stored.file.name)
        path = Path(default_storage.path(stored.file.name))
        self.assertTrue(path.is_relative_to(settings.PRIVATE_MEDIA_ROOT))
        self.assertFalse(path.is_relative_to(settings.STATIC_ROOT))
        self.assertEqual(path.read_bytes(), data)
        history = stored.history.get()
        self.assertEqual(history.history_user, self.staff_a)

    def test_it_attaches_png_and_jpeg_images(self):
        for data, name, content_type in [
            (tiny_image("PNG"), "scan.png", "image/png"),
            (tiny_image("JPEG"), "photo.JPEG", "image/jpeg"),
            (tiny_image("JPEG"), "photo.jpg", "image/jpeg"),
        ]:
            with self.subTest(name=name):
                stored = self.attach(data, name)
                self.assertEqual(stored.content_type, content_type)
                self.assertEqual(stored.original_name, name)

    def test_path_traversal_name_is_harmless(self):
        for name in ["../../../etc/cron.d/evil.pdf", "..\\..\\windows\\evil.pdf", "/var/www/html/evil.pdf"]:
            with self.subTest(name=name):
                stored = self.attach(tiny_pdf(), name)
                self.assertEqual(stored.original_name, "evil.pdf")
                self.assertRegex(stored.file.name, r"^certificates/[0-9a-f]{32}\.pdf$")
                self.assertTrue(
                    Path(default_storage.path(stored.file.name)).is_relative_to(settings.PRIVATE_MEDIA_ROOT)
                )

    def test_path_traversal_name_through_the_form(self):
        response = self.upload(tiny_pdf(), "../../x.pdf")
        self.assertEqual(response.status_code, 302)
        stored = CertificateFile.objects.get()
        self.assertEqual(stored.original_name, "x.pdf")
        self.assertNotIn("..", stored.file.name)

    def test_control_characters_are_dropped_from_the_kept_name(self):
        stored = self.attach(tiny_pdf(), "cert\r\nSet-Cookie: x=1\u202egnp.pdf")
        self.assertEqual(stored.original_name, "certSet-Cookie: x=1gnp.pdf")


class RefusedFileTests(EvidenceTestCase):
    def assertRefused(self, response, message):
        self.assertEqual(response.status_code, 200)
        self.assertFalse(CertificateFile.objects.exists())
        form = response.context["form"]
        self.assertEqual(form.errors["file"], [message])
        self.assertContains(response, 'class="usa-error-message" id="id_file-error"')

    def test_renamed_executable_is_refused(self):
        self.assertRefused(self.upload(FAKE_EXE, "certificate.pdf"), evidence.NOT_ACCEPTED_TYPE)

    def test_html_page_renamed_pdf_is_refused(self):
        self.assertRefused(self.upload(HTML_PAGE, "certificate.pdf"), evidence.NOT_ACCEPTED_TYPE)

    def test_file_that_only_starts_like_a_pdf_is_refused(self):
        self.assertRefused(self.upload(b"%PDF-1.7\n" + HTML_PAGE, "certificate.pdf"), evidence.NOT_ACCEPTED_TYPE)

    def test_truncated_png_is_refused(self):
        self.assertRefused(self.upload(tiny_image("PNG")[:40], "scan.png"), evidence.NOT_ACCEPTED_TYPE)

    def test_other_image_format_is_refused(self):
        self.assertRefused(self.upload(tiny_image("GIF"), "scan.gif"), evidence.NOT_ACCEPTED_TYPE)

    def test_wrong_type_message_reads_as_specified(self):
        self.assertTrue(evidence.NOT_ACCEPTED_TYPE.startswith("This file is not a PDF, PNG or JPEG"))

    def test_a_png_named_pdf_is_refused_with_the_mismatch_named(self):
        response = self.upload(tiny_image("PNG"), "certificate.pdf")
        self.assertRefused(
            response,
            "This file is a PNG image but its name ends in “.pdf”. Rename it to end in .png and attach it again.",
        )

    def test_too_large_is_refused_stating_the_limit(self):
        data = tiny_pdf() + b"%" * (5 * 1024 * 1024)  # past the default 5 MiB
        response = self.upload(data, "certificate.pdf")
        self.assertRefused(response, "This file is 5.1 MB; a certificate file may be at most 5 MB.")

    @override_settings(CERTIFICATE_MAX_BYTES=2048)
    def test_the_limit_comes_from_settings(self):
        response = self.upload(tiny_image("PNG") + b"\0" * 2900, "scan.png")
        self.assertRefused(response, "This file is 3 KB; a certificate file may be at most 2 KB.")
        self.assertContains(response, "at most 2 KB")  # the hint under the field

    def test_empty_file_is_refused(self):
        response = self.upload(b"", "certificate.pdf")
        self.assertEqual(response.status_code, 200)
        self.assertIn("file", response.context["form"].errors)
        self.assertFalse(CertificateFile.objects.exists())

    def test_password_protected_pdf_is_refused(self):
        writer = PdfWriter()
        writer.add_blank_page(width=200, height=100)
        writer.encrypt(user_password="invented-secret", algorithm="RC4-128")
        buffer = io.BytesIO()
        writer.write(buffer)
        self.assertRefused(self.upload(buffer.getvalue(), "locked.pdf"), evidence.PDF_PROTECTED)

    def test_pdf_with_only_an_owner_password_is_accepted(self):
        writer = PdfWriter()
        writer.add_blank_page(width=200, height=100)
        writer.encrypt(user_password="", owner_password="invented-owner", algorithm="RC4-128")
        buffer = io.BytesIO()
        writer.write(buffer)
        self.assertEqual(self.upload(buffer.getvalue(), "no-editing.pdf").status_code, 302)

    def test_pixel_bomb_is_refused(self):
        buffer = io.BytesIO()
        Image.new("1", (8000, 8000)).save(buffer, "PNG")  # 64 megapixels in a few kilobytes
        response = self.upload(buffer.getvalue(), "huge.png")
        self.assertRefused(response, evidence.IMAGE_TOO_MANY_PIXELS.format(megapixels=64, limit=50))

    def test_no_file_is_left_behind_by_a_refused_upload(self):
        self.upload(FAKE_EXE, "certificate.pdf")
        stored_files = default_storage.listdir("certificates")[1] if default_storage.exists("certificates") else []
        self.assertEqual(stored_files, [])


class ReplaceTests(EvidenceTestCase):
    def test_replacing_keeps_the_earlier_file_as_history(self):
        first = self.attach(tiny_pdf(), "first.pdf")
        with time_machine.travel(datetime(2026, 3, 3, 15, 0, tzinfo=UTC), tick=False):
            second = self.attach(tiny_image("PNG"), "second.png", actor=self.supervisor_a)
        self.assertEqual(list(self.certification_a.certificate_files.all()), [second, first])
        self.assertTrue(default_storage.exists(first.file.name))
        self.login(self.staff_a)
        page = self.client.get(self.attach_url())
        self.assertContains(page, "Replace certificate")
        self.assertContains(page, "first.pdf")
        self.assertContains(page, "second.png")
        self.assertContains(page, "In force")
        self.assertContains(page, "Replaced")
        officer_page = self.client.get(reverse("training:officer_detail", args=[self.officer_a.public_id]))
        self.assertContains(officer_page, reverse("training:certificate_download", args=[second.public_id]))
        self.assertNotContains(officer_page, reverse("training:certificate_download", args=[first.public_id]))
        old = self.client.get(reverse("training:certificate_download", args=[first.public_id]))
        self.assertEqual(b"".join(old.streaming_content), tiny_pdf())


class DownloadTests(EvidenceTestCase):
    def download(self, certificate_file, user):
        self.login(user)
        return self.client.get(reverse("training:certificate_download", args=[certificate_file.public_id]))

    def test_it_serves_an_attachment_with_type_nosniff_and_an_access_log_row(self):
        data = tiny_pdf()
        stored = self.attach(data, "IADP certificate.pdf")
        response = self.download(stored, self.supervisor_a)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(b"".join(response.streaming_content), data)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="IADP certificate.pdf"')
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertIn("no-store", response["Cache-Control"])
        log = AccessLog.objects.get()
        self.assertEqual(log.user, self.supervisor_a)
        self.assertEqual(log.agency, self.agency_a)
        self.assertEqual(log.action, AccessLog.Action.EXPORT)
        self.assertEqual(log.object_id, stored.pk)

    def test_download_name_gets_the_real_extension(self):
        stored = self.attach(tiny_image("JPEG"), "scan.jpeg")
        CertificateFile.objects.filter(pk=stored.pk).update(original_name="scan")  # not audited: test setup only
        stored.refresh_from_db()
        response = self.download(stored, self.staff_a)
        self.assertEqual(response["Content-Type"], "image/jpeg")
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="scan.jpg"')

    def test_other_agency_gets_404(self):
        stored = self.attach(tiny_pdf(), "certificate.pdf")
        for user in (self.staff_b, self.supervisor_b, self.outsider):
            with self.subTest(user=user.username):
                self.assertEqual(self.download(stored, user).status_code, 404)
        self.assertFalse(AccessLog.objects.exclude(action=AccessLog.Action.DENIED).exists())  # nothing served
        # Each refused attempt is audited, naming no record (SECURITY.md C1, D1).
        denied = AccessLog.objects.filter(action=AccessLog.Action.DENIED)
        self.assertEqual(
            sorted(denied.values_list("user__username", flat=True)), ["outsider", "staff_b", "supervisor_b"]
        )
        self.assertFalse(denied.exclude(object_id=None).exists())

    def test_auditor_can_download_but_not_attach(self):
        stored = self.attach(tiny_pdf(), "certificate.pdf")
        self.assertEqual(self.download(stored, self.auditor_a).status_code, 200)
        self.assertEqual(self.client.get(self.attach_url()).status_code, 404)
        response = self.upload(tiny_pdf(), "mine.pdf", user=self.auditor_a)
        self.assertEqual(response.status_code, 404)
        self.assertEqual(CertificateFile.objects.count(), 1)

    def test_auditor_of_both_agencies_downloads_from_both(self):
        stored_b = self.attach(tiny_pdf(), "b.pdf", certification=self.certification_b, actor=self.staff_b)
        self.assertEqual(self.download(stored_b, self.auditor).status_code, 200)

    def test_anonymous_is_sent_to_login(self):
        stored = self.attach(tiny_pdf(), "certificate.pdf")
        url = reverse("training:certificate_download", args=[stored.public_id])
        self.assertRedirects(self.client.get(url), f"/accounts/login/?next={url}", fetch_redirect_response=False)
        url = self.attach_url()
        self.assertRedirects(self.client.get(url), f"/accounts/login/?next={url}", fetch_redirect_response=False)


class AttachPageTests(EvidenceTestCase):
    def test_other_agency_gets_404_and_nothing_is_stored(self):
        for user in (self.staff_b, self.supervisor_b, self.outsider):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(self.attach_url()).status_code, 404)
                self.assertEqual(self.upload(tiny_pdf(), "x.pdf", user=user).status_code, 404)
        self.assertFalse(CertificateFile.objects.exists())

    def test_officer_page_offers_attach_to_editors_only(self):
        self.login(self.staff_a)
        page = self.client.get(reverse("training:officer_detail", args=[self.officer_a.public_id]))
        self.assertContains(page, self.attach_url())
        self.assertContains(page, "Attach certificate")
        self.login(self.auditor_a)
        page = self.client.get(reverse("training:officer_detail", args=[self.officer_a.public_id]))
        self.assertNotContains(page, self.attach_url())

    def test_attach_page_form_posts_multipart(self):
        self.login(self.staff_a)
        page = self.client.get(self.attach_url())
        self.assertContains(page, 'enctype="multipart/form-data"')
        self.assertContains(page, "at most 5 MB")

    def test_officer_page_query_count_does_not_grow_with_files(self):
        self.login(self.staff_a)
        url = reverse("training:officer_detail", args=[self.officer_a.public_id])
        self.client.get(url)
        with CaptureQueriesContext(connection) as before:
            self.client.get(url)
        for n in range(3):
            self.attach(tiny_pdf(), f"v{n}.pdf")
            make_certification(self.officer_a, self.course_a, date(2025, 7, n + 1))
        with self.assertNumQueries(len(before)):
            self.client.get(url)


class NameRulesTests(EvidenceTestCase):
    def test_format_size(self):
        self.assertEqual(evidence.format_size(5 * 1024 * 1024), "5 MB")
        self.assertEqual(evidence.format_size(5 * 1024 * 1024 + 1), "5.1 MB")
        self.assertEqual(evidence.format_size(6_500_000), "6.2 MB")
        self.assertEqual(evidence.format_size(2049), "3 KB")
        self.assertEqual(evidence.format_size(900), "900 bytes")

    def test_clean_original_name(self):
        self.assertEqual(evidence.clean_original_name(""), "certificate")
        self.assertEqual(evidence.clean_original_name("../.."), "certificate")
        long_name = "a" * 300 + ".pdf"
        cleaned = evidence.clean_original_name(long_name)
        self.assertLessEqual(len(cleaned), 150)
        self.assertTrue(cleaned.endswith(".pdf"))
