from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.test import override_settings

from compliance.celery import app as celery_app
from compliance.core.models import Agency, Finding
from compliance.core.roles import Role
from compliance.core.system_account import system_user
from incidents.detainers import services
from incidents.detainers.models import Detainer
from incidents.detainers.sweep import ALERT_REASON, FINDING_RULE, NO_RECIPIENT_REASON, sweep_hold_deadlines
from incidents.incident_log.models import Incident
from incidents.tasks import sweep_hold_deadlines_task
from tests.base import BaseTestCase, make_user, sign_in
from tests.incidents.helpers import make_detainer

CHICAGO = ZoneInfo("America/Chicago")
RELEASE_D4 = datetime(2026, 4, 10, 10, 0, tzinfo=CHICAGO)  # CDT
DEADLINE_D4 = datetime(2026, 4, 12, 15, 0, tzinfo=UTC)


def at(hour: int, minute: int = 0, day: int = 12) -> datetime:
    return datetime(2026, 4, day, hour, minute, tzinfo=UTC)


@override_settings(HOLD_DEADLINE_ALERT_HOURS=4, SITE_URL="https://compliance.example.test")
class HoldDeadlineSweepTests(BaseTestCase):
    def setUp(self):
        self.detainer = make_detainer(
            self.agency_a,
            actor=self.staff_a,
            subject_last_name="Zyxwvut",
            booking_number="BK-77777",
            would_be_released_at=RELEASE_D4,
        )

    def findings(self):
        return Finding.objects.filter(
            content_type=ContentType.objects.get_for_model(Detainer),
            object_id=self.detainer.pk,
            kind=Finding.Kind.HOLD_DEADLINE_PASSED,
        )

    def warnings(self):
        return [m for m in mail.outbox if m.subject.startswith("Hold deadline in")]

    def violations(self):
        return [m for m in mail.outbox if m.subject.startswith("Hold deadline passed")]

    def test_case_D4_deadline(self):
        self.assertEqual(self.detainer.hold_deadline, DEADLINE_D4)

    def test_case_D4_nothing_before_the_lead_time(self):
        for now in (at(0), at(10, 0), at(10, 59)):
            result = sweep_hold_deadlines(now=now)
            self.assertEqual(result["alerts_sent"], 0)
        self.assertEqual(mail.outbox, [])
        self.detainer.refresh_from_db()
        self.assertIsNone(self.detainer.deadline_alerted_at)
        self.assertFalse(self.findings().exists())

    def test_case_D4_exactly_one_alert_however_often_the_sweep_runs(self):
        result = sweep_hold_deadlines(now=at(11, 0))
        self.assertEqual(result["alerts_sent"], 1)
        for minute in range(15, 60 * 4, 15):  # every 15 minutes up to 14:45
            sweep_hold_deadlines(now=at(11) + timedelta(minutes=minute))
        sweep_hold_deadlines(now=at(15, 0))  # at the deadline: not past it yet
        self.assertEqual(len(self.warnings()), 1)
        self.assertEqual(self.violations(), [])
        self.assertFalse(self.findings().exists())

        [message] = self.warnings()
        self.assertEqual(sorted(message.to), sorted([self.supervisor_a.email, self.admin_a.email]))
        self.assertIn(f"https://compliance.example.test/detainers/{self.detainer.public_id}/", message.body)
        self.assertIn("2026-04-12 10:00 CDT", message.body)
        for secret in ("Zyxwvut", "BK-77777", "Alex"):
            self.assertNotIn(secret, message.body)
            self.assertNotIn(secret, message.subject)

        self.detainer.refresh_from_db()
        self.assertEqual(self.detainer.deadline_alerted_at, at(11, 0))
        latest = self.detainer.history.first()
        self.assertEqual(latest.history_user, system_user())
        self.assertEqual(latest.deadline_alerted_at, at(11, 0))
        self.assertEqual(latest.history_change_reason, ALERT_REASON)

    def test_case_D4_past_the_deadline_one_finding_and_one_incident(self):
        sweep_hold_deadlines(now=at(11, 0))
        for now in (at(15, 1), at(15, 15), at(16, 0), at(9, 0, day=13)):
            sweep_hold_deadlines(now=now)

        [finding] = self.findings()
        self.assertEqual(finding.severity, Finding.Severity.CRITICAL)
        self.assertEqual(finding.rule, FINDING_RULE)
        self.assertEqual(finding.rule, "R4.7–R4.8 48-hour hold limit")
        self.assertEqual(finding.agency, self.agency_a)
        self.assertEqual(finding.opened_at, at(15, 1))
        self.assertEqual(finding.record, self.detainer)
        self.assertNotIn("Zyxwvut", finding.summary)

        [incident] = Incident.objects.filter(detainer=self.detainer)
        self.assertEqual(incident.kind, Incident.Kind.HOLD_VIOLATION)
        self.assertEqual(incident.severity, Incident.Severity.CRITICAL)
        self.assertEqual(incident.agency, self.agency_a)
        self.assertEqual(incident.occurred_at, DEADLINE_D4)
        self.assertEqual(incident.history.first().history_user, system_user())
        self.assertEqual(finding.history.first().history_user, system_user())

        # One warning before, one "act now" notice after (R4.8: notify the supervisor).
        self.assertEqual(len(self.warnings()), 1)
        [notice] = self.violations()
        self.assertNotIn("Zyxwvut", notice.body)
        self.assertIn(str(self.detainer.public_id), notice.body)

    def test_a_first_run_after_the_deadline_sends_only_the_violation_notice(self):
        result = sweep_hold_deadlines(now=at(18, 0))
        self.assertEqual(result["findings_opened"], 1)
        self.assertEqual(self.warnings(), [])
        self.assertEqual(len(self.violations()), 1)
        sweep_hold_deadlines(now=at(18, 15))
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(self.findings().count(), 1)

    def test_an_outcome_before_the_deadline_stops_everything(self):
        sweep_hold_deadlines(now=at(11, 0))
        services.detainer_record_outcome(
            detainer=self.detainer, actor=self.staff_a, outcome="transferred", outcome_at=at(13, 0)
        )
        sweep_hold_deadlines(now=at(16, 0))
        self.assertEqual(len(mail.outbox), 1)
        self.assertFalse(self.findings().exists())
        self.assertFalse(Incident.objects.exists())

    def test_a_detainer_without_a_release_time_is_left_alone(self):
        make_detainer(self.agency_a, actor=self.staff_a, number=2)
        result = sweep_hold_deadlines(now=at(11, 0))
        self.assertEqual(result["alerts_sent"], 1)

    def test_only_the_owning_agencys_active_supervisors_are_told(self):
        self.supervisor_a.is_active = False
        self.supervisor_a.save()
        sweep_hold_deadlines(now=at(11, 0))
        [message] = self.warnings()
        self.assertEqual(message.to, [self.admin_a.email])
        for user in (self.staff_a, self.auditor_a, self.supervisor_b, self.auditor):
            self.assertNotIn(user.email, message.to)

    def test_an_agency_without_supervisors_is_counted_and_marked(self):
        lonely = Agency.objects.create(name="Lonely Town Police", state="TX", time_zone="America/Chicago")
        detainer = make_detainer(lonely, actor=self.staff_a, number=9, would_be_released_at=RELEASE_D4)
        result = sweep_hold_deadlines(now=at(11, 0))
        self.assertEqual((result["alerts_sent"], result["alerts_without_recipient"]), (1, 1))
        self.assertEqual(detainer.history.first().history_change_reason, NO_RECIPIENT_REASON)
        self.assertEqual(sweep_hold_deadlines(now=at(11, 15))["alerts_without_recipient"], 0)

    def test_each_agency_hears_about_its_own_detainer(self):
        make_detainer(self.agency_b, actor=self.staff_b, number=2, would_be_released_at=RELEASE_D4)
        sweep_hold_deadlines(now=at(11, 0))
        recipients = sorted(sorted(m.to) for m in self.warnings())
        expected = sorted([[self.supervisor_b.email], sorted([self.admin_a.email, self.supervisor_a.email])])
        self.assertEqual(recipients, expected)

    def test_an_idle_sweep_costs_the_same_whatever_the_size(self):
        for n in range(3):
            agency = Agency.objects.create(name=f"Extra agency {n}", state="TX", time_zone="America/Chicago")
            make_user(f"sup_extra_{n}", agency=agency, role=Role.SUPERVISOR)
            make_detainer(agency, actor=self.staff_a, number=10 + n, would_be_released_at=at(0, day=20))
        with self.assertNumQueries(2):
            sweep_hold_deadlines(now=at(0, day=1))

    def test_due_rows_in_many_agencies_look_up_supervisors_once(self):
        for n in range(3):
            agency = Agency.objects.create(name=f"Extra agency {n}", state="TX", time_zone="America/Chicago")
            make_user(f"sup_extra_{n}", agency=agency, role=Role.SUPERVISOR)
            make_detainer(agency, actor=self.staff_a, number=10 + n, would_be_released_at=RELEASE_D4)
        result = sweep_hold_deadlines(now=at(11, 0))
        self.assertEqual(result["alerts_sent"], 4)
        self.assertEqual(len(self.warnings()), 4)

    def test_the_task_runs_the_sweep_with_no_arguments(self):
        with time_machine.travel(at(11, 0), tick=False):
            result = sweep_hold_deadlines_task.delay().get()
        self.assertEqual(result["alerts_sent"], 1)

    def test_the_beat_schedule_names_this_task(self):
        names = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
        self.assertIn(sweep_hold_deadlines_task.name, names)
        self.assertEqual(sweep_hold_deadlines_task.name, "incidents.tasks.sweep_hold_deadlines_task")


@override_settings(HOLD_DEADLINE_ALERT_HOURS=4)
class ResolvingWhileStillHeldTests(BaseTestCase):
    def test_R4_8_a_passed_deadline_cannot_be_resolved_until_custody_ends(self):
        from django.core.exceptions import ValidationError

        from compliance.core import findings
        from incidents.detainers.finding_guards import STILL_HELD_MESSAGE

        detainer = make_detainer(self.agency_a, actor=self.staff_a, would_be_released_at=RELEASE_D4)
        sweep_hold_deadlines(now=at(15, 1))
        finding = Finding.objects.get(object_id=detainer.pk, kind=Finding.Kind.HOLD_DEADLINE_PASSED)
        with self.assertRaises(ValidationError) as caught:
            findings.finding_resolve(finding=finding, actor=self.supervisor_a, note="Dealt with.")
        self.assertEqual(caught.exception.message_dict, {"note": [STILL_HELD_MESSAGE]})
        self.assertEqual(Finding.objects.get(pk=finding.pk).status, Finding.Status.OPEN)
        services.detainer_record_outcome(
            detainer=detainer,
            actor=self.staff_a,
            outcome=Detainer.Outcome.RELEASED,
            outcome_at=at(15, 30),
            explanation="Released as soon as the finding was seen (invented).",
        )
        done = findings.finding_resolve(finding=finding, actor=self.supervisor_a, note="Released 15:30 UTC.")
        self.assertEqual(done.status, Finding.Status.RESOLVED)

    def test_the_finding_page_says_why_next_to_the_note_and_keeps_it(self):
        from django.urls import reverse

        from incidents.detainers.finding_guards import STILL_HELD_MESSAGE

        detainer = make_detainer(self.agency_a, actor=self.staff_a, would_be_released_at=RELEASE_D4)
        sweep_hold_deadlines(now=at(15, 1))
        finding = Finding.objects.get(object_id=detainer.pk, kind=Finding.Kind.HOLD_DEADLINE_PASSED)
        sign_in(self.client, self.supervisor_a)
        response = self.client.post(reverse("findings:resolve", args=[finding.public_id]), {"note": "Typed note."})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["resolve_form"].errors["note"], [STILL_HELD_MESSAGE])
        self.assertContains(response, "Typed note.")
        self.assertEqual(Finding.objects.get(pk=finding.pk).status, Finding.Status.OPEN)
