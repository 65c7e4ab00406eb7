"""Commitment reminders in the daily follow-up run: who is told, once a day, weekly when overdue, catch-up, one
e-mail with corrective actions, no personal data, links that work, a failed mail retried. Real DB, mail.outbox."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from community.commitments import services
from community.commitments.models import Commitment, CommitmentReminder
from community.commitments.reminders import SOURCE
from community.outreach import services as outreach_services
from community.outreach.models import OutreachEvent
from compliance.core.models import OutboundMail
from compliance.core.roles import Role
from incidents.corrective_actions import reminders
from incidents.corrective_actions.models import CorrectiveAction, CorrectiveActionReminder
from incidents.corrective_actions.services import corrective_action_add
from tests.base import BaseTestCase, make_user, sign_in
from tests.incidents.test_corrective_actions import make_case
from training.reminders.models import Notification

SECRET = "Call back Zebulon Sentinel-Quintanilla about his brother's detainer"
SITE = "https://compliance.example.test"


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 18, 0, tzinfo=UTC)  # noon in Chicago (agency A)


@override_settings(SITE_URL=SITE)
class CommitmentReminderTests(BaseTestCase):
    def setUp(self):
        with time_machine.travel(noon(date(2026, 3, 1)), tick=False):
            self.event = outreach_services.outreach_event_create(
                agency=self.agency_a,
                actor=self.staff_a,
                kind=OutreachEvent.Kind.COMMUNITY_MEETING,
                title="Town hall with Zebulon Sentinel",
                held_on=date(2026, 3, 1),
            )
            self.commitment = services.commitment_create(
                agency=self.agency_a,
                actor=self.staff_a,
                description=SECRET,
                owner=self.staff_a,
                due_on=date(2026, 3, 20),
                event=self.event,
            )

    def run_on(self, day: date) -> dict:
        mail.outbox = []
        return reminders.send_corrective_action_reminders(now=noon(day))

    def recipients(self) -> list[str]:
        return sorted(message.to[0] for message in mail.outbox)

    def test_the_source_is_registered_once_by_the_community_app(self):
        self.assertEqual([s for s in reminders.REMINDER_SOURCES if s.section == "Commitments"], [SOURCE])
        reminders.register_reminder_source(SOURCE)
        self.assertEqual(len([s for s in reminders.REMINDER_SOURCES if s.section == "Commitments"]), 1)

    def test_nothing_more_than_seven_days_before_the_due_date(self):
        self.assertEqual(self.run_on(date(2026, 3, 12))["reminders"], 0)
        self.assertEqual(mail.outbox, [])

    def test_due_soon_reaches_the_owner_only_once(self):
        result = self.run_on(date(2026, 3, 13))
        self.assertEqual(self.recipients(), ["staff_a@example.test"])
        self.assertEqual(result, {"reminders": 1, "recipients": 1, "emails": 1, "failed": 0})
        [message] = mail.outbox
        self.assertIn("A commitment you own (made at an outreach event) is due on 2026-03-20, in 7 days.", message.body)
        self.assertIn(f"{SITE}/outreach/commitments/{self.commitment.public_id}/", message.body)
        self.assertIn(f"Your commitments: {SITE}/outreach/commitments/", message.body)
        self.assertEqual(message.subject, "287(g) follow-ups for 2026-03-13: 1 due or overdue")
        notification = Notification.objects.get()
        self.assertEqual(
            (notification.recipient, notification.agency, notification.link),
            (self.staff_a, self.agency_a, f"/outreach/commitments/{self.commitment.public_id}/"),
        )
        reminder = CommitmentReminder.objects.get()
        self.assertEqual((reminder.kind, reminder.for_date), ("due", date(2026, 3, 13)))
        for day in (date(2026, 3, 13), date(2026, 3, 14), date(2026, 3, 20)):
            self.assertEqual(self.run_on(day)["reminders"], 0)
            self.assertEqual(mail.outbox, [])

    def test_the_notification_link_opens_the_commitment_page(self):
        self.run_on(date(2026, 3, 13))
        sign_in(self.client, self.staff_a)
        response = self.client.get(Notification.objects.get().link)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Sentinel-Quintanilla")  # the page shows it; the reminder never did

    def test_overdue_reaches_the_owner_and_the_supervisors_weekly(self):
        sent, first = {}, None
        for offset in range(16):
            day = date(2026, 3, 21) + timedelta(days=offset)
            if self.run_on(day)["reminders"]:
                sent[day] = self.recipients()
                first = first or list(mail.outbox)
        everyone = ["admin_a@example.test", "staff_a@example.test", "supervisor_a@example.test"]
        self.assertEqual(sent, {date(2026, 3, 21): everyone, date(2026, 3, 28): everyone, date(2026, 4, 4): everyone})
        [supervisors] = [m for m in first if m.to == ["supervisor_a@example.test"]]
        self.assertIn(
            f"A commitment in {self.agency_a.name} (made at an outreach event) was due on 2026-03-20", supervisors.body
        )

    def test_catch_up_after_days_without_a_run(self):
        # No run until 2026-03-25: the first run sends the overdue reminder (the due-soon one is past).
        result = self.run_on(date(2026, 3, 25))
        self.assertEqual(result["reminders"], 3)
        [own] = [m for m in mail.outbox if m.to == ["staff_a@example.test"]]
        self.assertIn("was due on 2026-03-20: overdue by 5 days.", own.body)
        self.assertEqual(self.run_on(date(2026, 3, 26))["reminders"], 0)
        self.assertEqual(self.run_on(date(2026, 4, 1))["reminders"], 3)

    def test_no_names_or_typed_text_in_mails_or_notifications(self):
        self.run_on(date(2026, 3, 13))
        self.run_on(date(2026, 3, 21))
        texts = [m.subject + m.body for m in mail.outbox] + list(Notification.objects.values_list("text", flat=True))
        self.assertTrue(texts)
        for text in texts:
            self.assertNotIn("Sentinel", text)
            self.assertNotIn("Zebulon", text)
            self.assertNotIn("Town hall", text)
            self.assertNotIn("staff_a", text.split("https://")[0])

    def test_done_or_dropped_commitments_are_not_reminded(self):
        with time_machine.travel(noon(date(2026, 3, 10)), tick=False):
            services.commitment_complete(
                commitment=self.commitment, actor=self.staff_a, evidence="Done", completed_on=date(2026, 3, 10)
            )
        self.assertEqual(self.run_on(date(2026, 3, 13))["reminders"], 0)
        self.assertEqual(self.run_on(date(2026, 3, 21))["reminders"], 0)

    def test_an_item_without_an_owner_goes_to_the_supervisors(self):
        Commitment.objects.filter(pk=self.commitment.pk).update(owner=None)
        self.run_on(date(2026, 3, 13))
        self.assertEqual(self.recipients(), ["admin_a@example.test", "supervisor_a@example.test"])
        self.assertIn("A commitment without an owner in", mail.outbox[0].body)

    def test_an_inactive_owner_is_not_told(self):
        self.staff_a.is_active = False
        self.staff_a.save()
        self.assertEqual(self.run_on(date(2026, 3, 13))["reminders"], 0)

    def test_other_agencies_people_are_not_told(self):
        self.run_on(date(2026, 3, 21))
        self.assertNotIn("supervisor_b@example.test", self.recipients())
        self.assertNotIn("auditor_a@example.test", self.recipients())

    def test_the_day_is_the_agencys_own(self):
        # 2026-03-14 03:00 UTC is still 13 March in Chicago: 7 days before the due date, so it is due now.
        mail.outbox = []
        reminders.send_corrective_action_reminders(now=datetime(2026, 3, 13, 4, 0, tzinfo=UTC))
        self.assertEqual(mail.outbox, [])  # 12 March in Chicago: 8 days before
        reminders.send_corrective_action_reminders(now=datetime(2026, 3, 14, 3, 0, tzinfo=UTC))
        self.assertEqual(CommitmentReminder.objects.get().for_date, date(2026, 3, 13))

    def test_one_email_a_day_with_corrective_actions_and_commitments(self):
        with time_machine.travel(noon(date(2026, 3, 1)), tick=False):
            case = make_case(self.agency_a, self.staff_a)
            corrective_action_add(
                incident=case,
                actor=self.supervisor_a,
                kind=CorrectiveAction.Kind.COUNSELLING,
                description="x",
                owner=self.staff_a,
                due_on=date(2026, 3, 19),
            )
        self.run_on(date(2026, 3, 13))
        own = [m for m in mail.outbox if m.to == ["staff_a@example.test"]]
        self.assertEqual(len(own), 1)
        body = own[0].body
        self.assertIn("Corrective actions due or overdue on 2026-03-13 (agency date).", body)
        self.assertIn("A corrective action you own (counselling) is due on 2026-03-19, in 6 days.", body)
        self.assertIn("Commitments due or overdue on 2026-03-13 (agency date).", body)
        self.assertIn("A commitment you own (made at an outreach event) is due on 2026-03-20, in 7 days.", body)
        self.assertLess(body.index("Corrective actions"), body.index("Commitments due"))
        self.assertEqual(own[0].subject, "287(g) follow-ups for 2026-03-13: 2 due or overdue")
        self.assertEqual(Notification.objects.filter(recipient=self.staff_a).count(), 2)
        self.assertEqual(CorrectiveActionReminder.objects.filter(recipient=self.staff_a).count(), 1)
        self.assertEqual(CommitmentReminder.objects.filter(recipient=self.staff_a).count(), 1)

    def test_a_person_reminded_of_a_corrective_action_today_gets_the_commitment_tomorrow(self):
        with time_machine.travel(noon(date(2026, 3, 1)), tick=False):
            case = make_case(self.agency_a, self.staff_a)
            corrective_action_add(
                incident=case,
                actor=self.supervisor_a,
                kind=CorrectiveAction.Kind.COUNSELLING,
                description="x",
                owner=self.staff_a,
                due_on=date(2026, 3, 15),
            )
        Commitment.objects.filter(pk=self.commitment.pk).update(due_on=date(2026, 4, 1))
        self.run_on(date(2026, 3, 13))  # the corrective action only
        Commitment.objects.filter(pk=self.commitment.pk).update(due_on=date(2026, 3, 20))
        self.run_on(date(2026, 3, 13))  # a second run the same day: no second e-mail to staff_a
        self.assertNotIn("staff_a@example.test", self.recipients())
        self.run_on(date(2026, 3, 14))
        [own] = [m for m in mail.outbox if m.to == ["staff_a@example.test"]]
        self.assertIn("A commitment you own", own.body)

    def test_a_mail_server_down_keeps_the_claim_and_the_next_run_sends_the_mail_once(self):
        with (
            self.settings(EMAIL_BACKEND="tests.training.helpers.RefusingEmailBackend"),
            self.assertLogs("incidents.corrective_actions.reminders", "WARNING") as logs,
        ):
            result = self.run_on(date(2026, 3, 13))
        self.assertEqual(result, {"reminders": 0, "recipients": 0, "emails": 0, "failed": 1})
        # Recorded with the e-mail's claim before the send: the e-mail is what waits, not the reminder.
        self.assertEqual(CommitmentReminder.objects.count(), 1)
        self.assertEqual(Notification.objects.count(), 1)
        self.assertEqual(OutboundMail.objects.get().state, OutboundMail.State.FAILED)
        self.assertNotIn("example.test", "".join(logs.output))
        self.assertEqual(self.run_on(date(2026, 3, 14))["emails"], 1)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(OutboundMail.objects.get().state, OutboundMail.State.SENT)
        self.assertEqual(CommitmentReminder.objects.count(), 1)
        self.assertEqual(Notification.objects.count(), 1)

    def test_a_second_worker_racing_sends_nothing_more(self):
        plan = reminders.reminders_plan(now=noon(date(2026, 3, 13)))
        self.run_on(date(2026, 3, 13))
        mail.outbox = []
        for recipient in plan:
            self.assertEqual(reminders.reminder_send(recipient=recipient, now=noon(date(2026, 3, 13))), (False, False))
        self.assertEqual(mail.outbox, [])
        self.assertEqual(CommitmentReminder.objects.count(), 1)

    def test_the_query_count_does_not_grow_with_commitments(self):
        self.run_on(date(2026, 3, 13))
        with CaptureQueriesContext(connection) as small:
            self.run_on(date(2026, 3, 14))
        with time_machine.travel(noon(date(2026, 3, 1)), tick=False):
            for n in range(20):
                owner = make_user(f"owner_{n}", agency=self.agency_a, role=Role.STAFF)
                commitment = services.commitment_create(
                    agency=self.agency_a, actor=self.staff_a, description="x", owner=owner, due_on=date(2026, 3, 20)
                )
                CommitmentReminder.objects.create(
                    commitment=commitment,
                    recipient=owner,
                    kind="due",
                    for_date=date(2026, 3, 13),
                    sent_at=noon(date(2026, 3, 13)),
                )
        with self.assertNumQueries(len(small.captured_queries)):
            self.assertEqual(self.run_on(date(2026, 3, 14))["reminders"], 0)

    def test_run_jobs_sends_them(self):
        from io import StringIO

        out = StringIO()
        mail.outbox = []
        with time_machine.travel(noon(date(2026, 3, 21)), tick=False):
            call_command("run_jobs", stdout=out)
        self.assertIn("Commitment reminders (in the same e-mails): 3.", out.getvalue())
        self.assertEqual(CommitmentReminder.objects.filter(kind="overdue").count(), 3)
