"""Lifecycle pages: status change, nomination checklist, exams — by role and agency, errors at the field."""

from datetime import UTC, date, datetime

import time_machine
from django.urls import reverse

from tests.base import BaseTestCase, sign_in
from tests.training.helpers import make_certification, make_course, make_officer
from training.lifecycle import services as lifecycle
from training.lifecycle.models import ExamAttempt
from training.roster.models import Officer

Status = Officer.Status
NOW = datetime(2026, 6, 15, 17, 0, tzinfo=UTC)  # 2026-06-15 12:00 CDT in agency A


@time_machine.travel(NOW, tick=False)
class LifecycleViewTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.course = make_course(cls.agency_a, "IADP")
        cls.officer = make_officer(cls.agency_a, "L-1", agreement=cls.agreement_a, status=Status.IN_TRAINING)
        cls.officer_b = make_officer(cls.agency_b, "L-2", agreement=cls.agreement_b, status=Status.IN_TRAINING)

    def login(self, user):
        sign_in(self.client, user)

    def url(self, name, officer=None):
        return reverse(f"training:{name}", args=[(officer or self.officer).public_id])

    def test_other_agency_and_read_only_users_get_404(self):
        for name in ("officer_status_change", "officer_checklist", "exam_create"):
            for user, officer in ((self.staff_b, self.officer), (self.staff_a, self.officer_b), (self.auditor_a, None)):
                with self.subTest(page=name, user=user.username):
                    self.login(user)
                    self.assertEqual(self.client.get(self.url(name, officer)).status_code, 404)
                    self.assertEqual(self.client.post(self.url(name, officer), {}).status_code, 404)

    def test_certification_refused_shows_what_is_missing_next_to_the_fields(self):
        self.login(self.supervisor_a)
        response = self.client.post(
            self.url("officer_status_change"), {"status": "designated", "effective_on": "2026-06-10"}
        )

        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertIn("The nomination checklist is incomplete (R2.8).", form.errors["status"][0])
        self.assertEqual(
            form.errors["status"][1],
            lifecycle.TRAINING_INCOMPLETE.format(gap="required training not current on 2026-06-10: IADP"),
        )
        self.assertEqual(form.errors["ice_credential_id"], [lifecycle.CREDENTIAL_REQUIRED.format(what="id")])
        self.assertContains(response, "Missing: U.S. citizen")
        self.officer.refresh_from_db()
        self.assertEqual(self.officer.status, Status.IN_TRAINING)

    def test_checklist_then_certification_succeeds(self):
        make_certification(self.officer, self.course, date(2026, 5, 1))  # the required course, before the designation
        self.login(self.supervisor_a)
        response = self.client.post(
            self.url("officer_checklist"),
            {
                "us_citizen": "on",
                "lea_background_check_on": "2026-01-05",
                "ice_background_check_on": "2026-02-05",
                "privacy_waiver_on_file": "on",
                "service_commitment_signed": "on",
            },
        )
        self.assertRedirects(response, self.url("officer_detail"), fetch_redirect_response=False)
        response = self.client.post(
            self.url("officer_status_change"),
            {
                "status": "designated",
                "effective_on": "2026-06-10",
                "ice_credential_id": "ICE-77",
                "ice_credential_issued_on": "2026-06-09",
            },
        )
        self.assertRedirects(response, self.url("officer_detail"), fetch_redirect_response=False)
        self.officer.refresh_from_db()
        self.assertEqual((self.officer.status, self.officer.certified_on), (Status.DESIGNATED, date(2026, 6, 10)))

        page = self.client.get(self.url("officer_detail"))
        self.assertContains(page, "ICE-77")
        self.assertContains(page, "<td>2026-06-10</td><td>Certified / designated</td>", html=False)

    def test_the_status_form_offers_only_the_allowed_next_steps(self):
        self.login(self.staff_a)
        response = self.client.get(self.url("officer_status_change"))
        choices = [value for value, _label in response.context["form"].fields["status"].choices]
        self.assertEqual(choices, [Status.DESIGNATED, Status.SEPARATED, Status.DISQUALIFIED])

    def test_an_exam_is_recorded_and_two_failures_disqualify(self):
        self.login(self.staff_a)
        data = {"course": self.course.public_id, "taken_on": "2026-06-01", "score_percent": "69"}
        self.assertEqual(self.client.post(self.url("exam_create"), data).status_code, 302)
        response = self.client.post(self.url("exam_create"), {**data, "is_remediation": "on", "score_percent": "60"})
        self.assertEqual(response.status_code, 302)
        self.officer.refresh_from_db()
        self.assertEqual(self.officer.status, Status.DISQUALIFIED)
        self.assertEqual(ExamAttempt.objects.filter(officer=self.officer).count(), 2)

    def test_a_second_remediation_is_refused_at_the_field(self):
        self.login(self.staff_a)
        data = {"course": self.course.public_id, "taken_on": "2026-06-01", "score_percent": "50"}
        self.client.post(self.url("exam_create"), data)
        self.client.post(self.url("exam_create"), {**data, "score_percent": "80", "is_remediation": "on"})
        response = self.client.post(self.url("exam_create"), {**data, "score_percent": "90", "is_remediation": "on"})
        self.assertEqual(
            response.context["form"].errors["is_remediation"], [lifecycle.REMEDIATION_USED.format(day="2026-06-01")]
        )

    def test_the_officer_page_and_roster_flag_an_early_separation(self):
        officer = make_officer(
            self.agency_a, "L-3", agreement=self.agreement_a, certified_on=date(2025, 1, 10), last="Early"
        )
        lifecycle.officer_set_status(
            actor=self.supervisor_a, officer=officer, status=Status.SEPARATED, effective_on=date(2026, 6, 1)
        )
        self.login(self.supervisor_a)
        self.assertContains(self.client.get(self.url("officer_detail", officer)), 'data-testid="separated-early"')
        roster = self.client.get(
            reverse("training:roster"), {"agency": self.agency_a.public_id, "officer_status": "all"}
        )
        self.assertContains(roster, 'data-testid="separated-early"', count=1)
