"""The public status page (issue #11 item 1; SECURITY.md F6): by tracking number, POSTed; stage and dates only."""

from __future__ import annotations

from datetime import UTC, datetime

from django.urls import reverse

from incidents.complaints.services import complaint_submit
from incidents.incident_log.models import CaseEvent, Incident, case_event_record
from tests.base import BaseTestCase

URL = reverse("complaints:status")


class StatusPageTests(BaseTestCase):
    def setUp(self):
        self.incident = complaint_submit(
            agency=self.agency_a,
            description="Secret description: the deputy pushed me.",
            occurred_at=datetime(2026, 11, 20, 20, 30, tzinfo=UTC),
            location="Jail intake room",
            officer_description="Deputy Quillfeather, badge 4471",
            immigration_related="yes",
            name="Rosa Peña",
            email="rosa@example.test",
            phone="555-0100",
            language="es",
        )
        Incident.objects.filter(pk=self.incident.pk).update(received_at=datetime(2026, 12, 1, 16, 0, tzinfo=UTC))
        self.incident.refresh_from_db()
        self.number = self.incident.tracking_number

    def look_up(self, number, address="198.51.100.7", **extra):
        return self.client.post(URL, {"tracking_number": number}, REMOTE_ADDR=address, **extra)

    def test_the_status_page_needs_no_sign_in(self):
        self.assertEqual(self.client.get(URL).status_code, 200)

    def test_it_names_the_offices_outside_the_agency_a_resident_can_also_complain_to_in_spanish(self):
        page = self.client.get(URL, HTTP_ACCEPT_LANGUAGE="es")
        self.assertContains(page, "También puede quejarse fuera de esta agencia")
        for office in (
            "Oficina de Responsabilidad Profesional de ICE",
            "Inspector General del DHS",
            "Derechos Civiles",
        ):
            self.assertContains(page, office)

    def test_a_received_complaint_shows_its_stage_and_received_date(self):
        response = self.look_up(self.number)
        self.assertContains(response, 'data-testid="complaint-status"')
        self.assertContains(response, "Received: waiting to be reviewed")
        self.assertContains(response, "Dec. 1, 2026")  # 10:00 in Alder County (CST)
        self.assertNotContains(response, "Investigation started on")

    def test_the_status_page_never_shows_notes_or_names(self):
        case_event_record(incident=self.incident, kind=CaseEvent.Kind.NOTE, actor=self.supervisor_a, text="Secret note")
        Incident.objects.filter(pk=self.incident.pk).update(
            status=Incident.Status.CLOSED,
            closure=Incident.Closure.REVIEWED,
            investigator=self.staff_a,
            assigned_at=datetime(2026, 12, 2, 15, 0, tzinfo=UTC),
            closed_at=datetime(2026, 12, 20, 15, 0, tzinfo=UTC),
            closed_by=self.supervisor_a,
            review_narrative="Secret narrative: sustained.",
            investigation_summary="Secret summary",
        )
        self.incident.allegations.create(
            text="Secret allegation", disposition="sustained", created_at=datetime(2026, 12, 3, tzinfo=UTC)
        )
        html = self.look_up(self.number).content.decode()
        self.assertIn("Closed on", html)
        self.assertIn("Investigation started on", html)
        for secret in (
            "Secret",
            "Rosa",
            "Peña",
            "rosa@example.test",
            "555-0100",
            "Quillfeather",
            "4471",
            "Jail intake",
            "staff_a",
            "supervisor_a",
            "ustained",
            "pushed",
        ):
            self.assertNotIn(secret, html)

    def test_the_number_is_never_read_from_the_url(self):
        response = self.client.get(URL, {"tracking_number": self.number})
        self.assertNotContains(response, 'data-testid="complaint-status"')
        self.assertNotContains(response, self.number)

    def test_an_unknown_number_says_only_not_found(self):
        for typed in ("ZZZZ-ZZZ-ZZZ", "nonsense", "0O1I-0O1-I0O"):
            response = self.look_up(typed)
            self.assertContains(response, 'data-testid="not-found"')
            self.assertContains(response, "No complaint was found with this tracking number.")
            self.assertNotContains(response, 'data-testid="complaint-status"')

    def test_a_staff_logged_incident_is_not_found_by_any_number(self):
        self.assertIsNone(
            Incident.objects.exclude(source=Incident.Source.PUBLIC).filter(tracking_number__isnull=False).first()
        )

    def test_a_number_typed_in_lower_case_without_dashes_is_found(self):
        response = self.look_up(" " + self.number.replace("-", "").lower() + " ")
        self.assertContains(response, 'data-testid="complaint-status"')

    def test_a_declined_complaint_shows_the_reason_sent_to_the_complainant(self):
        Incident.objects.filter(pk=self.incident.pk).update(
            status=Incident.Status.CLOSED,
            closure=Incident.Closure.NOT_AGENCY_MATTER,
            closure_reason="The stop was made by the state highway patrol; write to them.",
            triaged_at=datetime(2026, 12, 2, 15, 0, tzinfo=UTC),
            closed_at=datetime(2026, 12, 2, 15, 0, tzinfo=UTC),
        )
        response = self.look_up(self.number)
        self.assertContains(response, "not a matter for this agency")
        self.assertContains(response, "The stop was made by the state highway patrol; write to them.")
        self.assertNotContains(response, "Investigation started on")

    def test_the_status_page_in_spanish_shows_closed_in_spanish_with_spanish_dates(self):
        Incident.objects.filter(pk=self.incident.pk).update(
            status=Incident.Status.CLOSED,
            closure=Incident.Closure.REVIEWED,
            assigned_at=datetime(2026, 12, 2, 15, 0, tzinfo=UTC),
            closed_at=datetime(2026, 12, 20, 15, 0, tzinfo=UTC),
        )
        response = self.look_up(self.number, HTTP_ACCEPT_LANGUAGE="es")
        self.assertContains(response, '<html lang="es">')
        self.assertContains(response, '<dd data-testid="stage">Cerrada</dd>')
        self.assertContains(response, "1 de diciembre de 2026")
        self.assertContains(response, "20 de diciembre de 2026")

    def test_the_twenty_first_look_up_in_an_hour_is_refused_with_429(self):
        for _ in range(20):
            self.assertEqual(self.look_up("ZZZZ-ZZZ-ZZZ").status_code, 200)
        response = self.look_up(self.number)
        self.assertEqual(response.status_code, 429)
        self.assertNotContains(response, "complaint-status", status_code=429)
        self.assertEqual(self.look_up(self.number, address="203.0.113.9").status_code, 200)
