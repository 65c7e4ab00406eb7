"""The case page and the review steps' pages (issue #11 items 2, 3, 6): access, forms, errors, timeline, query count."""

from __future__ import annotations

from datetime import UTC, datetime

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.core.models import AccessLog
from compliance.core.roles import Role
from incidents.case_review import services
from incidents.complaints.models import ComplaintContact
from incidents.incident_log import services as incident_services
from incidents.incident_log.models import CaseEvent, Incident
from tests.base import BaseTestCase, make_user, sign_in
from tests.compliance.helpers import make_finding
from tests.incidents.helpers import make_detainer
from tests.training.helpers import make_officer
from training.roster.models import Rank

Status = Incident.Status
OCCURRED = datetime(2026, 5, 1, 18, 0, tzinfo=UTC)


def new_case(agency, actor, title="Use of force at intake", **fields):
    values = {"kind": Incident.Kind.USE_OF_FORCE, "severity": Incident.Severity.HIGH, "occurred_at": OCCURRED}
    values.update(fields)
    return incident_services.incident_create(agency=agency, actor=actor, title=title, **values)


def step_url(incident, step: str) -> str:
    return reverse("incidents:incident_step", args=[incident.public_id, step])


class CasePageTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.investigator = make_user("investigator_a", agency=cls.agency_a, role=Role.STAFF)
        cls.rank = Rank.objects.create(agency=cls.agency_a, name="Sergeant", seniority=20)
        cls.subject = make_officer(cls.agency_a, "S-1", last="Subjectson", rank=cls.rank)

    def setUp(self):
        self.case = new_case(self.agency_a, self.staff_a)
        self.url = reverse("incidents:incident_detail", args=[self.case.public_id])

    def test_an_outsider_and_another_agency_get_404(self):
        for user in (self.outsider, self.staff_b):
            sign_in(self.client, user)
            self.assertEqual(self.client.get(self.url).status_code, 404)
            self.assertEqual(self.client.get(step_url(self.case, "note")).status_code, 404)
            self.assertEqual(self.client.post(step_url(self.case, "accept"), {}).status_code, 404)

    def test_an_auditor_reads_the_case_but_every_step_answers_403(self):
        sign_in(self.client, self.auditor_a)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["steps"], [])
        self.assertNotContains(response, "Add note")
        for step in ("accept", "note", "allegation", "disposition", "close"):
            self.assertEqual(self.client.post(step_url(self.case, step), {"text": "x"}).status_code, 403, step)
        self.assertEqual(list(CaseEvent.objects.filter(incident=self.case).values_list("kind", flat=True)), ["logged"])

    def test_the_view_is_access_logged(self):
        sign_in(self.client, self.supervisor_a)
        self.client.get(self.url)
        self.assertTrue(AccessLog.objects.filter(user=self.supervisor_a, action=AccessLog.Action.VIEW).exists())

    def test_staff_see_only_the_steps_staff_may_take(self):
        sign_in(self.client, self.staff_a)
        slugs = [slug for slug, _ in self.client.get(self.url).context["steps"]]
        self.assertEqual(slugs, ["note", "officer", "allegation", "detainer", "finding"])
        self.assertEqual(self.client.get(step_url(self.case, "accept")).status_code, 403)

    def test_removing_a_subject_officer_is_offered_only_when_one_is_linked(self):
        services.subject_officer_add(
            incident=self.case, actor=self.staff_a, officer=make_officer(self.agency_a, "R-77", last="Removable")
        )
        sign_in(self.client, self.staff_a)
        slugs = [slug for slug, _ in self.client.get(self.url).context["steps"]]
        self.assertIn("officer-remove", slugs)

    def test_a_supervisor_sees_triage_on_a_received_case(self):
        sign_in(self.client, self.supervisor_a)
        response = self.client.get(self.url)
        slugs = [slug for slug, _ in response.context["steps"]]
        self.assertEqual(slugs[:3], ["accept", "merge", "decline"])
        self.assertNotIn("close", slugs)
        self.assertContains(response, step_url(self.case, "accept"))

    def test_a_supervisor_accepts_and_assigns_from_the_step_page(self):
        sign_in(self.client, self.supervisor_a)
        page = self.client.get(step_url(self.case, "accept"))
        choices = [value for value, _ in page.context["form"].fields["investigator"].choices]
        self.assertIn(self.investigator.pk, [getattr(value, "value", value) for value in choices])
        response = self.client.post(step_url(self.case, "accept"), {"investigator": self.investigator.pk})
        self.assertRedirects(response, self.url)
        self.case.refresh_from_db()
        self.assertEqual((self.case.status, self.case.investigator), (Status.UNDER_INVESTIGATION, self.investigator))

    def test_a_refused_assignment_shows_the_rule_next_to_the_field(self):
        make_officer(
            self.agency_a,
            "I-1",
            last="Investigatorson",
            user=self.investigator,
            rank=Rank.objects.create(agency=self.agency_a, name="Deputy", seniority=10),
        )
        services.incident_accept(incident=self.case, actor=self.supervisor_a)
        services.subject_officer_add(incident=self.case, actor=self.staff_a, officer=self.subject)
        sign_in(self.client, self.supervisor_a)
        response = self.client.post(step_url(self.case, "assign"), {"investigator": self.investigator.pk})
        self.assertEqual(response.status_code, 400)
        self.assertIn("below the most senior subject officer", response.context["form"].errors["investigator"][0])
        self.case.refresh_from_db()
        self.assertIsNone(self.case.investigator)

    def test_a_step_at_the_wrong_stage_is_refused_with_a_message(self):
        sign_in(self.client, self.supervisor_a)
        response = self.client.post(step_url(self.case, "close"), {"narrative": "Agreed."})
        self.assertEqual(response.status_code, 400)
        self.assertIn("needs the case to be supervisor review", response.context["form"].non_field_errors()[0])

    def test_a_blank_required_field_is_refused_next_to_it(self):
        sign_in(self.client, self.supervisor_a)
        response = self.client.post(step_url(self.case, "decline"), {"reason": ""})
        self.assertEqual(response.status_code, 400)
        self.assertIn("reason", response.context["form"].errors)

    def test_the_investigator_records_dispositions_and_submits_and_staff_may_not(self):
        services.incident_accept(incident=self.case, actor=self.supervisor_a, investigator=self.investigator)
        allegation = services.allegation_add(incident=self.case, actor=self.staff_a, text="Excessive force.")
        sign_in(self.client, self.staff_a)
        self.assertEqual(self.client.get(step_url(self.case, "disposition")).status_code, 403)
        sign_in(self.client, self.investigator)
        response = self.client.post(
            step_url(self.case, "disposition"),
            {"allegation": allegation.pk, "disposition": "sustained", "note": "Video."},
        )
        self.assertRedirects(response, self.url)
        response = self.client.post(step_url(self.case, "submit"), {"summary": "Sustained on video."})
        self.assertRedirects(response, self.url)
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, Status.SUPERVISOR_REVIEW)

    def test_a_declined_public_complaint_tells_the_complainant_without_names(self):
        Incident.objects.filter(pk=self.case.pk).update(source=Incident.Source.PUBLIC, tracking_number="K7P-2QX-94M")
        ComplaintContact.objects.create(incident=self.case, email="resident@example.test", language="es")
        sign_in(self.client, self.supervisor_a)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(step_url(self.case, "decline"), {"reason": "Es un asunto de la ciudad."})
        self.assertRedirects(response, self.url)
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("K7P-2QX-94M", mail.outbox[0].body)
        self.assertNotIn("supervisor_a", mail.outbox[0].body)
        self.assertEqual(
            CaseEvent.objects.filter(incident=self.case, kind="complainant_notified").get().text, "declined"
        )

    def test_the_timeline_shows_every_event_with_who_newest_last_in_the_agency_zone(self):
        services.case_note_add(incident=self.case, actor=self.staff_a, text="First note.")
        services.case_note_add(incident=self.case, actor=self.supervisor_a, text="Second note.")
        sign_in(self.client, self.auditor_a)
        response = self.client.get(self.url)
        rows = response.context["timeline"]
        self.assertEqual([row.kind for row in rows], ["logged", "note", "note"])
        self.assertEqual([row.actor for row in rows], [self.staff_a, self.staff_a, self.supervisor_a])
        body = response.content.decode()
        self.assertLess(body.index("First note."), body.index("Second note."))

    def test_subject_officers_show_their_authorization_at_the_time_of_the_act(self):
        services.subject_officer_add(incident=self.case, actor=self.staff_a, officer=self.subject)
        sign_in(self.client, self.staff_a)
        response = self.client.get(self.url)
        [(link, authorization)] = response.context["subject_rows"]
        self.assertEqual(link.officer, self.subject)
        self.assertFalse(authorization.authorized)  # no required training set up for agency A in this test
        self.assertContains(response, "No: ")
        self.assertContains(response, "Subjectson")

    def test_the_query_count_does_not_grow_with_timeline_rows_or_cases(self):
        services.subject_officer_add(incident=self.case, actor=self.staff_a, officer=self.subject)
        services.allegation_add(incident=self.case, actor=self.staff_a, text="One.")
        sign_in(self.client, self.supervisor_a)
        self.client.get(self.url)  # warm the session and caches
        with CaptureQueriesContext(connection) as small:
            self.assertEqual(self.client.get(self.url).status_code, 200)
        for number in range(30):
            services.case_note_add(incident=self.case, actor=self.staff_a, text=f"Note {number}.")
            services.allegation_add(incident=self.case, actor=self.staff_a, text=f"Allegation {number}.")
            other = new_case(self.agency_a, self.staff_a, title=f"Other case {number}")
            services.case_note_add(incident=other, actor=self.staff_a, text="x")
        with CaptureQueriesContext(connection) as large:
            response = self.client.get(self.url)
        self.assertEqual(len(response.context["timeline"]), 63)
        self.assertEqual(len(small.captured_queries), len(large.captured_queries))


class NeverCreatedClosedTests(BaseTestCase):
    def test_closed_is_never_reachable_by_a_create_or_an_edit(self):
        sign_in(self.client, self.supervisor_a)
        self.client.post(
            reverse("incidents:incident_create"),
            {
                "kind": "other",
                "severity": "low",
                "immigration_related": "no",
                "title": "Invented case",
                "occurred_at_0": "2026-05-02",
                "occurred_at_1": "14:30",
                "status": "closed",
                "closure": "reviewed",
            },
        )
        case = Incident.objects.get(title="Invented case")
        self.assertEqual((case.status, case.closure), (Status.RECEIVED, ""))
        url = reverse("incidents:incident_edit", args=[case.public_id])
        self.client.post(
            url,
            {
                "kind": "other",
                "severity": "low",
                "immigration_related": "no",
                "title": "Edited",
                "occurred_at_0": "2026-05-02",
                "occurred_at_1": "14:30",
                "status": "closed",
            },
        )
        case.refresh_from_db()
        self.assertEqual((case.title, case.status, case.closure), ("Edited", Status.RECEIVED, ""))


class FindingCaseTests(BaseTestCase):
    def setUp(self):
        self.detainer = make_detainer(self.agency_a, actor=self.supervisor_a, number=1)
        self.finding = make_finding(self.agency_a, self.detainer)
        self.url = reverse("incidents:finding_case", args=[self.finding.public_id])

    def test_the_finding_page_links_to_it_for_staff_and_not_for_auditors(self):
        sign_in(self.client, self.staff_a)
        self.assertContains(self.client.get(reverse("findings:detail", args=[self.finding.public_id])), self.url)
        sign_in(self.client, self.auditor_a)
        self.assertNotContains(self.client.get(reverse("findings:detail", args=[self.finding.public_id])), self.url)
        self.assertEqual(self.client.post(self.url, {"do": "open"}).status_code, 403)

    def test_staff_open_a_case_from_a_finding(self):
        sign_in(self.client, self.staff_a)
        response = self.client.post(self.url, {"do": "open"})
        case = Incident.objects.get(linked_findings=self.finding)
        self.assertRedirects(response, reverse("incidents:incident_detail", args=[case.public_id]))
        self.assertEqual(case.source, Incident.Source.RULE)

    def test_staff_link_a_finding_to_an_open_case(self):
        case = new_case(self.agency_a, self.staff_a)
        sign_in(self.client, self.staff_a)
        response = self.client.post(self.url, {"do": "link", "incident": case.public_id})
        self.assertRedirects(response, reverse("incidents:incident_detail", args=[case.public_id]))
        self.assertEqual(list(case.linked_findings.all()), [self.finding])

    def test_another_agency_gets_404(self):
        sign_in(self.client, self.staff_b)
        self.assertEqual(self.client.get(self.url).status_code, 404)
