"""Issue 9 point 3: forms that never authorize a hold never look like they do (DOMAIN.md R4.1).

A Request for Voluntary Notification (I-247N), whatever its date, gets no hold deadline, no
custody-board countdown and no "authorized" verdict; recording a hold on one opens a critical
finding at once (incidents.detainers.checks.held_without_authority; incidents.detainers.rule_breaks).
"""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta

import time_machine
from django.apps import apps as django_apps
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from compliance.core.models import Finding
from incidents.detainer_log.rows import detainer_log_entries
from incidents.detainers import checks, services
from incidents.detainers.hold_verdict import NOTIFICATION_ONLY_TEXT, hold_verdict
from incidents.detainers.models import Detainer
from incidents.detainers.sweep import sweep_hold_deadlines
from tests.base import BaseTestCase, sign_in
from tests.incidents.helpers import local_datetime_post, make_detainer
from tests.incidents.test_detainer_export import csv_rows

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
RELEASE = datetime(2026, 6, 16, 15, 0, tzinfo=UTC)  # tomorrow 10:00 CDT
EXPLAINED = "Kept in the holding cell until ICE called back (invented)."


def hold_findings(detainer) -> list[tuple[str, str]]:
    rows = Finding.objects.filter(object_id=detainer.pk, kind=Finding.Kind.HOLD_WITHOUT_AUTHORITY)
    return list(rows.values_list("severity", "status"))


class NotificationOnlyTestCase(BaseTestCase):
    def setUp(self):
        traveller = time_machine.travel(NOW, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)

    def i247n(self, **fields) -> Detainer:
        values = {
            "form": Detainer.Form.I247N,
            "warrant_type": "",
            "warrant_signed": False,
            "received_at": NOW - timedelta(hours=3),
            "would_be_released_at": RELEASE,
        }
        values.update(fields)
        with self.captureOnCommitCallbacks(execute=True):
            return make_detainer(self.agency_a, actor=self.staff_a, **values)


class NoDeadlineTests(NotificationOnlyTestCase):
    def test_point_3_an_i247n_gets_no_hold_deadline_whatever_its_date(self):
        issued = {
            "issued before 2 April 2017": datetime(2016, 6, 1, 15, 0, tzinfo=UTC),
            "no issue date recorded": None,
        }
        for number, (case, issued_at) in enumerate(issued.items(), start=1):
            with self.subTest(case=case):
                detainer = self.i247n(number=number, issued_at=issued_at)
                self.assertEqual(detainer.would_be_released_at, RELEASE)
                self.assertIsNone(detainer.hold_deadline)
                self.assertFalse(checks.hold_authorized(detainer, at=NOW))
                [limit] = [
                    c for c in checks.detainer_checks(detainer, at=NOW) if c.name == "Within the 48-hour hold limit"
                ]
                self.assertIsNone(limit.passed)
                self.assertEqual(limit.message, "No hold on this form: release the person at 2026-06-16 10:00 CDT.")

    def test_point_3_changing_the_form_to_an_i247n_takes_the_deadline_away_and_back(self):
        detainer = make_detainer(self.agency_a, actor=self.staff_a, would_be_released_at=RELEASE)
        self.assertEqual(detainer.hold_deadline, RELEASE + timedelta(hours=48))
        detainer = services.detainer_update(detainer=detainer, actor=self.staff_a, form=Detainer.Form.I247N)
        self.assertIsNone(detainer.hold_deadline)
        detainer = services.detainer_update(detainer=detainer, actor=self.staff_a, form=Detainer.Form.I247A)
        self.assertEqual(detainer.hold_deadline, RELEASE + timedelta(hours=48))

    def test_point_3_the_detainer_page_gives_no_authorized_verdict_and_no_deadline(self):
        detainer = self.i247n()
        verdict = hold_verdict(detainer, checks.detainer_checks(detainer, at=NOW), at=NOW)
        self.assertEqual(
            (verdict.authorized, verdict.notification_only, verdict.text, verdict.reason),
            (False, True, NOTIFICATION_ONLY_TEXT, None),
        )
        sign_in(self.client, self.staff_a)
        response = self.client.get(reverse("incidents:detainer_detail", args=[detainer.public_id]))
        self.assertContains(response, 'data-authorized="notification-only"')
        self.assertContains(response, "None: this form never authorizes a hold (R4.1)")
        self.assertNotContains(response, "Hold authorized")
        self.assertNotContains(response, "No hold authorized")

    def test_point_3_the_custody_board_shows_no_countdown_and_no_authorized_verdict(self):
        detainer = self.i247n(booking_number="BK-247N")
        sign_in(self.client, self.staff_a)
        response = self.client.get(reverse("incidents:custody_board"))
        [row] = [row for row in response.context["board"] if row["detainer"].pk == detainer.pk]
        self.assertEqual((row["notification_only"], row["hold_authorized"]), (True, False))
        html = response.content.decode()
        cells = html[html.index("BK-247N") : html.index("</tr>", html.index("BK-247N"))]
        self.assertIn("No hold: I-247N (notification only)", cells)
        self.assertIn("Notification only", cells)
        self.assertNotIn(">Yes<", cells)
        self.assertNotIn(">No<", cells)
        self.assertNotIn(" h<", cells)  # no time remaining

    def test_point_3_the_detainer_log_export_never_says_authorized(self):
        detainer = self.i247n(booking_number="BK-247N")
        [entry] = detainer_log_entries(Detainer.objects.filter(pk=detainer.pk), at=NOW)
        self.assertEqual((entry.notification_only, entry.hold_authorized, entry.blocking_failures), (True, False, []))
        sign_in(self.client, self.supervisor_a)
        response = self.client.get(reverse("incidents:detainer_export"), {"agency": str(self.agency_a.public_id)})
        [row] = [row for row in csv_rows(response) if row["booking_number"] == "BK-247N"]
        self.assertEqual((row["hold_authorized"], row["failing_rules"], row["hold_deadline"]), ("no", "R4.1", ""))


class HoldRecordedTests(NotificationOnlyTestCase):
    def test_point_3_recording_a_hold_on_an_i247n_opens_a_critical_finding_at_once(self):
        passed = NOW - timedelta(hours=5)  # state custody would have ended five hours ago; no outcome
        with self.assertRaises(ValidationError) as caught:
            self.i247n(would_be_released_at=passed)
        [message] = caught.exception.message_dict["explanation"]
        self.assertIn("still held on a form that cannot authorize a hold", message)
        self.assertFalse(Detainer.objects.exists())
        detainer = self.i247n(would_be_released_at=passed, explanation=EXPLAINED)
        self.assertEqual(hold_findings(detainer), [(Finding.Severity.CRITICAL, Finding.Status.OPEN)])
        [alert] = mail.outbox
        self.assertIn("Hold on a form that cannot authorize one", alert.body)
        [limit] = [c for c in checks.detainer_checks(detainer, at=NOW) if c.name == "Within the 48-hour hold limit"]
        self.assertFalse(limit.passed)
        verdict = hold_verdict(detainer, checks.detainer_checks(detainer, at=NOW), at=NOW)
        self.assertTrue(verdict.notification_only)
        self.assertIn("Release the person now (R4.1)", verdict.text)

    def after_release(self) -> Detainer:
        """An I-247N logged before its release time (no hold yet); the clock then moves 5 hours past it."""
        detainer = self.i247n()
        traveller = time_machine.travel(RELEASE + timedelta(hours=5), tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)
        return detainer

    def test_point_3_custody_ended_after_the_release_time_opens_it_at_once_and_asks_why(self):
        detainer = self.after_release()
        self.assertEqual(hold_findings(detainer), [])  # the release time was still ahead when it was logged
        late = RELEASE + timedelta(hours=1)
        with self.assertRaises(ValidationError):
            services.detainer_record_outcome(
                detainer=detainer, actor=self.staff_a, outcome=Detainer.Outcome.TRANSFERRED, outcome_at=late
            )
        with self.captureOnCommitCallbacks(execute=True):
            done = services.detainer_record_outcome(
                detainer=detainer,
                actor=self.staff_a,
                outcome=Detainer.Outcome.TRANSFERRED,
                outcome_at=late,
                explanation=EXPLAINED,
            )
        self.assertEqual(done.explanation, EXPLAINED)
        self.assertEqual(hold_findings(detainer), [(Finding.Severity.CRITICAL, Finding.Status.OPEN)])
        self.assertEqual(len(mail.outbox), 1)

    def test_point_3_a_release_at_the_release_time_is_no_hold(self):
        detainer = self.after_release()
        services.detainer_record_outcome(
            detainer=detainer, actor=self.staff_a, outcome=Detainer.Outcome.RELEASED, outcome_at=RELEASE
        )
        self.assertEqual(hold_findings(detainer), [])

    def test_point_3_the_board_quick_action_asks_why_then_records_it(self):
        detainer = self.after_release()
        sign_in(self.client, self.staff_a)
        url = reverse("incidents:custody_action", args=[detainer.public_id, "release"])
        data = local_datetime_post("outcome_at", "2026-06-16", "11:00")  # one hour after the 10:00 CDT release
        asked = self.client.post(url, data)
        self.assertEqual(asked.status_code, 200)
        [message] = asked.context["form"].errors["explanation"]
        self.assertIn("held on a form that cannot authorize a hold", message)
        response = self.client.post(url, {**data, "explanation": EXPLAINED}, follow=True)
        self.assertContains(response, "cannot authorize a hold (I-247N): a critical finding was opened")
        self.assertEqual(hold_findings(detainer), [(Finding.Severity.CRITICAL, Finding.Status.OPEN)])

    def test_point_3_the_sweep_opens_it_once_when_the_release_time_passes_with_the_person_still_held(self):
        detainer = self.i247n()
        self.assertEqual(sweep_hold_deadlines(now=RELEASE)["holds_without_authority"], 0)
        later = RELEASE + timedelta(minutes=1)
        self.assertEqual(sweep_hold_deadlines(now=later)["holds_without_authority"], 1)
        self.assertEqual(sweep_hold_deadlines(now=later + timedelta(minutes=15))["holds_without_authority"], 0)
        self.assertEqual(hold_findings(detainer), [(Finding.Severity.CRITICAL, Finding.Status.OPEN)])
        [alert] = mail.outbox
        self.assertEqual(sorted(alert.to), sorted([self.supervisor_a.email, self.admin_a.email]))
        self.assertNotIn(detainer.subject_last_name, alert.body)
        self.assertNotIn(detainer.booking_number, alert.body)

    def test_point_3_an_i247n_saved_with_a_deadline_before_this_rule_loses_it_in_the_migration(self):
        detainer = self.i247n()
        Detainer.objects.filter(pk=detainer.pk).update(hold_deadline=RELEASE + timedelta(hours=48))
        migration = importlib.import_module("incidents.migrations.0019_notification_only_forms_have_no_hold_deadline")
        migration.clear_deadlines(django_apps, None)
        detainer.refresh_from_db()
        self.assertIsNone(detainer.hold_deadline)
        self.assertEqual(detainer.history.first().history_change_reason, migration.REASON)
