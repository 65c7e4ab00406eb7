"""Daily corrective-action reminders: who is told, at most once, weekly when overdue, a failed mail retried."""

from datetime import UTC, date, datetime, timedelta

import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from compliance.celery import app as celery_app
from compliance.core.models import OutboundMail
from compliance.core.roles import Role
from incidents.corrective_actions import reminders
from incidents.corrective_actions.models import CorrectiveAction, CorrectiveActionReminder
from incidents.corrective_actions.services import corrective_action_add, corrective_action_complete
from incidents.incident_log.models import Incident
from tests.base import BaseTestCase, make_user
from tests.incidents.test_corrective_actions import make_case
from training.reminders.models import Notification

SECRET_DESCRIPTION = "Counsel Officer Quintanilla-Sentinel about complainant Zebulon Sentinel"


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 18, 0, tzinfo=UTC)  # noon in Chicago (agency A)


@override_settings(SITE_URL="https://compliance.example.test")
class CorrectiveActionReminderTests(BaseTestCase):
    def setUp(self):
        with time_machine.travel(noon(date(2026, 3, 1)), tick=False):
            self.case = make_case(self.agency_a, self.staff_a)
            Incident.objects.filter(pk=self.case.pk).update(title="Complaint by Zebulon Sentinel")
            self.case.refresh_from_db()
            self.action = corrective_action_add(
                incident=self.case,
                actor=self.supervisor_a,
                kind=CorrectiveAction.Kind.COUNSELLING,
                description=SECRET_DESCRIPTION,
                owner=self.staff_a,
                due_on=date(2026, 3, 20),
            )

    def run_on(self, day: date) -> dict:
        mail.outbox = []
        return reminders.send_corrective_action_reminders(now=noon(day))

    def recipients(self) -> list[str]:
        return sorted(message.to[0] for message in mail.outbox)

    def test_nothing_is_sent_more_than_seven_days_before_the_due_date(self):
        self.assertEqual(self.run_on(date(2026, 3, 12))["reminders"], 0)
        self.assertEqual(mail.outbox, [])

    def test_seven_days_before_the_owner_and_the_supervisors_are_told_once(self):
        result = self.run_on(date(2026, 3, 13))
        # The owner, the supervisor and the administrator (who also holds review_records); not the auditor.
        self.assertEqual(
            self.recipients(), ["admin_a@example.test", "staff_a@example.test", "supervisor_a@example.test"]
        )
        self.assertEqual(result, {"reminders": 3, "recipients": 3, "emails": 3, "failed": 0})
        [own] = [m for m in mail.outbox if m.to == ["staff_a@example.test"]]
        self.assertIn("A corrective action you own (counselling) is due on 2026-03-20, in 7 days.", own.body)
        self.assertIn(f"https://compliance.example.test/incidents/{self.case.public_id}/", own.body)
        self.assertEqual(Notification.objects.get(recipient=self.staff_a).link, f"/incidents/{self.case.public_id}/")
        self.assertEqual(Notification.objects.count(), 3)
        # Run again the same day, and on the following days before it is overdue: nothing more.
        for day in (date(2026, 3, 13), date(2026, 3, 14), date(2026, 3, 20)):
            self.assertEqual(self.run_on(day)["reminders"], 0)
            self.assertEqual(mail.outbox, [])

    def test_no_names_or_typed_text_in_mails_or_notifications(self):
        self.run_on(date(2026, 3, 13))
        self.run_on(date(2026, 3, 21))
        texts = [m.subject + m.body for m in mail.outbox] + list(Notification.objects.values_list("text", flat=True))
        for text in texts:
            self.assertNotIn("Sentinel", text)
            self.assertNotIn("Quintanilla", text)
            self.assertNotIn("staff_a", text.split("https://")[0])

    def test_overdue_reminders_repeat_weekly_at_most(self):
        sent_days = []
        for offset in range(0, 16):
            day = date(2026, 3, 21) + timedelta(days=offset)
            if self.run_on(day)["reminders"]:
                sent_days.append(day)
        self.assertEqual(sent_days, [date(2026, 3, 21), date(2026, 3, 28), date(2026, 4, 4)])
        own = CorrectiveActionReminder.objects.filter(recipient=self.staff_a, kind="overdue")
        self.assertEqual(own.count(), 3)

    def test_an_overdue_line_says_by_how_many_days(self):
        self.run_on(date(2026, 3, 23))
        [own] = [m for m in mail.outbox if m.to == ["staff_a@example.test"]]
        self.assertIn("was due on 2026-03-20: overdue by 3 days.", own.body)

    def test_a_done_action_is_not_reminded(self):
        with time_machine.travel(noon(date(2026, 3, 10)), tick=False):
            corrective_action_complete(
                action=self.action, actor=self.staff_a, evidence="Done", completed_on=date(2026, 3, 10)
            )
        self.assertEqual(self.run_on(date(2026, 3, 13))["reminders"], 0)

    def test_one_mail_per_recipient_per_day_listing_every_line(self):
        with time_machine.travel(noon(date(2026, 3, 1)), tick=False):
            corrective_action_add(
                incident=self.case,
                actor=self.supervisor_a,
                kind=CorrectiveAction.Kind.TRAINING,
                description="x",
                owner=self.staff_a,
                due_on=date(2026, 3, 14),
            )
        self.run_on(date(2026, 3, 13))
        own = [m for m in mail.outbox if m.to == ["staff_a@example.test"]]
        self.assertEqual(len(own), 1)
        self.assertIn("(training) is due on 2026-03-14, in 1 day.", own[0].body)
        self.assertIn("(counselling) is due on 2026-03-20, in 7 days.", own[0].body)
        self.assertEqual(Notification.objects.filter(recipient=self.staff_a).count(), 2)

    def test_inactive_people_are_not_told(self):
        self.supervisor_a.is_active = False
        self.supervisor_a.save()
        self.run_on(date(2026, 3, 13))
        self.assertEqual(self.recipients(), ["admin_a@example.test", "staff_a@example.test"])

    def test_other_agencies_supervisors_are_not_told(self):
        self.run_on(date(2026, 3, 13))
        self.assertNotIn("supervisor_b@example.test", self.recipients())

    def test_a_mail_server_down_keeps_the_claims_and_the_next_run_sends_each_mail_once(self):
        with (
            self.settings(EMAIL_BACKEND="tests.training.helpers.RefusingEmailBackend"),
            self.assertLogs(level="WARNING") as logs,
        ):
            result = self.run_on(date(2026, 3, 13))
        self.assertEqual(result, {"reminders": 0, "recipients": 0, "emails": 0, "failed": 3})
        # The reminders are recorded with their e-mail's claim before the send; the e-mails wait.
        self.assertEqual(CorrectiveActionReminder.objects.count(), 3)
        self.assertEqual(
            list(OutboundMail.objects.values_list("state", flat=True).distinct()), [OutboundMail.State.FAILED]
        )
        self.assertIn("ConnectionRefusedError", "".join(logs.output))
        self.assertNotIn("example.test", "".join(logs.output))
        notifications = Notification.objects.count()

        result = self.run_on(date(2026, 3, 14))
        self.assertEqual(result["emails"], 3)
        self.assertEqual(len(mail.outbox), 3)
        self.assertEqual(CorrectiveActionReminder.objects.filter(kind="due").count(), 3)
        self.assertEqual(Notification.objects.count(), notifications)

    def test_a_second_worker_racing_sends_nothing_more(self):
        plan = reminders.reminders_plan(now=noon(date(2026, 3, 13)))
        self.run_on(date(2026, 3, 13))
        mail.outbox = []
        # The second worker planned before the first wrote: the unique constraint stops it at each recipient.
        for recipient in plan:
            self.assertEqual(reminders.reminder_send(recipient=recipient, now=noon(date(2026, 3, 13))), (False, False))
        self.assertEqual(mail.outbox, [])
        self.assertEqual(CorrectiveActionReminder.objects.count(), 3)
        self.assertEqual(Notification.objects.count(), 3)

    def test_the_query_count_does_not_grow_with_actions(self):
        self.run_on(date(2026, 3, 13))  # the first batch is sent; later runs find nothing new to send

        with CaptureQueriesContext(connection) as small:
            self.run_on(date(2026, 3, 14))
        with time_machine.travel(noon(date(2026, 3, 1)), tick=False):
            for n in range(20):
                corrective_action_add(
                    incident=self.case,
                    actor=self.supervisor_a,
                    kind=CorrectiveAction.Kind.TRAINING,
                    description="x",
                    owner=make_user(f"owner_{n}", agency=self.agency_a, role=Role.STAFF),
                    due_on=date(2026, 3, 20),
                )
        CorrectiveActionReminder.objects.bulk_create(
            [
                CorrectiveActionReminder(
                    action=action,
                    recipient=action.owner,
                    kind="due",
                    for_date=date(2026, 3, 13),
                    sent_at=noon(date(2026, 3, 13)),
                )
                for action in CorrectiveAction.objects.exclude(pk=self.action.pk)
            ]
            + [
                CorrectiveActionReminder(
                    action=action,
                    recipient=user,
                    kind="due",
                    for_date=date(2026, 3, 13),
                    sent_at=noon(date(2026, 3, 13)),
                )
                for action in CorrectiveAction.objects.exclude(pk=self.action.pk)
                for user in (self.supervisor_a, self.admin_a)
            ]
        )
        with self.assertNumQueries(len(small.captured_queries)):
            self.assertEqual(self.run_on(date(2026, 3, 14))["reminders"], 0)

    def test_the_daily_task_is_scheduled_and_run_jobs_runs_it(self):
        celery_app.loader.import_default_modules()
        entry = celery_app.conf.beat_schedule["corrective-action-reminders"]
        task = celery_app.tasks[entry["task"]]
        with time_machine.travel(noon(date(2026, 3, 13)), tick=False):
            self.assertEqual(task.apply().get()["recipients"], 3)
        from io import StringIO

        out = StringIO()
        with time_machine.travel(noon(date(2026, 3, 21)), tick=False):
            call_command("run_jobs", stdout=out)
        self.assertIn("Corrective-action reminders: 3 reminders to 3 people (3 by e-mail), 0 failed.", out.getvalue())
