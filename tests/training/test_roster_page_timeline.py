"""The officer page's timeline: nomination, checklist, status changes, training, exams, certifications, notices."""

from datetime import UTC, date, datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.core.audit import acting_as
from tests.base import BaseTestCase, sign_in
from tests.training.helpers import make_certification, make_course, make_officer
from training.lifecycle import services as lifecycle
from training.reminders.models import CertificationReminder
from training.roster import services
from training.roster.models import Officer
from training.roster.timeline import officer_timeline
from training.sessions.models import SessionEnrollment, TrainingSession

NOW = datetime(2026, 6, 1, 15, tzinfo=UTC)


def at(day: date, hour: int = 15) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


class TimelineTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.iadp = make_course(cls.agency_a, "IADP", validity_months=12)

    def build_history(self) -> Officer:
        """An officer nominated in January 2025, designated in March, lapsed in 2026 (invented)."""
        with time_machine.travel(at(date(2025, 1, 2)), tick=False):
            officer = services.officer_create(
                actor=self.staff_a,
                agency=self.agency_a,
                first_name="Rosa",
                last_name="Alvarez",
                badge_number="A-1",
                status=Officer.Status.NOMINATED,
                agreement=self.agreement_a,
            )
        with time_machine.travel(at(date(2025, 1, 20)), tick=False):
            lifecycle.officer_checklist_update(
                actor=self.staff_a,
                officer=officer,
                us_citizen=True,
                lea_background_check_on=date(2025, 1, 10),
                ice_background_check_on=date(2025, 1, 17),
                privacy_waiver_on_file=True,
                service_commitment_signed=True,
            )
            services.officer_set_status(
                actor=self.supervisor_a, officer=officer, status="background", effective_on=date(2025, 1, 20)
            )
        with time_machine.travel(at(date(2025, 2, 3)), tick=False):
            services.officer_set_status(
                actor=self.supervisor_a, officer=officer, status="in_training", effective_on=date(2025, 2, 3)
            )
        session = TrainingSession.objects.create(
            agency=self.agency_a,
            course=self.iadp,
            starts_on=date(2025, 2, 3),
            ends_on=date(2025, 2, 28),
            location="FLETC Charleston",
            instructor="ICE instructor",
        )
        SessionEnrollment.objects.create(session=session, officer=officer, attended=True, exam_score_percent=80)
        with time_machine.travel(at(date(2025, 2, 27)), tick=False):
            services.exam_record(
                actor=self.staff_a, officer=officer, course=self.iadp, taken_on=date(2025, 2, 20), score_percent=65
            )
            services.exam_record(
                actor=self.staff_a,
                officer=officer,
                course=self.iadp,
                taken_on=date(2025, 2, 27),
                score_percent=80,
                is_remediation=True,
            )
        # Recorded three days late, the morning of the designation, which needs it (the one rule: R2.4, R2.7).
        with time_machine.travel(at(date(2025, 3, 3), hour=14), tick=False):
            certification = services.certification_record(
                actor=self.staff_a, officer=officer, course=self.iadp, completed_on=date(2025, 2, 28)
            )
        with time_machine.travel(at(date(2025, 3, 3)), tick=False):
            services.officer_set_status(
                actor=self.supervisor_a,
                officer=officer,
                status="designated",
                effective_on=date(2025, 3, 3),
                ice_credential_id="ICE-77",
                ice_credential_issued_on=date(2025, 3, 1),
                note="Credential received",
            )
        CertificationReminder.objects.create(
            certification=certification,
            threshold_days=30,
            sent_at=at(date(2026, 1, 29), hour=12),
            sent_for_date=date(2026, 1, 29),
        )
        return Officer.objects.select_related("agency").get(pk=officer.pk)

    @time_machine.travel(NOW, tick=False)
    def test_one_chronological_list_of_everything_that_happened(self):
        officer = self.build_history()

        events = officer_timeline(officer=officer)

        self.assertEqual(
            [(event.on, event.kind, event.title) for event in events],
            [
                (date(2025, 1, 2), "nomination", "Added to the roster as Nominated"),
                (date(2025, 1, 10), "checklist", "LEA criminal background check (last 5 years) done"),
                (date(2025, 1, 17), "checklist", "ICE background check done"),
                (date(2025, 1, 20), "status", "Nominated → Background checks"),
                (date(2025, 2, 3), "status", "Background checks → In training"),
                (date(2025, 2, 3), "session", "IADP class 2025-02-03 to 2025-02-28 at FLETC Charleston"),
                (date(2025, 2, 20), "exam", "IADP exam failed: 65 %"),
                (date(2025, 2, 27), "exam", "IADP exam passed (remediation re-test): 80 %"),
                (date(2025, 2, 28), "certification", "Completed IADP — IADP course"),
                (date(2025, 3, 1), "checklist", "ICE credential ICE-77 issued"),
                (date(2025, 3, 3), "status", "In training → Certified / designated"),
                (
                    date(2026, 1, 29),
                    "notice",
                    "30-day expiry notice for IADP (last valid day 2026-02-28) sent to "
                    "nobody yet (no active recipient, or the digest is still due).",
                ),
                (date(2026, 3, 1), "lapse", "IADP lapsed: last valid day was 2026-02-28"),
            ],
        )
        by_title = {event.title: event for event in events}
        certification = by_title["Completed IADP — IADP course"]
        self.assertEqual((certification.recorded_late, certification.recorded_by), (True, "staff_a"))
        self.assertEqual(certification.recorded_on, date(2025, 3, 3))
        self.assertEqual(certification.detail, "Last valid day 2026-02-28.")
        designated = by_title["In training → Certified / designated"]
        self.assertEqual(
            (designated.recorded_by, designated.detail, designated.recorded_late),
            ("supervisor_a", "Credential received", False),
        )

    @time_machine.travel(NOW, tick=False)
    def test_a_status_changed_before_the_status_history_existed_comes_from_the_audit_history(self):
        with time_machine.travel(at(date(2025, 1, 1)), tick=False):
            officer = make_officer(self.agency_a, "A-9", last="Legacy", first="Lou", qualified=False)
        with time_machine.travel(at(date(2025, 5, 5)), tick=False), acting_as(self.admin_a, reason="Old form"):
            officer.status = Officer.Status.SUSPENDED
            officer.save()
        [added, suspended] = officer_timeline(officer=officer)
        self.assertEqual(added.kind, "nomination")
        self.assertEqual(
            (suspended.on, suspended.kind, suspended.title, suspended.detail, suspended.recorded_by),
            (date(2025, 5, 5), "status", "Certified / designated → Suspended", "Old form", "admin_a"),
        )

    @time_machine.travel(NOW, tick=False)
    def test_dates_are_the_agency_local_day(self):
        # 2025-03-01 03:00 UTC is still 2025-02-28 in America/Chicago.
        with time_machine.travel(datetime(2025, 3, 1, 3, tzinfo=UTC), tick=False):
            officer = make_officer(self.agency_a, "A-8", last="Night", first="Owl", qualified=False)
        [added] = officer_timeline(officer=officer)
        self.assertEqual(added.on, date(2025, 2, 28))

    @time_machine.travel(NOW, tick=False)
    def test_the_query_count_does_not_grow_with_the_history(self):
        officer = self.build_history()
        with CaptureQueriesContext(connection) as small:
            few = officer_timeline(officer=officer)
        for year in range(2015, 2024):
            certification = make_certification(officer, self.iadp, date(year, 6, 1))
            CertificationReminder.objects.create(
                certification=certification,
                threshold_days=0,
                sent_at=at(date(year + 1, 6, 1)),
                sent_for_date=date(year + 1, 6, 1),
            )
        with self.assertNumQueries(len(small)):
            many = officer_timeline(officer=officer)
        # 9 completions, 9 notices, and the gap from 2024-06-02 until the 2025-02-28 completion.
        self.assertEqual(len(many), len(few) + 19)
        gap = [event for event in many if event.kind == "lapse" and event.on == date(2024, 6, 2)]
        self.assertEqual([event.detail for event in gap], ["Renewed on 2025-02-28. A required course."])


@time_machine.travel(NOW, tick=False)
class OfficerPageTimelineTests(TimelineTests):
    def test_the_officer_page_shows_the_timeline(self):
        officer = self.build_history()
        sign_in(self.client, self.auditor_a)
        response = self.client.get(reverse("training:officer_detail", args=[officer.public_id]))
        self.assertContains(response, '<h2 id="timeline">Timeline</h2>', html=True)
        self.assertContains(response, 'data-kind="exam"', count=2)
        self.assertContains(response, "IADP exam passed (remediation re-test): 80 %")
        self.assertContains(response, "Entered 2025-03-03 08:00 CST by staff_a.")

    def test_other_agency_gets_404(self):
        officer = make_officer(self.agency_a, "A-6", last="Hidden", first="Jo")
        sign_in(self.client, self.staff_b)
        response = self.client.get(reverse("training:officer_detail", args=[officer.public_id]))
        self.assertEqual(response.status_code, 404)
