"""Notices to a complainant (issue #11 item 7): in their language, no names, a link to the bare status page."""

from __future__ import annotations

from datetime import UTC, datetime

from django.core import mail
from django.utils import timezone, translation

from incidents.complaints import notices
from incidents.complaints.services import complaint_submit
from incidents.incident_log.models import CaseEvent, Incident
from tests.base import BaseTestCase

PRIVATE = ("Rosa", "Peña", "555-0100", "Quillfeather", "Secret")


class NoticeTests(BaseTestCase):
    def submit(self, **contact):
        with self.captureOnCommitCallbacks(execute=True):
            return complaint_submit(
                agency=self.agency_a,
                description="Secret description",
                occurred_at=datetime(2026, 11, 20, tzinfo=UTC),
                officer_description="Deputy Quillfeather",
                **contact,
            )

    def close_as(self, incident, closure, reason=""):
        Incident.objects.filter(pk=incident.pk).update(
            status=Incident.Status.CLOSED, closure=closure, closure_reason=reason, closed_at=timezone.now()
        )
        incident.refresh_from_db()

    def test_the_received_notice_links_to_the_status_page_without_the_number_in_the_link(self):
        incident = self.submit(name="Rosa Peña", email="rosa@example.test", phone="555-0100", language="en")
        body = mail.outbox[0].body
        self.assertIn("http://127.0.0.1:8000/complaints/status/ ", body)
        self.assertEqual(body.count(incident.tracking_number), 1)
        for private in PRIVATE:
            self.assertNotIn(private, body)

    def test_a_declined_notice_is_in_spanish_with_the_reason_even_when_a_staff_member_works_in_english(self):
        incident = self.submit(email="rosa@example.test", language="es")
        self.close_as(incident, Incident.Closure.NOT_AGENCY_MATTER, "La parada la hizo la patrulla estatal.")
        mail.outbox.clear()
        with translation.override("en"), self.captureOnCommitCallbacks(execute=True):
            sent = notices.complainant_notice_send(incident=incident, kind=notices.DECLINED, actor=self.supervisor_a)
        self.assertTrue(sent)
        message = mail.outbox[0]
        self.assertEqual(message.subject, "Su queja fue cerrada")
        self.assertIn("no es un asunto de esta agencia", message.body)
        self.assertIn("El motivo indicado: La parada la hizo la patrulla estatal.", message.body)
        self.assertIn("Consulte la etapa de su queja en http://127.0.0.1:8000/complaints/status/", message.body)
        for private in PRIVATE:
            self.assertNotIn(private, message.subject + message.body)

    def test_a_notice_of_one_kind_is_sent_once(self):
        incident = self.submit(email="rosa@example.test", language="en")
        self.close_as(incident, Incident.Closure.REVIEWED)
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            self.assertTrue(notices.complainant_notice_send(incident=incident, kind=notices.CLOSED))
            self.assertFalse(notices.complainant_notice_send(incident=incident, kind=notices.CLOSED))
            self.assertFalse(notices.complainant_notice_send(incident=incident, kind=notices.RECEIVED))
        self.assertEqual([m.subject for m in mail.outbox], ["The review of your complaint is finished"])
        self.assertEqual(incident.events.filter(kind=CaseEvent.Kind.COMPLAINANT_NOTIFIED).count(), 2)

    def test_no_address_no_notice(self):
        incident = self.submit(phone="555-0100")
        self.assertFalse(notices.complainant_notice_send(incident=incident, kind=notices.CLOSED))
        # Only the agency's staff were told of a complaint to triage (incidents.incident_log.notices).
        self.assertTrue(
            all(message.subject.startswith("287(g) compliance: New public complaint") for message in mail.outbox)
        )
        self.assertFalse(incident.events.filter(kind=CaseEvent.Kind.COMPLAINANT_NOTIFIED).exists())
