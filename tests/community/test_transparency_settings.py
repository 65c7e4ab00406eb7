"""The administrator's transparency settings: sections, threshold, preview, publish and withdraw, with history."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from community.transparency import services
from community.transparency.models import TransparencySettings
from tests.base import BaseTestCase, sign_in
from tests.community.transparency_helpers import publish


class TransparencySettingsServiceTests(BaseTestCase):
    def test_saving_creates_the_row_in_page_order_unpublished(self):
        row = services.transparency_settings_save(
            agency=self.agency_a, actor=self.admin_a, sections=["outreach", "agreements"], suppression_threshold=12
        )
        row.refresh_from_db()
        self.assertEqual(row.sections, ["agreements", "outreach"])
        self.assertEqual(row.suppression_threshold, 12)
        self.assertFalse(row.published)
        self.assertEqual(row.history.get().history_user, self.admin_a)

    def test_a_save_that_changes_nothing_writes_no_history(self):
        for _ in range(2):
            services.transparency_settings_save(
                agency=self.agency_a, actor=self.admin_a, sections=["complaints"], suppression_threshold=10
            )
        self.assertEqual(TransparencySettings.objects.get(agency=self.agency_a).history.count(), 1)

    def test_bad_input_is_refused_by_field_and_nothing_is_saved(self):
        cases = [
            ({"sections": [], "suppression_threshold": 10}, "sections"),
            ({"sections": ["names_of_detainees"], "suppression_threshold": 10}, "sections"),
            ({"sections": ["complaints"], "suppression_threshold": 4}, "suppression_threshold"),
            ({"sections": ["complaints"], "suppression_threshold": 0}, "suppression_threshold"),
            ({"sections": ["complaints"], "suppression_threshold": 101}, "suppression_threshold"),
            ({"sections": ["complaints"], "suppression_threshold": True}, "suppression_threshold"),
        ]
        for values, field in cases:
            with self.subTest(values=values), self.assertRaises(ValidationError) as caught:
                services.transparency_settings_save(agency=self.agency_a, actor=self.admin_a, **values)
            self.assertIn(field, caught.exception.message_dict)
        self.assertFalse(TransparencySettings.objects.exists())

    def test_only_an_administrator_of_the_agency_may_change_or_publish(self):
        for user in (self.staff_a, self.supervisor_a, self.auditor_a, self.auditor, self.supervisor_b, self.outsider):
            with self.subTest(user=user.username):
                with self.assertRaises(PermissionDenied):
                    services.transparency_settings_save(
                        agency=self.agency_a, actor=user, sections=["complaints"], suppression_threshold=10
                    )
                with self.assertRaises(PermissionDenied):
                    services.transparency_publish(agency=self.agency_a, actor=user)
                with self.assertRaises(PermissionDenied):
                    services.transparency_withdraw(agency=self.agency_a, actor=user)
        self.assertFalse(TransparencySettings.objects.exists())

    def test_publishing_records_who_and_when_in_history(self):
        row = publish(self.agency_a, self.admin_a)
        self.assertTrue(row.published)
        self.assertEqual(row.published_by, self.admin_a)
        self.assertIsNotNone(row.published_at)
        newest = row.history.order_by("-history_date").first()
        self.assertEqual(
            (newest.history_user, newest.history_change_reason, newest.published), (self.admin_a, "published", True)
        )
        services.transparency_withdraw(agency=self.agency_a, actor=self.admin_a)
        newest = row.history.order_by("-history_date").first()
        self.assertEqual((newest.history_change_reason, newest.published), ("withdrawn", False))
        self.assertEqual(TransparencySettings.objects.get().published_by, self.admin_a)  # the last publication stays

    def test_saving_changes_the_draft_only_until_it_is_published(self):
        publish(self.agency_a, self.admin_a, sections=["agreements", "outreach"], threshold=10)
        services.transparency_settings_save(
            agency=self.agency_a, actor=self.admin_a, sections=["complaints"], suppression_threshold=15
        )
        row = TransparencySettings.objects.get()
        self.assertEqual((row.sections, row.suppression_threshold), (["complaints"], 15))
        self.assertEqual((row.published_sections, row.published_threshold), (["agreements", "outreach"], 10))
        self.assertTrue(row.draft_differs)
        services.transparency_publish(agency=self.agency_a, actor=self.admin_a)
        row.refresh_from_db()
        self.assertEqual((row.published_sections, row.published_threshold), (["complaints"], 15))
        self.assertFalse(row.draft_differs)

    def test_withdrawing_keeps_the_live_copy(self):
        publish(self.agency_a, self.admin_a, sections=["outreach"], threshold=12)
        services.transparency_withdraw(agency=self.agency_a, actor=self.admin_a)
        row = TransparencySettings.objects.get()
        self.assertFalse(row.published)
        self.assertEqual((row.published_sections, row.published_threshold), (["outreach"], 12))

    def test_nothing_to_publish_and_double_publish_are_refused(self):
        with self.assertRaises(ValidationError):
            services.transparency_publish(agency=self.agency_a, actor=self.admin_a)
        publish(self.agency_a, self.admin_a)
        with self.assertRaises(ValidationError):
            services.transparency_publish(agency=self.agency_a, actor=self.admin_a)
        services.transparency_withdraw(agency=self.agency_a, actor=self.admin_a)
        with self.assertRaises(ValidationError):
            services.transparency_withdraw(agency=self.agency_a, actor=self.admin_a)


class TransparencySettingsPageTests(BaseTestCase):
    url = reverse("community:transparency_settings")
    preview = reverse("community:transparency_preview")

    def test_the_administrator_chooses_sections_and_threshold(self):
        sign_in(self.client, self.admin_a)
        page = self.client.get(self.url)
        self.assertContains(page, 'name="sections" value="detainers"')
        self.assertContains(page, 'name="suppression_threshold"')
        self.assertContains(page, "Not public.")
        response = self.client.post(self.url, {"sections": ["detainers", "complaints"], "suppression_threshold": "15"})
        self.assertRedirects(response, f"{self.url}?agency={self.agency_a.public_id}", fetch_redirect_response=False)
        row = TransparencySettings.objects.get(agency=self.agency_a)
        self.assertEqual((row.sections, row.suppression_threshold), (["detainers", "complaints"], 15))

    def test_a_threshold_below_5_is_refused_next_to_the_field(self):
        sign_in(self.client, self.admin_a)
        for value in ("4", "-1", "ten", "", "99999999999999999999"):
            with self.subTest(value=value):
                response = self.client.post(self.url, {"sections": ["complaints"], "suppression_threshold": value})
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, 'id="id_suppression_threshold-error"')
                self.assertContains(response, "Enter a whole number from 5 to 100")
        response = self.client.post(self.url, {"suppression_threshold": "10"})
        self.assertContains(response, "Choose at least one section to publish.")
        response = self.client.post(self.url, {"sections": ["names"], "suppression_threshold": "10"})
        self.assertContains(response, 'id="id_sections-error"')
        self.assertFalse(TransparencySettings.objects.exists())

    def test_preview_is_the_public_page_with_a_banner_for_supervisors_and_administrators(self):
        services.transparency_settings_save(
            agency=self.agency_a, actor=self.admin_a, sections=["complaints"], suppression_threshold=10
        )
        public = reverse("transparency:agency", args=[self.agency_a.public_id])
        self.assertEqual(self.client.get(public).status_code, 404)  # not published
        for user in (self.admin_a, self.supervisor_a):
            with self.subTest(user=user.username):
                sign_in(self.client, user)
                response = self.client.get(self.preview)
                self.assertContains(response, 'data-testid="preview-banner"')
                self.assertContains(response, "Preview — not public")
                self.assertContains(response, 'data-testid="section-complaints"')
                self.assertNotContains(response, 'data-testid="section-detainers"')
                self.assertIn("no-store", response["Cache-Control"])
        spanish = self.client.get(f"{self.preview}?language=es")
        self.assertContains(spanish, '<html lang="es">')
        self.assertContains(spanish, "Vista previa — no es pública")
        self.assertContains(spanish, "Quejas del público")
        self.assertContains(self.client.get(f"{self.preview}?language=xx"), '<html lang="en">')
        for user in (self.staff_a, self.auditor_a, self.outsider):
            with self.subTest(user=user.username):
                sign_in(self.client, user)
                self.assertEqual(self.client.get(self.preview).status_code, 404)
        # A supervisor of agency B asking for A's preview: 404 (B's own preview answers).
        sign_in(self.client, self.supervisor_b)
        self.assertEqual(self.client.get(f"{self.preview}?agency={self.agency_a.public_id}").status_code, 404)
        self.assertContains(self.client.get(self.preview), "Birch City")

    def test_settings_are_for_administrators_only(self):
        for user in (self.staff_a, self.supervisor_a, self.auditor_a, self.auditor, self.outsider):
            with self.subTest(user=user.username):
                sign_in(self.client, user)
                self.assertEqual(self.client.get(self.url).status_code, 404)
                response = self.client.post(self.url, {"sections": ["complaints"], "suppression_threshold": "10"})
                self.assertEqual(response.status_code, 404)
                self.assertEqual(self.client.post(reverse("community:transparency_publish")).status_code, 404)
        self.assertFalse(TransparencySettings.objects.exists())

    def test_publish_and_withdraw_from_the_settings_page_show_in_the_publication_history(self):
        sign_in(self.client, self.admin_a)
        self.client.post(self.url, {"sections": ["complaints"], "suppression_threshold": "10"})
        page = self.client.get(self.url)
        self.assertContains(page, 'data-testid="publish"')
        self.assertContains(page, 'data-testid="preview-link"')
        self.client.post(reverse("community:transparency_publish") + f"?agency={self.agency_a.public_id}")
        public = reverse("transparency:agency", args=[self.agency_a.public_id])
        self.client.logout()
        self.assertEqual(self.client.get(public).status_code, 200)
        sign_in(self.client, self.admin_a)
        page = self.client.get(self.url)
        self.assertContains(page, "Public.")
        self.assertContains(page, 'data-testid="withdraw"')
        self.assertNotContains(page, 'data-testid="draft-differs"')
        history = page.content.decode().split('data-testid="publication-history"')[1]
        self.assertIn("Published", history)
        self.assertIn("Settings created", history)
        self.assertIn("admin_a", history)
        self.assertIn("Complaints", history)  # the section's title, not its key
        confirm = self.client.get(reverse("community:transparency_withdraw") + f"?agency={self.agency_a.public_id}")
        self.assertContains(confirm, 'data-testid="withdraw-confirm"')
        self.assertEqual(self.client.get(public).status_code, 200)  # asking is not withdrawing
        self.client.post(reverse("community:transparency_withdraw"))
        self.assertContains(self.client.get(self.url), "Withdrawn")
        self.client.logout()
        self.assertEqual(self.client.get(public).status_code, 404)

    def test_a_saved_draft_stays_off_the_public_page_until_published(self):
        publish(self.agency_a, self.admin_a, sections=["outreach"])
        sign_in(self.client, self.admin_a)
        self.client.post(self.url, {"sections": ["complaints"], "suppression_threshold": "10"})
        page = self.client.get(self.url)
        self.assertContains(page, "Draft differs from what is public — preview, then publish.")
        preview = self.client.get(reverse("community:transparency_preview") + f"?agency={self.agency_a.public_id}")
        self.assertContains(preview, 'data-testid="section-complaints"')
        self.assertNotContains(preview, 'data-testid="section-outreach"')
        public = reverse("transparency:agency", args=[self.agency_a.public_id])
        self.client.logout()
        response = self.client.get(public)
        self.assertContains(response, 'data-testid="section-outreach"')
        self.assertNotContains(response, 'data-testid="section-complaints"')
        sign_in(self.client, self.admin_a)
        self.client.post(reverse("community:transparency_publish") + f"?agency={self.agency_a.public_id}")
        self.assertNotContains(self.client.get(self.url), 'data-testid="draft-differs"')
        self.client.logout()
        response = self.client.get(public)
        self.assertContains(response, 'data-testid="section-complaints"')
        self.assertNotContains(response, 'data-testid="section-outreach"')

    def test_publishing_with_nothing_saved_says_why(self):
        sign_in(self.client, self.admin_a)
        response = self.client.post(reverse("community:transparency_publish"), follow=True)
        self.assertContains(response, "Choose and save at least one section before publishing.")
        self.assertFalse(TransparencySettings.objects.exists())

    def test_the_dashboard_links_administrators_to_the_settings(self):
        sign_in(self.client, self.admin_a)
        self.assertContains(self.client.get(reverse("dashboard")), 'data-testid="transparency-settings-link"')
        sign_in(self.client, self.supervisor_a)
        self.assertNotContains(self.client.get(reverse("dashboard")), 'data-testid="transparency-settings-link"')
