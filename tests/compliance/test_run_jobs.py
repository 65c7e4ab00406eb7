from datetime import UTC, datetime
from io import StringIO

import time_machine
from django.core.management import call_command

from compliance.core.models import Finding, RetentionPurge, RetentionSettings
from compliance.management.commands.run_jobs import Command as RunJobs
from incidents.detainers.models import Detainer
from incidents.incident_log.models import Incident
from tests.base import BaseTestCase
from tests.incidents.helpers import make_detainer


@time_machine.travel(datetime(2026, 4, 13, 12, 0, tzinfo=UTC), tick=False)
class RunJobsTests(BaseTestCase):
    def test_it_runs_every_scheduled_job_once_and_again_changes_nothing(self):
        # Released 2026-04-10 15:00 UTC: the 48-hour deadline passed on 2026-04-12.
        make_detainer(self.agency_a, actor=self.staff_a, would_be_released_at=datetime(2026, 4, 10, 15, 0, tzinfo=UTC))
        out = StringIO()
        call_command("run_jobs", stdout=out)
        self.assertIn("1 findings and 1 incidents opened", out.getvalue())
        call_command("run_jobs", stdout=StringIO())
        self.assertEqual(Finding.objects.filter(kind=Finding.Kind.HOLD_DEADLINE_PASSED).count(), 1)
        self.assertEqual(Incident.objects.filter(kind=Incident.Kind.HOLD_VIOLATION).count(), 1)


class RunJobsPurgeOutputTests(BaseTestCase):
    """Issue #14 trial item 11: the purge in --help, its counts per agency and kind, and a dry run."""

    def setUp(self):
        detainer = make_detainer(self.agency_a, actor=self.staff_a, number=1, subject_last_name="Keepme")
        Detainer.objects.filter(pk=detainer.pk).update(
            outcome=Detainer.Outcome.RELEASED, outcome_at=datetime(2020, 1, 1, tzinfo=UTC)
        )

    def test_help_names_the_retention_purge_and_the_preview(self):
        parser = RunJobs().create_parser("manage.py", "run_jobs")
        self.assertIn("retention purge", " ".join(parser.format_help().split()))
        self.assertIn("--purge-preview", parser.format_help())

    def test_the_preview_counts_per_agency_and_kind_and_changes_nothing(self):
        out = StringIO()
        call_command("run_jobs", "--purge-preview", stdout=out)
        text = out.getvalue()
        self.assertIn("Retention purge preview (nothing changed): 1 records or files would be purged", text)
        self.assertIn(f"{self.agency_a.name}: Detainer subjects' personal data 1", text)
        self.assertFalse(RetentionPurge.objects.exists())
        self.assertFalse(RetentionSettings.objects.exists())
        self.assertEqual(Detainer.objects.exclude(subject_last_name="").count(), 1)

    def test_the_run_prints_each_line_on_its_own_and_the_purge_per_kind(self):
        out = StringIO()
        call_command("run_jobs", stdout=out)
        text = out.getvalue()
        self.assertRegex(text, r"Commitment reminders \(in the same e-mails\): \d+\.\nSteering-committee sweep")
        self.assertNotIn("not reachable", text)  # no report was left queued
        self.assertIn(f"{self.agency_a.name}: Detainer subjects' personal data 1", text)
