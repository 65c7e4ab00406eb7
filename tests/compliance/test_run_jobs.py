from datetime import UTC, datetime
from io import StringIO

import time_machine
from django.core.management import call_command

from compliance.core.models import Finding
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
