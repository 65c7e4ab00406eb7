"""Stored status: written only on change (one history row, no phantom rows), last met on, notices, the nightly
job once per local day, and the at-risk lines in the supervisors' digest (told once)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from compliance.core.models import (
    Agreement,
    AgreementRequirement,
    JobRun,
    RequirementNotice,
    RequirementNoticeDelivery,
    RequirementStatus,
)
from compliance.moa.status import requirements_check
from compliance.tasks import requirements_check_task
from tests.base import BaseTestCase
from tests.compliance.moa_helpers import applied, today_of
from training.reminders.models import Notification, ReminderDigest
from training.reminders.services import send_certification_reminders


class StatusTests(BaseTestCase):
    def setUp(self):
        self.today = today_of(self.agency_a)
        Agreement.objects.filter(pk=self.agreement_a.pk).update(signed_on=self.today - timedelta(days=800))
        self.requirements = applied(self.agreement_a, self.admin_a)
        self.duration = self.requirements["duration"]

    def test_first_check_stores_every_status_with_one_history_row_each(self):
        before = {r.pk: r.history.count() for r in self.requirements.values()}
        result = requirements_check(agency=self.agency_a)
        self.assertEqual(result.checked, len(self.requirements))
        self.assertEqual(result.changed, len(self.requirements))
        for requirement in AgreementRequirement.objects.filter(agreement=self.agreement_a):
            self.assertNotEqual(requirement.status, RequirementStatus.UNKNOWN)
            self.assertTrue(requirement.status_reason)
            self.assertIsNotNone(requirement.checked_at)
            self.assertEqual(requirement.history.count(), before[requirement.pk] + 1)

    def test_an_unchanged_recheck_writes_no_history_row_and_no_notice(self):
        requirements_check(agency=self.agency_a)
        rows = {r.pk: r.history.count() for r in AgreementRequirement.objects.filter(agreement=self.agreement_a)}
        notices = RequirementNotice.objects.count()
        result = requirements_check(agency=self.agency_a, now=timezone.now() + timedelta(hours=1))
        self.assertEqual(result.changed, 0)
        self.assertEqual(result.notices, 0)
        self.assertEqual(RequirementNotice.objects.count(), notices)
        for requirement in AgreementRequirement.objects.filter(agreement=self.agreement_a):
            self.assertEqual(requirement.history.count(), rows[requirement.pk], requirement.key)

    def test_a_status_change_is_one_history_row_with_the_new_status(self):
        requirements_check(agency=self.agency_a)
        self.duration.refresh_from_db()
        self.assertEqual(self.duration.status, RequirementStatus.MET)
        rows = self.duration.history.count()
        Agreement.objects.filter(pk=self.agreement_a.pk).update(expires_on=self.today + timedelta(days=30))
        later = timezone.now() + timedelta(hours=1)
        requirements_check(agency=self.agency_a, now=later)
        self.duration.refresh_from_db()
        self.assertEqual(self.duration.status, RequirementStatus.AT_RISK)
        self.assertEqual(self.duration.status_since, later)
        self.assertEqual(self.duration.history.count(), rows + 1)
        latest = self.duration.history.order_by("-history_date", "-history_id").first()
        self.assertEqual(latest.status, RequirementStatus.AT_RISK)
        self.assertEqual(latest.history_user.username, "system")

    def test_last_met_on_is_today_while_met_and_kept_when_it_stops(self):
        requirements_check(agency=self.agency_a)
        self.duration.refresh_from_db()
        self.assertEqual(self.duration.last_met_on, self.today)
        Agreement.objects.filter(pk=self.agreement_a.pk).update(status=Agreement.Status.TERMINATED)
        requirements_check(agency=self.agency_a, now=timezone.now() + timedelta(days=2))
        self.duration.refresh_from_db()
        self.assertEqual(self.duration.status, RequirementStatus.NOT_MET)
        self.assertEqual(self.duration.last_met_on, self.today)

    def test_a_change_to_at_risk_or_not_met_raises_one_notice(self):
        requirements_check(agency=self.agency_a)
        raised = RequirementNotice.objects.filter(requirement=self.duration).count()
        self.assertEqual(raised, 0)  # met: nothing to tell
        Agreement.objects.filter(pk=self.agreement_a.pk).update(expires_on=self.today + timedelta(days=30))
        requirements_check(agency=self.agency_a, now=timezone.now() + timedelta(hours=1))
        requirements_check(agency=self.agency_a, now=timezone.now() + timedelta(hours=2))
        notice = RequirementNotice.objects.get(requirement=self.duration)
        self.assertEqual(notice.status, RequirementStatus.AT_RISK)
        self.assertIn("expires on", notice.reason)

    def test_inactive_requirements_are_not_checked(self):
        AgreementRequirement.objects.filter(pk=self.duration.pk).update(active=False)
        result = requirements_check(agency=self.agency_a)
        self.assertEqual(result.checked, len(self.requirements) - 1)
        self.duration.refresh_from_db()
        self.assertEqual(self.duration.status, RequirementStatus.UNKNOWN)


class NightlyJobTests(BaseTestCase):
    def setUp(self):
        applied(self.agreement_a, self.admin_a)

    def test_the_nightly_check_runs_once_per_agency_and_local_day_from_05_00(self):
        # Alder County is on America/Chicago: 05:00 CST is 11:00 UTC.
        with time_machine.travel(datetime(2026, 12, 10, 10, 50, tzinfo=UTC), tick=False):
            self.assertEqual(requirements_check_task()["checked"], 0)
        with time_machine.travel(datetime(2026, 12, 10, 11, 50, tzinfo=UTC), tick=False):
            first = requirements_check_task()
        with time_machine.travel(datetime(2026, 12, 10, 12, 50, tzinfo=UTC), tick=False):
            second = requirements_check_task()
        self.assertGreater(first["checked"], 0)
        self.assertEqual(second["checked"], 0)
        self.assertEqual(JobRun.objects.filter(job="moa-requirements", agency=self.agency_a).count(), 1)


@override_settings(SITE_URL="https://compliance.example.test")
class DigestTests(BaseTestCase):
    def setUp(self):
        self.today = today_of(self.agency_a)
        requirements = applied(self.agreement_a, self.admin_a)
        self.checklist_path = f"/moa/{self.agreement_a.public_id}/"
        self.requirements = requirements

    def test_at_risk_and_not_met_requirements_reach_supervisors_and_administrators_once(self):
        result = requirements_check(agency=self.agency_a)
        self.assertGreater(result.notices, 0)
        sent = send_certification_reminders()
        self.assertEqual(sent.digests_sent, 2)  # supervisor_a and admin_a; staff and auditors get none
        recipients = sorted(message.to[0] for message in mail.outbox)
        self.assertEqual(recipients, ["admin_a@example.test", "supervisor_a@example.test"])
        body = mail.outbox[0].body
        self.assertIn("MOA checklist", body)
        self.assertIn(f"https://compliance.example.test{self.checklist_path}", body)
        self.assertIn("not met", body)
        notifications = Notification.objects.filter(recipient=self.supervisor_a)
        self.assertEqual(notifications.count(), result.notices)
        self.assertTrue(all(n.link == self.checklist_path for n in notifications))
        self.assertEqual(RequirementNoticeDelivery.objects.filter(recipient=self.supervisor_a).count(), result.notices)
        # Told once: the same day nothing more, the next day nothing either.
        self.assertEqual(send_certification_reminders().digests_sent, 0)
        self.assertEqual(send_certification_reminders(now=timezone.now() + timedelta(days=1)).digests_sent, 0)
        self.assertEqual(len(mail.outbox), 2)

    def test_a_recipient_who_already_had_todays_digest_is_told_the_next_day(self):
        ReminderDigest.objects.create(
            recipient=self.supervisor_a, sent_for_date=self.today, sent_at=timezone.now(), emailed=False
        )
        requirements_check(agency=self.agency_a)
        send_certification_reminders()
        self.assertEqual([m.to[0] for m in mail.outbox], ["admin_a@example.test"])
        send_certification_reminders(now=timezone.now() + timedelta(days=1))
        self.assertEqual(sorted(m.to[0] for m in mail.outbox), ["admin_a@example.test", "supervisor_a@example.test"])

    def test_digest_lines_carry_no_personal_data(self):
        requirements_check(agency=self.agency_a)
        send_certification_reminders()
        for message in mail.outbox:
            self.assertNotIn("Testperson", message.body)
            self.assertNotIn("Officerton", message.body)
        for notification in Notification.objects.all():
            self.assertTrue(notification.text.startswith("JEM — "))
