"""A change that can move a requirement's status re-checks it at once (no stale "MET" next to "Evidence now: NOT
MET" until the nightly job), and withdrawing a document is confirmed with a reason kept in its history."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from compliance.core.models import Agreement, AgreementRequirement, RequirementNotice, RequirementStatus
from compliance.moa import services
from compliance.moa.status import requirement_recheck, requirements_check
from tests.base import BaseTestCase, sign_in
from tests.compliance.moa_helpers import applied, today_of
from tests.compliance.test_permission_matrix import _tiny_png


class RecheckCase(BaseTestCase):
    def setUp(self):
        self.today = today_of(self.agency_a)
        Agreement.objects.filter(pk=self.agreement_a.pk).update(signed_on=self.today - timedelta(days=800))
        self.requirements = applied(self.agreement_a, self.admin_a)
        self.media = self.requirements["media-relations"]
        requirements_check(agency=self.agency_a)
        self.media.refresh_from_db()

    def attach(self, title="Media policy"):
        return services.document_attach(
            requirement=self.media,
            actor=self.supervisor_a,
            upload=SimpleUploadedFile("policy.png", _tiny_png()),
            title=title,
        )

    def client_of(self, user) -> Client:
        client = Client()
        sign_in(client, user)
        return client


class RecheckTests(RecheckCase):
    def test_attaching_a_document_rechecks_its_requirement_at_once(self):
        self.assertNotEqual(self.media.status, RequirementStatus.MET)
        rows = self.media.history.count()
        self.attach()
        self.media.refresh_from_db()
        self.assertEqual(self.media.status, RequirementStatus.MET)
        self.assertEqual(self.media.history.count(), rows + 1)
        self.assertEqual(self.media.history.first().history_user_id, self.supervisor_a.pk)

    def test_withdrawing_the_only_document_rechecks_and_raises_the_notice(self):
        document = self.attach()
        notices = RequirementNotice.objects.filter(requirement=self.media).count()
        services.document_withdraw(document=document, actor=self.supervisor_a, reason="Superseded")
        self.media.refresh_from_db()
        self.assertEqual(self.media.status, RequirementStatus.NOT_MET)
        self.assertEqual(RequirementNotice.objects.filter(requirement=self.media).count(), notices + 1)

    def test_a_recheck_that_changes_nothing_writes_no_history_row_and_no_notice(self):
        self.attach()
        self.media.refresh_from_db()
        rows = self.media.history.count()
        notices = RequirementNotice.objects.count()
        self.assertEqual(requirement_recheck(self.media), (False, False))
        self.media.refresh_from_db()
        self.assertEqual(self.media.status, RequirementStatus.MET)
        self.assertEqual(self.media.history.count(), rows)
        self.assertEqual(RequirementNotice.objects.count(), notices)

    def test_adding_a_custom_requirement_stores_its_status_at_once(self):
        requirement = services.requirement_add(
            agreement=self.agreement_a, actor=self.admin_a, title="Quarterly briefing", text="Brief the council."
        )
        requirement.refresh_from_db()
        self.assertEqual(requirement.status, RequirementStatus.NOT_MET)
        self.assertIsNotNone(requirement.checked_at)

    def test_editing_a_requirement_rechecks_it_and_an_inactive_one_is_not_checked(self):
        services.requirement_update(requirement=self.media, actor=self.admin_a, active=False)
        checked_at = AgreementRequirement.objects.get(pk=self.media.pk).checked_at
        self.attach()
        self.assertEqual(AgreementRequirement.objects.get(pk=self.media.pk).checked_at, checked_at)
        services.requirement_update(requirement=self.media, actor=self.admin_a, active=True)
        self.media.refresh_from_db()
        self.assertEqual(self.media.status, RequirementStatus.MET)


class WithdrawConfirmTests(RecheckCase):
    def test_withdraw_asks_for_confirmation_and_a_reason_kept_in_the_history(self):
        document = self.attach()
        url = reverse("moa:document_withdraw", args=[document.public_id])
        client = self.client_of(self.supervisor_a)
        page = client.get(url)
        self.assertContains(page, 'data-testid="withdraw-confirm"')
        self.assertContains(page, "Why is this document withdrawn?")
        document.refresh_from_db()
        self.assertIsNone(document.withdrawn_at)  # asking is not withdrawing
        refused = client.post(url, {"reason": "   "})
        self.assertContains(refused, "Enter why the document is withdrawn.")
        document.refresh_from_db()
        self.assertIsNone(document.withdrawn_at)
        response = client.post(url, {"reason": "Superseded by the 2026 policy"})
        self.assertEqual(response.status_code, 302)
        document.refresh_from_db()
        self.assertIsNotNone(document.withdrawn_at)
        self.assertEqual(
            document.history.first().history_change_reason,
            "Requirement document withdrawn: Superseded by the 2026 policy",
        )
        self.assertEqual(self.client_of(self.staff_a).get(url).status_code, 403)
        self.assertEqual(self.client_of(self.staff_b).get(url).status_code, 404)

    def test_the_checklist_links_to_the_confirmation_instead_of_withdrawing_in_one_click(self):
        document = self.attach()
        html = self.client_of(self.supervisor_a).get(reverse("moa:checklist", args=[self.agreement_a.public_id]))
        url = reverse("moa:document_withdraw", args=[document.public_id])
        self.assertContains(html, f'href="{url}"')
        self.assertNotContains(html, f'action="{url}"')
