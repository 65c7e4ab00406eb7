"""The log of 287(g) actions per detainer: refusals, the check, the page (DOMAIN.md R1.6–R1.7, R3.8, R5.1)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import time_machine
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.core.audit import acting_as
from compliance.core.models import AccessLog, Agreement, AgreementModel, Finding
from incidents.actions import approvals as action_approvals
from incidents.actions import checks as action_checks
from incidents.actions import services as actions
from incidents.actions.models import DetainerAction
from incidents.citizenship import services as citizenship
from incidents.detainers import checks, services
from incidents.detainers.checks import detainer_checks, hold_authorized
from incidents.detainers.choices import Action, InterpreterType
from incidents.detainers.models import Detainer
from incidents.detainers.scope import action_allowed, action_outside_model_message
from tests.base import BaseTestCase, sign_in
from tests.incidents.helpers import RECEIVED, local_datetime_post, make_detainer
from tests.training.helpers import make_certification, make_course, make_officer

NOW = datetime(2026, 1, 20, 12, 0, tzinfo=UTC)
#: Detainer A (JEM) is booked on state charges the day before: JEM acts only on booked persons (R1.6).
BOOKED = datetime(2026, 1, 4, 12, 0, tzinfo=UTC)
#: The officers' basic course was completed on this agency-local day: authorized from its first minute.
TRAINED_ON = date(2026, 1, 5)
#: A past action that broke a rule is recorded with an explanation (incidents.detainers.rule_breaks).
EXPLAINED = "Logged after the fact from the shift's paper log (invented)."


def by_name(detainer, *, at=NOW):
    [check] = [c for c in detainer_checks(detainer, at=at) if c.name == action_checks.NAME]
    return check


class ActionTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.course_a = make_course(cls.agency_a)
        cls.officer_a = make_officer(cls.agency_a, "A-1", last="Alderofficer")  # under agreement A (JEM)
        make_certification(cls.officer_a, cls.course_a, TRAINED_ON, expires_on=date(2028, 1, 5))
        cls.officer_b = make_officer(cls.agency_b, "B-1", last="Birchofficer")
        make_certification(cls.officer_b, make_course(cls.agency_b), TRAINED_ON, expires_on=date(2028, 1, 5))

    def officer_under(self, agreement, badge):
        """A designated, trained officer of agency A serving under ``agreement`` (the one rule: only under it)."""
        officer = make_officer(self.agency_a, badge, last=f"Officer{badge}", agreement=agreement)
        make_certification(officer, self.course_a, TRAINED_ON, expires_on=date(2028, 1, 5))
        return officer

    def setUp(self):
        traveller = time_machine.travel(NOW, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)
        self.detainer_a = make_detainer(self.agency_a, actor=self.staff_a, booked_at=BOOKED)
        self.detainer_b = make_detainer(self.agency_b, actor=self.staff_b, number=2)

    def record(self, detainer=None, **values):
        detainer = detainer or self.detainer_a
        fields = {
            "actor": self.staff_a if detainer.agency_id == self.agency_a.pk else self.staff_b,
            "kind": Action.SERVE_WARRANT,
            "performed_at": RECEIVED + timedelta(hours=1),
            "officer": self.officer_a if detainer.agency_id == self.agency_a.pk else self.officer_b,
            "language": "Spanish",
            "interpreter_used": True,
            "interpreter_type": InterpreterType.TELEPHONE,
        }
        fields.update(values)
        return actions.detainer_action_record(detainer=detainer, **fields)

    def refusal(self, field: str, **values) -> list[str]:
        with self.assertRaises(ValidationError) as caught:
            self.record(**values)
        self.assertIn(field, caught.exception.message_dict, caught.exception.message_dict)
        return caught.exception.message_dict[field]

    def explanation_asked(self, **values) -> str:
        """A past action that broke a rule is not refused: the service asks for the explanation, saving nothing."""
        count = DetainerAction.objects.count()
        [message] = self.refusal("explanation", **values)
        self.assertEqual(DetainerAction.objects.count(), count)
        return message

    def findings(self, detainer=None) -> list[tuple[str, str]]:
        """(kind, status) of the detainer's findings about recorded rule breaks."""
        detainer = detainer or self.detainer_a
        kinds = [Finding.Kind.OFFICER_NOT_AUTHORIZED, Finding.Kind.ACTION_OUTSIDE_AGREEMENT]
        rows = Finding.objects.filter(object_id=detainer.pk, kind__in=kinds).order_by("kind")
        return list(rows.values_list("kind", "status"))


class RecordActionTests(ActionTestCase):
    def test_it_records_an_action_under_the_detainers_agreement_attributed_to_the_actor(self):
        action = self.record()
        self.assertEqual(action.agreement, self.agreement_a)
        self.assertEqual(action.agency, self.agency_a)
        self.assertEqual(action.recorded_by, self.staff_a)
        self.assertEqual(action.performed_at, RECEIVED + timedelta(hours=1))
        [row] = action.history.all()
        self.assertEqual(row.history_type, "+")
        self.assertEqual(row.history_user, self.staff_a)

    def test_without_an_interpreter_the_type_is_stored_as_none(self):
        action = self.record(interpreter_used=False, interpreter_type="")
        self.assertEqual(action.interpreter_type, InterpreterType.NONE)

    def test_officer_authorized_from_the_first_minute_of_the_training_day(self):
        first_minute = datetime(2026, 1, 5, 0, 0, tzinfo=self.agency_a.zone)
        action = self.record(kind=Action.PROCESS, performed_at=first_minute, language="")
        self.assertEqual(action.officer, self.officer_a)

    def test_officer_not_authorized_one_minute_before_the_training_day(self):
        # Issue 9 point 2: a past action by an officer not authorized that day is recorded, with an explanation.
        minute_before = datetime(2026, 1, 4, 23, 59, tzinfo=self.agency_a.zone)
        message = self.explanation_asked(kind=Action.PROCESS, performed_at=minute_before, language="")
        self.assertIn("not authorized to use 287(g) authority on 2026-01-04", message)
        self.assertFalse(DetainerAction.objects.exists())
        action = self.record(kind=Action.PROCESS, performed_at=minute_before, language="", explanation=EXPLAINED)
        self.assertEqual(action.explanation, EXPLAINED)
        self.assertEqual(self.findings(), [(Finding.Kind.OFFICER_NOT_AUTHORIZED, Finding.Status.OPEN)])

    def test_R1_6_an_interview_under_a_wso_agreement_is_recorded_with_its_explanation(self):
        message = self.explanation_asked(detainer=self.detainer_b, kind=Action.INTERVIEW)
        self.assertIn("outside the Warrant Service Officer agreement", message)
        self.record(detainer=self.detainer_b, kind=Action.INTERVIEW, explanation=EXPLAINED)
        self.assertEqual(self.findings(self.detainer_b), [(Finding.Kind.ACTION_OUTSIDE_AGREEMENT, Finding.Status.OPEN)])

    def test_R1_6_serving_the_warrant_under_a_wso_agreement_is_allowed(self):
        action = self.record(detainer=self.detainer_b, kind=Action.SERVE_WARRANT)
        self.assertEqual(action.agreement, self.agreement_b)

    def test_R1_6_a_field_arrest_under_jem_is_recorded_with_its_explanation(self):
        self.explanation_asked(kind=Action.FIELD_ARREST)
        self.assertEqual(self.record(kind=Action.FIELD_ARREST, explanation=EXPLAINED).kind, Action.FIELD_ARREST)

    def test_an_officer_of_another_agency_is_refused(self):
        [message] = self.refusal("officer", officer=self.officer_b)
        self.assertEqual(message, actions.OFFICER_AGENCY_MESSAGE.format(agency=self.agency_a.name))

    def test_an_agreement_of_another_agency_is_refused(self):
        self.refusal("agreement", agreement=self.agreement_b)

    def test_a_time_in_the_future_is_refused_and_now_is_allowed(self):
        self.assertEqual(
            self.refusal("performed_at", performed_at=NOW + timedelta(minutes=1)), [actions.FUTURE_MESSAGE]
        )
        self.assertEqual(self.record(performed_at=NOW).performed_at, NOW)

    def test_serving_the_warrant_before_the_detainer_was_received_is_refused(self):
        [message] = self.refusal("performed_at", performed_at=RECEIVED - timedelta(minutes=1))
        self.assertIn("before the detainer was received", message)
        self.assertEqual(self.record(performed_at=RECEIVED).performed_at, RECEIVED)

    def test_an_interview_before_the_booking_is_refused_but_before_the_detainer_is_allowed(self):
        booked = RECEIVED - timedelta(hours=2)
        services.detainer_update(detainer=self.detainer_a, actor=self.staff_a, booked_at=booked)
        self.refusal("performed_at", kind=Action.INTERVIEW, performed_at=booked - timedelta(minutes=1))
        # JEM: the interview that leads to the detainer comes before it is received.
        self.assertEqual(self.record(kind=Action.INTERVIEW, performed_at=booked).performed_at, booked)

    def test_an_in_facility_action_after_custody_ended_is_refused(self):
        released = RECEIVED + timedelta(hours=2)
        services.detainer_record_outcome(
            detainer=self.detainer_a, actor=self.staff_a, outcome=Detainer.Outcome.RELEASED, outcome_at=released
        )
        [message] = self.refusal("performed_at", performed_at=released + timedelta(minutes=1))
        self.assertIn("Custody in the jail ended", message)

    def test_R3_8_an_interview_or_service_needs_a_language(self):
        self.refusal("language", kind=Action.INTERVIEW, language=" ")
        self.refusal("language", kind=Action.SERVE_WARRANT, language="")
        self.assertEqual(self.record(kind=Action.PROCESS, language="").language, "")

    def test_R3_8_an_interpreter_used_needs_its_type(self):
        self.assertEqual(self.refusal("interpreter_type", interpreter_type=""), [actions.INTERPRETER_TYPE_MESSAGE])
        self.refusal("interpreter_used", interpreter_used=False, interpreter_type=InterpreterType.VIDEO)

    def test_every_refusal_is_reported_at_once(self):
        with self.assertRaises(ValidationError) as caught:
            self.record(kind=Action.INTERVIEW, language="", officer=self.officer_b, interpreter_type="")
        self.assertEqual(set(caught.exception.message_dict), {"language", "officer", "interpreter_type"})

    def test_a_reader_or_another_agencys_user_may_not_record(self):
        for user in (self.auditor_a, self.staff_b, self.outsider):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                self.record(actor=user)
        self.assertFalse(DetainerAction.objects.exists())


class CitizenshipStopTests(ActionTestCase):
    def claim(self):
        citizenship.citizenship_claim_record(
            detainer=self.detainer_a, actor=self.staff_a, uscitizenship_claimed=True, recorded_at=NOW
        )

    def resolve(self):
        citizenship.citizenship_escalation_record(
            detainer=self.detainer_a,
            actor=self.supervisor_a,
            escalated_at=NOW,
            escalated_to="ICE ERO duty officer (invented)",
            category=Detainer.Category.NO_PROBATIVE,
        )
        citizenship.citizenship_resolve(
            detainer=self.detainer_a,
            actor=self.supervisor_a,
            resolution=Detainer.Resolution.NO_PROBATIVE_CONTINUE,
            note="Birth record checked; no probative evidence (invented).",
        )

    def test_R5_1_no_action_while_a_claim_is_unresolved_and_allowed_after_the_supervisors_resolution(self):
        self.claim()
        self.assertEqual(self.refusal(NON_FIELD_ERRORS), [citizenship.STOPPED_MESSAGE])
        self.resolve()
        self.assertEqual(self.record().detainer, self.detainer_a)

    def test_R5_1_setting_the_records_action_while_stopped_is_refused_at_the_action_field(self):
        self.claim()
        with self.assertRaises(ValidationError) as caught:
            services.detainer_update(
                detainer=self.detainer_a, actor=self.staff_a, action=Action.INTERVIEW, action_at=RECEIVED
            )
        self.assertEqual(caught.exception.message_dict, {"action": [citizenship.STOPPED_MESSAGE]})
        self.detainer_a.refresh_from_db()
        self.assertEqual(self.detainer_a.action, "")
        # Other corrections of the record stay possible.
        services.detainer_update(detainer=self.detainer_a, actor=self.staff_a, booking_number="BK-77777")
        self.resolve()
        done = services.detainer_update(
            detainer=self.detainer_a, actor=self.staff_a, action=Action.INTERVIEW, action_at=RECEIVED
        )
        self.assertEqual(done.action, Action.INTERVIEW)

    def test_R5_1_an_unchanged_record_action_may_be_saved_while_stopped(self):
        services.detainer_update(
            detainer=self.detainer_a, actor=self.staff_a, action=Action.PROCESS, action_at=RECEIVED
        )
        self.claim()
        same = services.detainer_update(
            detainer=self.detainer_a, actor=self.staff_a, action=Action.PROCESS, action_at=RECEIVED, ice_supervisor="X"
        )
        self.assertEqual(same.ice_supervisor, "X")
        with self.assertRaises(ValidationError):
            services.detainer_update(
                detainer=self.detainer_a, actor=self.staff_a, action=Action.PROCESS, action_at=RECEIVED + timedelta(1)
            )


class LoggedActionCheckTests(ActionTestCase):
    def test_no_logged_action_does_not_apply(self):
        check = by_name(self.detainer_a)
        self.assertIsNone(check.passed)
        self.assertEqual(check.rule, action_checks.RULE)

    def test_actions_in_order_pass(self):
        self.record()
        self.record(kind=Action.INTERVIEW, performed_at=RECEIVED + timedelta(hours=2))
        check = by_name(self.detainer_a)
        self.assertTrue(check.passed)
        self.assertEqual(check.message, "2 logged actions, each within the agreement by an authorized officer.")

    def test_R1_6_an_interview_under_wso_written_otherwise_fails_naming_the_action(self):
        # E.g. a row from an import: the service would have refused it.
        DetainerAction.objects.create(
            agency=self.agency_b,
            detainer=self.detainer_b,
            kind=Action.INTERVIEW,
            performed_at=RECEIVED + timedelta(hours=1),
            officer=self.officer_b,
            agreement=self.agreement_b,
            language="Spanish",
            recorded_by=self.staff_b,
        )
        check = by_name(self.detainer_b)
        self.assertFalse(check.passed)
        self.assertTrue(check.message.startswith("No hold authorized: Interview about alienage or removability at "))
        self.assertIn("2026-01-05 09:00 MST by Birchofficer, Jordan (#B-1)", check.message)
        self.assertIn("outside the Warrant Service Officer agreement", check.message)
        self.assertFalse(hold_authorized(self.detainer_b, at=NOW))

    def test_an_officer_whose_training_is_later_corrected_away_fails(self):
        action = self.record()
        certification = self.officer_a.certifications.get()
        certification.completed_on = date(2026, 1, 6)  # a later correction of the roster
        certification.save()
        check = by_name(self.detainer_a)
        self.assertFalse(check.passed)
        self.assertIn(f"{action.officer} was not authorized to use 287(g) authority on 2026-01-05", check.message)

    def test_R1_7_wso_arrest_clock_holds_48_hours_then_fails(self):
        arrested = RECEIVED + timedelta(hours=1)
        self.record(detainer=self.detainer_b, kind=Action.EXECUTE_ARREST_IN_FACILITY, performed_at=arrested)
        deadline = arrested + timedelta(hours=48)
        self.assertTrue(by_name(self.detainer_b, at=deadline).passed)
        late = by_name(self.detainer_b, at=deadline + timedelta(minutes=1))
        self.assertFalse(late.passed)
        self.assertIn("Execute the ICE arrest in the facility at 2026-01-05 09:00 MST", late.message)
        self.assertIn("ICE did not take custody by 2026-01-07 09:00 MST", late.message)

    def test_R1_7_a_transfer_within_the_48_hours_passes_and_one_after_fails(self):
        arrested = RECEIVED + timedelta(hours=1)
        self.record(detainer=self.detainer_b, kind=Action.EXECUTE_ARREST_IN_FACILITY, performed_at=arrested)
        services.detainer_record_outcome(
            detainer=self.detainer_b,
            actor=self.staff_b,
            outcome=Detainer.Outcome.TRANSFERRED,
            outcome_at=arrested + timedelta(hours=48, minutes=1),
        )
        check = by_name(Detainer.objects.get(pk=self.detainer_b.pk))
        self.assertFalse(check.passed)
        self.assertIn("past the 48 hours of this WSO arrest", check.message)

    def test_a_page_of_detainers_costs_the_same_queries_with_more_actions(self):
        def page(count: int) -> list[Detainer]:
            made = []
            for n in range(count):
                detainer = make_detainer(
                    self.agency_a, actor=self.staff_a, number=100 + n + count * 10, booked_at=BOOKED
                )
                self.record(detainer=detainer)
                self.record(detainer=detainer, kind=Action.PROCESS, language="")
                made.append(detainer)
            return list(
                Detainer.objects.filter(pk__in=[d.pk for d in made]).select_related(
                    "agency", "agreement", "handling_officer__agency"
                )
            )

        small, large = page(1), page(5)
        with CaptureQueriesContext(connection) as few:
            answers = checks.holds_authorized(small, at=NOW)
        with CaptureQueriesContext(connection) as many:
            checks.holds_authorized(large, at=NOW)
        self.assertEqual(len(few), len(many))
        self.assertEqual(answers, {d.pk: hold_authorized(d, at=NOW) for d in small})
        self.assertFalse(hasattr(small[0], "_logged_action_reviews"))


class ActionViewTests(ActionTestCase):
    def url(self, detainer=None):
        return reverse("incidents:detainer_action_create", args=[(detainer or self.detainer_a).public_id])

    def post_data(self, **values):
        data = {
            "kind": Action.SERVE_WARRANT,
            **local_datetime_post("performed_at", "2026-01-05", "10:00"),
            "officer": self.officer_a.pk,
            "agreement": "",
            "language": "Spanish",
            "interpreter_used": "on",
            "interpreter_type": InterpreterType.IN_PERSON,
            "notes": "",
        }
        data.update(values)
        return data

    def test_it_shows_the_form_and_logs_the_access(self):
        sign_in(self.client, self.staff_a)
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Record a 287(g) action")
        self.assertContains(response, str(self.officer_a))
        self.assertNotContains(response, str(self.officer_b))
        self.assertTrue(
            AccessLog.objects.filter(
                user=self.staff_a, action=AccessLog.Action.VIEW, object_id=self.detainer_a.pk
            ).exists()
        )

    def test_a_reader_gets_403(self):
        sign_in(self.client, self.auditor_a)
        self.assertEqual(self.client.get(self.url()).status_code, 403)
        self.assertEqual(self.client.post(self.url(), self.post_data()).status_code, 403)
        self.assertFalse(DetainerAction.objects.exists())

    def test_another_agency_gets_404(self):
        sign_in(self.client, self.staff_b)
        self.assertEqual(self.client.get(self.url()).status_code, 404)
        self.assertEqual(self.client.post(self.url(), self.post_data()).status_code, 404)

    def test_it_records_the_action_typed_on_the_agencys_clock(self):
        sign_in(self.client, self.staff_a)
        response = self.client.post(self.url(), self.post_data())
        self.assertRedirects(response, reverse("incidents:detainer_detail", args=[self.detainer_a.public_id]))
        action = DetainerAction.objects.get()
        self.assertEqual(action.performed_at, datetime(2026, 1, 5, 16, 0, tzinfo=UTC))  # 10:00 CST
        self.assertEqual(action.recorded_by, self.staff_a)
        self.assertEqual(action.history.get().history_user, self.staff_a)

    def test_an_interview_under_wso_asks_for_the_explanation_then_is_recorded(self):
        sign_in(self.client, self.staff_b)
        data = self.post_data(kind=Action.INTERVIEW, officer=self.officer_b.pk)
        response = self.client.post(self.url(self.detainer_b), data)
        self.assertEqual(response.status_code, 200)
        [message] = response.context["form"].errors["explanation"]
        self.assertIn("outside the Warrant Service Officer agreement", message)
        self.assertContains(response, 'id="id_explanation-error"')
        self.assertFalse(DetainerAction.objects.exists())
        response = self.client.post(self.url(self.detainer_b), {**data, "explanation": EXPLAINED})
        self.assertRedirects(response, reverse("incidents:detainer_detail", args=[self.detainer_b.public_id]))
        self.assertEqual(DetainerAction.objects.get().explanation, EXPLAINED)

    def test_a_time_the_clock_skipped_is_refused_at_its_field(self):
        sign_in(self.client, self.staff_a)
        data = self.post_data(**local_datetime_post("performed_at", "2025-03-09", "02:30"))
        response = self.client.post(self.url(), data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("does not exist in America/Chicago", response.context["form"].errors["performed_at"][0])

    def test_a_missing_language_is_refused_next_to_its_field(self):
        sign_in(self.client, self.staff_a)
        response = self.client.post(self.url(), self.post_data(language=""))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["form"].errors["language"], [actions.LANGUAGE_MESSAGE.format(kind="service")])
        self.assertContains(response, 'id="id_language-error"')


class DetainerPageTests(ActionTestCase):
    def detail(self, detainer=None):
        return reverse("incidents:detainer_detail", args=[(detainer or self.detainer_a).public_id])

    def test_the_page_lists_the_records_action_and_every_logged_one_with_the_link(self):
        services.detainer_update(
            detainer=self.detainer_a, actor=self.staff_a, action=Action.PROCESS, action_at=RECEIVED
        )
        self.record()
        sign_in(self.client, self.staff_a)
        response = self.client.get(self.detail())
        self.assertContains(response, 'data-testid="record-action"')
        self.assertContains(response, 'data-testid="logged-action" data-in-order="yes"', count=1)
        self.assertContains(response, "2026-01-05 10:00 CST")
        self.assertContains(response, "Spanish / Telephone")
        self.assertContains(response, self.url_create())

    def url_create(self):
        return reverse("incidents:detainer_action_create", args=[self.detainer_a.public_id])

    def test_a_reader_sees_the_table_without_the_link(self):
        self.record()
        sign_in(self.client, self.auditor_a)
        response = self.client.get(self.detail())
        self.assertContains(response, 'data-testid="logged-action"')
        self.assertNotContains(response, self.url_create())

    def test_the_page_costs_the_same_queries_with_1_or_10_actions(self):
        sign_in(self.client, self.staff_a)
        self.record()
        self.client.get(self.detail())  # warm caches (content types, session)
        with CaptureQueriesContext(connection) as one:
            self.client.get(self.detail())
        for hour in range(2, 11):
            self.record(performed_at=RECEIVED + timedelta(hours=hour))
        with CaptureQueriesContext(connection) as ten:
            response = self.client.get(self.detail())
        self.assertContains(response, 'data-testid="logged-action"', count=10)
        self.assertEqual(len(one), len(ten))


class ScopeTableTests(ActionTestCase):
    """R1.6: every action of ``incidents.detainers.scope.ALLOWED_ACTIONS``, allowed or refused, per model."""

    def test_R1_6_processing_under_a_wso_agreement_asks_for_the_explanation_naming_the_scope(self):
        message = self.explanation_asked(detainer=self.detainer_b, kind=Action.PROCESS, language="")
        self.assertIn("outside the Warrant Service Officer agreement", message)
        self.assertIn(action_outside_model_message(model=AgreementModel.WSO, action=Action.PROCESS), message)
        self.assertFalse(DetainerAction.objects.exists())

    def test_R1_6_each_action_is_allowed_or_refused_as_the_scope_table_says(self):
        expected = {
            AgreementModel.JEM: {
                Action.INTERVIEW: True,
                Action.PROCESS: True,
                Action.SERVE_WARRANT: True,
                Action.EXECUTE_ARREST_IN_FACILITY: True,
                Action.FIELD_ARREST: False,
            },
            AgreementModel.WSO: {
                Action.INTERVIEW: False,
                Action.PROCESS: False,
                Action.SERVE_WARRANT: True,
                Action.EXECUTE_ARREST_IN_FACILITY: True,
                Action.FIELD_ARREST: False,
            },
            AgreementModel.TFM: dict.fromkeys(Action.values, True),
        }
        agreements = {
            AgreementModel.JEM: self.agreement_a,
            AgreementModel.WSO: Agreement.objects.create(agency=self.agency_a, model=AgreementModel.WSO),
            AgreementModel.TFM: Agreement.objects.create(agency=self.agency_a, model=AgreementModel.TFM),
        }
        officers = {
            AgreementModel.JEM: self.officer_a,
            AgreementModel.WSO: self.officer_under(agreements[AgreementModel.WSO], "S-WSO"),
            AgreementModel.TFM: self.officer_under(agreements[AgreementModel.TFM], "S-TFM"),
        }
        approval = {
            "ice_supervisor": "SDDO Example (invented)",
            "prior_approval_reference": "ERO-APPROVAL-1 (invented)",
            "prior_approval_at": RECEIVED,
        }
        for model, allowed_by_action in expected.items():
            for kind, allowed in allowed_by_action.items():
                with self.subTest(model=model, action=kind):
                    self.assertEqual(action_allowed(model=model, action=kind), allowed)
                    values = {"agreement": agreements[model], "officer": officers[model], "kind": kind, **approval}
                    if allowed:
                        action = self.record(**values)
                        self.assertEqual((action.agreement.model, action.kind), (model, kind))
                    else:
                        message = action_outside_model_message(model=model, action=kind)
                        self.assertIn(message, self.explanation_asked(**values))
                        self.assertIn(f"outside the {AgreementModel(model).label} agreement", message)
        self.assertEqual(DetainerAction.objects.count(), 4 + 2 + 5)


class JemBookingTests(ActionTestCase):
    """R1.6 JEM: only on a person booked into the jail on state or local charges."""

    def unbooked(self, **fields):
        return make_detainer(self.agency_a, actor=self.staff_a, number=3, **fields)

    def test_R1_6_no_jem_action_on_a_detainer_without_a_booking_time(self):
        detainer = self.unbooked()
        for kind in (Action.INTERVIEW, Action.PROCESS, Action.SERVE_WARRANT, Action.EXECUTE_ARREST_IN_FACILITY):
            with self.subTest(action=kind):
                [message] = self.refusal("kind", detainer=detainer, kind=kind)
                self.assertEqual(message, actions.JEM_NOT_BOOKED_MESSAGE.format(missing="the booking time"))
        self.assertFalse(DetainerAction.objects.exists())

    def test_R1_6_no_jem_action_on_a_detainer_without_a_state_or_local_charge(self):
        detainer = self.unbooked(booked_at=BOOKED)
        detainer.underlying_charge = " "  # e.g. an older or imported row: the form requires it
        with acting_as(self.staff_a):
            detainer.save()
        [message] = self.refusal("kind", detainer=detainer)
        self.assertEqual(message, actions.JEM_NOT_BOOKED_MESSAGE.format(missing="the state or local charge"))

    def test_R1_6_both_missing_are_named(self):
        detainer = self.unbooked()
        detainer.underlying_charge = ""
        with acting_as(self.staff_a):
            detainer.save()
        [message] = self.refusal("kind", detainer=detainer)
        self.assertIn("record on the detainer the booking time and the state or local charge first", message)

    def test_R1_6_serving_a_warrant_under_jem_before_the_booking_is_refused_at_the_time(self):
        booked = RECEIVED + timedelta(hours=2)
        services.detainer_update(detainer=self.detainer_a, actor=self.staff_a, booked_at=booked)
        [message] = self.refusal("performed_at", performed_at=booked - timedelta(minutes=1))
        self.assertEqual(message, actions.BEFORE_BOOKED_MESSAGE.format(booked="2026-01-05 11:00 CST"))
        self.assertEqual(self.record(performed_at=booked).performed_at, booked)

    def test_a_wso_service_needs_no_booking_time(self):
        self.assertIsNone(self.detainer_b.booked_at)
        self.assertEqual(self.record(detainer=self.detainer_b).agreement, self.agreement_b)

    def test_the_page_refuses_an_unbooked_jem_action_next_to_the_action_field(self):
        detainer = self.unbooked()
        sign_in(self.client, self.staff_a)
        url = reverse("incidents:detainer_action_create", args=[detainer.public_id])
        data = {
            "kind": Action.PROCESS,
            **local_datetime_post("performed_at", "2026-01-05", "10:00"),
            "officer": self.officer_a.pk,
        }
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["form"].errors["kind"], [actions.JEM_NOT_BOOKED_MESSAGE.format(missing="the booking time")]
        )
        self.assertContains(response, 'id="id_kind-error"')


class TfmApprovalTests(ActionTestCase):
    """R1.6 TFM / R3.10 [S]: a field action needs ICE supervision and ICE's prior approval."""

    def setUp(self):
        super().setUp()
        self.tfm = Agreement.objects.create(agency=self.agency_a, model=AgreementModel.TFM)
        self.tfm_officer = self.officer_under(self.tfm, "T-1")

    def record(self, detainer=None, **values):
        if values.get("agreement") == self.tfm:
            values.setdefault("officer", self.tfm_officer)  # an officer serving under the TFM agreement
        return super().record(detainer, **values)

    def field(self, **values):
        return {"agreement": self.tfm, "kind": Action.FIELD_ARREST, "language": "", **values}

    def approved(self, **values):
        approval = {
            "ice_supervisor": "SDDO Example #4411 (invented)",
            "prior_approval_reference": "ERO-OPS-2026-001 (invented)",
            "prior_approval_at": RECEIVED,
        }
        return self.field(**{**approval, **values})

    def test_R3_10_a_tfm_field_arrest_without_supervision_or_approval_is_recorded_with_its_explanation(self):
        # Issue 9 point 2: the field arrest happened; it is recorded as it happened, not refused.
        message = self.explanation_asked(**self.field())
        self.assertIn(
            action_approvals.MISSING_FOR_ROW_MESSAGE.format(
                missing="a supervising ICE officer or ICE's prior approval (reference and time)"
            ),
            message,
        )
        self.assertFalse(DetainerAction.objects.exists())
        action = self.record(**self.field(explanation=EXPLAINED))
        self.assertEqual((action.ice_supervisor, action.prior_approval_at), ("", None))
        self.assertEqual(self.findings(), [(Finding.Kind.ACTION_OUTSIDE_AGREEMENT, Finding.Status.OPEN)])

    def test_R3_10_a_missing_supervisor_asks_for_the_explanation_and_half_an_approval_is_refused_at_its_field(self):
        values = self.approved(ice_supervisor="  ")
        self.assertIn("without a supervising ICE officer", self.explanation_asked(**values))
        for field in ("prior_approval_reference", "prior_approval_at"):
            with self.subTest(missing=field):
                values = self.approved()
                values[field] = None if field == "prior_approval_at" else "  "
                with self.assertRaises(ValidationError) as caught:
                    self.record(**values)
                self.assertEqual(list(caught.exception.message_dict), [field])

    def test_R3_10_an_approved_supervised_field_arrest_is_recorded(self):
        action = self.record(**self.approved(performed_at=RECEIVED + timedelta(hours=1)))
        self.assertEqual(action.ice_supervisor, "SDDO Example #4411 (invented)")
        self.assertEqual(action.prior_approval_reference, "ERO-OPS-2026-001 (invented)")
        self.assertEqual(action.prior_approval_at, RECEIVED)
        self.assertEqual(action.history.get().prior_approval_at, RECEIVED)

    def test_R3_10_the_approval_may_be_at_the_instant_of_the_action_but_not_after(self):
        performed = RECEIVED + timedelta(hours=1)
        [message] = self.refusal(
            "prior_approval_at",
            **self.approved(performed_at=performed, prior_approval_at=performed + timedelta(minutes=1)),
        )
        self.assertEqual(
            message,
            action_approvals.APPROVAL_AFTER_ACTION_MESSAGE.format(
                approved="2026-01-05 10:01 CST", performed="2026-01-05 10:00 CST"
            ),
        )
        action = self.record(**self.approved(performed_at=performed, prior_approval_at=performed))
        self.assertEqual(action.prior_approval_at, action.performed_at)

    def test_R3_10_a_naive_approval_time_is_refused(self):
        self.refusal("prior_approval_at", **self.approved(prior_approval_at=datetime(2026, 1, 5, 8, 0)))

    def test_in_facility_actions_under_tfm_and_jem_actions_need_no_approval(self):
        self.assertEqual(self.record(agreement=self.tfm).ice_supervisor, "")
        self.assertEqual(self.record(kind=Action.PROCESS, language="").prior_approval_at, None)

    def test_half_a_prior_approval_is_refused_on_any_action(self):
        self.refusal("prior_approval_at", prior_approval_reference="ERO-1 (invented)")
        self.refusal("prior_approval_reference", prior_approval_at=RECEIVED)

    def test_the_database_refuses_an_approval_after_the_action(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            DetainerAction.objects.create(
                **self.approved(prior_approval_at=RECEIVED + timedelta(hours=2)),
                agency=self.agency_a,
                detainer=self.detainer_a,
                performed_at=RECEIVED + timedelta(hours=1),
                officer=self.tfm_officer,
                recorded_by=self.staff_a,
            )

    def test_R3_10_the_check_flags_an_older_field_arrest_without_them(self):
        DetainerAction.objects.create(
            **self.field(),
            agency=self.agency_a,
            detainer=self.detainer_a,
            performed_at=RECEIVED + timedelta(hours=1),
            officer=self.tfm_officer,
            recorded_by=self.staff_a,
        )
        check = by_name(self.detainer_a)
        self.assertFalse(check.passed)
        self.assertIn("Arrest during field duties at 2026-01-05 10:00 CST", check.message)
        self.assertIn(
            action_approvals.MISSING_FOR_ROW_MESSAGE.format(
                missing="a supervising ICE officer or ICE's prior approval (reference and time)"
            ),
            check.message,
        )
        self.assertFalse(hold_authorized(self.detainer_a, at=NOW))

    def test_R3_10_the_check_passes_an_approved_field_arrest(self):
        self.record(**self.approved())
        self.assertTrue(by_name(self.detainer_a).passed)

    def test_the_page_records_a_field_arrest_with_its_approval_on_the_agencys_clock_and_shows_it(self):
        sign_in(self.client, self.staff_a)
        url = reverse("incidents:detainer_action_create", args=[self.detainer_a.public_id])
        data = {
            "kind": Action.FIELD_ARREST,
            **local_datetime_post("performed_at", "2026-01-05", "10:00"),
            **local_datetime_post("prior_approval_at", "2026-01-05", "09:15"),
            "officer": self.tfm_officer.pk,
            "agreement": self.tfm.pk,
            "ice_supervisor": "SDDO Example #4411 (invented)",
            "prior_approval_reference": "ERO-OPS-2026-001 (invented)",
        }
        response = self.client.post(url, data)
        self.assertRedirects(response, reverse("incidents:detainer_detail", args=[self.detainer_a.public_id]))
        action = DetainerAction.objects.get()
        self.assertEqual(action.prior_approval_at, datetime(2026, 1, 5, 15, 15, tzinfo=UTC))  # 09:15 CST
        page = self.client.get(reverse("incidents:detainer_detail", args=[self.detainer_a.public_id]))
        self.assertContains(
            page,
            '<td data-testid="action-approval">SDDO Example #4411 (invented) / ERO-OPS-2026-001 (invented), '
            "2026-01-05 09:15 CST</td>",
            html=False,
        )

    def test_the_page_asks_for_the_explanation_of_a_field_arrest_without_approval(self):
        sign_in(self.client, self.staff_a)
        url = reverse("incidents:detainer_action_create", args=[self.detainer_a.public_id])
        data = {
            "kind": Action.FIELD_ARREST,
            **local_datetime_post("performed_at", "2026-01-05", "10:00"),
            "officer": self.tfm_officer.pk,
            "agreement": self.tfm.pk,
        }
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="id_explanation-error"')
        self.assertIn("Task Force Model without", response.context["form"].errors["explanation"][0])
        self.assertFalse(DetainerAction.objects.exists())

    def test_another_agency_gets_404(self):
        sign_in(self.client, self.staff_b)
        url = reverse("incidents:detainer_action_create", args=[self.detainer_a.public_id])
        self.assertEqual(self.client.post(url, {"kind": Action.FIELD_ARREST}).status_code, 404)


class SeveralAgreementsTests(ActionTestCase):
    def test_R1_6_an_action_on_a_detainer_without_moa_names_the_agreements_in_force(self):
        Agreement.objects.create(agency=self.agency_a, model=AgreementModel.WSO)
        detainer = make_detainer(self.agency_a, actor=self.staff_a, number=3, booked_at=BOOKED)
        self.assertIsNone(detainer.agreement)
        [message] = self.refusal("agreement", detainer=detainer)
        self.assertEqual(
            message,
            "Several agreements are in force at that time (Jail Enforcement Model, Warrant Service Officer): "
            "choose the MOA this is done under (R1.6).",
        )
        done = self.record(detainer=detainer, agreement=self.agreement_a)
        self.assertEqual(done.agreement, self.agreement_a)
