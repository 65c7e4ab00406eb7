"""The detainer record's I-247A and compliance fields, and what the form refuses (DOMAIN.md §7.1–7.2, R4.1–R4.4)."""

from datetime import UTC, date, datetime

import time_machine
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.urls import reverse

from compliance.core.models import Agreement, AgreementModel, Finding
from compliance.core.roles import Role
from incidents.detainers import services
from incidents.detainers.choices import Action, PCBasis
from incidents.detainers.forms import DetainerForm, DetainerOutcomeForm
from incidents.detainers.models import Detainer
from incidents.detainers.scope import agreement_in_force
from incidents.detainers.validators import A_NUMBER_MESSAGE, a_number_normalise, country_code_normalise
from tests.base import BaseTestCase, sign_in
from tests.incidents.helpers import local_datetime_post, make_detainer
from tests.incidents.test_forms import detainer_post
from tests.training.helpers import make_certification, make_course, make_officer

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
#: A past fact that broke a rule is recorded with an explanation (incidents.detainers.rule_breaks).
EXPLAINED = "Logged after the fact from the shift's paper log (invented)."


class ANumberTests(BaseTestCase):
    def test_seven_digits_are_refused(self):
        with self.assertRaisesMessage(ValidationError, A_NUMBER_MESSAGE):
            a_number_normalise("A1234567")

    def test_eight_digits_are_padded_to_nine(self):
        self.assertEqual(a_number_normalise("A12345678"), "A012345678")

    def test_nine_digits_are_kept(self):
        self.assertEqual(a_number_normalise("A123456789"), "A123456789")

    def test_ten_digits_are_refused(self):
        with self.assertRaises(ValidationError):
            a_number_normalise("A1234567890")

    def test_case_spaces_and_hyphens_are_normalised(self):
        self.assertEqual(a_number_normalise(" a-123-456-789 "), "A123456789")
        self.assertEqual(a_number_normalise("123456789"), "A123456789")
        self.assertEqual(a_number_normalise(""), "")

    def test_other_letters_are_refused(self):
        for typed in ("B123456789", "A12345678X", "AA12345678"):
            with self.subTest(typed=typed), self.assertRaises(ValidationError):
                a_number_normalise(typed)

    def test_the_service_stores_the_normalised_form(self):
        detainer = make_detainer(self.agency_a, actor=self.staff_a, a_number="a 1234 5678")
        detainer.refresh_from_db()
        self.assertEqual(detainer.a_number, "A012345678")

    def test_country_codes_are_two_letters_upper_case(self):
        self.assertEqual(country_code_normalise(" mx "), "MX")
        for typed in ("Mexico", "M", "M1"):
            with self.subTest(typed=typed), self.assertRaises(ValidationError):
                country_code_normalise(typed)


@time_machine.travel(NOW, tick=False)
class RecordFormTests(BaseTestCase):
    def form(self, data, **kwargs):
        kwargs.setdefault("agencies", [self.agency_a])
        return DetainerForm(data, **kwargs)

    def test_the_new_fields_reach_cleaned_data(self):
        form = self.form(
            detainer_post(
                subject_sex="F",
                subject_country_of_citizenship="gt",
                a_number="A12345678",
                offense_level="3",
                form_version="I-247A (02/17)",
                issuing_office="Invented Field Office",
                box_1_probable_cause="on",
                pc_basis=[PCBasis.FINAL_ORDER, PCBasis.STATEMENTS],
                release_cause="bail_posted",
                local_hold_authority="State Code §1-2-3 (invented)",
                ice_supervisor="SDDO Testperson, ID 4711 (invented)",
            )
        )
        self.assertTrue(form.is_valid(), form.errors)
        data = form.cleaned_data
        self.assertEqual(data["a_number"], "A012345678")
        self.assertEqual(data["subject_country_of_citizenship"], "GT")
        self.assertEqual(data["offense_level"], 3)
        self.assertEqual(data["pc_basis"], ["final_order", "statements"])
        self.assertEqual(data["release_cause"], "bail_posted")

    def test_a_numbers_of_7_8_9_10_digits_at_the_field(self):
        for digits, valid in ((7, False), (8, True), (9, True), (10, False)):
            with self.subTest(digits=digits):
                form = self.form(detainer_post(a_number="A" + "1" * digits))
                self.assertEqual(form.is_valid(), valid, form.errors)
                if not valid:
                    self.assertEqual(form.errors["a_number"], [A_NUMBER_MESSAGE])

    def test_R4_2_box_1_and_box_2_both_ticked_are_refused_at_box_2(self):
        form = self.form(detainer_post(box_1_probable_cause="on", box_2_transfer_for_proceeding="on"))
        self.assertFalse(form.is_valid())
        self.assertIn("Box 1 must be empty", form.errors["box_2_transfer_for_proceeding"][0])

    def test_R4_2_box_2_with_a_box_1_basis_is_refused(self):
        form = self.form(detainer_post(pc_basis=[PCBasis.FINAL_ORDER], box_2_transfer_for_proceeding="on"))
        self.assertFalse(form.is_valid())
        self.assertIn("box_2_transfer_for_proceeding", form.errors)

    def test_R4_2_box_2_alone_is_accepted(self):
        self.assertTrue(self.form(detainer_post(box_2_transfer_for_proceeding="on")).is_valid())

    def test_R4_4_a_flagged_basis_is_recorded_not_refused(self):
        form = self.form(detainer_post(box_1_probable_cause="on", pc_basis=[PCBasis.INVESTIGATION_INITIATED]))
        self.assertTrue(form.is_valid(), form.errors)

    def issued_on(self, form_type: str, day: str):
        return self.form(
            detainer_post(
                form=form_type,
                **local_datetime_post("issued_at", day, "08:00"),
                **local_datetime_post("booked_at", day, "07:00"),
                **local_datetime_post("received_at", day, "09:00"),
                **local_datetime_post("would_be_released_at", day, "10:00"),
            )
        )

    def test_R4_1_i247a_issued_2017_04_01_is_refused_and_2017_04_02_accepted(self):
        refused = self.issued_on("I-247A", "2017-04-01")
        self.assertFalse(refused.is_valid())
        self.assertIn("in use only since 2 April 2017", refused.errors["form"][0])
        accepted = self.issued_on("I-247A", "2017-04-02")
        self.assertTrue(accepted.is_valid(), accepted.errors)

    def test_R4_1_i247d_issued_2017_04_01_is_accepted_and_2017_04_02_refused(self):
        self.assertTrue(self.issued_on("I-247D", "2017-04-01").is_valid())
        refused = self.issued_on("I-247D", "2017-04-02")
        self.assertFalse(refused.is_valid())
        self.assertIn("only on Form I-247A", refused.errors["form"][0])

    def test_R1_6_an_interview_under_the_wso_agreement_is_recorded_after_its_explanation(self):
        # Issue 9 point 2: the interview happened; the form no longer refuses it, the page asks why.
        data = detainer_post(action=Action.INTERVIEW, **local_datetime_post("action_at", "2026-10-29", "10:00"))
        self.assertTrue(self.form(data, agencies=[self.agency_b]).is_valid())
        sign_in(self.client, self.staff_b)
        response = self.client.post(reverse("incidents:detainer_create"), data)
        self.assertEqual(response.status_code, 200)
        [message] = response.context["form"].errors["explanation"]
        self.assertIn("outside the Warrant Service Officer agreement", message)
        self.assertIn("That agreement allows only: Serve the ICE warrant (I-200/I-205)", message)
        self.assertFalse(Detainer.objects.exists())
        response = self.client.post(reverse("incidents:detainer_create"), {**data, "explanation": EXPLAINED})
        detainer = Detainer.objects.get()
        self.assertRedirects(response, reverse("incidents:detainer_detail", args=[detainer.public_id]))
        self.assertEqual((detainer.action, detainer.explanation), (Action.INTERVIEW, EXPLAINED))
        self.assertTrue(
            Finding.objects.filter(object_id=detainer.pk, kind=Finding.Kind.ACTION_OUTSIDE_AGREEMENT).exists()
        )

    def test_R1_6_serving_the_warrant_under_wso_is_accepted(self):
        form = self.form(
            detainer_post(action=Action.SERVE_WARRANT, **local_datetime_post("action_at", "2026-10-29", "10:00")),
            agencies=[self.agency_b],
        )
        self.assertTrue(form.is_valid(), form.errors)

    def test_R1_6_a_field_arrest_under_jem_asks_for_the_explanation(self):
        data = detainer_post(action=Action.FIELD_ARREST, **local_datetime_post("action_at", "2026-10-29", "10:00"))
        self.assertTrue(self.form(data).is_valid())
        sign_in(self.client, self.staff_a)
        response = self.client.post(reverse("incidents:detainer_create"), data)
        self.assertIn("outside the Jail Enforcement Model agreement", response.context["form"].errors["explanation"][0])
        self.assertFalse(Detainer.objects.exists())

    def test_an_action_needs_its_time(self):
        form = self.form(detainer_post(action=Action.SERVE_WARRANT))
        self.assertFalse(form.is_valid())
        self.assertEqual(form.errors["action_at"], ["Say when the 287(g) action was taken."])

    def test_the_agreement_offered_is_the_agencys_and_defaults_to_the_one_in_force(self):
        form = self.form(None, agencies=[self.agency_b])
        self.assertEqual(list(form.fields["agreement"].queryset), [self.agreement_b])
        self.assertEqual(form.initial["agreement"], self.agreement_b)

    def test_another_agencys_agreement_cannot_be_posted(self):
        form = self.form(detainer_post(agreement=str(self.agreement_a.pk)), agencies=[self.agency_b])
        self.assertFalse(form.is_valid())
        self.assertIn("agreement", form.errors)


@time_machine.travel(NOW, tick=False)
class HandlingOfficerAtTheFormTests(BaseTestCase):
    """The handling officer must be authorized at the instant of the action (training valid through 2026-01-10)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        course = make_course(cls.agency_a)
        cls.officer = make_officer(cls.agency_a, "H-2", last="Lapsing")
        make_certification(cls.officer, course, date(2024, 1, 10), expires_on=date(2026, 1, 10))

    def post(self, day: str, clock: str) -> DetainerForm:
        data = detainer_post(
            handling_officer=str(self.officer.pk),
            **local_datetime_post("booked_at", "2026-01-09", "08:00"),
            **local_datetime_post("received_at", "2026-01-10", "08:00"),
            **local_datetime_post("would_be_released_at", "2026-01-12", "08:00"),
            action=Action.SERVE_WARRANT,
            **local_datetime_post("action_at", day, clock),
        )
        return DetainerForm(data, agencies=[self.agency_a])

    def test_authorized_one_minute_before_the_lapse(self):
        form = self.post("2026-01-10", "23:59")
        self.assertTrue(form.is_valid(), form.errors)

    def explanation_asked(self, data: dict) -> str:
        """Issue 9 point 2: the form accepts the past fact; the page asks for the explanation, saving nothing."""
        self.assertTrue(DetainerForm(data, agencies=[self.agency_a]).is_valid())
        sign_in(self.client, self.staff_a)
        response = self.client.post(reverse("incidents:detainer_create"), data)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Detainer.objects.exists())
        [message] = response.context["form"].errors["explanation"]
        return message

    def test_one_minute_after_the_lapse_the_page_asks_why_with_the_reason(self):
        form = self.post("2026-01-11", "00:00")
        message = self.explanation_asked(form.data)
        self.assertIn(str(self.officer), message)
        self.assertIn("not authorized to use 287(g) authority on 2026-01-11", message)

    def test_without_an_action_the_receipt_time_counts(self):
        data = detainer_post(
            handling_officer=str(self.officer.pk), **local_datetime_post("received_at", "2026-01-11", "00:00")
        )
        data.update(local_datetime_post("booked_at", "2026-01-09", "08:00"))
        self.assertIn("not authorized to use 287(g) authority on 2026-01-11", self.explanation_asked(data))


class AgreementDefaultTests(BaseTestCase):
    def test_a_new_detainer_is_under_the_agreement_in_force(self):
        self.assertEqual(make_detainer(self.agency_a, actor=self.staff_a).agreement, self.agreement_a)

    def test_an_expired_agreement_is_not_the_default(self):
        Agreement.objects.filter(pk=self.agreement_a.pk).delete()
        expired = Agreement.objects.create(
            agency=self.agency_a, model=AgreementModel.JEM, signed_on=date(2015, 1, 1), expires_on=date(2025, 12, 31)
        )
        at = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)
        self.assertIsNone(agreement_in_force(agency=self.agency_a, at=at))
        self.assertEqual(agreement_in_force(agency=self.agency_a, at=datetime(2025, 12, 31, 12, tzinfo=UTC)), expired)

    def test_two_agreements_in_force_leave_the_choice_to_the_user(self):
        Agreement.objects.create(agency=self.agency_a, model=AgreementModel.WSO, signed_on=date(2020, 1, 1))
        self.assertIsNone(make_detainer(self.agency_a, actor=self.staff_a).agreement)

    def test_the_service_refuses_another_agencys_agreement(self):
        with self.assertRaises(ValueError):
            make_detainer(self.agency_a, actor=self.staff_a, agreement=self.agreement_b)


class LiftReasonTests(BaseTestCase):
    def test_the_outcome_form_offers_ices_lift_reasons(self):
        form = DetainerOutcomeForm(agency=self.agency_a)
        values = [value for value, _ in form.fields["lift_reason"].choices]
        self.assertIn("Detainer Declined by LEA", values)
        self.assertIn("USC or Presumptive Claim to US Citizenship", values)
        self.assertEqual(len(values), 13)  # blank + ICE's 12 reasons

    def test_a_reason_outside_the_vocabulary_is_refused(self):
        detainer = make_detainer(self.agency_a, actor=self.staff_a)
        with self.assertRaises(ValidationError):
            services.detainer_record_outcome(
                detainer=detainer,
                actor=self.staff_a,
                outcome="lifted",
                outcome_at=datetime(2026, 1, 6, tzinfo=UTC),
                lift_reason="ICE cancelled",
            )

    def test_an_older_free_text_reason_stays_valid_and_shown(self):
        detainer = make_detainer(self.agency_a, actor=self.staff_a)
        detainer.lift_reason = "ICE cancelled (typed before the vocabulary)"
        detainer.outcome = "lifted"
        detainer.save()
        sign_in(self.client, self.staff_a)
        response = self.client.get(reverse("incidents:detainer_detail", args=[detainer.public_id]))
        self.assertContains(response, "ICE cancelled (typed before the vocabulary)")


@time_machine.travel(NOW, tick=False)
class DetailPageChecksTests(BaseTestCase):
    def setUp(self):
        self.detainer = make_detainer(
            self.agency_a,
            actor=self.staff_a,
            warrant_type="",
            warrant_signed=False,
            box_1_probable_cause=True,
            pc_basis=[PCBasis.FINAL_ORDER],
            issued_at=datetime(2026, 11, 19, 12, 0, tzinfo=UTC),
            received_at=datetime(2026, 11, 19, 13, 0, tzinfo=UTC),
            local_hold_authority="Invented County Code § 1 (R4.9)",
        )
        sign_in(self.client, self.staff_a)

    def page(self, detainer=None):
        return self.client.get(reverse("incidents:detainer_detail", args=[(detainer or self.detainer).public_id]))

    def test_a_detainer_without_a_warrant_says_no_hold_and_why(self):
        response = self.page()
        self.assertContains(response, "No hold authorized")
        self.assertContains(response, "no I-200 or I-205 warrant is attached")
        self.assertContains(response, "no copy of the detainer has been served")
        self.assertContains(response, 'data-check="failed"', count=2)
        self.assertContains(response, "ICE Policy 10074.2")
        # One summary on top: the first failing reason, the other failure only in the checks list.
        self.assertContains(response, 'data-testid="hold-verdict" data-authorized="false"')
        self.assertContains(
            response,
            "<strong>No hold authorized: no I-200 or I-205 warrant is attached. Attach the signed warrant; "
            "supervisor review needed.</strong> (R4.3)",
        )
        self.assertContains(response, "1 more failed check also blocks the hold")
        self.assertContains(response, "no copy of the detainer has been served", count=1)

    def test_attaching_the_warrant_and_serving_it_authorizes_the_hold(self):
        services.detainer_update(detainer=self.detainer, actor=self.staff_a, warrant_type="I-200", warrant_signed=True)
        services.detainer_record_service(
            detainer=self.detainer,
            actor=self.staff_a,
            served_on_subject_at=datetime(2026, 11, 19, 14, 0, tzinfo=UTC),
            served_by="B-12",
            service_language="English",
        )
        response = self.page()
        self.assertNotContains(response, "No hold authorized")
        self.assertContains(response, 'data-testid="hold-verdict" data-authorized="true"')
        self.assertContains(response, "<strong>Hold authorized</strong>: the detainer is in order.")
        self.assertNotContains(response, 'data-check="failed"')

    def test_the_page_shows_the_wso_transfer_deadline(self):
        detainer = make_detainer(
            self.agency_b,
            actor=self.staff_b,
            action=Action.EXECUTE_ARREST_IN_FACILITY,
            action_at=datetime(2026, 11, 19, 15, 0, tzinfo=UTC),
        )
        sign_in(self.client, self.staff_b)
        response = self.page(detainer)
        self.assertContains(response, "2026-11-21 08:00 MST")
        self.assertContains(response, "ICE must take custody by")

    def test_another_agencys_detainer_is_404(self):
        sign_in(self.client, self.staff_b)
        self.assertEqual(self.page().status_code, 404)


@time_machine.travel(NOW, tick=False)
class CaseA1RecordTests(BaseTestCase):
    """Case A1: a model-wide permission given by mistake widens neither the page nor the form's choices."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        wrong = Permission.objects.filter(content_type__app_label="incidents", content_type__model="detainer")
        Group.objects.get(name=Role.STAFF).permissions.add(*wrong)
        cls.detainer_a = make_detainer(cls.agency_a, actor=cls.staff_a, booking_number="BK-ALDER-ONLY")

    def test_case_A1_agency_a_detainer_and_its_checks_still_answer_404(self):
        self.assertTrue(self.staff_b.has_perm("incidents.view_detainer"))
        sign_in(self.client, self.staff_b)
        response = self.client.get(reverse("incidents:detainer_detail", args=[self.detainer_a.public_id]))
        self.assertEqual(response.status_code, 404)

    def test_case_A1_the_log_form_offers_only_agency_b_agreements_and_officers(self):
        make_officer(self.agency_a, "A-9", last="Alderonly")
        sign_in(self.client, self.staff_b)
        response = self.client.get(reverse("incidents:detainer_create"))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "Alderonly")
        self.assertEqual(list(response.context["form"].fields["agreement"].queryset), [self.agreement_b])
