"""Every URL that takes a record's public id × every role × own/other agency.

The patterns are enumerated from the URL resolver, so a new view with a
``public_id``/``uuid`` in its route fails this test until it is added to
``COVERED`` — a new page cannot forget the agency check (DESIGN.md, Who may see what).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image
from pypdf import PdfReader

from compliance.core import access
from compliance.core.history import AUDITED_MODELS
from compliance.core.models import Report
from compliance.core.roles import ROLE_PERMISSIONS, Role
from compliance.reports.services import report_request
from tests.base import BaseTestCase, sign_in
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
from training.evidence.services import certificate_attach
from training.requirements.models import TrainingRequirement
from training.sessions.models import SessionEnrollment, TrainingSession


@dataclass(frozen=True)
class Spec:
    record: str  # key into the records built for each agency
    perm: str  # the agency permission the page needs
    method: str = "GET"
    kwargs: dict = field(default_factory=dict)


#: URL name → how to exercise it. History is checked for every allow-listed model.
COVERED: dict[str, list[Spec]] = {
    "history": [Spec(label, access.VIEW, kwargs={"model_label": label}) for label in AUDITED_MODELS],
    "reports:download": [Spec("report", access.EXPORT)],
    "training:officer_detail": [Spec("training.officer", access.VIEW)],
    "training:officer_edit": [Spec("training.officer", access.CHANGE)],
    "training:certification_create": [Spec("training.officer", access.CHANGE)],
    # Officer lifecycle pages and the agreement's training requirements (administrators only).
    "training:officer_status_change": [Spec("training.officer", access.CHANGE)],
    "training:officer_checklist": [Spec("training.officer", access.CHANGE)],
    "training:exam_create": [Spec("training.officer", access.CHANGE)],
    "training:agreement_requirements": [Spec("compliance.agreement", access.ADMINISTER)],
    "training:agreement_requirements_defaults": [Spec("compliance.agreement", access.ADMINISTER, method="POST")],
    "training:agreement_requirement_add": [Spec("compliance.agreement", access.ADMINISTER, method="POST")],
    # Training sessions.
    "training:session_detail": [Spec("training.trainingsession", access.VIEW)],
    "training:session_enroll": [Spec("training.trainingsession", access.CHANGE, method="POST")],
    "training:session_results": [Spec("training.trainingsession", access.CHANGE, method="POST")],
    "training:session_issue": [Spec("training.trainingsession", access.CHANGE, method="POST")],
    "training:session_unenroll": [Spec("training.trainingsession", access.CHANGE, method="POST")],
    # Certificate files (attach needs change, download needs view).
    "training:certificate_attach": [Spec("training.certification", access.CHANGE)],
    "training:certificate_download": [Spec("training.certificatefile", access.VIEW)],
    "incidents:detainer_detail": [Spec("incidents.detainer", access.VIEW)],
    "incidents:detainer_edit": [Spec("incidents.detainer", access.CHANGE)],
    "incidents:detainer_outcome": [Spec("incidents.detainer", access.CHANGE, method="POST")],
    "incidents:incident_detail": [Spec("incidents.incident", access.VIEW)],
    "incidents:incident_edit": [Spec("incidents.incident", access.CHANGE)],
    # Findings workflow; U.S.-citizenship claim (STOP) and consular notification.
    "findings:detail": [Spec("compliance.finding", access.VIEW)],
    "findings:acknowledge": [Spec("compliance.finding", access.REVIEW, method="POST")],
    "findings:resolve": [Spec("compliance.finding", access.REVIEW, method="POST")],
    "findings:false_positive": [Spec("compliance.finding", access.REVIEW, method="POST")],
    "findings:reopen": [Spec("compliance.finding", access.REVIEW, method="POST")],
    "incidents:detainer_citizenship": [Spec("incidents.detainer", access.CHANGE)],
    "incidents:detainer_citizenship_escalate": [Spec("incidents.detainer", access.REVIEW, method="POST")],
    "incidents:detainer_citizenship_resolve": [Spec("incidents.detainer", access.REVIEW, method="POST")],
    "incidents:detainer_consular": [Spec("incidents.detainer", access.CHANGE)],
    # The log of 287(g) actions per detainer (R1.6, R3.8).
    "incidents:detainer_action_create": [
        Spec("incidents.detainer", access.CHANGE),
        Spec("incidents.detainer", access.CHANGE, method="POST"),
    ],
    # Custody-board quick actions (POST only; an empty form re-renders with its errors).
    "incidents:custody_action": [
        Spec("incidents.detainer", access.CHANGE, method="POST", kwargs={"action": action})
        for action in ("service", "ice-notified", "transfer", "release")
    ],
    "community:outreach_detail": [Spec("community.outreachevent", access.VIEW)],
    "community:outreach_edit": [Spec("community.outreachevent", access.CHANGE)],
}


#: Records that belong to one user, not only to one agency: their owner gets the page and anyone
#: else (same agency or not) 404. Each is tested by role and agency in the file named.
OWNER_ONLY: dict[str, str] = {
    "training:roster_import_preview": "tests/training/test_import_views.py",
    "training:roster_import_discard": "tests/training/test_import_views.py",
    "training:notification_read": "tests/training/test_notices.py",
    "incidents:detainer_import_preview": "tests/incidents/test_part_c_detainer_import.py",
    "incidents:detainer_import_discard": "tests/incidents/test_part_c_detainer_import.py",
}


def public_id_url_names() -> dict[str, str]:
    """URL name → route for every pattern whose route takes a public id or a UUID."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str, namespace: str | None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace if pattern.namespace else namespace
                if namespace and pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}"
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if re.search(r"public_id|uuid", route):
                    name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                    found[name or route] = route

    walk(get_resolver().url_patterns, "", None)
    return found


def build_records(agency, number: int, reporter) -> dict:
    officer = make_officer(agency, number)
    course = make_course(agency, f"C{number}")
    detainer = make_detainer(agency, number)
    incident = make_incident(agency, number, reported_by=reporter)
    return {
        "compliance.agency": agency,
        "compliance.agreement": agency.agreements.first(),
        "compliance.finding": make_finding(agency, detainer),
        "training.officer": officer,
        "training.course": course,
        "training.certification": make_certification(officer, course, date(2025, 1, 1)),
        "training.trainingsession": make_training_session(agency, course, officer),
        "training.trainingrequirement": TrainingRequirement.objects.create(
            agency=agency, agreement=agency.agreements.first(), course=course, kind="basic", validity_months=24
        ),
        "incidents.detainer": detainer,
        "incidents.incident": incident,
        "community.outreachevent": make_outreach(agency, date(2026, 1, 10), number),
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


class PermissionMatrixTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.records = {
            cls.agency_a.pk: build_records(cls.agency_a, 1, cls.staff_a),
            cls.agency_b.pk: build_records(cls.agency_b, 2, cls.staff_b),
        }

    def setUp(self):
        # Report files live in this test's storage folder, so they are made per test.
        for agency, user in ((self.agency_a, self.supervisor_a), (self.agency_b, self.supervisor_b)):
            self.records[agency.pk]["report"] = make_ready_report(agency, user)
            self.records[agency.pk]["training.certificatefile"] = certificate_attach(
                actor=user,
                certification=self.records[agency.pk]["training.certification"],
                upload=SimpleUploadedFile("certificate.png", _tiny_png()),
            )

    def url(self, name: str, spec: Spec, agency) -> str:
        record = self.records[agency.pk][spec.record]
        return reverse(name, kwargs={"public_id": record.public_id, **spec.kwargs})

    def request(self, user, spec: Spec, url: str):
        self.client.logout()
        if user is not None:
            sign_in(self.client, user)
        return self.client.post(url, {}) if spec.method == "POST" else self.client.get(url)

    def test_every_public_id_pattern_is_covered(self):
        missing = sorted(set(public_id_url_names()) - set(COVERED) - set(OWNER_ONLY))
        self.assertEqual(missing, [], "Add these URL patterns to COVERED in tests/compliance/test_permission_matrix.py")
        stale = sorted((set(COVERED) | set(OWNER_ONLY)) - set(public_id_url_names()))
        self.assertEqual(stale, [], "These COVERED names no longer exist")

    def test_every_audited_model_has_a_record_here(self):
        self.assertTrue(set(AUDITED_MODELS) <= set(self.records[self.agency_a.pk]))

    def test_other_agency_gets_404_for_every_role(self):
        for name, specs in COVERED.items():
            for spec in specs:
                for user in (self.staff_a, self.supervisor_a, self.admin_a, self.auditor_a, self.outsider):
                    with self.subTest(url=name, record=spec.record, user=user.username):
                        response = self.request(user, spec, self.url(name, spec, self.agency_b))
                        self.assertEqual(response.status_code, 404)
                for user in (self.staff_b, self.supervisor_b):
                    with self.subTest(url=name, record=spec.record, user=user.username):
                        response = self.request(user, spec, self.url(name, spec, self.agency_a))
                        self.assertEqual(response.status_code, 404)

    def test_own_agency_follows_the_role_permissions(self):
        roles = {
            self.staff_a: Role.STAFF,
            self.supervisor_a: Role.SUPERVISOR,
            self.admin_a: Role.ADMINISTRATOR,
            self.auditor_a: Role.AUDITOR,
        }
        for name, specs in COVERED.items():
            for spec in specs:
                for user, role in roles.items():
                    with self.subTest(url=name, record=spec.record, user=user.username):
                        response = self.request(user, spec, self.url(name, spec, self.agency_a))
                        if spec.perm in ROLE_PERMISSIONS[role]:
                            self.assertIn(response.status_code, (200, 302))
                        else:
                            self.assertIn(response.status_code, (403, 404))

    def test_an_auditor_of_both_agencies_reads_both(self):
        for name, specs in COVERED.items():
            for spec in specs:
                if spec.perm not in ROLE_PERMISSIONS[Role.AUDITOR]:
                    continue
                for agency in (self.agency_a, self.agency_b):
                    with self.subTest(url=name, record=spec.record, agency=agency.state):
                        response = self.request(self.auditor, spec, self.url(name, spec, agency))
                        self.assertEqual(response.status_code, 200)

    def test_anonymous_is_sent_to_login(self):
        for name, specs in COVERED.items():
            for spec in specs:
                with self.subTest(url=name, record=spec.record):
                    url = self.url(name, spec, self.agency_a)
                    response = self.request(None, spec, url)
                    self.assertEqual(response.status_code, 302)
                    self.assertTrue(response["Location"].startswith("/accounts/login/"), response["Location"])


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
