from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError

from compliance.core.models import Finding
from incidents.detainers import services
from incidents.detainers.models import Detainer
from incidents.incident_log import services as incident_services
from incidents.incident_log.models import Incident
from tests.base import BaseTestCase
from tests.incidents.helpers import make_detainer
from training.roster.models import Officer

CHICAGO = ZoneInfo("America/Chicago")


class DetainerServiceTests(BaseTestCase):
    def test_case_D1_the_deadline_is_derived_on_create(self):
        detainer = make_detainer(
            self.agency_a, actor=self.staff_a, would_be_released_at=datetime(2026, 3, 7, 9, 0, tzinfo=CHICAGO)
        )
        detainer.refresh_from_db()
        self.assertEqual(detainer.hold_deadline, datetime(2026, 3, 9, 15, 0, tzinfo=UTC))

    def test_case_D2_the_deadline_follows_a_changed_release_time(self):
        detainer = make_detainer(self.agency_a, actor=self.staff_a)
        self.assertIsNone(detainer.hold_deadline)
        updated = services.detainer_update(
            detainer=detainer, actor=self.staff_a, would_be_released_at=datetime(2026, 10, 31, 9, 0, tzinfo=CHICAGO)
        )
        self.assertEqual(updated.hold_deadline, datetime(2026, 11, 2, 14, 0, tzinfo=UTC))

    def test_the_deadline_cannot_be_typed(self):
        with self.assertRaises(TypeError):
            make_detainer(self.agency_a, actor=self.staff_a, hold_deadline=datetime(2030, 1, 1, tzinfo=UTC))
        detainer = make_detainer(self.agency_a, actor=self.staff_a)
        with self.assertRaises(TypeError):
            services.detainer_update(
                detainer=detainer, actor=self.staff_a, hold_deadline=datetime(2030, 1, 1, tzinfo=UTC)
            )

    def test_a_moved_deadline_is_warned_about_again(self):
        detainer = make_detainer(
            self.agency_a, actor=self.staff_a, would_be_released_at=datetime(2026, 4, 10, 15, 0, tzinfo=UTC)
        )
        detainer.deadline_alerted_at = datetime(2026, 4, 12, 11, 0, tzinfo=UTC)
        detainer.save()
        same = services.detainer_update(detainer=detainer, actor=self.staff_a, booking_number="BK-99999")
        self.assertIsNotNone(same.deadline_alerted_at)
        moved = services.detainer_update(
            detainer=detainer, actor=self.staff_a, would_be_released_at=datetime(2026, 4, 11, 15, 0, tzinfo=UTC)
        )
        self.assertIsNone(moved.deadline_alerted_at)
        self.assertEqual(moved.hold_deadline, datetime(2026, 4, 13, 15, 0, tzinfo=UTC))

    def test_changes_are_attributed_to_the_actor(self):
        detainer = make_detainer(self.agency_a, actor=self.staff_a)
        services.detainer_update(detainer=detainer, actor=self.supervisor_a, booking_number="BK-12345")
        users = [h.history_user for h in detainer.history.order_by("history_date", "history_id")]
        self.assertEqual(users, [self.staff_a, self.supervisor_a])

    def test_saving_unchanged_writes_no_history(self):
        detainer = make_detainer(self.agency_a, actor=self.staff_a)
        for _ in range(3):
            services.detainer_update(detainer=detainer, actor=self.staff_a, booking_number=detainer.booking_number)
        self.assertEqual(detainer.history.count(), 1)

    def test_an_officer_of_another_agency_is_refused(self):
        other = Officer.objects.create(agency=self.agency_b, first_name="Sam", last_name="Other", badge_number="B1")
        with self.assertRaises(ValueError):
            make_detainer(self.agency_a, actor=self.staff_a, handling_officer=other)
        self.assertFalse(Detainer.objects.exists())

    def test_record_outcome(self):
        detainer = make_detainer(self.agency_a, actor=self.staff_a)
        when = datetime(2026, 1, 6, 15, 0, tzinfo=UTC)
        done = services.detainer_record_outcome(
            detainer=detainer, actor=self.supervisor_a, outcome=Detainer.Outcome.TRANSFERRED, outcome_at=when
        )
        self.assertEqual((done.outcome, done.outcome_at), ("transferred", when))
        self.assertFalse(Detainer.objects.open().exists())
        self.assertEqual(done.history.first().history_user, self.supervisor_a)

    def test_a_release_after_the_hold_deadline_opens_one_finding_and_one_incident(self):
        released = datetime(2026, 4, 10, 15, 0, tzinfo=UTC)  # deadline 2026-04-12 15:00 UTC
        detainer = make_detainer(self.agency_a, actor=self.staff_a, would_be_released_at=released)
        late = datetime(2026, 4, 12, 16, 30, tzinfo=UTC)
        services.detainer_record_outcome(
            detainer=detainer,
            actor=self.staff_a,
            outcome=Detainer.Outcome.RELEASED,
            outcome_at=late,
            explanation="Bail paperwork reached the jail late (invented).",
        )
        # A correction of the same late outcome opens nothing more (and asks for no second explanation).
        services.detainer_record_outcome(
            detainer=detainer, actor=self.supervisor_a, outcome=Detainer.Outcome.RELEASED, outcome_at=late
        )
        finding = Finding.objects.get(object_id=detainer.pk, kind=Finding.Kind.HOLD_DEADLINE_PASSED)
        self.assertEqual(finding.severity, Finding.Severity.CRITICAL)
        self.assertIn("1 h 30 min after the hold deadline 2026-04-12 10:00 CDT", finding.summary)
        incident = Incident.objects.get(detainer=detainer)
        self.assertEqual((incident.kind, incident.severity), (Incident.Kind.HOLD_VIOLATION, "critical"))
        self.assertEqual(incident.reported_by, self.staff_a)

    def test_a_release_exactly_at_the_hold_deadline_is_no_violation(self):
        released = datetime(2026, 4, 10, 15, 0, tzinfo=UTC)
        detainer = make_detainer(self.agency_a, actor=self.staff_a, would_be_released_at=released)
        services.detainer_record_outcome(
            detainer=detainer,
            actor=self.staff_a,
            outcome=Detainer.Outcome.RELEASED,
            outcome_at=released + timedelta(hours=48),
        )
        self.assertFalse(Finding.objects.exists())
        self.assertFalse(Incident.objects.exists())

    def test_record_outcome_refuses_pending_and_reasonless_lifts(self):
        detainer = make_detainer(self.agency_a, actor=self.staff_a)
        when = datetime(2026, 1, 6, 15, 0, tzinfo=UTC)
        with self.assertRaises(ValidationError):
            services.detainer_record_outcome(detainer=detainer, actor=self.staff_a, outcome="pending", outcome_at=when)
        with self.assertRaises(ValidationError):
            services.detainer_record_outcome(detainer=detainer, actor=self.staff_a, outcome="lifted", outcome_at=when)
        lifted = services.detainer_record_outcome(
            detainer=detainer, actor=self.staff_a, outcome="lifted", outcome_at=when, lift_reason="Case Closed"
        )
        self.assertEqual(lifted.lift_reason, "Case Closed")


class IncidentServiceTests(BaseTestCase):
    def test_create_and_update_are_attributed(self):
        incident = incident_services.incident_create(
            agency=self.agency_a,
            actor=self.staff_a,
            kind=Incident.Kind.COMPLAINT,
            severity=Incident.Severity.MEDIUM,
            title="Complaint about a delayed release",
            occurred_at=datetime(2026, 2, 1, 12, 0, tzinfo=UTC),
        )
        self.assertEqual(incident.reported_by, self.staff_a)
        incident_services.incident_update(incident=incident, actor=self.supervisor_a, severity=Incident.Severity.HIGH)
        users = [h.history_user for h in incident.history.order_by("history_date", "history_id")]
        self.assertEqual(users, [self.staff_a, self.supervisor_a])

    def test_it_refuses_a_detainer_of_another_agency(self):
        detainer = make_detainer(self.agency_b, actor=self.staff_b)
        with self.assertRaises(ValueError):
            incident_services.incident_create(
                agency=self.agency_a,
                actor=self.staff_a,
                kind=Incident.Kind.OTHER,
                severity=Incident.Severity.LOW,
                title="Wrong link",
                occurred_at=datetime(2026, 2, 1, 12, 0, tzinfo=UTC) - timedelta(days=1),
                detainer=detainer,
            )
