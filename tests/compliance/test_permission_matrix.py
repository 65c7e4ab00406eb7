"""The records every access test builds per agency, and case A1 (model-wide permissions never widen scope).

The access matrix itself (every URL pattern × every role × own/other agency) is
``tests/compliance/test_access_matrix.py``, with its one table in ``tests/compliance/access_table.py``.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from community.commitments.models import Commitment
from community.models import Contact, EventParticipant, Organisation
from community.steering_committee.models import CommitteeMeeting, CommitteeMember
from compliance.core import access
from compliance.core.models import AgreementRequirement, LegalHold, Report
from compliance.core.roles import Role
from compliance.reports.services import report_request
from incidents.corrective_actions.models import CorrectiveAction
from incidents.referrals.models import Referral
from tests.base import BaseTestCase, make_user, sign_in
from tests.compliance.helpers import (
    make_certification,
    make_course,
    make_detainer,
    make_finding,
    make_incident,
    make_officer,
    make_outreach,
    make_ready_report,
)
from training.requirements.models import TrainingRequirement
from training.roster.models import Rank
from training.sessions.models import SessionEnrollment, TrainingSession


def build_records(agency, number: int, reporter) -> dict:
    officer = make_officer(agency, number)
    course = make_course(agency, f"C{number}")
    detainer = make_detainer(agency, number)
    incident = make_incident(agency, number, reported_by=reporter)
    # Owned by someone who is no persona: only supervisors and administrators may finish it (REVIEW in the table).
    action_owner = make_user(f"action_owner_{number}")
    outreach = make_outreach(agency, date(2026, 1, 10), number)
    organisation = Organisation.objects.create(agency=agency, name=f"Invented group {number}", kind="faith")
    # A legal hold on the detainer, placed by the agency's supervisor (its release page: supervisors, administrators).
    hold = LegalHold.objects.create(
        agency=agency,
        content_type=ContentType.objects.get_for_model(detainer),
        object_id=detainer.pk,
        reason=LegalHold.Reason.LITIGATION,
        reference=f"CV-{number}",
        placed_by=reporter,
        placed_at=datetime(2026, 1, 6, 16, 0, tzinfo=UTC),
    )
    return {
        "compliance.agency": agency,
        "compliance.legalhold": hold,
        "compliance.agreement": agency.agreements.first(),
        "compliance.finding": make_finding(agency, detainer),
        # An MOA requirement of the agreement (issue #15; its documents: tests/compliance/test_access_matrix.py).
        "compliance.agreementrequirement": AgreementRequirement.objects.create(
            agency=agency,
            agreement=agency.agreements.first(),
            clause="media",
            key="media-relations",
            title=f"Invented requirement {number}",
            text="Invented text.",
            evidence="document",
        ),
        "training.officer": officer,
        "training.course": course,
        "training.certification": make_certification(officer, course, date(2025, 1, 1)),
        "training.trainingsession": make_training_session(agency, course, officer),
        "training.trainingrequirement": TrainingRequirement.objects.create(
            agency=agency, agreement=agency.agreements.first(), course=course, kind="basic", validity_months=24
        ),
        "incidents.detainer": detainer,
        "incidents.incident": incident,
        "incidents.correctiveaction": CorrectiveAction.objects.create(
            agency=agency,
            incident=incident,
            kind=CorrectiveAction.Kind.TRAINING,
            description=f"Invented corrective action {number}",
            owner=action_owner,
            due_on=date(2026, 1, 20),
            created_by=action_owner,
        ),
        "incidents.referral": Referral.objects.create(
            agency=agency,
            incident=incident,
            recipient=Referral.Recipient.ICE_OPR,
            referred_at=datetime(2026, 1, 5, 16, 0, tzinfo=UTC),
            reference_number=f"JIC-{number}",
            # A response already recorded, so the response page's form is complete as shown (C3 mass assignment).
            response="Invented response",
            response_on=date(2026, 1, 6),
            recorded_by=reporter,
        ),
        "community.outreachevent": outreach,
        "community.commitment": Commitment.objects.create(
            agency=agency,
            event=outreach,
            description=f"Invented commitment {number}",
            owner=action_owner,
            due_on=date(2026, 1, 20),
            created_by=action_owner,
        ),
        "community.organisation": organisation,
        "community.contact": Contact.objects.create(agency=agency, name=f"Invented contact {number}"),
        "community.eventparticipant": EventParticipant.objects.create(
            event=outreach,
            organisation=organisation,
            added_at=datetime(2026, 1, 10, 18, 0, tzinfo=UTC),
            added_by=reporter,
        ),
        "training.rank": Rank.objects.create(agency=agency, name=f"Sergeant {number}", seniority=20),
        "community.committeemember": CommitteeMember.objects.create(
            agency=agency, name=f"Invented member {number}", term_start=date(2025, 1, 1)
        ),
        # Scheduled, started in the past: it may be edited, recorded held or cancelled.
        "community.committeemeeting": CommitteeMeeting.objects.create(
            agency=agency, starts_at=datetime(2026, 1, 12, 16, 0, tzinfo=UTC), agenda=f"Invented agenda {number}"
        ),
    }


def _tiny_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2)).save(buffer, "PNG")
    return buffer.getvalue()


def make_training_session(agency, course, officer) -> TrainingSession:
    session = TrainingSession.objects.create(
        agency=agency,
        course=course,
        starts_on=date(2026, 1, 5),
        ends_on=date(2026, 1, 9),
        location="Training room",
        instructor="Instructor Example",
    )
    SessionEnrollment.objects.create(session=session, officer=officer)
    return session


class ModelWidePermissionTests(BaseTestCase):
    """Case A1: a model-wide permission given by mistake never widens agency scope."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.detainer_a = make_detainer(
            cls.agency_a, 1, booking_number="BK-ALDER-ONLY", released_at=datetime(2026, 1, 6, tzinfo=UTC)
        )
        cls.detainer_b = make_detainer(
            cls.agency_b, 1, booking_number="BK-BIRCH-OWN", released_at=datetime(2026, 1, 6, tzinfo=UTC)
        )
        course_a, course_b = make_course(cls.agency_a), make_course(cls.agency_b)
        cls.officer_a = make_officer(cls.agency_a, 1, last_name="Alderonly")
        cls.officer_b = make_officer(cls.agency_b, 1, last_name="Birchown")
        make_certification(cls.officer_a, course_a, date(2025, 1, 1))
        make_certification(cls.officer_b, course_b, date(2025, 1, 1))
        wrong = Permission.objects.filter(
            content_type__app_label="compliance", codename__in=access.ALL_PERMS
        ) | Permission.objects.filter(content_type__app_label="incidents", content_type__model="detainer")
        for role in (Role.STAFF, Role.SUPERVISOR):
            Group.objects.get(name=role).permissions.add(*wrong)

    def setUp(self):
        self.report_a = make_ready_report(self.agency_a, self.supervisor_a)

    def test_case_A1_the_group_really_holds_the_model_wide_permissions(self):
        self.assertTrue(self.staff_b.has_perm("compliance.view_records"))
        self.assertTrue(self.staff_b.has_perm("incidents.view_detainer"))

    def test_case_A1_detainer_list_has_only_agency_b_rows(self):
        sign_in(self.client, self.staff_b)
        response = self.client.get(reverse("incidents:detainer_list"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "BK-BIRCH-OWN")
        self.assertNotContains(response, "BK-ALDER-ONLY")

    def test_case_A1_agency_a_records_still_answer_404(self):
        sign_in(self.client, self.staff_b)
        for url in (
            reverse("incidents:detainer_detail", kwargs={"public_id": self.detainer_a.public_id}),
            reverse("history", kwargs={"model_label": "incidents.detainer", "public_id": self.detainer_a.public_id}),
            reverse("training:officer_detail", kwargs={"public_id": self.officer_a.public_id}),
            reverse("reports:download", kwargs={"public_id": self.report_a.public_id}),
            f"/?agency={self.agency_a.public_id}",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_case_A1_reports_list_and_request_stay_in_agency_b(self):
        sign_in(self.client, self.staff_b)
        self.assertNotContains(self.client.get(reverse("reports:list")), self.agency_a.state + ")")
        # Model-wide export_reports does not count: staff_b holds no export object permission.
        self.assertEqual(self.client.get(reverse("reports:request")).status_code, 404)
        for agency in (self.agency_a, self.agency_b):
            with self.subTest(agency=agency.state), self.assertRaises(PermissionDenied):
                report_request(
                    actor=self.staff_b, agency=agency, kind=Report.Kind.TRAINING_ROSTER, as_of=date(2026, 1, 5)
                )

    def test_case_A1_the_pdf_report_contains_only_agency_b_rows(self):
        with self.assertRaises(PermissionDenied):
            report_request(
                actor=self.supervisor_b, agency=self.agency_a, kind=Report.Kind.TRAINING_ROSTER, as_of=date(2026, 1, 5)
            )
        with self.captureOnCommitCallbacks(execute=True):
            report = report_request(
                actor=self.supervisor_b, agency=self.agency_b, kind=Report.Kind.TRAINING_ROSTER, as_of=date(2026, 1, 5)
            )
        report.refresh_from_db()
        with report.file.open("rb") as handle:
            text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)
        self.assertIn("Birchown", text)
        self.assertNotIn("Alderonly", text)


#: The people pages (compliance.accounts), addressed by a user's key: URL name → method. A person of another
#: agency answers 404 to its administrator; anyone who administers no agency gets 403 (SECURITY.md C5).
PEOPLE_COVERED: dict[str, str] = {
    "people:detail": "GET",
    "people:role": "POST",
    "people:move": "POST",
    "people:deactivate": "POST",
    "people:reactivate": "POST",
    "people:unlock": "POST",
}
PEOPLE_LISTS: dict[str, str] = {"people:list": "GET", "people:invite": "GET"}


class PeoplePermissionMatrixTests(BaseTestCase):
    def request(self, user, name: str, method: str, person=None):
        self.client.logout()
        if user is not None:
            sign_in(self.client, user)
        url = reverse(name, args=[person.pk]) if person is not None else reverse(name)
        return self.client.post(url, {}) if method == "POST" else self.client.get(url)

    def test_every_people_url_is_covered(self):
        from compliance.accounts.urls import urlpatterns

        routed = {f"people:{p.name}" for p in urlpatterns} - {"people:accept"}  # the invitation link: anonymous
        self.assertEqual(routed, set(PEOPLE_COVERED) | set(PEOPLE_LISTS))

    def test_C5_no_administer_permission_answers_403_everywhere(self):
        for user in (self.staff_a, self.supervisor_a, self.auditor_a, self.outsider):
            for name, method in PEOPLE_COVERED.items():
                with self.subTest(url=name, user=user.username):
                    self.assertEqual(self.request(user, name, method, self.staff_a).status_code, 403)
            for name, method in PEOPLE_LISTS.items():
                with self.subTest(url=name, user=user.username):
                    self.assertEqual(self.request(user, name, method).status_code, 403)

    def test_a_person_of_another_agency_answers_404_to_an_administrator(self):
        for name, method in PEOPLE_COVERED.items():
            with self.subTest(url=name):
                self.assertEqual(self.request(self.admin_a, name, method, self.staff_b).status_code, 404)
        self.staff_b.refresh_from_db()
        self.assertTrue(self.staff_b.is_active)

    def test_anonymous_is_sent_to_sign_in(self):
        for name, method in PEOPLE_COVERED.items():
            with self.subTest(url=name):
                response = self.request(None, name, method, self.staff_a)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].startswith(reverse("account_login")))
