"""Training session pages by role and agency: list, schedule, roster, enroll, results, issue; 404 elsewhere."""

import re
from datetime import UTC, date, datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from tests.base import BaseTestCase, sign_in
from tests.training.helpers import make_course, make_officer
from training.roster.models import Certification, Officer
from training.sessions import services as sessions
from training.sessions.models import SessionEnrollment, TrainingSession

NOW = datetime(2026, 3, 6, 16, tzinfo=UTC)  # 2026-03-06 10:00 CST in agency A


@time_machine.travel(NOW, tick=False)
class SessionViewTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.course = make_course(cls.agency_a, "IADP")
        cls.course_b = make_course(cls.agency_b, "WSO1")
        cls.ana = make_officer(cls.agency_a, "A-1", last="Abbott", first="Ana", status=Officer.Status.IN_TRAINING)
        cls.ben = make_officer(cls.agency_a, "A-2", last="Brandt", first="Ben", status=Officer.Status.IN_TRAINING)
        cls.session = sessions.session_create(
            actor=cls.staff_a,
            agency=cls.agency_a,
            course=cls.course,
            starts_on=date(2026, 3, 2),
            ends_on=date(2026, 3, 6),
            location="Training room 2",
            instructor="Instructor Example",
        )
        sessions.session_enroll(actor=cls.staff_a, session=cls.session, badge_numbers=["A-1", "A-2"])
        cls.session_b = sessions.session_create(
            actor=cls.staff_b,
            agency=cls.agency_b,
            course=cls.course_b,
            starts_on=date(2026, 3, 2),
            ends_on=date(2026, 3, 3),
            location="Birch academy",
            instructor="Instructor B",
        )

    def login(self, user):
        sign_in(self.client, user)

    def url(self, name, *args):
        return reverse(f"training:{name}", args=args)

    def enrollment(self, officer):
        return SessionEnrollment.objects.get(session=self.session, officer=officer)

    def roster_post(self, rows):
        """POST data of the roster form: rows are (officer, attended, score, remediation)."""
        data = {"results-TOTAL_FORMS": str(len(rows)), "results-INITIAL_FORMS": str(len(rows))}
        for index, (officer, attended, score, remediation) in enumerate(rows):
            data[f"results-{index}-enrollment"] = str(self.enrollment(officer).public_id)
            if attended:
                data[f"results-{index}-attended"] = "on"
            data[f"results-{index}-exam_score_percent"] = "" if score is None else str(score)
            if remediation:
                data[f"results-{index}-is_remediation"] = "on"
        return data

    def row_html(self, response, officer) -> str:
        """The roster table row of ``officer``'s enrollment."""
        html = response.content.decode()
        match = re.search(rf'<tr data-enrollment="{self.enrollment(officer).public_id}">.*?</tr>', html, re.S)
        self.assertIsNotNone(match)
        return match.group(0)


class AnonymousSessionTests(SessionViewTestCase):
    def test_every_page_redirects_to_login(self):
        pid = self.session.public_id
        for name, args in [
            ("session_list", ()),
            ("session_create", ()),
            ("session_detail", (pid,)),
        ]:
            with self.subTest(name=name):
                url = self.url(name, *args)
                self.assertRedirects(
                    self.client.get(url), f"/accounts/login/?next={url}", fetch_redirect_response=False
                )


class SessionListTests(SessionViewTestCase):
    def test_staff_sees_own_agency_sessions_with_counts(self):
        self.login(self.staff_a)
        response = self.client.get(self.url("session_list"))
        self.assertContains(response, "IADP — IADP course")
        self.assertContains(response, "2026-03-02 to 2026-03-06")
        self.assertContains(response, "Training room 2")
        self.assertContains(response, "<td>2</td>", html=True)  # enrolled
        self.assertNotContains(response, "Birch academy")
        self.assertContains(response, "Schedule a session")

    def test_other_agency_and_outsider_get_404(self):
        self.login(self.staff_a)
        self.assertEqual(
            self.client.get(self.url("session_list"), {"agency": self.agency_b.public_id}).status_code, 404
        )
        self.login(self.outsider)
        self.assertEqual(self.client.get(self.url("session_list")).status_code, 404)

    def test_auditor_reads_without_schedule_button(self):
        self.login(self.auditor)
        response = self.client.get(self.url("session_list"), {"agency": self.agency_b.public_id})
        self.assertContains(response, "Birch academy")
        self.assertNotContains(response, "Schedule a session")

    def test_query_count_does_not_grow_with_sessions(self):
        self.login(self.staff_a)
        self.client.get(self.url("session_list"))
        with CaptureQueriesContext(connection) as small:
            self.client.get(self.url("session_list"))
        for n in range(15):
            extra = sessions.session_create(
                actor=self.staff_a,
                agency=self.agency_a,
                course=self.course,
                starts_on=date(2026, 4, 1 + n),
                ends_on=date(2026, 4, 1 + n),
                location=f"Room {n}",
                instructor="Instructor Example",
            )
            sessions.session_enroll(actor=self.staff_a, session=extra, badge_numbers=["A-1"])
        with self.assertNumQueries(len(small)):
            response = self.client.get(self.url("session_list"))
        self.assertContains(response, "16 sessions")


class SessionCreateTests(SessionViewTestCase):
    def test_staff_schedules_a_session(self):
        self.login(self.staff_a)
        response = self.client.post(
            self.url("session_create"),
            {
                "course": self.course.public_id,
                "starts_on": "2026-04-06",
                "ends_on": "2026-04-10",
                "location": "Range classroom",
                "instructor": "Instructor Example",
                "exam_required": "on",
            },
        )
        session = TrainingSession.objects.get(location="Range classroom")
        self.assertRedirects(response, self.url("session_detail", session.public_id))
        self.assertEqual(
            (session.agency, session.ends_on, session.exam_required), (self.agency_a, date(2026, 4, 10), True)
        )

    def test_an_end_before_the_start_shows_next_to_the_field(self):
        self.login(self.staff_a)
        response = self.client.post(
            self.url("session_create"),
            {
                "course": self.course.public_id,
                "starts_on": "2026-04-10",
                "ends_on": "2026-04-06",
                "location": "Range classroom",
                "instructor": "Instructor Example",
            },
        )
        self.assertContains(
            response,
            f'<span class="usa-error-message" id="id_ends_on-error" role="alert">{sessions.ENDS_BEFORE_START}</span>',
            html=True,
        )
        self.assertFalse(TrainingSession.objects.filter(location="Range classroom").exists())

    def test_another_agencys_course_is_not_a_choice(self):
        self.login(self.staff_a)
        response = self.client.get(self.url("session_create"))
        self.assertContains(response, "IADP")
        self.assertNotContains(response, "WSO1")
        response = self.client.post(
            self.url("session_create"),
            {
                "course": self.course_b.public_id,
                "starts_on": "2026-04-06",
                "ends_on": "2026-04-06",
                "location": "X",
                "instructor": "Y",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Select a valid choice")

    def test_auditor_and_other_agency_get_404(self):
        self.login(self.auditor)
        self.assertEqual(self.client.get(self.url("session_create")).status_code, 404)
        self.assertEqual(self.client.post(self.url("session_create"), {}).status_code, 404)
        self.login(self.staff_b)
        response = self.client.get(self.url("session_create"), {"agency": self.agency_a.public_id})
        self.assertEqual(response.status_code, 404)


class SessionDetailTests(SessionViewTestCase):
    def test_staff_sees_the_roster_with_attendance_and_score_fields(self):
        self.login(self.staff_a)
        response = self.client.get(self.url("session_detail", self.session.public_id))
        row = self.row_html(response, self.ana)
        self.assertIn("Abbott, Ana", row)
        self.assertIn('name="results-0-attended"', row)
        self.assertIn('name="results-0-exam_score_percent"', row)
        self.assertContains(response, "Issue certifications")
        self.assertContains(response, "Enroll officers")
        self.assertContains(response, reverse("history", args=["training.trainingsession", self.session.public_id]))

    def test_other_agency_gets_404_on_every_session_url(self):
        enrollment_id = self.enrollment(self.ana).public_id
        self.login(self.staff_b)
        pid = self.session.public_id
        self.assertEqual(self.client.get(self.url("session_detail", pid)).status_code, 404)
        for name, args in [
            ("session_enroll", (pid,)),
            ("session_results", (pid,)),
            ("session_issue", (pid,)),
            ("session_unenroll", (pid,)),
        ]:
            with self.subTest(name=name):
                self.assertEqual(
                    self.client.post(self.url(name, *args), {"enrollment": enrollment_id}).status_code, 404
                )
        self.assertTrue(SessionEnrollment.objects.filter(public_id=enrollment_id).exists())

    def test_auditor_reads_the_roster_without_forms_and_cannot_write(self):
        self.login(self.auditor)
        pid = self.session.public_id
        response = self.client.get(self.url("session_detail", pid))
        self.assertContains(response, "Abbott, Ana")
        self.assertNotContains(response, 'name="results-')
        self.assertNotContains(response, 'name="badge_numbers"')
        self.assertNotContains(response, "Issue certifications")
        for name, args, data in [
            ("session_enroll", (pid,), {"badge_numbers": "A-1"}),
            ("session_results", (pid,), self.roster_post([(self.ana, True, 90, False)])),
            ("session_issue", (pid,), self.roster_post([(self.ana, True, 90, False)])),
            ("session_unenroll", (pid,), {"enrollment": self.enrollment(self.ana).public_id}),
        ]:
            with self.subTest(name=name):
                self.assertEqual(self.client.post(self.url(name, *args), data).status_code, 404)
        self.assertFalse(Certification.objects.exists())
        self.assertEqual(self.session.enrollments.count(), 2)


class SessionEnrollTests(SessionViewTestCase):
    def test_it_enrolls_by_badge_numbers(self):
        make_officer(self.agency_a, "A-3", last="Cole")
        self.login(self.staff_a)
        response = self.client.post(self.url("session_enroll", self.session.public_id), {"badge_numbers": "A-3"})
        self.assertRedirects(response, self.url("session_detail", self.session.public_id))
        self.assertEqual(self.session.enrollments.count(), 3)

    def test_bad_badges_are_listed_next_to_the_field(self):
        make_officer(self.agency_a, "A-3", last="Cole")
        self.login(self.staff_a)
        response = self.client.post(
            self.url("session_enroll", self.session.public_id), {"badge_numbers": "A-3, B-1\nA-1"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "No officer with badge B-1 in this agency.")
        self.assertContains(response, "Officer with badge A-1 is already enrolled.")
        self.assertContains(response, 'id="id_badge_numbers-error"')
        self.assertEqual(self.session.enrollments.count(), 2)

    def test_remove_an_enrollee(self):
        self.login(self.staff_a)
        enrollment = self.enrollment(self.ben)
        url = self.url("session_unenroll", self.session.public_id)
        response = self.client.post(url, {"enrollment": enrollment.public_id})
        self.assertRedirects(response, self.url("session_detail", self.session.public_id))
        self.assertFalse(SessionEnrollment.objects.filter(pk=enrollment.pk).exists())
        response = self.client.post(url, {"enrollment": enrollment.public_id}, follow=True)
        self.assertContains(response, "That officer is not enrolled in this session (any more).")

    def test_an_enrollment_of_another_session_cannot_be_removed_through_this_one(self):
        other = sessions.session_create(
            actor=self.staff_a,
            agency=self.agency_a,
            course=self.course,
            starts_on=date(2026, 4, 6),
            ends_on=date(2026, 4, 6),
            location="Room 5",
            instructor="Instructor Example",
        )
        [foreign] = sessions.session_enroll(actor=self.staff_a, session=other, badge_numbers=["A-1"])
        self.login(self.staff_a)
        self.client.post(self.url("session_unenroll", self.session.public_id), {"enrollment": foreign.public_id})
        self.assertTrue(SessionEnrollment.objects.filter(pk=foreign.pk).exists())


class SessionResultsTests(SessionViewTestCase):
    def test_it_saves_attendance_and_scores(self):
        self.login(self.staff_a)
        response = self.client.post(
            self.url("session_results", self.session.public_id),
            self.roster_post([(self.ana, True, 91, False), (self.ben, True, 64, False)]),
        )
        self.assertRedirects(response, self.url("session_detail", self.session.public_id))
        self.assertEqual(self.enrollment(self.ana).exam_score_percent, 91)
        response = self.client.get(self.url("session_detail", self.session.public_id))
        self.assertIn("Passed", self.row_html(response, self.ana))
        self.assertIn("Below 70 %", self.row_html(response, self.ben))

    def test_errors_show_next_to_each_rows_field(self):
        self.login(self.staff_a)
        response = self.client.post(
            self.url("session_results", self.session.public_id),
            self.roster_post([(self.ana, True, 101, False), (self.ben, False, 80, False)]),
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Ensure this value is less than or equal to 100.", self.row_html(response, self.ana))
        self.assertNotIn("absent", self.row_html(response, self.ana))
        # The form error stops the service: Ben's row is checked once the form is valid.
        response = self.client.post(
            self.url("session_results", self.session.public_id),
            self.roster_post([(self.ana, True, 95, False), (self.ben, False, 80, False)]),
        )
        self.assertIn(sessions.SCORE_WITHOUT_ATTENDANCE, self.row_html(response, self.ben))
        self.assertIn('value="95"', self.row_html(response, self.ana))  # what the user typed is kept
        self.assertIsNone(self.enrollment(self.ana).exam_score_percent)


class SessionIssueTests(SessionViewTestCase):
    def test_one_click_saves_the_roster_and_issues_certifications(self):
        self.login(self.supervisor_a)
        response = self.client.post(
            self.url("session_issue", self.session.public_id),
            self.roster_post([(self.ana, True, 82, False), (self.ben, True, 55, False)]),
            follow=True,
        )
        self.assertContains(response, "1 certification issued; 1 did not pass the exam.")
        certification = Certification.objects.get()
        self.assertEqual((certification.officer, certification.completed_on), (self.ana, date(2026, 3, 6)))
        self.assertIn("Certified, last valid day 2028-03-06", self.row_html(response, self.ana))
        self.assertIn("Did not pass", self.row_html(response, self.ben))
        self.assertContains(response, 'data-testid="issued"')
        self.assertNotContains(response, "Enroll officers")  # locked
        self.assertNotContains(response, 'name="results-0-attended"')

    def test_a_refused_row_is_shown_next_to_it_and_nothing_is_issued(self):
        self.login(self.supervisor_a)
        response = self.client.post(
            self.url("session_issue", self.session.public_id),
            self.roster_post([(self.ana, True, 82, False), (self.ben, True, None, False)]),
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Nothing was issued")
        self.assertIn(sessions.SCORE_MISSING, self.row_html(response, self.ben))
        self.assertIn('value="82"', self.row_html(response, self.ana))
        self.assertFalse(Certification.objects.exists())
        self.assertIsNone(self.enrollment(self.ana).exam_score_percent)

    def test_issuing_before_the_last_day_is_refused_with_a_message(self):
        late = sessions.session_create(
            actor=self.staff_a,
            agency=self.agency_a,
            course=self.course,
            starts_on=date(2026, 3, 6),
            ends_on=date(2026, 3, 9),
            location="Room 9",
            instructor="Instructor Example",
        )
        sessions.session_enroll(actor=self.staff_a, session=late, badge_numbers=["A-1"])
        self.login(self.staff_a)
        response = self.client.get(self.url("session_detail", late.public_id))
        self.assertContains(response, "Available from 2026-03-09.")
        response = self.client.post(self.url("session_issue", late.public_id))
        self.assertContains(response, escape(sessions.ISSUE_TOO_EARLY.format(ends_on="2026-03-09")))
