"""Training sessions: schedule, enroll, record results, issue certifications in one transaction."""

from datetime import UTC, date, datetime

import time_machine
from django.core.exceptions import ValidationError

from tests.base import BaseTestCase
from tests.training.helpers import make_course, make_officer
from training.lifecycle.models import ExamAttempt
from training.roster.models import Certification, Officer
from training.sessions import services as sessions
from training.sessions.models import SessionEnrollment, TrainingSession
from training.sessions.services import EnrollmentResult, SessionRowsError

# 2026-03-06 10:00 CST in agency A: the session below ended on 2026-03-06.
NOW = datetime(2026, 3, 6, 16, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
class SessionServiceTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.course = make_course(cls.agency_a, "IADP", validity_months=24)
        cls.course_b = make_course(cls.agency_b, "WSO1")
        cls.ana = make_officer(cls.agency_a, "A-1", last="Abbott", first="Ana", status=Officer.Status.IN_TRAINING)
        cls.ben = make_officer(cls.agency_a, "A-2", last="Brandt", first="Ben", status=Officer.Status.IN_TRAINING)
        cls.cy = make_officer(cls.agency_a, "A-3", last="Cole", first="Cy", status=Officer.Status.IN_TRAINING)
        cls.gone = make_officer(cls.agency_a, "A-9", last="Gone", status=Officer.Status.SEPARATED)
        cls.other = make_officer(cls.agency_b, "B-1", last="Other")

    def schedule(self, **overrides):
        fields = {
            "actor": self.staff_a,
            "agency": self.agency_a,
            "course": self.course,
            "starts_on": date(2026, 3, 2),
            "ends_on": date(2026, 3, 6),
            "location": "Training room 2",
            "instructor": "ICE instructor",
        } | overrides
        return sessions.session_create(**fields)

    def results(self, session, *rows):
        by_officer = {e.officer_id: str(e.public_id) for e in session.enrollments.all()}
        return [EnrollmentResult(by_officer[officer.pk], *values) for officer, *values in rows]

    def test_it_schedules_a_session_attributed_to_the_actor(self):
        session = self.schedule()
        self.assertEqual(
            (session.starts_on, session.ends_on, session.location),
            (date(2026, 3, 2), date(2026, 3, 6), "Training room 2"),
        )
        self.assertEqual(session.history.get().history_user, self.staff_a)

    def test_it_refuses_an_end_before_the_start_and_another_agencys_course(self):
        with self.assertRaises(ValidationError) as raised:
            self.schedule(ends_on=date(2026, 3, 1))
        self.assertEqual(raised.exception.message_dict, {"ends_on": [sessions.ENDS_BEFORE_START]})
        with self.assertRaises(ValidationError) as raised:
            self.schedule(course=self.course_b)
        self.assertEqual(raised.exception.message_dict, {"course": [sessions.COURSE_OTHER_AGENCY]})
        self.assertFalse(TrainingSession.objects.exists())

    def test_it_enrolls_by_badge_and_reports_every_bad_badge_at_once(self):
        session = self.schedule()
        sessions.session_enroll(actor=self.staff_a, session=session, badge_numbers=["A-1"])
        with self.assertRaises(ValidationError) as raised:
            sessions.session_enroll(
                actor=self.staff_a, session=session, badge_numbers=["A-2", "A-1", "A-9", "B-1", "Z-0"]
            )
        self.assertEqual(
            raised.exception.message_dict["badge_numbers"],
            [
                "Officer with badge A-1 is already enrolled.",
                "Officer with badge A-9 is separated and cannot be enrolled.",
                "No officer with badge B-1 in this agency.",  # another agency's officer is unknown here
                "No officer with badge Z-0 in this agency.",
            ],
        )
        self.assertEqual(list(session.enrollments.values_list("officer__badge_number", flat=True)), ["A-1"])
        enrolled = sessions.session_enroll(actor=self.staff_a, session=session, badge_numbers=["A-2", "A-3", "A-2"])
        self.assertEqual(len(enrolled), 2)
        self.assertEqual(enrolled[0].history.get().history_user, self.staff_a)

    def test_it_records_results_and_reports_every_bad_row(self):
        session = self.schedule()
        sessions.session_enroll(actor=self.staff_a, session=session, badge_numbers=["A-1", "A-2", "A-3"])
        with self.assertRaises(SessionRowsError) as raised:
            sessions.session_results_record(
                actor=self.staff_a,
                session=session,
                results=self.results(
                    session, (self.ana, True, 85, False), (self.ben, False, 60, False), (self.cy, True, None, True)
                ),
            )
        ben_id = str(session.enrollments.get(officer=self.ben).public_id)
        cy_id = str(session.enrollments.get(officer=self.cy).public_id)
        self.assertEqual(
            raised.exception.rows,
            {
                ben_id: {"exam_score_percent": [sessions.SCORE_WITHOUT_ATTENDANCE]},
                cy_id: {"is_remediation": [sessions.REMEDIATION_WITHOUT_SCORE]},
            },
        )
        self.assertFalse(SessionEnrollment.objects.filter(attended=True).exists())  # nothing saved

        changed = sessions.session_results_record(
            actor=self.staff_a,
            session=session,
            results=self.results(
                session, (self.ana, True, 85, False), (self.ben, True, 60, False), (self.cy, False, None, False)
            ),
        )
        self.assertEqual(changed, 2)  # Cy's row did not change
        self.assertEqual(session.enrollments.get(officer=self.ana).exam_score_percent, 85)

    def test_it_issues_certifications_for_those_who_attended_and_passed_in_one_step(self):
        session = self.schedule()
        sessions.session_enroll(actor=self.staff_a, session=session, badge_numbers=["A-1", "A-2", "A-3"])
        results = self.results(
            session, (self.ana, True, 70, False), (self.ben, True, 69, False), (self.cy, False, None, False)
        )

        outcome = sessions.session_certifications_issue(actor=self.supervisor_a, session=session, results=results)

        [certification] = outcome.certifications
        self.assertEqual(certification.officer, self.ana)  # 70 % passes (R2.2), 69 % does not
        self.assertEqual((certification.completed_on, certification.expires_on), (date(2026, 3, 6), date(2028, 3, 6)))
        self.assertEqual(certification.history.get().history_user, self.supervisor_a)
        self.assertEqual([e.officer for e in outcome.failed], [self.ben])
        self.assertEqual(outcome.absent, 1)
        session.refresh_from_db()
        self.assertEqual(session.certifications_issued_by, self.supervisor_a)
        self.assertEqual(session.enrollments.get(officer=self.ana).certification, certification)
        with self.assertRaises(ValidationError) as raised:
            sessions.session_certifications_issue(actor=self.supervisor_a, session=session)
        self.assertEqual(raised.exception.messages, [sessions.SESSION_LOCKED])
        with self.assertRaises(ValidationError):
            sessions.session_enroll(actor=self.staff_a, session=session, badge_numbers=["A-2"])
        self.assertEqual(Certification.objects.count(), 1)

    def test_a_bad_row_at_issue_time_writes_nothing(self):
        session = self.schedule()
        sessions.session_enroll(actor=self.staff_a, session=session, badge_numbers=["A-1", "A-2"])
        results = self.results(session, (self.ana, True, 90, False), (self.ben, True, None, False))
        self.ben.status = Officer.Status.DISQUALIFIED
        self.ben.save()

        with self.assertRaises(SessionRowsError) as raised:
            sessions.session_certifications_issue(actor=self.staff_a, session=session, results=results)

        ben_id = str(session.enrollments.get(officer=self.ben).public_id)
        self.assertEqual(
            raised.exception.rows, {ben_id: {"__all__": ["This officer is disqualified and cannot be certified."]}}
        )
        self.assertFalse(Certification.objects.exists())
        self.assertIsNone(session.enrollments.get(officer=self.ana).exam_score_percent)  # results rolled back too
        session.refresh_from_db()
        self.assertIsNone(session.certifications_issued_at)

    def test_an_attending_officer_without_a_score_is_a_row_error_when_the_session_has_an_exam(self):
        session = self.schedule()
        sessions.session_enroll(actor=self.staff_a, session=session, badge_numbers=["A-1"])
        results = self.results(session, (self.ana, True, None, False))
        with self.assertRaises(SessionRowsError) as raised:
            sessions.session_certifications_issue(actor=self.staff_a, session=session, results=results)
        self.assertEqual(list(raised.exception.rows.values()), [{"exam_score_percent": [sessions.SCORE_MISSING]}])

    def test_a_session_without_exam_certifies_on_attendance(self):
        session = self.schedule(exam_required=False)
        sessions.session_enroll(actor=self.staff_a, session=session, badge_numbers=["A-1", "A-2"])
        results = self.results(session, (self.ana, True, None, False), (self.ben, False, None, False))
        outcome = sessions.session_certifications_issue(actor=self.staff_a, session=session, results=results)
        self.assertEqual([c.officer for c in outcome.certifications], [self.ana])

    def test_it_refuses_to_issue_before_the_last_day_or_with_nobody_attending(self):
        session = self.schedule(starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 7))
        sessions.session_enroll(actor=self.staff_a, session=session, badge_numbers=["A-1"])
        with self.assertRaises(ValidationError) as raised:
            sessions.session_certifications_issue(actor=self.staff_a, session=session)
        self.assertEqual(raised.exception.messages, [sessions.ISSUE_TOO_EARLY.format(ends_on="2026-03-07")])
        past = self.schedule()
        sessions.session_enroll(actor=self.staff_a, session=past, badge_numbers=["A-1"])
        with self.assertRaises(ValidationError) as raised:
            sessions.session_certifications_issue(actor=self.staff_a, session=past)
        self.assertEqual(raised.exception.messages, [sessions.NOBODY_ATTENDED])

    def test_the_last_day_is_the_agency_date_not_the_utc_date(self):
        # 2026-03-07 03:00 UTC is still 2026-03-06 21:00 CST in agency A.
        session = self.schedule(starts_on=date(2026, 3, 6), ends_on=date(2026, 3, 7))
        sessions.session_enroll(actor=self.staff_a, session=session, badge_numbers=["A-1"])
        results = self.results(session, (self.ana, True, 88, False))
        with time_machine.travel(datetime(2026, 3, 7, 3, tzinfo=UTC), tick=False), self.assertRaises(ValidationError):
            sessions.session_certifications_issue(actor=self.staff_a, session=session, results=results)
        with time_machine.travel(datetime(2026, 3, 7, 7, tzinfo=UTC), tick=False):  # 01:00 CST on 03-07
            outcome = sessions.session_certifications_issue(actor=self.staff_a, session=session, results=results)
        self.assertEqual(len(outcome.certifications), 1)

    def test_a_removed_enrollee_is_gone_but_not_after_issuing(self):
        session = self.schedule()
        [enrollment] = sessions.session_enroll(actor=self.staff_a, session=session, badge_numbers=["A-1"])
        sessions.session_unenroll(actor=self.staff_a, enrollment=enrollment)
        self.assertFalse(session.enrollments.exists())
        removal = SessionEnrollment.history.filter(public_id=enrollment.public_id).first()
        self.assertEqual((removal.history_type, removal.history_user), ("-", self.staff_a))

        [enrollment] = sessions.session_enroll(actor=self.staff_a, session=session, badge_numbers=["A-1"])
        sessions.session_certifications_issue(
            actor=self.staff_a, session=session, results=self.results(session, (self.ana, True, 75, False))
        )
        with self.assertRaises(ValidationError):
            sessions.session_unenroll(actor=self.staff_a, enrollment=enrollment)
        self.assertTrue(session.enrollments.exists())


@time_machine.travel(NOW, tick=False)
class SessionExamTests(BaseTestCase):
    """Issuing records each exam through ``services.exam_record`` (R2.2)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.course = make_course(cls.agency_a, "IADP")
        cls.ana = make_officer(cls.agency_a, "A-1", last="Abbott", status=Officer.Status.IN_TRAINING)
        cls.ben = make_officer(cls.agency_a, "A-2", last="Brandt", status=Officer.Status.IN_TRAINING)

    def session_with(self, *rows, ends_on=date(2026, 3, 6)):
        session = sessions.session_create(
            actor=self.staff_a,
            agency=self.agency_a,
            course=self.course,
            starts_on=ends_on,
            ends_on=ends_on,
            location="Room 1",
            instructor="Instructor Example",
        )
        sessions.session_enroll(actor=self.staff_a, session=session, badge_numbers=[r[0].badge_number for r in rows])
        by_officer = {e.officer_id: str(e.public_id) for e in session.enrollments.all()}
        results = [EnrollmentResult(by_officer[officer.pk], *values) for officer, *values in rows]
        return session, results

    def test_every_exam_taken_is_recorded_passed_or_not(self):
        session, results = self.session_with((self.ana, True, 70, False), (self.ben, True, 40, False))
        sessions.session_certifications_issue(actor=self.staff_a, session=session, results=results)
        attempts = ExamAttempt.objects.order_by("officer__last_name")
        self.assertEqual(
            [(a.officer, a.score_percent, a.passed, a.taken_on) for a in attempts],
            [(self.ana, 70, True, date(2026, 3, 6)), (self.ben, 40, False, date(2026, 3, 6))],
        )
        self.assertEqual(attempts[0].history.get().history_user, self.staff_a)

    def test_case_R2_2_a_failed_remediation_disqualifies_and_certifies_nobody(self):
        first, results = self.session_with((self.ben, True, 55, False), ends_on=date(2026, 3, 2))
        sessions.session_certifications_issue(actor=self.staff_a, session=first, results=results)
        retest, results = self.session_with((self.ben, True, 65, True))

        outcome = sessions.session_certifications_issue(actor=self.staff_a, session=retest, results=results)

        self.assertEqual((outcome.certifications, [e.officer for e in outcome.failed]), ([], [self.ben]))
        self.ben.refresh_from_db()
        self.assertEqual(self.ben.status, Officer.Status.DISQUALIFIED)

    def test_a_remediation_without_a_failed_exam_is_refused_next_to_the_flag(self):
        session, results = self.session_with((self.ana, True, 90, True), (self.ben, True, 90, False))
        with self.assertRaises(SessionRowsError) as raised:
            sessions.session_certifications_issue(actor=self.staff_a, session=session, results=results)
        [(row_id, errors)] = raised.exception.rows.items()
        self.assertEqual(row_id, str(session.enrollments.get(officer=self.ana).public_id))
        self.assertEqual(list(errors), ["is_remediation"])
        self.assertFalse(ExamAttempt.objects.exists())  # Ben's exam rolled back with the rest
        self.assertFalse(Certification.objects.exists())
