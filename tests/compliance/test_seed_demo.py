"""``manage.py seed_demo``: invented demo data, idempotent, DEBUG only."""

from io import StringIO

from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

from community.models import OutreachEvent
from compliance.management.commands.seed_demo import DEMO_PASSWORD, REFUSE_MESSAGE
from compliance.models import Agency, Agreement, User
from incidents.models import Detainer, Incident
from tests.compliance.helpers import figure
from training.models import Certification, Officer


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@override_settings(DEBUG=True)
class SeedDemoTests(TestCase):
    def test_it_creates_three_agencies_in_three_zones_and_prints_logins(self):
        output = seed()
        self.assertEqual(Agency.objects.values("time_zone").distinct().count(), 3)
        self.assertEqual(set(Agreement.objects.values_list("model", flat=True)), {"JEM", "WSO", "TFM"})
        self.assertEqual(Officer.objects.count(), 45)
        for username in ("demo-staff", "demo-supervisor", "demo-auditor", "demo-admin"):
            self.assertIn(username, output)
            self.assertTrue(self.client.login(username=username, password=DEMO_PASSWORD))
        self.assertIn(DEMO_PASSWORD, output)

    def test_running_twice_adds_nothing(self):
        seed()
        counts = [m.objects.count() for m in (Agency, Agreement, User, Officer, Certification, Detainer, Incident)]
        officer_history = Officer.history.count()
        seed()
        again = [m.objects.count() for m in (Agency, Agreement, User, Officer, Certification, Detainer, Incident)]
        self.assertEqual(counts, again)
        self.assertEqual(Officer.history.count(), officer_history)  # no phantom changes either
        self.assertEqual(OutreachEvent.objects.count(), 9)

    def test_the_dashboard_shows_every_kind_of_figure(self):
        seed()
        self.client.login(username="demo-supervisor", password=DEMO_PASSWORD)
        response = self.client.get("/")
        self.assertEqual(figure(response, "officers-expiring-today"), "1")
        self.assertEqual(figure(response, "officers-expired"), "2")
        self.assertEqual(figure(response, "officers-missing"), "1")
        self.assertEqual(figure(response, "officers-current"), "9")
        self.assertEqual(figure(response, "detainers-overdue"), "1")
        self.assertEqual(figure(response, "detainers-upcoming"), "3")
        self.assertEqual(figure(response, "outreach-quarter"), "2")
        for severity in ("critical", "high", "medium", "low"):
            self.assertEqual(figure(response, f"incidents-open-{severity}"), "1")

    def test_the_auditor_sees_all_three_agencies(self):
        seed()
        auditor = User.objects.get(username="demo-auditor")
        from compliance.access import agencies_for

        self.assertEqual(agencies_for(auditor).count(), 3)

    def test_history_names_the_system_account(self):
        seed()
        officer = Officer.objects.first()
        entry = officer.history.get()
        self.assertEqual(entry.history_user.username, "system")
        self.assertEqual(entry.history_change_reason, "Demo data (seed_demo)")


@override_settings(DEBUG=False)
class SeedDemoRefusalTests(TestCase):
    def test_it_refuses_without_debug(self):
        with self.assertRaisesMessage(CommandError, REFUSE_MESSAGE):
            seed()
        self.assertFalse(Agency.objects.exists())
        self.assertFalse(User.objects.filter(username__startswith="demo-").exists())
