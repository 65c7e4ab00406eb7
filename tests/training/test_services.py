"""Roster writes: validation keyed by field, derived expiry, attribution of every history row."""

from datetime import UTC, date, datetime

import time_machine
from django.core.exceptions import ValidationError

from tests.base import BaseTestCase
from tests.training.helpers import make_course, make_officer
from training.roster import services
from training.roster.models import Course, Officer


class OfficerServiceTests(BaseTestCase):
    def test_it_creates_an_officer_attributed_to_the_actor(self):
        officer = services.officer_create(
            actor=self.staff_a,
            agency=self.agency_a,
            first_name=" Ana ",
            last_name="Peña",
            badge_number="A-77",
            supervisor=self.supervisor_a,
        )
        self.assertEqual((officer.first_name, officer.last_name, officer.badge_number), ("Ana", "Peña", "A-77"))
        [entry] = officer.history.all()
        self.assertEqual((entry.history_type, entry.history_user), ("+", self.staff_a))

    def test_it_refuses_a_badge_taken_in_the_agency_but_not_in_another(self):
        make_officer(self.agency_a, "A-1")
        with self.assertRaises(ValidationError) as caught:
            services.officer_create(
                actor=self.staff_a, agency=self.agency_a, first_name="X", last_name="Y", badge_number="A-1"
            )
        self.assertEqual(caught.exception.message_dict, {"badge_number": [services.BADGE_TAKEN]})
        services.officer_create(
            actor=self.staff_b, agency=self.agency_b, first_name="X", last_name="Y", badge_number="A-1"
        )

    def test_it_refuses_a_supervisor_of_another_agency_or_without_review_permission(self):
        for supervisor in (self.supervisor_b, self.staff_a):
            with self.assertRaises(ValidationError) as caught:
                services.officer_create(
                    actor=self.staff_a,
                    agency=self.agency_a,
                    first_name="X",
                    last_name="Y",
                    badge_number="A-2",
                    supervisor=supervisor,
                )
            self.assertIn("supervisor", caught.exception.message_dict)
        self.assertFalse(Officer.objects.exists())

    def test_update_changes_only_given_fields_and_writes_no_phantom_row(self):
        officer = make_officer(self.agency_a, "A-3", unit="Jail")
        services.officer_update(actor=self.staff_a, officer=officer, data={"unit": "Jail"})
        self.assertEqual(officer.history.count(), 1)
        services.officer_update(actor=self.supervisor_a, officer=officer, data={"email": "a3@agency.example"})
        officer.refresh_from_db()
        self.assertEqual((officer.unit, officer.email), ("Jail", "a3@agency.example"))
        latest = officer.history.first()
        self.assertEqual((latest.history_type, latest.history_user), ("~", self.supervisor_a))

    def test_update_refuses_unknown_fields(self):
        officer = make_officer(self.agency_a, "A-4")
        with self.assertRaises(ValueError):
            services.officer_update(actor=self.staff_a, officer=officer, data={"agency": self.agency_b})


class CourseServiceTests(BaseTestCase):
    def test_it_creates_a_course_and_refuses_a_repeated_code(self):
        course = services.course_create(
            actor=self.admin_a, agency=self.agency_a, code="IADP", name="Basic", validity_months=24
        )
        self.assertEqual(course.history.get().history_user, self.admin_a)
        with self.assertRaises(ValidationError) as caught:
            services.course_create(
                actor=self.admin_a, agency=self.agency_a, code="IADP", name="Again", validity_months=24
            )
        self.assertEqual(caught.exception.message_dict, {"code": [services.COURSE_CODE_TAKEN]})
        self.assertEqual(Course.objects.count(), 1)


class CertificationServiceTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.course = make_course(cls.agency_a, "IADP", validity_months=24)
        cls.officer = make_officer(cls.agency_a, "A-10")

    @time_machine.travel(datetime(2026, 3, 1, 18, tzinfo=UTC), tick=False)
    def test_case_T3_leap_day_expiry_is_derived_when_recording(self):
        certification = services.certification_record(
            actor=self.staff_a, officer=self.officer, course=self.course, completed_on=date(2024, 2, 29)
        )
        self.assertEqual(certification.expires_on, date(2026, 2, 28))
        self.assertEqual(certification.history.get().history_user, self.staff_a)

    def test_it_refuses_a_course_of_another_agency(self):
        other = make_course(self.agency_b, "IADP")
        with self.assertRaises(ValidationError) as caught:
            services.certification_record(
                actor=self.staff_a, officer=self.officer, course=other, completed_on=date(2025, 1, 1)
            )
        self.assertEqual(caught.exception.message_dict, {"course": [services.COURSE_OTHER_AGENCY]})

    @time_machine.travel(datetime(2026, 2, 28, 1, 30, tzinfo=UTC), tick=False)  # 2026-02-27 19:30 CST
    def test_it_refuses_a_completion_after_the_agency_date(self):
        services.certification_record(
            actor=self.staff_a, officer=self.officer, course=self.course, completed_on=date(2026, 2, 27)
        )
        with self.assertRaises(ValidationError) as caught:
            services.certification_record(
                actor=self.staff_a, officer=self.officer, course=self.course, completed_on=date(2026, 2, 28)
            )
        self.assertIn("2026-02-27", caught.exception.message_dict["completed_on"][0])
