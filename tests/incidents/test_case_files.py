"""Case attachments (SECURITY.md F8; issue #11 item 7): staff upload, permission-checked download, ClamAV scan.

The scanner is tested against a small clamd stand-in written here: a real socket server (TCP or
unix) speaking clamd's INSTREAM protocol (``zINSTREAM\\0``, length-prefixed chunks, a zero-length
end, one ``\\0``-terminated reply), which flags any stream holding the EICAR test string, as
clamd's EICAR signature does. ``RealClamdTests`` run against Debian's real clamd when
``CLAMD_TEST_ADDRESS`` is set: ``.ci/run`` starts one on loopback with a signature database
holding only the EICAR signature (``.ci/eicar.ndb``; no freshclam, no internet).
"""

from __future__ import annotations

import os
import socket
import socketserver
import struct
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path
from unittest import skipUnless

from django.db import connection
from django.test import SimpleTestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.core.models import AccessLog
from incidents.case_files import scanner
from incidents.case_files.models import CaseAttachment
from incidents.complaints.services import complaint_submit
from incidents.incident_log.models import CaseEvent
from tests.base import BaseTestCase, sign_in
from tests.community.helpers import EICAR, pdf_bytes, png_bytes, upload
from tests.compliance.helpers import make_incident


class FakeClamd(socketserver.BaseRequestHandler):
    """One INSTREAM scan per connection: ``stream: Eicar-Test-Signature FOUND`` or ``stream: OK``."""

    received: list[int] = []

    def handle(self):
        command = b""
        while not command.endswith(b"\0"):
            command += self.request.recv(1)
        if command != b"zINSTREAM\0":
            self.request.sendall(b"UNKNOWN COMMAND\0")
            return
        data = b""
        while True:
            (size,) = struct.unpack("!L", self._exactly(4))
            if size == 0:
                break
            data += self._exactly(size)
        FakeClamd.received.append(len(data))
        self.request.sendall(b"stream: Eicar-Test-Signature FOUND\0" if EICAR in data else b"stream: OK\0")

    def _exactly(self, count: int) -> bytes:
        buffer = b""
        while len(buffer) < count:
            part = self.request.recv(count - len(buffer))
            if not part:
                raise ConnectionError("closed")
            buffer += part
        return buffer


class _ThreadingUnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class _ThreadingTCPServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True


def start(server) -> None:
    threading.Thread(target=server.serve_forever, daemon=True).start()


class ScannerProtocolTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tcp = _ThreadingTCPServer(("127.0.0.1", 0), FakeClamd)
        start(cls.tcp)
        cls.folder = tempfile.TemporaryDirectory()
        cls.socket_path = str(Path(cls.folder.name) / "clamd.sock")
        cls.unix = _ThreadingUnixServer(cls.socket_path, FakeClamd)
        start(cls.unix)

    @classmethod
    def tearDownClass(cls):
        for server in (cls.tcp, cls.unix):
            server.shutdown()
            server.server_close()
        cls.folder.cleanup()
        super().tearDownClass()

    def address(self) -> str:
        return f"127.0.0.1:{self.tcp.server_address[1]}"

    def test_a_clean_file_is_clean(self):
        self.assertEqual(scanner.scan_bytes(pdf_bytes(), address=self.address()), scanner.OK)

    def test_the_eicar_test_file_is_found(self):
        self.assertEqual(scanner.scan_bytes(EICAR, address=self.address()), scanner.FOUND)

    def test_a_large_file_is_sent_in_chunks_whole(self):
        data = b"%PDF-1.4\n" + b"x" * (3 * scanner.CHUNK + 17) + EICAR
        self.assertEqual(scanner.scan_bytes(data, address=self.address()), scanner.FOUND)
        self.assertEqual(FakeClamd.received[-1], len(data))

    def test_a_unix_socket_works_too(self):
        self.assertEqual(scanner.scan_bytes(EICAR, address=self.socket_path), scanner.FOUND)
        self.assertEqual(scanner.scan_bytes(png_bytes(), address=self.socket_path), scanner.OK)

    def test_no_address_means_not_scanned(self):
        self.assertEqual(scanner.scan_bytes(EICAR, address=""), scanner.NOT_SCANNED)

    def test_an_unreachable_scanner_is_an_error_not_a_pass(self):
        closed = socket.socket()
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        closed.close()
        with self.assertRaises(scanner.ScanUnavailable):
            scanner.scan_bytes(pdf_bytes(), address=f"127.0.0.1:{port}")


class AttachmentPageTests(BaseTestCase):
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
        self.incident = make_incident(self.agency_a, 1, reported_by=self.staff_a)
        self.add_url = reverse("incidents:attachment_add", args=[self.incident.public_id])

    def clamd_address(self) -> str:
        return f"127.0.0.1:{self.clamd.server_address[1]}"

    def attach(self, user, name, data):
        sign_in(self.client, user)
        return self.client.post(self.add_url, {"file": upload(name, data)})

    def test_staff_attach_a_file_from_the_case_page(self):
        sign_in(self.client, self.staff_a)
        page = self.client.get(reverse("incidents:incident_detail", args=[self.incident.public_id]))
        self.assertContains(page, f'action="{self.add_url}"')
        response = self.client.post(self.add_url, {"file": upload("scene.jpg", _jpeg())})
        self.assertRedirects(response, reverse("incidents:incident_detail", args=[self.incident.public_id]))
        attachment = CaseAttachment.objects.get()
        self.assertEqual(
            (attachment.content_type, attachment.uploaded_by, attachment.from_public, attachment.scan),
            ("image/jpeg", self.staff_a, False, "not_scanned"),
        )
        event = self.incident.events.get(kind=CaseEvent.Kind.ATTACHMENT_ADDED)
        self.assertEqual(event.actor, self.staff_a)
        self.assertNotIn("scene", event.text)  # the timeline says the kind and size, not the name

    def test_an_auditor_sees_the_list_but_no_upload_form_and_cannot_attach(self):
        sign_in(self.client, self.auditor_a)
        page = self.client.get(reverse("incidents:incident_detail", args=[self.incident.public_id]))
        self.assertContains(page, 'data-testid="attachments"')
        self.assertNotContains(page, f'action="{self.add_url}"')
        response = self.client.post(self.add_url, {"file": upload("scene.png", png_bytes())})
        self.assertIn(response.status_code, (403, 404))
        self.assertEqual(CaseAttachment.objects.count(), 0)

    def test_a_renamed_exe_is_refused_on_the_staff_form_too(self):
        response = self.attach(self.staff_a, "report.pdf", b"MZ\x90\x00" + b"\x00" * 100)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "is not a PDF, PNG or JPEG file")
        self.assertEqual(CaseAttachment.objects.count(), 0)

    def test_another_agencys_case_answers_404(self):
        self.assertEqual(self.attach(self.staff_b, "scene.png", png_bytes()).status_code, 404)

    def test_the_eicar_test_file_is_quarantined_and_never_downloadable(self):
        with override_settings(CLAMD_ADDRESS=self.clamd_address()):
            # EICAR inside a real PDF (a comment after the end): it passes the type check, the scan flags it.
            self.attach(self.staff_a, "statement.pdf", pdf_bytes() + b"\n%" + EICAR + b"\n")
        attachment = CaseAttachment.objects.get()
        self.assertEqual(attachment.scan, CaseAttachment.Scan.QUARANTINED)
        download = self.client.get(reverse("incidents:attachment_download", args=[attachment.public_id]))
        self.assertEqual(download.status_code, 404)
        page = self.client.get(reverse("incidents:incident_detail", args=[self.incident.public_id]))
        self.assertContains(page, "Quarantined")
        self.assertNotContains(page, reverse("incidents:attachment_download", args=[attachment.public_id]))

    def test_a_clean_scan_is_recorded(self):
        with override_settings(CLAMD_ADDRESS=self.clamd_address()):
            self.attach(self.staff_a, "statement.pdf", pdf_bytes())
        self.assertEqual(CaseAttachment.objects.get().scan, CaseAttachment.Scan.CLEAN)

    def test_a_complaint_with_the_eicar_file_is_kept_and_its_file_quarantined(self):
        with override_settings(CLAMD_ADDRESS=self.clamd_address()):
            incident = complaint_submit(
                agency=self.agency_a,
                description="x",
                occurred_at=datetime(2026, 11, 20, tzinfo=UTC),
                uploads=[upload("photo.pdf", pdf_bytes() + b"\n%" + EICAR + b"\n")],
            )
        self.assertEqual(incident.attachments.get().scan, CaseAttachment.Scan.QUARANTINED)

    def test_an_unreachable_scanner_refuses_the_upload(self):
        with override_settings(CLAMD_ADDRESS="127.0.0.1:1"):
            response = self.attach(self.staff_a, "statement.pdf", pdf_bytes())
        self.assertContains(response, "could not be checked for viruses just now")
        self.assertEqual(CaseAttachment.objects.count(), 0)

    def test_the_download_is_an_attachment_with_nosniff_and_is_access_logged(self):
        self.attach(self.staff_a, "../../evil/scene.png", png_bytes())
        attachment = CaseAttachment.objects.get()
        url = reverse("incidents:attachment_download", args=[attachment.public_id])
        sign_in(self.client, self.auditor_a)
        before = AccessLog.objects.filter(action=AccessLog.Action.EXPORT).count()
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/png")
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="scene.png"')
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(b"".join(response.streaming_content), png_bytes())
        row = AccessLog.objects.filter(action=AccessLog.Action.EXPORT).latest("at")
        self.assertEqual(AccessLog.objects.filter(action=AccessLog.Action.EXPORT).count(), before + 1)
        self.assertEqual((row.user, row.agency, row.object_id), (self.auditor_a, self.agency_a, attachment.pk))

    def test_the_case_page_reads_attachments_in_a_constant_number_of_queries(self):
        sign_in(self.client, self.supervisor_a)
        url = reverse("incidents:incident_detail", args=[self.incident.public_id])
        self.attach(self.staff_a, "one.png", png_bytes())
        sign_in(self.client, self.supervisor_a)
        self.client.get(url)  # warm the session and permission caches
        with CaptureQueriesContext(connection) as one:
            self.client.get(url)
        self.attach(self.supervisor_a, "two.png", png_bytes())
        self.attach(self.staff_a, "three.png", png_bytes())
        self.client.get(url)
        with CaptureQueriesContext(connection) as three:
            page = self.client.get(url)
        self.assertContains(page, "three.png")
        self.assertEqual(_statements(three), _statements(one))

    def test_another_agency_cannot_download(self):
        self.attach(self.staff_a, "scene.png", png_bytes())
        attachment = CaseAttachment.objects.get()
        sign_in(self.client, self.staff_b)
        response = self.client.get(reverse("incidents:attachment_download", args=[attachment.public_id]))
        self.assertEqual(response.status_code, 404)


def _statements(captured) -> int:
    """Queries a page ran, savepoint bookkeeping aside (the session save's RELEASE is not always captured)."""
    return sum(1 for query in captured.captured_queries if "SAVEPOINT" not in query["sql"])


@skipUnless(os.environ.get("CLAMD_TEST_ADDRESS"), "no real clamd (CLAMD_TEST_ADDRESS unset; .ci/run starts one)")
class RealClamdTests(BaseTestCase):
    def setUp(self):
        self.incident = make_incident(self.agency_a, 1, reported_by=self.staff_a)
        sign_in(self.client, self.staff_a)

    def attach(self, name, data):
        with override_settings(CLAMD_ADDRESS=os.environ["CLAMD_TEST_ADDRESS"]):
            url = reverse("incidents:attachment_add", args=[self.incident.public_id])
            return self.client.post(url, {"file": upload(name, data)})

    def test_clamd_quarantines_the_eicar_test_file(self):
        self.attach("statement.pdf", pdf_bytes() + b"\n%" + EICAR + b"\n")
        attachment = CaseAttachment.objects.get()
        self.assertEqual(attachment.scan, CaseAttachment.Scan.QUARANTINED)
        download = self.client.get(reverse("incidents:attachment_download", args=[attachment.public_id]))
        self.assertEqual(download.status_code, 404)

    def test_clamd_passes_a_clean_file(self):
        self.attach("photo.png", png_bytes())
        self.assertEqual(CaseAttachment.objects.get().scan, CaseAttachment.Scan.CLEAN)


def _jpeg() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (10, 120, 10)).save(buffer, "JPEG")
    return buffer.getvalue()
