"""Roster pages by role and agency: who sees what, who may change, 404 for other agencies, form errors."""

from datetime import UTC, date, datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.core.models import Agency
from compliance.core.roles import Role
from tests.base import BaseTestCase, make_user, sign_in
from tests.training.helpers import make_certification, make_course, make_officer, roster_search
from training.roster import services
from training.roster.models import Certification, Course, Officer

NOW = datetime(2026, 2, 28, 1, 30, tzinfo=UTC)  # 2026-02-27 19:30 CST in agency A (case T1)


@time_machine.travel(NOW, tick=False)
class RosterViewTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.course_a = make_course(cls.agency_a, "IADP")
        cls.course_b = make_course(cls.agency_b, "WSO1")
        cls.officer_a = make_officer(cls.agency_a, "A-1", last="Alvarez", first="Rosa", supervisor=cls.supervisor_a)
        make_certification(cls.officer_a, cls.course_a, date(2024, 2, 27), expires_on=date(2026, 2, 27))
        cls.officer_b = make_officer(cls.agency_b, "B-1", last="Bergstrom", first="Eli")

    def login(self, user):
        sign_in(self.client, user)

    def url(self, name, *args):
        return reverse(f"training:{name}", args=args)


class AnonymousTests(RosterViewTestCase):
    def test_every_page_redirects_to_login(self):
        pid = self.officer_a.public_id
        for name, args in [
            ("roster", ()),
            ("officer_create", ()),
            ("officer_detail", (pid,)),
            ("officer_edit", (pid,)),
            ("certification_create", (pid,)),
            ("course_list", ()),
            ("course_create", ()),
            ("roster_import", ()),
            ("roster_import_template", ()),
        ]:
            with self.subTest(name=name):
                url = self.url(name, *args)
                self.assertRedirects(
                    self.client.get(url), f"/accounts/login/?next={url}", fetch_redirect_response=False
                )


class RosterPageTests(RosterViewTestCase):
    def test_staff_sees_own_agency_with_status_as_of_the_local_date(self):
        self.login(self.staff_a)
        response = self.client.get(self.url("roster"))
        self.assertContains(response, "Alvarez, Rosa")
        self.assertNotContains(response, "Bergstrom")
        self.assertContains(response, "as of 2026-02-27")
        self.assertContains(response, 'data-status="expiring"')
        self.assertContains(response, "<strong>1 today</strong>", html=True)
        self.assertContains(response, "Add officer")

    def test_other_agency_gets_404(self):
        self.login(self.staff_a)
        response = self.client.get(self.url("roster"), {"agency": self.agency_b.public_id})
        self.assertEqual(response.status_code, 404)

    def test_outsider_gets_404(self):
        self.login(self.outsider)
        self.assertEqual(self.client.get(self.url("roster")).status_code, 404)

    def test_auditor_reads_both_agencies_without_create_buttons(self):
        self.login(self.auditor)
        response = self.client.get(self.url("roster"), {"agency": self.agency_b.public_id})
        self.assertContains(response, "Bergstrom, Eli")
        self.assertNotContains(response, "Alvarez")
        self.assertNotContains(response, "Add officer")
        self.assertNotContains(response, "Import roster")
        self.assertContains(response, 'name="agency"')  # the agency switch

    def test_filter_search_and_pagination(self):
        for n in range(55):
            make_officer(self.agency_a, f"P-{n:02d}", last=f"Pagetest{n:02d}")
        self.login(self.supervisor_a)
        response = self.client.get(self.url("roster"), {"status": "missing", "page": 2})
        self.assertContains(response, "Page 2 of 2")
        self.assertContains(response, "Pagetest54")
        self.assertNotContains(response, "Alvarez")
        self.assertContains(response, "status=missing")  # filters kept in the page links
        response = self.client.get(self.url("roster"), roster_search(self.client, {"q": "alva"}))
        self.assertContains(response, "Alvarez, Rosa")
        self.assertNotContains(response, "Pagetest")

    def test_query_count_does_not_grow_with_the_roster(self):
        self.login(self.staff_a)
        self.client.get(self.url("roster"))  # warm the session
        with CaptureQueriesContext(connection) as small:
            self.client.get(self.url("roster"))
        for n in range(40):
            officer = make_officer(self.agency_a, f"Q-{n}", supervisor=self.supervisor_a)
            make_certification(officer, self.course_a, date(2025, 1, 1))
        with self.assertNumQueries(len(small)):
            response = self.client.get(self.url("roster"))
        self.assertContains(response, "41 officers")


class OfficerDetailTests(RosterViewTestCase):
    def test_it_shows_certifications_status_and_history_link(self):
        self.login(self.staff_a)
        response = self.client.get(self.url("officer_detail", self.officer_a.public_id))
        self.assertContains(response, "2026-02-27 <strong>(today)</strong>", html=True)
        self.assertContains(response, reverse("history", args=["training.officer", self.officer_a.public_id]))
        self.assertContains(response, "Record a certification")

    def test_other_agency_gets_404(self):
        for user in (self.staff_b, self.supervisor_b, self.outsider):
            with self.subTest(user=user.username):
                self.login(user)
                response = self.client.get(self.url("officer_detail", self.officer_a.public_id))
                self.assertEqual(response.status_code, 404)

    def test_auditor_reads_without_change_links(self):
        self.login(self.auditor_a)
        response = self.client.get(self.url("officer_detail", self.officer_a.public_id))
        self.assertContains(response, "Alvarez")
        self.assertNotContains(response, "Record a certification")
        self.assertNotContains(response, "Edit officer")


class OfficerCreateTests(RosterViewTestCase):
    def post_officer(self, **overrides):
        data = {"first_name": "Kai", "last_name": "Okoye", "badge_number": "A-9", "status": "nominated"}
        data.update(overrides)
        return self.client.post(self.url("officer_create"), data)

    def test_staff_creates_an_officer_in_their_agency(self):
        self.login(self.staff_a)
        self.assertNotContains(self.client.get(self.url("officer_create")), 'name="agency"')
        response = self.post_officer(supervisor=self.supervisor_a.pk)
        officer = Officer.objects.get(badge_number="A-9")
        self.assertRedirects(response, self.url("officer_detail", officer.public_id))
        self.assertEqual((officer.agency, officer.supervisor), (self.agency_a, self.supervisor_a))
        self.assertEqual(officer.history.get().history_user, self.staff_a)

    def test_a_new_officer_cannot_be_added_as_designated(self):
        self.login(self.staff_a)
        form = self.client.get(self.url("officer_create")).context["form"]
        self.assertNotIn(Officer.Status.DESIGNATED, [value for value, _ in form.fields["status"].choices])
        response = self.post_officer(status="designated")
        self.assertContains(response, 'id="id_status-error"')
        self.assertFalse(Officer.objects.filter(badge_number="A-9").exists())

    def test_supervisor_choices_are_reviewers_of_the_agency(self):
        self.login(self.staff_a)
        form = self.client.get(self.url("officer_create")).context["form"]
        self.assertEqual(set(form.fields["supervisor"].queryset), {self.supervisor_a, self.admin_a})

    def test_errors_show_next_to_the_fields(self):
        self.login(self.staff_a)
        response = self.post_officer(last_name="", email="not-an-email")
        self.assertContains(response, '<span class="usa-error-message" id="id_last_name-error" role="alert">', count=1)
        self.assertContains(response, 'id="id_email-error"')
        response = self.post_officer(badge_number="A-1")  # taken
        self.assertContains(
            response, f'id="id_badge_number-error" role="alert">{services.BADGE_TAKEN}</span>', html=False
        )
        self.assertEqual(Officer.objects.filter(agency=self.agency_a).count(), 1)

    def test_auditor_and_outsider_get_404_on_get_and_post(self):
        for user in (self.auditor_a, self.auditor, self.outsider):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(self.url("officer_create")).status_code, 404)
                self.assertEqual(self.post_officer().status_code, 404)
        self.assertFalse(Officer.objects.filter(badge_number="A-9").exists())

    def test_a_user_changing_several_agencies_picks_one_of_theirs(self):
        both = make_user("staff_ab", agency=self.agency_a, role=Role.STAFF, agencies=[self.agency_a, self.agency_b])
        other = Agency.objects.create(name="Cypress Police", state="FL", time_zone="America/New_York")
        self.login(both)
        form = self.client.get(self.url("officer_create")).context["form"]
        self.assertEqual(set(form.fields["agency"].queryset), {self.agency_a, self.agency_b})

        response = self.post_officer(agency=other.public_id)
        self.assertContains(response, 'id="id_agency-error"')
        self.post_officer(agency=self.agency_b.public_id)
        self.assertEqual(Officer.objects.get(badge_number="A-9").agency, self.agency_b)


class OfficerEditTests(RosterViewTestCase):
    def test_staff_edits_and_other_agency_or_auditor_gets_404(self):
        url = self.url("officer_edit", self.officer_a.public_id)
        data = {"first_name": "Rosa", "last_name": "Alvarez-Diaz", "badge_number": "A-1", "status": "designated"}
        for user in (self.staff_b, self.auditor_a, self.auditor):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(url).status_code, 404)
                self.assertEqual(self.client.post(url, data).status_code, 404)
        self.login(self.staff_a)
        self.assertContains(self.client.get(url), 'value="Alvarez"')
        self.assertRedirects(self.client.post(url, data), self.url("officer_detail", self.officer_a.public_id))
        self.officer_a.refresh_from_db()
        self.assertEqual((self.officer_a.last_name, self.officer_a.supervisor), ("Alvarez-Diaz", None))
        self.assertEqual(self.officer_a.history.first().history_user, self.staff_a)


class CertificationCreateTests(RosterViewTestCase):
    def test_case_T3_leap_day_from_the_form(self):
        self.login(self.staff_a)
        url = self.url("certification_create", self.officer_a.public_id)
        response = self.client.post(url, {"course": self.course_a.public_id, "completed_on": "2024-02-29"}, follow=True)
        self.assertContains(response, "last valid day 2026-02-28")
        self.assertTrue(Certification.objects.filter(officer=self.officer_a, expires_on=date(2026, 2, 28)).exists())

    def test_errors_next_to_fields_for_a_future_date_or_another_agency_course(self):
        self.login(self.staff_a)
        url = self.url("certification_create", self.officer_a.public_id)
        response = self.client.post(url, {"course": self.course_a.public_id, "completed_on": "2026-02-28"})
        self.assertContains(response, 'id="id_completed_on-error"')
        self.assertContains(response, "after today (2026-02-27)")
        response = self.client.post(url, {"course": self.course_b.public_id, "completed_on": "2025-01-01"})
        self.assertContains(response, 'id="id_course-error"')
        self.assertEqual(Certification.objects.filter(officer=self.officer_a).count(), 1)

    def test_other_agency_and_auditor_get_404(self):
        url = self.url("certification_create", self.officer_a.public_id)
        for user in (self.staff_b, self.auditor_a):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(url).status_code, 404)
                response = self.client.post(url, {"course": self.course_a.public_id, "completed_on": "2025-01-01"})
                self.assertEqual(response.status_code, 404)
        self.assertEqual(Certification.objects.filter(officer=self.officer_a).count(), 1)


class CourseViewTests(RosterViewTestCase):
    def test_list_is_scoped_and_auditors_see_no_add_button(self):
        self.login(self.auditor_a)
        response = self.client.get(self.url("course_list"))
        self.assertContains(response, "IADP")
        self.assertNotContains(response, "WSO1")
        self.assertNotContains(response, "Add course")
        self.assertEqual(self.client.get(self.url("course_list"), {"agency": self.agency_b.public_id}).status_code, 404)

    def test_admin_creates_a_course_and_a_repeated_code_shows_at_the_field(self):
        self.login(self.admin_a)
        data = {
            "code": "REFRESH",
            "name": "Biennial refresher",
            "validity_months": 24,
            "delivery": "online",
            "required": "on",
        }
        response = self.client.post(self.url("course_create"), data)
        self.assertRedirects(response, f"{self.url('course_list')}?agency={self.agency_a.public_id}")
        self.assertEqual(Course.objects.get(code="REFRESH").history.get().history_user, self.admin_a)
        response = self.client.post(self.url("course_create"), data)
        self.assertContains(response, f'id="id_code-error" role="alert">{services.COURSE_CODE_TAKEN}')

    def test_auditor_gets_404_on_create(self):
        self.login(self.auditor_a)
        self.assertEqual(self.client.get(self.url("course_create")).status_code, 404)
        self.assertEqual(self.client.post(self.url("course_create"), {"code": "X"}).status_code, 404)
