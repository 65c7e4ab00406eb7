"""R4.6 (notify DHS at least 48 h before release) and R4.9 (local authority to hold): checks and the sweep."""

from datetime import UTC, datetime, timedelta

from django.core import mail
from django.test import override_settings

from compliance.celery import app as celery_app
from incidents.detainers import checks, services
from incidents.detainers.choices import PCBasis
from incidents.detainers.models import Detainer, ReleaseNoticeAlert
from incidents.detainers.release_notice import (
    check_ice_notified_before_release,
    check_local_hold_authority,
    sweep_release_notices,
)
from tests.base import BaseTestCase
from tests.incidents.helpers import make_detainer

RELEASE = datetime(2026, 4, 10, 15, 0, tzinfo=UTC)  # 10:00 CDT in Chicago


def check_named(detainer, name, at):
    return next(c for c in checks.detainer_checks(detainer, at=at) if c.name == name)


class IceNotifiedCheckTests(BaseTestCase):
    def setUp(self):
        self.detainer = make_detainer(
            self.agency_a,
            actor=self.staff_a,
            would_be_released_at=RELEASE,
            local_hold_authority="Invented Code 1",
            issued_at=RELEASE - timedelta(days=3),
            received_at=RELEASE - timedelta(days=3),
            box_1_probable_cause=True,
            pc_basis=[PCBasis.FINAL_ORDER],
        )

    def test_not_due_more_than_48_hours_before_release(self):
        check = check_ice_notified_before_release(self.detainer, RELEASE - timedelta(hours=48, seconds=1))
        self.assertIsNone(check.passed)
        self.assertIn("by 2026-04-08 10:00 CDT", check.message)

    def test_fails_from_exactly_48_hours_before_release_when_not_notified(self):
        check = check_ice_notified_before_release(self.detainer, RELEASE - timedelta(hours=48))
        self.assertIs(check.passed, False)
        self.assertIn("has not been notified", check.message)
        self.assertFalse(check.blocks_hold)

    def test_registered_on_the_record_and_never_blocks_a_hold(self):
        at = RELEASE - timedelta(hours=1)
        names = [c.name for c in checks.detainer_checks(self.detainer, at=at)]
        self.assertIn("ICE notified before release", names)
        self.assertIn("Local authority to hold recorded", names)
        served = services.detainer_record_service(
            detainer=self.detainer,
            actor=self.staff_a,
            served_on_subject_at=RELEASE - timedelta(hours=60),
            served_by="Dep. Invented",
            service_language="English",
            interpreter_used=False,
        )
        self.assertIs(check_named(served, "ICE notified before release", at).passed, False)
        self.assertTrue(checks.hold_authorized(served, at=at))

    def test_notified_48_hours_ahead_passes_with_the_lead_time(self):
        self.detainer.ice_notified_at = RELEASE - timedelta(hours=50)
        check = check_ice_notified_before_release(self.detainer, RELEASE)
        self.assertIs(check.passed, True)
        self.assertIn("2 d 2 h before release", check.message)

    def test_notified_late_passes_but_says_so(self):
        self.detainer.ice_notified_at = RELEASE - timedelta(hours=5)
        check = check_ice_notified_before_release(self.detainer, RELEASE)
        self.assertIs(check.passed, True)
        self.assertIn("only 5 h 00 min before release", check.message)

    def test_a_notice_recorded_for_the_future_does_not_count_yet(self):
        self.detainer.ice_notified_at = RELEASE - timedelta(hours=1)
        self.assertIs(check_ice_notified_before_release(self.detainer, RELEASE - timedelta(hours=2)).passed, False)

    def test_release_time_unknown_is_not_applicable(self):
        self.detainer.would_be_released_at = None
        self.assertIsNone(check_ice_notified_before_release(self.detainer, RELEASE).passed)


class LocalAuthorityCheckTests(BaseTestCase):
    def test_blank_authority_fails_without_blocking(self):
        detainer = make_detainer(self.agency_a, actor=self.staff_a)
        check = check_local_hold_authority(detainer, RELEASE)
        self.assertIs(check.passed, False)
        self.assertFalse(check.blocks_hold)
        self.assertIn("request, not an order", check.message)

    def test_whitespace_is_not_an_authority(self):
        detainer = make_detainer(self.agency_a, actor=self.staff_a, local_hold_authority="   ")
        self.assertIs(check_local_hold_authority(detainer, RELEASE).passed, False)

    def test_recorded_authority_passes_and_is_quoted(self):
        detainer = make_detainer(self.agency_a, actor=self.staff_a, local_hold_authority="Invented Stat. § 12-3")
        check = check_local_hold_authority(detainer, RELEASE)
        self.assertIs(check.passed, True)
        self.assertEqual(check.message, "Relies on: Invented Stat. § 12-3")

    def test_an_i247n_requests_no_hold(self):
        detainer = make_detainer(self.agency_a, actor=self.staff_a, form=Detainer.Form.I247N)
        self.assertIsNone(check_local_hold_authority(detainer, RELEASE).passed)


@override_settings(SITE_URL="https://compliance.example.test")
class ReleaseNoticeSweepTests(BaseTestCase):
    def setUp(self):
        self.detainer = make_detainer(
            self.agency_a,
            actor=self.staff_a,
            subject_last_name="Qwertyuiop",
            booking_number="BK-31337",
            would_be_released_at=RELEASE,
        )

    def notices(self):
        return [m for m in mail.outbox if m.subject == "Release near: notify ICE"]

    def test_nothing_before_48_hours(self):
        result = sweep_release_notices(now=RELEASE - timedelta(hours=48, seconds=1))
        self.assertEqual(result, {"notices_due_sent": 0, "notices_due_without_recipient": 0})
        self.assertEqual(self.notices(), [])

    def test_one_warning_from_48_hours_however_often_it_runs(self):
        for hours in (48, 47, 30, 1):
            sweep_release_notices(now=RELEASE - timedelta(hours=hours))
        self.assertEqual(len(self.notices()), 1)
        self.assertEqual(ReleaseNoticeAlert.objects.filter(detainer=self.detainer).count(), 1)
        message = self.notices()[0]
        self.assertEqual(message.to, sorted([self.admin_a.email, self.supervisor_a.email]))
        self.assertIn("2026-04-10 10:00 CDT", message.body)
        self.assertIn(str(self.detainer.public_id), message.body)
        self.assertNotIn("Qwertyuiop", message.body + message.subject)
        self.assertNotIn("BK-31337", message.body + message.subject)

    def test_a_changed_release_time_warns_afresh(self):
        sweep_release_notices(now=RELEASE - timedelta(hours=40))
        later = services.detainer_update(
            detainer=self.detainer, actor=self.staff_a, would_be_released_at=RELEASE + timedelta(hours=24)
        )
        sweep_release_notices(now=RELEASE - timedelta(hours=10))
        self.assertEqual(len(self.notices()), 2)
        self.assertEqual(
            set(ReleaseNoticeAlert.objects.filter(detainer=later).values_list("release_at", flat=True)),
            {RELEASE, RELEASE + timedelta(hours=24)},
        )

    def test_no_warning_once_ice_was_notified(self):
        services.detainer_record_ice_notified(
            detainer=self.detainer, actor=self.staff_a, ice_notified_at=RELEASE - timedelta(hours=72)
        )
        self.assertEqual(sweep_release_notices(now=RELEASE - timedelta(hours=10))["notices_due_sent"], 0)
        self.assertEqual(self.notices(), [])

    def test_no_warning_after_custody_ended_or_past_the_hold_deadline(self):
        services.detainer_record_outcome(
            detainer=self.detainer,
            actor=self.staff_a,
            outcome=Detainer.Outcome.RELEASED,
            outcome_at=RELEASE - timedelta(hours=60),
        )
        self.assertEqual(sweep_release_notices(now=RELEASE - timedelta(hours=10))["notices_due_sent"], 0)
        other = make_detainer(self.agency_a, actor=self.staff_a, number=2, would_be_released_at=RELEASE)
        self.assertEqual(sweep_release_notices(now=other.hold_deadline)["notices_due_sent"], 0)

    def test_agency_without_supervisor_is_counted_and_marked(self):
        detainer = make_detainer(self.agency_b, actor=self.staff_b, number=3, would_be_released_at=RELEASE)
        self.supervisor_b.is_active = False
        self.supervisor_b.save()
        result = sweep_release_notices(now=RELEASE - timedelta(hours=2))
        self.assertEqual(result, {"notices_due_sent": 1, "notices_due_without_recipient": 1})
        self.assertTrue(ReleaseNoticeAlert.objects.filter(detainer=detainer).exists())

    def test_beat_runs_the_sweep(self):
        entries = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
        self.assertIn("incidents.tasks.sweep_release_notices_task", entries)
