"""R5.1 for the subject: no new detainer while another of the same person is in STOP
(incidents.citizenship.subject_stop)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from incidents.citizenship import services as citizenship
from incidents.citizenship.subject_stop import ensure_subject_not_stopped
from incidents.detainers import services
from incidents.detainers.models import Detainer
from tests.base import BaseTestCase, sign_in
from tests.incidents.helpers import make_detainer
from tests.incidents.test_detainer_views import NOW as VIEW_NOW
from tests.incidents.test_detainer_views import detainer_post

NOW = datetime(2026, 2, 10, 12, 0, tzinfo=UTC)
CLAIM_AT = datetime(2026, 2, 2, 15, 0, tzinfo=UTC)
BORN = date(1991, 4, 17)


@time_machine.travel(NOW, tick=False)
class SubjectStopTests(BaseTestCase):
    def setUp(self):
        self.stopped = make_detainer(
            self.agency_a,
            actor=self.staff_a,
            subject_last_name="Vellacourt",
            subject_first_name="Imre",
            subject_date_of_birth=BORN,
            booking_number="AC-26-0100",
            a_number="A012345678",
        )
        citizenship.citizenship_claim_record(
            detainer=self.stopped, actor=self.staff_a, uscitizenship_claimed=True, recorded_at=CLAIM_AT
        )

    def log(self, *, agency=None, **fields):
        values = {"number": 7, "subject_last_name": "Otherperson", "booking_number": "AC-26-0200"}
        values.update(fields)
        return make_detainer(agency or self.agency_a, actor=self.staff_a, **values)

    def refused(self, **fields) -> dict:
        before = Detainer.objects.count()
        with self.assertRaises(ValidationError) as raised:
            self.log(**fields)
        self.assertEqual(Detainer.objects.count(), before)  # nothing saved
        return raised.exception.message_dict

    def test_the_same_a_number_is_refused_next_to_it_naming_the_stopped_booking(self):
        errors = self.refused(a_number="a 12345678")  # normalised to A012345678
        [message] = errors["a_number"]
        self.assertIn("same A-number as detainer booking AC-26-0100", message)
        self.assertIn(reverse("incidents:detainer_detail", args=[self.stopped.public_id]), message)
        self.assertIn("U.S.-citizenship claim", message)

    def test_two_different_a_numbers_are_two_people_whatever_the_name(self):
        new = self.log(
            a_number="A098765432",
            subject_last_name="Vellacourt",
            subject_first_name="Imre",
            subject_date_of_birth=BORN,
            booking_number="AC-26-0100",
        )
        self.assertIsNotNone(new.pk)

    def test_the_same_booking_number_is_refused_when_an_a_number_is_missing(self):
        errors = self.refused(booking_number=" ac-26-0100 ")
        self.assertIn("same booking number as detainer booking AC-26-0100", errors["booking_number"][0])

    def test_the_same_name_and_date_of_birth_is_refused(self):
        errors = self.refused(subject_last_name="VELLACOURT", subject_first_name="imre", subject_date_of_birth=BORN)
        self.assertIn("same name and date of birth as detainer booking AC-26-0100", errors["subject_last_name"][0])

    def test_a_name_without_a_date_of_birth_or_another_date_is_not_a_match(self):
        self.assertIsNotNone(self.log(subject_last_name="Vellacourt", subject_first_name="Imre").pk)
        other_day = BORN + timedelta(days=1)
        self.assertIsNotNone(
            self.log(
                number=8, subject_last_name="Vellacourt", subject_first_name="Imre", subject_date_of_birth=other_day
            )
        )

    def test_another_agency_is_not_stopped_by_this_one(self):
        new = self.log(agency=self.agency_b, a_number="A012345678", booking_number="AC-26-0100")
        self.assertEqual(new.agency, self.agency_b)

    def test_after_the_supervisor_resolves_the_claim_a_new_detainer_may_be_logged(self):
        citizenship.citizenship_escalation_record(
            detainer=self.stopped,
            actor=self.supervisor_a,
            escalated_at=CLAIM_AT + timedelta(hours=1),
            escalated_to="ICE ERO duty officer (invented)",
            category=Detainer.Category.NO_PROBATIVE,
        )
        self.refused(a_number="A012345678")  # escalated but not resolved: still STOP (incidents.citizenship.services)
        citizenship.citizenship_resolve(
            detainer=self.stopped,
            actor=self.supervisor_a,
            resolution=Detainer.Resolution.NO_PROBATIVE_CONTINUE,
            note="Birth record checked; no probative evidence (invented).",
        )
        self.assertIsNotNone(self.log(a_number="A012345678").pk)

    def test_a_confirmed_citizen_stays_stopped_with_its_own_reason(self):
        citizenship.citizenship_escalation_record(
            detainer=self.stopped,
            actor=self.supervisor_a,
            escalated_at=CLAIM_AT + timedelta(hours=1),
            escalated_to="ICE ERO duty officer (invented)",
            category=Detainer.Category.PROBATIVE,
            opla_consulted_at=CLAIM_AT + timedelta(hours=2),
        )
        citizenship.citizenship_resolve(
            detainer=self.stopped,
            actor=self.supervisor_a,
            resolution=Detainer.Resolution.CITIZEN_CONFIRMED,
            note="U.S. passport verified (invented).",
        )
        errors = self.refused(a_number="A012345678")
        self.assertIn("confirmed a U.S. citizen", errors["a_number"][0])

    def test_a_closed_stopped_detainer_still_stops_the_subject(self):
        self.stopped.refresh_from_db()  # the claim was saved on another instance
        self.stopped.outcome, self.stopped.outcome_at = Detainer.Outcome.RELEASED, NOW
        self.stopped.save()
        self.refused(booking_number="AC-26-0100")

    def test_the_stopped_record_itself_is_not_its_own_match(self):
        ensure_subject_not_stopped(self.stopped)  # no error: only another detainer stops a new one

    def test_the_form_shows_the_refusal_next_to_the_field_and_logs_nothing(self):
        before = Detainer.objects.count()
        with time_machine.travel(VIEW_NOW, tick=False):
            sign_in(self.client, self.staff_a)
            response = self.client.post("/detainers/new/", detainer_post(a_number="A012345678"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("same A-number as detainer booking AC-26-0100", response.context["form"].errors["a_number"][0])
        self.assertEqual(Detainer.objects.count(), before)

    def test_editing_another_record_to_the_stopped_subjects_a_number_is_refused_and_nothing_changes(self):
        other = self.log(a_number="A099999999")
        with self.assertRaises(ValidationError) as raised:
            services.detainer_update(detainer=other, actor=self.staff_a, a_number="A12345678")
        self.assertIn("same A-number as detainer booking AC-26-0100", raised.exception.message_dict["a_number"][0])
        other.refresh_from_db()
        self.assertEqual(other.a_number, "A099999999")

    def test_editing_the_stopped_record_itself_or_other_fields_is_not_refused_by_the_subject_rule(self):
        services.detainer_update(detainer=self.stopped, actor=self.staff_a, booking_number="AC-26-0101")
        other = self.log(a_number="A099999999")
        done = services.detainer_update(detainer=other, actor=self.staff_a, underlying_charge="Theft (invented)")
        self.assertEqual(done.underlying_charge, "Theft (invented)")
