"""Consular notification for people whose custody ended before the duty was done (DOMAIN.md R5.4–R5.6).

The duty runs from booking whether or not the person is still held: a national of a
mandatory-notification country released at 30 h without notification still gets the 72 h
finding. The 24 h warning goes only while the notification can still be made in time
(before 72 h). Detainers whose custody ended are swept within a bounded window (7 days).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.core.models import Finding
from incidents.consular import services as consular
from incidents.detainers import services
from incidents.detainers.models import Detainer
from tests.base import BaseTestCase
from tests.compliance.helpers import make_officer
from tests.incidents.helpers import make_detainer

BOOKED = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


def consular_findings(detainer) -> list[Finding]:
    return list(
        Finding.objects.filter(
            content_type=ContentType.objects.get_for_model(Detainer),
            object_id=detainer.pk,
            kind=Finding.Kind.CONSULAR_NOTIFICATION_OVERDUE,
        )
    )


class ReleasedBeforeNotificationTests(BaseTestCase):
    def setUp(self):
        self.detainer = self.booked(number=1, booked_at=BOOKED)
        mail.outbox.clear()

    def booked(self, *, number: int, booked_at: datetime, nationality: str = "China") -> Detainer:
        with time_machine.travel(booked_at + HOUR, tick=False):
            detainer = make_detainer(
                self.agency_a, actor=self.staff_a, number=number, booked_at=booked_at, received_at=booked_at + HOUR
            )
            return consular.consular_record(detainer=detainer, actor=self.staff_a, nationality=nationality)

    def end_custody(self, detainer: Detainer, after: timedelta, outcome: str = Detainer.Outcome.RELEASED, **extra):
        start = consular.clock_start(detainer)
        with time_machine.travel(start + after, tick=False):
            return services.detainer_record_outcome(
                detainer=detainer, actor=self.staff_a, outcome=outcome, outcome_at=start + after, **extra
            )

    def sweep(self, after: timedelta) -> dict:
        return consular.sweep_consular_notifications(now=BOOKED + after)

    # --- the 72 h finding --------------------------------------------------------------------

    def test_released_at_30h_no_finding_at_71h59_and_one_at_72h(self):
        self.end_custody(self.detainer, timedelta(hours=30))
        self.assertEqual(self.sweep(timedelta(hours=72) - MINUTE)["findings_opened"], 0)
        self.assertEqual(consular_findings(self.detainer), [])
        self.assertEqual(self.sweep(timedelta(hours=72))["findings_opened"], 1)
        [finding] = consular_findings(self.detainer)
        self.assertEqual(finding.opened_at, BOOKED + timedelta(hours=72))
        self.assertEqual(finding.status, Finding.Status.OPEN)
        self.assertEqual(finding.severity, Finding.Severity.HIGH)
        self.assertEqual(finding.agency, self.agency_a)
        self.assertIn("R5.5", finding.rule)
        self.assertIn("notify the consulate", finding.summary)
        self.assertIn("Custody has ended (released)", finding.summary)
        self.assertNotIn(self.detainer.subject_last_name, finding.summary)
        self.assertEqual(finding.history.first().history_user.username, "system")

    def test_every_ended_outcome_is_swept(self):
        ends = {
            Detainer.Outcome.TRANSFERRED: {},
            Detainer.Outcome.LIFTED: {"lift_reason": "Case Closed"},
        }
        for number, (outcome, extra) in enumerate(ends.items(), start=2):
            with self.subTest(outcome=outcome):
                detainer = self.booked(number=number, booked_at=BOOKED)
                self.end_custody(detainer, timedelta(hours=5), outcome=outcome, **extra)
        self.assertEqual(self.sweep(timedelta(hours=72))["findings_opened"], 3)  # the two and setUp's open one

    def test_the_sweep_runs_again_without_a_second_finding(self):
        self.end_custody(self.detainer, timedelta(hours=30))
        self.assertEqual(self.sweep(timedelta(hours=72))["findings_opened"], 1)
        self.assertEqual(self.sweep(timedelta(hours=72, minutes=15))["findings_opened"], 0)
        self.assertEqual(self.sweep(timedelta(days=6))["findings_opened"], 0)
        self.assertEqual(len(consular_findings(self.detainer)), 1)

    def test_notified_late_at_80h_the_open_finding_stays(self):
        self.end_custody(self.detainer, timedelta(hours=30))
        self.sweep(timedelta(hours=72))
        with time_machine.travel(BOOKED + timedelta(hours=80), tick=False):
            consular.consular_record(
                detainer=self.detainer,
                actor=self.staff_a,
                nationality="China",
                notified_at=BOOKED + timedelta(hours=80),
                method="fax",
                officer=make_officer(self.agency_a, 9),
            )
        self.assertEqual(self.sweep(timedelta(hours=81))["findings_opened"], 0)
        [finding] = consular_findings(self.detainer)
        self.assertEqual(finding.status, Finding.Status.OPEN)  # the violation happened; a supervisor resolves it
        self.assertIsNone(finding.resolved_at)

    def test_notified_after_release_but_before_72h_needs_nothing(self):
        self.end_custody(self.detainer, timedelta(hours=30))
        with time_machine.travel(BOOKED + timedelta(hours=40), tick=False):
            consular.consular_record(
                detainer=self.detainer,
                actor=self.staff_a,
                nationality="China",
                notified_at=BOOKED + timedelta(hours=40),
                method="email",
                officer=make_officer(self.agency_a, 9),
            )
        self.assertEqual(
            self.sweep(timedelta(hours=100)),
            {"warnings_sent": 0, "warnings_without_recipient": 0, "findings_opened": 0},
        )

    def test_a_non_mandatory_national_who_declined_before_release_needs_nothing(self):
        with time_machine.travel(BOOKED + timedelta(hours=3), tick=False):
            consular.consular_record(
                detainer=self.detainer,
                actor=self.staff_a,
                nationality="Mexico",
                advised_of_right_at=BOOKED + timedelta(hours=2),
                requested=False,
            )
        self.end_custody(self.detainer, timedelta(hours=30))
        self.assertEqual(self.sweep(timedelta(hours=100))["findings_opened"], 0)

    # --- the 24 h warning after release --------------------------------------------------------

    def test_released_at_10h_the_24h_warning_still_goes(self):
        self.end_custody(self.detainer, timedelta(hours=10))
        self.assertEqual(self.sweep(timedelta(hours=24) - MINUTE)["warnings_sent"], 0)
        self.assertEqual(self.sweep(timedelta(hours=24))["warnings_sent"], 1)
        self.assertEqual(self.sweep(timedelta(hours=30))["warnings_sent"], 0)
        [message] = mail.outbox
        self.assertEqual(message.to, ["admin_a@example.test", "supervisor_a@example.test"])
        self.assertIn(str(self.detainer.public_id), message.body)
        self.assertNotIn(self.detainer.subject_last_name, message.body + message.subject)
        self.detainer.refresh_from_db()
        self.assertEqual(self.detainer.consular_warned_at, BOOKED + timedelta(hours=24))

    def test_after_release_a_first_sweep_at_71h59_still_warns(self):
        self.end_custody(self.detainer, timedelta(hours=10))
        self.assertEqual(self.sweep(timedelta(hours=72) - MINUTE)["warnings_sent"], 1)

    def test_after_release_a_first_sweep_at_72h_opens_the_finding_without_a_warning(self):
        self.end_custody(self.detainer, timedelta(hours=10))
        self.assertEqual(
            self.sweep(timedelta(hours=72)),
            {"warnings_sent": 0, "warnings_without_recipient": 0, "findings_opened": 1},
        )
        self.assertEqual(mail.outbox, [])
        self.detainer.refresh_from_db()
        self.assertIsNone(self.detainer.consular_warned_at)  # no warning: too late to notify in time

    # --- the bounded window ----------------------------------------------------------------------

    def test_the_window_for_ended_custody_is_seven_days_from_the_clock_start(self):
        self.end_custody(self.detainer, timedelta(hours=30))
        older = self.booked(number=2, booked_at=BOOKED - MINUTE)
        self.end_custody(older, timedelta(hours=30))
        self.assertEqual(consular.released_window_start(BOOKED + timedelta(days=7)), BOOKED)
        self.assertEqual(self.sweep(timedelta(days=7))["findings_opened"], 1)  # clock start exactly 7 days ago
        self.assertEqual(len(consular_findings(self.detainer)), 1)
        self.assertEqual(consular_findings(older), [])  # 7 days and 1 minute: outside the window

    def test_an_open_detainer_is_swept_however_old_its_clock(self):
        self.assertEqual(self.sweep(timedelta(days=30))["findings_opened"], 1)

    def test_the_partial_index_matches_the_sweeps_filter(self):
        [index] = [index for index in Detainer._meta.indexes if index.name == "detainer_consular_due_idx"]
        self.assertEqual(index.condition, consular.outstanding_q())

    def test_queries_do_not_grow_per_row_beyond_a_constant(self):
        self.sweep(timedelta(hours=24))  # setUp's open detainer warned now, so it stays quiet below
        counts = {}
        number = 10
        for rows, start in ((1, timedelta(hours=0)), (2, timedelta(hours=1)), (4, timedelta(hours=2))):
            for _ in range(rows):
                number += 1
                detainer = self.booked(number=number, booked_at=BOOKED - timedelta(days=1) + start)
                self.end_custody(detainer, timedelta(hours=5))
            with CaptureQueriesContext(connection) as queries:
                result = consular.sweep_consular_notifications(
                    now=BOOKED - timedelta(days=1) + start + timedelta(hours=72)
                )
            self.assertEqual(result["findings_opened"], rows)
            counts[rows] = len(queries)
        per_row = counts[2] - counts[1]
        self.assertEqual(counts[4] - counts[2], 2 * per_row)
        self.assertLessEqual(per_row, 12)
