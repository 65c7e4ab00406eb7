"""Case work that becomes someone's is told to them: in-app and by e-mail, once, with no typed text or names."""

from __future__ import annotations

from django.core import mail
from django.utils import timezone

from incidents.case_review import services
from incidents.complaints.services import complaint_submit
from incidents.incident_log.models import Incident
from tests.incidents.test_case_review import OCCURRED, CaseReviewBase
from training.reminders.models import Notification

TYPED = "Use of force at intake by Deputy Qwertyname"


def notices_of(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("text", flat=True))


class CaseNoticeTests(CaseReviewBase):
    def test_the_investigator_is_told_of_an_assignment_in_app_and_by_mail_without_the_typed_title(self):
        case = self.received(title=TYPED)
        with self.captureOnCommitCallbacks(execute=True):
            services.incident_accept(incident=case, actor=self.supervisor_a, investigator=self.investigator)
        [text] = notices_of(self.investigator)
        self.assertEqual(text, f"Case assigned to you: Use of force received {self._received(case)}.")
        note = Notification.objects.get(recipient=self.investigator)
        self.assertEqual(note.link, f"/incidents/{case.public_id}/")
        [message] = [m for m in mail.outbox if self.investigator.email in m.to]
        self.assertEqual(message.to, [self.investigator.email])
        self.assertIn(f"/incidents/{case.public_id}/", message.body)
        self.assertNotIn("Qwertyname", message.subject + message.body + text)
        self.assertEqual(notices_of(self.supervisor_a), [])  # not told of their own action

    def test_the_supervisors_are_told_when_a_case_is_sent_to_review_and_the_investigator_when_it_returns(self):
        case = self.in_review()
        for supervisor in (self.supervisor_a, self.supervisor_two):
            self.assertEqual(
                len([t for t in notices_of(supervisor) if t.startswith("Case sent to supervisor review")]), 1
            )
        self.assertEqual(notices_of(self.staff_a), [])  # staff hold no review right
        services.incident_return(incident=case, actor=self.supervisor_a, reason="Interview the witness.")
        self.assertEqual(notices_of(self.investigator)[-1].split(":")[0], "Case returned to investigation")
        self.assertNotIn("witness", " ".join(notices_of(self.investigator)))

    def test_a_new_public_complaint_is_told_to_the_agencys_supervisors_with_its_immigration_flag(self):
        with self.captureOnCommitCallbacks(execute=True):
            incident = complaint_submit(
                agency=self.agency_a,
                description="Held for two hours about my papers.",
                occurred_at=OCCURRED,
                location="Route 9",
                officer_description="",
                immigration_related=Incident.Immigration.YES,
                name="Persona Inventada",
                email="persona@example.test",
                phone="",
                language="es",
                uploads=[],
            )
        [text] = notices_of(self.supervisor_a)
        self.assertTrue(text.startswith("New public complaint to triage: Complaint received"))
        self.assertIn("concerns immigration authority", text)
        self.assertNotIn("Persona", text)
        self.assertEqual(notices_of(self.supervisor_b), [])  # another agency's supervisor
        staff_mail = [m for m in mail.outbox if self.supervisor_a.email in m.to]
        self.assertEqual(len(staff_mail), 1)
        self.assertNotIn("Persona", staff_mail[0].body)
        self.assertEqual(incident.status, Incident.Status.RECEIVED)

    def _received(self, case) -> str:
        return timezone.localdate(case.received_at, timezone=self.agency_a.zone).isoformat()
