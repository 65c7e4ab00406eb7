"""``manage.py seed_demo``: invented demo data, idempotent, DEBUG only."""

from io import StringIO

from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

from community.models import (
    Commitment,
    CommitteeDecision,
    CommitteeMeeting,
    CommitteeMember,
    CommitteeRequirement,
    MeetingAttendance,
    OutreachEvent,
)
from community.steering_committee.sweep import sweep_steering_committee
from compliance.core import access
from compliance.core.models import Agency, Agreement, User
from compliance.management.commands.seed_demo import CASES, DEMO_PASSWORD, REFUSE_MESSAGE
from incidents.detainers.checks import check_handling_officer_authorized
from incidents.detainers.models import Detainer
from incidents.incident_log.models import Incident
from tests.base import sign_in
from tests.compliance.helpers import figure
from training.requirements.models import TrainingRequirement
from training.roster.lapses import LAPSE_REASON
from training.roster.models import Certification, Officer, OfficerTrainingFacts
from training.roster.rules import agency_today
from training.roster.selectors import roster_page_status_counts, roster_status_counts


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
            self.assertTrue(User.objects.get(username=username).check_password(DEMO_PASSWORD))
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
        # Three at the first agency's events, and the action item of its earlier committee meeting (the demo staff,
        # its owner, works there only: no commitment is owned by someone who cannot open it).
        self.assertEqual(Commitment.objects.count(), 4)
        self.assertEqual(Commitment.history.count(), 4)  # no phantom changes
        for commitment in Commitment.objects.select_related("owner", "agency"):
            self.assertTrue(access.can(commitment.owner, access.CHANGE, commitment.agency))

    def test_the_demo_committee_meets_every_quarter_and_running_twice_adds_nothing(self):
        seed()
        agency = Agency.objects.order_by("pk").first()
        counts = [m.objects.count() for m in (CommitteeMember, CommitteeMeeting, MeetingAttendance, CommitteeDecision)]
        seed()
        again = [m.objects.count() for m in (CommitteeMember, CommitteeMeeting, MeetingAttendance, CommitteeDecision)]
        self.assertEqual(counts, again)
        meetings = CommitteeMeeting.objects.filter(agency=agency)
        self.assertEqual(sorted(meetings.values_list("status", flat=True)), ["held", "held", "scheduled"])
        self.assertEqual(meetings.filter(status="held", minutes_approved_on__isnull=True).count(), 1)
        self.assertEqual(CommitteeMember.objects.filter(agency=agency, term_end__isnull=False).count(), 1)
        self.assertTrue(all(r.required for r in CommitteeRequirement.objects.filter(agreement__agency=agency)))
        self.assertEqual(sweep_steering_committee()["opened"], 0)  # the committee met in time

    def test_the_first_agency_publishes_its_transparency_page_once(self):
        from community.transparency.models import TransparencySettings

        seed()
        seed()
        row = TransparencySettings.objects.get()
        self.assertTrue(row.published)
        self.assertEqual(row.published_by.username, "demo-admin")
        self.assertEqual(row.history.count(), 1)
        response = self.client.get(f"/transparency/{row.agency.public_id}/")
        self.assertContains(response, 'data-testid="section-outreach"')
        self.assertContains(self.client.get("/transparency/"), row.agency.name.replace("'", "&#x27;"))

    def test_the_dashboard_shows_every_kind_of_figure(self):
        seed()
        sign_in(self.client, User.objects.get(username="demo-supervisor"))
        response = self.client.get("/")
        self.assertEqual(figure(response, "officers-expiring-today"), "1")
        self.assertEqual(figure(response, "officers-expired"), "2")
        self.assertEqual(figure(response, "officers-missing"), "1")
        self.assertEqual(figure(response, "officers-current"), "9")
        self.assertEqual(figure(response, "detainers-overdue"), "1")
        self.assertEqual(figure(response, "detainers-upcoming"), "3")
        # The presentation's publication promise and the earlier committee meeting's action item.
        self.assertEqual(figure(response, "commitments-overdue"), "2")
        self.assertEqual(figure(response, "commitments-due-soon"), "1")
        self.assertEqual(figure(response, "outreach-quarter"), "2")
        # The five incidents of every agency, one per severity open, and the review workflow's demo cases
        # (seed_cases: two high open, one medium public complaint open).
        for severity, count in (("critical", "1"), ("high", "3"), ("medium", "2"), ("low", "1")):
            self.assertEqual(figure(response, f"incidents-open-{severity}"), count)

    def test_the_auditor_sees_all_three_agencies(self):
        seed()
        auditor = User.objects.get(username="demo-auditor")
        from compliance.core.access import agencies_for

        self.assertEqual(agencies_for(auditor).count(), 3)

    def test_officers_follow_their_agreements_shipped_training_requirements(self):
        seed()
        # Basic course, refresher and two annual courses per agreement (training.requirements.services defaults).
        for agreement in Agreement.objects.all():
            kinds = sorted(agreement.training_requirements.values_list("kind", flat=True))
            self.assertEqual(kinds, ["annual", "annual", "basic", "refresher"])
        self.assertFalse(Officer.objects.filter(agreement__isnull=True).exists())
        quillmoor = Agency.objects.get(name__startswith="Quillmoor")
        models = set(Officer.objects.filter(agency=quillmoor).values_list("agreement__model", flat=True))
        self.assertEqual(models, {"JEM", "WSO"})
        # Some officers' chain is renewed by the refresher; officer 5 misses the annual SBU course.
        self.assertTrue(Certification.objects.filter(agency=quillmoor, course__code="REFRESH").exists())
        missing = Officer.objects.get(agency=quillmoor, badge_number="Q-1006")
        self.assertFalse(missing.certifications.filter(course__code="SBU").exists())

    def test_every_agency_shows_the_spread_of_statuses_from_stored_facts(self):
        seed()
        self.assertEqual(OfficerTrainingFacts.objects.count(), 45)
        expected = {
            "missing": 1,
            "expired": 2,
            "expiring": 3,
            "current": 9,
            "expiring_today": 1,
            "designated": 15,
            "authorized": 12,  # current or expiring: each demo officer has the checklist and credential
        }
        for agency in Agency.objects.all():
            today = agency_today(agency)
            self.assertEqual(roster_status_counts(agency=agency, today=today), expected)
            self.assertEqual(roster_page_status_counts(agency=agency, today=today), expected)

    def test_demo_detainers_are_handled_by_authorized_officers(self):
        seed()
        detainers = Detainer.objects.select_related("handling_officer__agency", "agency", "agreement")
        self.assertEqual(detainers.count(), 18)
        for detainer in detainers:
            self.assertEqual(detainer.handling_officer.agreement_id, detainer.agreement_id)
            check = check_handling_officer_authorized(detainer, detainer.received_at)
            self.assertIs(check.passed, True, check.message)

    def test_the_expired_chains_are_recorded_as_lapsed_by_the_system(self):
        seed()
        lapsed = Certification.objects.filter(lapse_recorded_on__isnull=False)
        self.assertEqual(lapsed.count(), 6)  # two expired officers per agency
        self.assertEqual(set(lapsed.values_list("officer__badge_number", flat=True)), {
            f"{prefix}-{badge}" for prefix in "QVL" for badge in (1004, 1005)
        })  # fmt: skip
        row = Certification.history.filter(history_type="~").first()
        self.assertEqual((row.history_user.username, row.history_change_reason), ("system", LAPSE_REASON))

    def test_running_twice_changes_no_training_row(self):
        seed()
        counts = [model.history.count() for model in (Officer, Certification, TrainingRequirement)]
        seed()
        self.assertEqual([model.history.count() for model in (Officer, Certification, TrainingRequirement)], counts)

    def test_it_seeds_demo_cases_in_every_stage_once(self):
        seed()
        seed()
        cases = {case.title: case for case in Incident.objects.filter(title__in=[title for title, _ in CASES])}
        self.assertEqual(len(cases), 4)
        public = cases["Queja: trato durante una entrevista (demo)"]
        self.assertEqual((public.source, public.status), (Incident.Source.PUBLIC, Incident.Status.RECEIVED))
        self.assertTrue(public.tracking_number)
        self.assertEqual(public.contact.language, "es")
        self.assertEqual(cases["Use of force during a transfer (demo)"].status, Incident.Status.UNDER_INVESTIGATION)
        self.assertEqual(cases["Interpreter not offered at booking (demo)"].status, Incident.Status.SUPERVISOR_REVIEW)
        closed = cases["Phone call to a consulate refused (demo)"]
        self.assertEqual((closed.status, closed.closure), (Incident.Status.CLOSED, Incident.Closure.REVIEWED))
        self.assertEqual(list(closed.allegations.values_list("disposition", flat=True)), ["sustained"])
        self.assertEqual(closed.events.filter(kind="closed").count(), 1)  # the second run added nothing

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
