"""Import pages: upload → preview (nothing written) → the uploader confirms; who may see and confirm."""

import io
from datetime import UTC, date, datetime, timedelta

import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from tests.base import BaseTestCase, sign_in
from tests.training.helpers import make_course, make_officer
from tests.training.test_import_preview import row, xlsx_bytes
from training.imports.models import PendingImport
from training.imports.pending import PENDING_IMPORT_HOURS, pending_imports_purge
from training.roster.models import Certification, Officer

NOW = datetime(2026, 6, 1, 15, tzinfo=UTC)
HEADER = b"badge_number,last_name,first_name,unit,email,course_code,completed_on,certificate_number\r\n"
GOOD_AND_BAD = (
    b"I-1,Nguy\xe1\xbb\x85n,Mai,Jail,,IADP,3/4/2025,\r\n"  # line 2
    b"I-2,Lee,Kim,,,IADP,13/04/2025,\r\n"  # line 3: bad date
    b"I-3,Okafor,Ada,,,,,\r\n"  # line 4
)


@time_machine.travel(NOW, tick=False)
class ImportViewTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.iadp = make_course(cls.agency_a, "IADP")

    def login(self, user):
        self.client.logout()
        sign_in(self.client, user)

    def upload(self, body: bytes, name="roster.csv", *, header=HEADER, **extra):
        data = {"file": SimpleUploadedFile(name, header + body), "encoding": "utf-8", **extra}
        return self.client.post(reverse("training:roster_import"), data)

    def preview_url(self, pending, name="roster_import_preview"):
        return reverse(f"training:{name}", args=[pending.public_id])

    def confirm(self, pending, choice="all", digest=None):
        if digest is None:
            digest = self.client.get(self.preview_url(pending)).context["digest"]
        return self.client.post(self.preview_url(pending), {"choice": choice, "digest": digest})

    def assertNothingImported(self):
        self.assertFalse(Officer.objects.filter(badge_number__startswith="I-").exists())
        self.assertFalse(Officer.history.filter(badge_number__startswith="I-").exists())
        self.assertFalse(Certification.objects.exists())


class UploadAndPreviewTests(ImportViewTestCase):
    def test_upload_shows_every_rows_outcome_and_writes_nothing(self):
        self.login(self.staff_a)
        response = self.upload(GOOD_AND_BAD)
        pending = PendingImport.objects.get()
        self.assertRedirects(response, self.preview_url(pending))

        page = self.client.get(self.preview_url(pending))

        self.assertContains(page, "Preview of roster.csv")
        self.assertContains(page, 'data-line="2" data-outcome="create"')
        self.assertContains(page, 'data-line="3" data-outcome="error"')
        self.assertContains(page, 'data-line="4" data-outcome="create"')
        self.assertContains(page, "<strong>completed_on</strong>: “13/04/2025” has month 13", html=False)
        self.assertContains(page, "Add IADP completed 2025-03-04, last valid day 2027-03-04.")
        self.assertContains(page, "Nguyễn, Mai")
        # "Import all" is offered only disabled; "only the valid rows" is the explicit choice.
        self.assertContains(page, 'name="choice" value="all" disabled')
        self.assertContains(page, "Import only the 2 valid rows")
        self.assertNothingImported()

    def test_the_file_is_kept_privately_with_its_hash_uploader_and_expiry(self):
        self.login(self.staff_a)
        self.upload(GOOD_AND_BAD, name="C:\\Users\\staff\\may.csv")
        pending = PendingImport.objects.get()
        self.assertEqual(
            (pending.file_name, pending.uploaded_by, pending.agency), ("may.csv", self.staff_a, self.agency_a)
        )
        self.assertEqual(pending.expires_at, NOW + timedelta(hours=PENDING_IMPORT_HOURS))
        self.assertTrue(pending.file.name.startswith(f"roster-imports/{self.agency_a.public_id}/"))
        self.assertNotIn("may", pending.file.name)  # stored under a random name
        self.assertTrue(default_storage.exists(pending.file.name))
        self.assertEqual(len(pending.sha256), 64)

    def test_case_T4b_an_unreadable_file_is_refused_on_the_upload_page_and_not_kept(self):
        self.login(self.staff_a)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.upload(b"I-1,Rivera,Sam,,,,,\r\nI-2,Pe\xf1a,Luis,,,,,\r\n")
        self.assertContains(response, "cannot be read; nothing was imported")
        self.assertContains(response, "Encoding problem")
        self.assertContains(response, "line 3")
        pending = PendingImport.objects.get()
        self.assertEqual(pending.status, PendingImport.Status.DISCARDED)
        self.assertFalse(pending.file)
        self.assertNothingImported()

    def test_case_T4a_a_bom_file_previews_with_its_first_header_recognised(self):
        self.login(self.staff_a)
        response = self.upload(b"I-5,Rivera,Sam,,,,,\r\n", header=b"\xef\xbb\xbf" + HEADER)
        page = self.client.get(response.url)
        self.assertContains(page, 'data-line="2" data-outcome="create"')

    def test_case_T4b_a_declared_windows_1252_file_imports_exactly(self):
        self.login(self.staff_a)
        response = self.upload(b"I-6,Pe\xf1a,Luis,,,,,\r\n", encoding="cp1252")
        self.confirm(PendingImport.objects.get(public_id=response.url.split("/")[-2]))
        self.assertEqual(Officer.objects.get(badge_number="I-6").last_name, "Peña")

    def test_an_xlsx_upload_previews_and_imports(self):
        self.login(self.staff_a)
        data = xlsx_bytes(row("I-7", "Rivera", "Sam", course="IADP", completed=date(2025, 3, 4)))
        response = self.client.post(
            reverse("training:roster_import"), {"file": SimpleUploadedFile("may.xlsx", data), "encoding": "utf-8"}
        )
        pending = PendingImport.objects.get()
        self.assertEqual(pending.file_format, "xlsx")
        self.assertRedirects(response, self.preview_url(pending))
        self.confirm(pending)
        self.assertEqual(Certification.objects.get().completed_on, date(2025, 3, 4))


class ConfirmTests(ImportViewTestCase):
    def test_import_all_is_refused_while_a_row_has_an_error(self):
        self.login(self.staff_a)
        self.upload(GOOD_AND_BAD)
        pending = PendingImport.objects.get()
        response = self.confirm(pending, "all")
        self.assertContains(response, "1 row of the file has errors")
        self.assertNothingImported()
        pending.refresh_from_db()
        self.assertEqual(pending.status, PendingImport.Status.PENDING)

    def test_import_only_valid_rows_when_chosen_and_attributes_the_file_and_importer(self):
        self.login(self.staff_a)
        self.upload(GOOD_AND_BAD, name="may.csv")
        pending = PendingImport.objects.get()

        with self.captureOnCommitCallbacks(execute=True):
            response = self.confirm(pending, "valid_only")

        self.assertRedirects(
            response, f"{reverse('training:roster')}?agency={self.agency_a.public_id}", fetch_redirect_response=False
        )
        self.assertEqual(
            sorted(Officer.objects.filter(badge_number__startswith="I-").values_list("badge_number", flat=True)),
            ["I-1", "I-3"],
        )
        entries = Officer.history.filter(badge_number__startswith="I-")
        self.assertEqual(
            set(entries.values_list("history_user", "history_change_reason")),
            {(self.staff_a.pk, "Roster import: may.csv")},
        )
        self.assertContains(self.client.get(response.url), "1 row with errors skipped")
        pending.refresh_from_db()
        self.assertEqual((pending.status, pending.only_valid_rows), (PendingImport.Status.IMPORTED, True))
        self.assertFalse(pending.file)  # the bytes are deleted once imported

    def test_a_clean_file_imports_all_and_a_second_confirm_finds_it_gone(self):
        self.login(self.staff_a)
        self.upload(b"I-8,Rivera,Sam,,,IADP,2025-03-04,\r\n")
        pending = PendingImport.objects.get()
        digest = self.client.get(self.preview_url(pending)).context["digest"]
        response = self.confirm(pending, "all", digest)
        self.assertContains(self.client.get(response.url), "Imported roster.csv: 1 officers added")
        again = self.client.post(self.preview_url(pending), {"choice": "all", "digest": digest})
        self.assertRedirects(
            again,
            f"{reverse('training:roster_import')}?agency={self.agency_a.public_id}",
            fetch_redirect_response=False,
        )
        self.assertEqual(Officer.objects.filter(badge_number="I-8").count(), 1)
        self.assertEqual(Certification.objects.count(), 1)

    def test_confirm_revalidates_the_stored_bytes_and_refuses_a_stale_preview(self):
        self.login(self.staff_a)
        self.upload(b"I-9,Rivera,Sam,Jail,,,,\r\n")
        pending = PendingImport.objects.get()
        digest = self.client.get(self.preview_url(pending)).context["digest"]
        make_officer(self.agency_a, "I-9", last="Rivera", first="Sam", unit="Court")  # someone adds it meanwhile

        response = self.confirm(pending, "all", digest)

        self.assertContains(response, "The roster changed since this preview was shown")
        self.assertContains(response, 'data-line="2" data-outcome="update"')
        self.assertEqual(Officer.objects.get(badge_number="I-9").unit, "Court")

    def test_posted_rows_are_ignored_and_a_tampered_file_is_refused(self):
        self.login(self.staff_a)
        self.upload(b"I-10,Rivera,Sam,,,,,\r\n")
        pending = PendingImport.objects.get()
        digest = self.client.get(self.preview_url(pending)).context["digest"]
        with default_storage.open(pending.file.name, "wb") as handle:
            handle.write(HEADER + b"I-66,Injected,Row,,,,,\r\n")
        response = self.client.post(
            self.preview_url(pending), {"choice": "all", "digest": digest, "rows": "I-77,Posted,Row"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Officer.objects.filter(badge_number__in=["I-10", "I-66", "I-77"]).exists())

    def test_discard_deletes_the_file_and_imports_nothing(self):
        self.login(self.staff_a)
        self.upload(GOOD_AND_BAD)
        pending = PendingImport.objects.get()
        name = pending.file.name
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(self.preview_url(pending, "roster_import_discard"))
        pending.refresh_from_db()
        self.assertEqual(pending.status, PendingImport.Status.DISCARDED)
        self.assertFalse(default_storage.exists(name))
        self.assertNothingImported()

    def test_an_expired_upload_cannot_be_confirmed_and_is_purged(self):
        self.login(self.staff_a)
        self.upload(b"I-11,Rivera,Sam,,,,,\r\n")
        pending = PendingImport.objects.get()
        digest = self.client.get(self.preview_url(pending)).context["digest"]
        with time_machine.travel(NOW + timedelta(hours=PENDING_IMPORT_HOURS, seconds=1), tick=False):
            response = self.client.post(self.preview_url(pending), {"choice": "all", "digest": digest})
            self.assertEqual(response.status_code, 302)
            self.assertEqual(pending_imports_purge(), 1)
        pending.refresh_from_db()
        self.assertEqual(pending.status, PendingImport.Status.EXPIRED)
        self.assertFalse(Officer.objects.filter(badge_number="I-11").exists())


class WhoMayTests(ImportViewTestCase):
    def setUp(self):
        self.login(self.staff_a)
        self.upload(GOOD_AND_BAD)
        self.pending = PendingImport.objects.get()

    def test_another_user_of_the_same_agency_cannot_see_confirm_or_discard_it(self):
        for user in (self.supervisor_a, self.admin_a):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(self.preview_url(self.pending)).status_code, 404)
                response = self.client.post(
                    self.preview_url(self.pending), {"choice": "valid_only", "digest": "0" * 64}
                )
                self.assertEqual(response.status_code, 404)
                discard = self.client.post(self.preview_url(self.pending, "roster_import_discard"))
                self.assertEqual(discard.status_code, 404)
        self.assertNothingImported()
        self.pending.refresh_from_db()
        self.assertEqual(self.pending.status, PendingImport.Status.PENDING)

    def test_other_agency_auditor_and_outsider_get_404(self):
        for user in (self.staff_b, self.supervisor_b, self.auditor_a, self.auditor, self.outsider):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(self.preview_url(self.pending)).status_code, 404)
                self.assertEqual(self.client.post(self.preview_url(self.pending), {}).status_code, 404)
        self.assertNothingImported()

    def test_the_uploader_who_lost_change_permission_gets_404(self):
        from compliance.core.roles import role_revoke

        role_revoke(user=self.staff_a, agency=self.agency_a)
        self.login(self.staff_a)
        self.assertEqual(self.client.get(self.preview_url(self.pending)).status_code, 404)

    def test_auditor_and_outsider_cannot_upload(self):
        for user in (self.auditor_a, self.outsider):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(reverse("training:roster_import")).status_code, 404)
                self.assertEqual(self.upload(b"I-12,Lee,Kim,,,,,\r\n").status_code, 404)
        self.assertEqual(PendingImport.objects.count(), 1)

    def test_anonymous_is_sent_to_login(self):
        self.client.logout()
        for url in (self.preview_url(self.pending), self.preview_url(self.pending, "roster_import_discard")):
            with self.subTest(url=url):
                response = self.client.post(url) if "discard" in url else self.client.get(url)
                self.assertTrue(response["Location"].startswith("/accounts/login/"))


class TemplateDownloadTests(ImportViewTestCase):
    def test_the_csv_template_downloads_with_a_byte_order_mark(self):
        self.login(self.staff_a)
        response = self.client.get(reverse("training:roster_import_template"))
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertTrue(response.content.startswith(b"\xef\xbb\xbfbadge_number,last_name"))

    def test_the_xlsx_template_has_the_documented_columns_and_a_real_date(self):
        self.login(self.staff_a)
        response = self.client.get(reverse("training:roster_import_template_xlsx"))
        self.assertIn("attachment", response["Content-Disposition"])
        workbook = load_workbook(io.BytesIO(response.content))
        sheet = workbook["Roster"]
        header, example = list(sheet.iter_rows(values_only=True))
        self.assertEqual(
            header,
            (
                "badge_number",
                "last_name",
                "first_name",
                "unit",
                "email",
                "course_code",
                "completed_on",
                "certificate_number",
                "status",
            ),
        )
        self.assertEqual(example[6], datetime(2025, 3, 4))
        self.assertEqual(example[8], "nominated")
        self.assertEqual(workbook.sheetnames, ["Roster", "Columns"])
