"""The MOA checklist pages: who reads and who changes, other agencies 404, the checklist's content, documents."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from compliance.core.models import AccessLog, Agreement, AgreementRequirement, RequirementDocument, RequirementStatus
from compliance.moa.services import document_attach
from compliance.moa.status import requirements_check
from tests.base import BaseTestCase, sign_in
from tests.community.helpers import pdf_bytes
from tests.compliance.moa_helpers import applied, today_of
from tests.compliance.test_permission_matrix import _tiny_png


class PageCase(BaseTestCase):
    def setUp(self):
        self.today = today_of(self.agency_a)
        Agreement.objects.filter(pk=self.agreement_a.pk).update(signed_on=self.today - timedelta(days=800))
        self.requirements = applied(self.agreement_a, self.admin_a)
        self.media = self.requirements["media-relations"]
        self.checklist = reverse("moa:checklist", args=[self.agreement_a.public_id])

    def client_of(self, user) -> Client:
        client = Client()
        sign_in(client, user)
        return client


class ChecklistPageTests(PageCase):
    def test_the_checklist_shows_status_reason_last_met_and_the_unconfirmed_banner(self):
        requirements_check(agency=self.agency_a)
        response = self.client_of(self.staff_a).get(self.checklist)
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertEqual(html.count('data-testid="requirement"'), len(self.requirements))
        self.assertEqual(html.count('data-testid="unconfirmed"'), len(self.requirements))
        self.assertIn("Check against your signed MOA", html)
        self.assertIn("The agreement is signed and in force.", html)
        self.assertIn(f'data-testid="last-met">{self.today.isoformat()}<', html)
        self.assertIn("No valid document is attached.", html)
        self.assertIn(reverse("history", args=["compliance.agreementrequirement", self.media.public_id]), html)

    def test_the_contents_table_links_each_requirement_with_its_status(self):
        requirements_check(agency=self.agency_a)
        html = self.client_of(self.auditor_a).get(self.checklist).content.decode()
        contents = html.split('data-testid="contents"', 1)[1].split("</nav>", 1)[0]
        self.assertEqual(contents.count('data-testid="contents-row"'), len(self.requirements))
        for requirement in AgreementRequirement.objects.filter(agreement=self.agreement_a):
            row = contents.split(f'href="#requirement-{requirement.public_id}"', 1)[1].split("</tr>", 1)[0]
            self.assertIn(f">{escape(requirement.title)}</a>", row)
            self.assertIn(f">{escape(requirement.get_status_display())}</span>", row)
            self.assertIn(f'id="requirement-{requirement.public_id}"', html)  # the section it links to

    def test_staff_and_auditors_read_without_the_buttons_that_change(self):
        for user in (self.staff_a, self.auditor_a, self.auditor):
            with self.subTest(user=user.username):
                html = self.client_of(user).get(self.checklist).content.decode()
                self.assertNotIn('data-testid="check-now"', html)
                self.assertNotIn(reverse("moa:requirement_edit", args=[self.media.public_id]), html)
                self.assertNotIn(reverse("moa:document_add", args=[self.media.public_id]), html)

    def test_staff_and_auditors_are_refused_every_change(self):
        posts = [
            reverse("moa:check_now", args=[self.agreement_a.public_id]),
            reverse("moa:apply_templates", args=[self.agreement_a.public_id]),
            reverse("moa:requirement_add", args=[self.agreement_a.public_id]),
            reverse("moa:requirement_edit", args=[self.media.public_id]),
            reverse("moa:requirement_confirm", args=[self.media.public_id]),
            reverse("moa:document_add", args=[self.media.public_id]),
        ]
        for user in (self.staff_a, self.auditor_a):
            client = self.client_of(user)
            for url in posts:
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(client.post(url, {"title": "x", "text": "y"}).status_code, 403)
        self.media.refresh_from_db()
        self.assertIsNone(self.media.confirmed_at)

    def test_another_agency_gets_404_and_the_outsider_sees_no_agreement(self):
        for url in (
            self.checklist,
            reverse("moa:requirement_edit", args=[self.media.public_id]),
            reverse("moa:document_add", args=[self.media.public_id]),
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client_of(self.supervisor_b).get(url).status_code, 404)
                self.assertEqual(self.client_of(self.outsider).get(url).status_code, 404)
        index = self.client_of(self.outsider).get(reverse("moa:index")).content.decode()
        self.assertIn("You have no agreement to show.", index)
        index_b = self.client_of(self.staff_b).get(reverse("moa:index")).content.decode()
        self.assertNotIn(str(self.agreement_a.public_id), index_b)
        self.assertIn(str(self.agreement_b.public_id), index_b)

    def test_check_now_by_a_supervisor_stores_the_statuses(self):
        response = self.client_of(self.supervisor_a).post(reverse("moa:check_now", args=[self.agreement_a.public_id]))
        self.assertRedirects(response, self.checklist)
        self.assertFalse(
            AgreementRequirement.objects.filter(agreement=self.agreement_a, status=RequirementStatus.UNKNOWN).exists()
        )

    def test_an_administrator_applies_confirms_edits_and_adds(self):
        admin = self.client_of(self.admin_a)
        applied_again = admin.post(reverse("moa:apply_templates", args=[self.agreement_a.public_id]), follow=True)
        self.assertContains(applied_again, "nothing was added")
        admin.post(reverse("moa:requirement_confirm", args=[self.media.public_id]))
        self.media.refresh_from_db()
        self.assertEqual(self.media.confirmed_by, self.admin_a)
        response = admin.post(
            reverse("moa:requirement_edit", args=[self.media.public_id]),
            {"title": "Media", "text": "Our words.", "moa_section": "XVI", "parameters": "{}", "active": "on"},
        )
        self.assertEqual(response.status_code, 302)
        self.media.refresh_from_db()
        self.assertEqual((self.media.title, self.media.moa_section), ("Media", "XVI"))
        bad = admin.post(
            reverse("moa:requirement_edit", args=[self.media.public_id]),
            {"title": "Media", "text": "Our words.", "parameters": "[1, 2]", "active": "on"},
        )
        self.assertContains(bad, "Enter the settings as a JSON object")
        added = admin.post(
            reverse("moa:requirement_add", args=[self.agreement_a.public_id]),
            {
                "title": "Annual report to the board",
                "text": "Each year.",
                "clause": "reporting",
                "evidence": "document",
            },
        )
        self.assertEqual(added.status_code, 302)
        self.assertTrue(
            AgreementRequirement.objects.filter(
                agreement=self.agreement_a, key="custom-annual-report-to-the-board"
            ).exists()
        )

    def test_an_unapplied_agreement_offers_the_templates_to_its_administrator(self):
        html = self.client_of(self.supervisor_b).get(reverse("moa:checklist", args=[self.agreement_b.public_id]))
        self.assertContains(html, "This agreement has no requirements yet.")
        self.assertNotContains(html, 'data-testid="apply-templates"')


class DocumentTests(PageCase):
    def add_url(self):
        return reverse("moa:document_add", args=[self.media.public_id])

    def test_a_supervisor_attaches_a_pdf_and_the_requirement_is_met(self):
        response = self.client_of(self.supervisor_a).post(
            self.add_url(),
            {
                "title": "Media policy 2026",
                "file": SimpleUploadedFile("policy.pdf", pdf_bytes(), content_type="application/pdf"),
                "valid_until": (self.today + timedelta(days=400)).isoformat(),
            },
        )
        self.assertEqual(response.status_code, 302)
        document = RequirementDocument.objects.get(requirement=self.media)
        self.assertEqual(document.content_type_name, "application/pdf")
        self.assertEqual(document.uploaded_by, self.supervisor_a)
        requirements_check(agency=self.agency_a)
        self.media.refresh_from_db()
        self.assertEqual(self.media.status, RequirementStatus.MET)

    def test_a_file_that_is_not_a_pdf_or_image_is_refused_with_a_message(self):
        for name, data in (
            ("policy.pdf", b"MZ\x90\x00 not a pdf at all"),
            ("policy.html", b"<html><script>alert(1)</script></html>"),
            ("policy.png", pdf_bytes()),  # a PDF named .png: renamed
        ):
            with self.subTest(name=name):
                response = self.client_of(self.supervisor_a).post(
                    self.add_url(), {"title": "Policy", "file": SimpleUploadedFile(name, data)}
                )
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "usa-error-message")
        self.assertFalse(RequirementDocument.objects.exists())

    def test_valid_until_before_valid_from_is_refused_next_to_the_field(self):
        response = self.client_of(self.supervisor_a).post(
            self.add_url(),
            {
                "title": "Policy",
                "file": SimpleUploadedFile("policy.png", _tiny_png()),
                "valid_from": "2026-05-01",
                "valid_until": "2026-04-01",
            },
        )
        self.assertContains(response, "The end of validity must be on or after its start.")

    def test_withdraw_and_download_access_logged(self):
        document = document_attach(
            requirement=self.media,
            actor=self.supervisor_a,
            upload=SimpleUploadedFile("policy.png", _tiny_png()),
            title="Media policy",
        )
        download = reverse("moa:document_download", args=[document.public_id])
        response = self.client_of(self.auditor_a).get(download)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/png")
        self.assertIn("media-policy.png", response["Content-Disposition"])
        self.assertTrue(
            AccessLog.objects.filter(
                user=self.auditor_a, action=AccessLog.Action.EXPORT, object_id=document.pk
            ).exists()
        )
        self.assertEqual(self.client_of(self.staff_b).get(download).status_code, 404)
        self.assertEqual(
            self.client_of(self.staff_a).post(reverse("moa:document_withdraw", args=[document.public_id])).status_code,
            403,
        )
        self.client_of(self.supervisor_a).post(
            reverse("moa:document_withdraw", args=[document.public_id]), {"reason": "Superseded"}
        )
        document.refresh_from_db()
        self.assertIsNotNone(document.withdrawn_at)

    def test_the_requirements_history_lists_documents_attached_and_withdrawn_with_the_reason(self):
        document = document_attach(
            requirement=self.media,
            actor=self.supervisor_a,
            upload=SimpleUploadedFile("policy.png", _tiny_png()),
            title="Media policy",
            valid_from=self.today - timedelta(days=10),
        )
        self.client_of(self.supervisor_a).post(
            reverse("moa:document_withdraw", args=[document.public_id]), {"reason": "Superseded by the 2026 policy"}
        )
        history = reverse("history", args=["compliance.agreementrequirement", self.media.public_id])
        response = self.client_of(self.auditor_a).get(history)
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        attached = html.index("Document attached")
        withdrawn = html.index("Document withdrawn")
        self.assertLess(withdrawn, attached)  # newest first
        self.assertIn(f"Media policy (valid {(self.today - timedelta(days=10)).isoformat()} to …)", html)
        self.assertIn("Requirement document withdrawn: Superseded by the 2026 policy", html)
        self.assertEqual(html.count("Document withdrawn"), 1)

    def test_a_status_older_than_the_evidence_says_so_until_the_next_check(self):
        requirements_check(agency=self.agency_a)
        html = self.client_of(self.supervisor_a).get(self.checklist).content.decode()
        self.assertNotIn('data-testid="changed-since-check"', html)
        # The evidence moved after the last check (e.g. a finding the sweep opened since): the stored reason is old.
        AgreementRequirement.objects.filter(pk=self.media.pk).update(status_reason="1 finding open (as checked)")
        html = self.client_of(self.supervisor_a).get(self.checklist).content.decode()
        self.assertEqual(html.count('data-testid="changed-since-check"'), 1)
        section = html.split(f'id="requirement-{self.media.public_id}"', 1)[1]
        self.assertIn("The evidence has changed since the last check", section.split("</section>", 1)[0])
        requirements_check(agency=self.agency_a)
        html = self.client_of(self.supervisor_a).get(self.checklist).content.decode()
        self.assertNotIn('data-testid="changed-since-check"', html)
