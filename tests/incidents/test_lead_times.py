"""Configurable warning lead times for the hold-deadline sweep (default 6 h and 2 h)."""

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import override_settings

from incidents.detainers import services
from incidents.detainers.lead_times import deadline_urgency, normalise_lead_hours, parse_lead_hours
from incidents.detainers.models import DeadlineAlert
from incidents.detainers.sweep import due_lead_hours, sweep_hold_deadlines
from tests.base import BaseTestCase
from tests.incidents.helpers import make_detainer

CHICAGO = ZoneInfo("America/Chicago")
RELEASE = datetime(2026, 4, 10, 10, 0, tzinfo=CHICAGO)  # CDT → deadline 2026-04-12 15:00 UTC
DEADLINE = datetime(2026, 4, 12, 15, 0, tzinfo=UTC)


def at(hour: int, minute: int = 0, day: int = 12) -> datetime:
    return datetime(2026, 4, day, hour, minute, tzinfo=UTC)


# --- parsing the setting ---


def test_default_is_six_and_two_hours():
    assert parse_lead_hours("") == (6, 2)
    assert parse_lead_hours("6,2") == (6, 2)


def test_the_project_default_setting_is_six_and_two():
    # Tests run without HOLD_DEADLINE_ALERT_HOURS in the environment unless someone set it.
    if "HOLD_DEADLINE_ALERT_HOURS" not in os.environ:
        assert settings.HOLD_DEADLINE_ALERT_HOURS == (6, 2)


def test_values_are_sorted_largest_first_without_duplicates():
    assert parse_lead_hours(" 2, 12 ,6,2") == (12, 6, 2)


def test_a_single_value_still_works():
    assert parse_lead_hours("4") == (4,)
    assert normalise_lead_hours(4) == (4,)
    assert normalise_lead_hours([2, 6]) == (6, 2)


@pytest.mark.parametrize("text", ["six", "6;2", "2.5", "-1", "6,,2", "0", "49"])
def test_bad_values_are_refused_with_the_value_named(text):
    with pytest.raises(ValueError) as caught:
        parse_lead_hours(text)
    message = str(caught.value)
    assert "hours" in message


def test_boundaries_one_and_forty_eight_hours():
    assert parse_lead_hours("48,1") == (48, 1)


def test_more_than_six_lead_times_are_refused():
    with pytest.raises(ValueError, match="at most 6"):
        parse_lead_hours("1,2,3,4,5,6,7")


def test_a_bad_environment_value_stops_the_process_with_a_clear_message():
    base = Path(settings.BASE_DIR)
    env = {**os.environ, "HOLD_DEADLINE_ALERT_HOURS": "6,soon", "DEBUG": "1"}
    env.pop("PYTEST_CURRENT_TEST", None)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='compliance.settings';"
            "from django.conf import settings; settings.HOLD_DEADLINE_ALERT_HOURS",
        ],
        cwd=base,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "HOLD_DEADLINE_ALERT_HOURS is not valid" in done.stderr
    assert "'soon'" in done.stderr
    assert "Traceback" not in done.stderr


# --- urgency colours on the custody board ---


def test_urgency_boundaries():
    leads = (6, 2)
    assert deadline_urgency(None, leads) == "unknown"
    assert deadline_urgency(-1, leads) == "overdue"
    assert deadline_urgency(0, leads) == "critical"
    assert deadline_urgency(2 * 3600, leads) == "critical"
    assert deadline_urgency(2 * 3600 + 1, leads) == "warning"
    assert deadline_urgency(6 * 3600, leads) == "warning"
    assert deadline_urgency(6 * 3600 + 1, leads) == "ok"


def test_due_lead_hours_boundaries():
    leads = (6, 2)
    assert due_lead_hours(DEADLINE, now=at(8, 59), leads=leads) == []
    assert due_lead_hours(DEADLINE, now=at(9, 0), leads=leads) == [6]
    assert due_lead_hours(DEADLINE, now=at(13, 0), leads=leads) == [6, 2]
    assert due_lead_hours(DEADLINE, now=at(15, 0), leads=leads) == []  # at the deadline: the violation's turn


# --- the sweep with two lead times ---


@override_settings(HOLD_DEADLINE_ALERT_HOURS=(6, 2), SITE_URL="https://compliance.example.test")
class TwoLeadTimesSweepTests(BaseTestCase):
    def setUp(self):
        self.detainer = make_detainer(self.agency_a, actor=self.staff_a, would_be_released_at=RELEASE)

    def warnings(self):
        return [m for m in mail.outbox if m.subject.startswith("Hold deadline in")]

    def test_one_warning_at_six_hours_and_one_at_two_hours_however_often_it_runs(self):
        self.assertEqual(sweep_hold_deadlines(now=at(8, 59))["alerts_sent"], 0)
        self.assertEqual(sweep_hold_deadlines(now=at(9, 0))["alerts_sent"], 1)
        for minute in range(15, 4 * 60, 15):  # 09:15 … 12:45
            sweep_hold_deadlines(now=at(9) + timedelta(minutes=minute))
        self.assertEqual(len(self.warnings()), 1)
        self.assertIn("6 h 00 min", self.warnings()[0].subject)

        self.assertEqual(sweep_hold_deadlines(now=at(13, 0))["alerts_sent"], 1)
        for minute in range(15, 2 * 60 + 1, 15):  # 13:15 … 15:00
            sweep_hold_deadlines(now=at(13) + timedelta(minutes=minute))
        self.assertEqual(len(self.warnings()), 2)
        self.assertIn("2 h 00 min", self.warnings()[1].subject)

        alerts = DeadlineAlert.objects.filter(detainer=self.detainer).order_by("-lead_hours")
        self.assertEqual(
            [(a.lead_hours, a.sent_at, a.hold_deadline) for a in alerts],
            [
                (6, at(9, 0), DEADLINE),
                (2, at(13, 0), DEADLINE),
            ],
        )
        self.assertEqual([a.recipient_count for a in alerts], [2, 2])
        self.detainer.refresh_from_db()
        self.assertEqual(self.detainer.deadline_alerted_at, at(13, 0))

    def test_first_seen_inside_both_lead_times_one_warning_records_both(self):
        self.assertEqual(sweep_hold_deadlines(now=at(14, 0))["alerts_sent"], 1)
        sweep_hold_deadlines(now=at(14, 15))
        self.assertEqual(len(self.warnings()), 1)
        self.assertEqual(
            sorted(DeadlineAlert.objects.filter(detainer=self.detainer).values_list("lead_hours", flat=True)), [2, 6]
        )

    def test_past_the_deadline_exactly_one_finding_and_no_late_warning(self):
        for now in (at(15, 1), at(15, 15), at(18, 0)):
            sweep_hold_deadlines(now=now)
        self.assertEqual(self.warnings(), [])
        self.assertEqual(self.detainer.incidents.count(), 1)
        self.assertFalse(DeadlineAlert.objects.exists())

    def test_a_moved_deadline_is_warned_afresh(self):
        sweep_hold_deadlines(now=at(9, 0))
        services.detainer_update(
            detainer=self.detainer, actor=self.staff_a, would_be_released_at=RELEASE + timedelta(hours=1)
        )
        self.assertEqual(sweep_hold_deadlines(now=at(10, 0))["alerts_sent"], 1)  # 6 h before the new deadline
        self.assertEqual(len(self.warnings()), 2)
        self.assertEqual(DeadlineAlert.objects.filter(detainer=self.detainer).count(), 2)

    def test_the_database_refuses_a_second_alert_for_the_same_lead_time(self):
        sweep_hold_deadlines(now=at(9, 0))
        with self.assertRaises(IntegrityError), transaction.atomic():
            DeadlineAlert.objects.create(detainer=self.detainer, lead_hours=6, hold_deadline=DEADLINE, sent_at=at(9, 5))

    def test_an_idle_sweep_with_two_lead_times_is_two_queries(self):
        with self.assertNumQueries(2):
            sweep_hold_deadlines(now=at(0, day=1))
