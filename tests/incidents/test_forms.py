from datetime import UTC, date, datetime

import time_machine

from compliance.core.models import Agreement, AgreementModel
from incidents.detainers.forms import DetainerForm, DetainerOutcomeForm
from incidents.detainers.local_time import WHICH_SUFFIX
from tests.base import BaseTestCase
from tests.incidents.helpers import local_datetime_post, make_detainer
from tests.training.helpers import make_certification, make_course, make_officer


def detainer_post(**overrides) -> dict:
    data = {
        "subject_last_name": "Testperson",
        "subject_first_name": "Alex",
        "subject_date_of_birth": "1990-02-03",
        "booking_number": "BK-00001",
        "underlying_charge": "Burglary (invented)",
        "form": "I-247A",
        "warrant_type": "I-200",
        "warrant_signed": "on",
        "handling_officer": "",
        **local_datetime_post("booked_at", "2026-10-28", "08:00"),
        **local_datetime_post("issued_at", "", ""),
        **local_datetime_post("received_at", "2026-10-29", "09:15"),
        **local_datetime_post("would_be_released_at", "2026-10-31", "09:00"),
    }
    data.update(overrides)
    return data


@time_machine.travel(datetime(2026, 11, 20, 12, 0, tzinfo=UTC), tick=False)
class DetainerFormTests(BaseTestCase):
    def form(self, data, **kwargs):
        kwargs.setdefault("agencies", [self.agency_a])
        return DetainerForm(data, **kwargs)

    def test_it_reads_times_on_the_agencys_clock_and_gives_utc(self):
        form = self.form(detainer_post())
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.cleaned_data["would_be_released_at"], datetime(2026, 10, 31, 14, 0, tzinfo=UTC))
        self.assertEqual(form.cleaned_data["received_at"], datetime(2026, 10, 29, 14, 15, tzinfo=UTC))
        self.assertIsNone(form.cleaned_data["issued_at"])
        self.assertNotIn("received_at" + WHICH_SUFFIX, form.cleaned_data)
        self.assertNotIn("hold_deadline", form.fields)

    def test_the_same_clock_reading_means_another_instant_in_phoenix(self):
        form = self.form(detainer_post(), agencies=[self.agency_b])
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.cleaned_data["would_be_released_at"], datetime(2026, 10, 31, 16, 0, tzinfo=UTC))

    def test_case_D3_nonexistent_time_is_refused_at_the_field(self):
        form = self.form(detainer_post(**local_datetime_post("would_be_released_at", "2026-03-08", "02:30")))
        self.assertFalse(form.is_valid())
        [message] = form.errors["would_be_released_at"]
        self.assertIn("2026-03-08 02:30 does not exist in America/Chicago", message)
        self.assertIn("CST (UTC−06:00)", message)
        self.assertIn("CDT (UTC−05:00)", message)
        self.assertEqual(form.errors.as_data()["would_be_released_at"][0].code, "nonexistent_time")

    def test_case_D3_nonexistent_time_is_refused_even_with_a_choice(self):
        data = detainer_post(**local_datetime_post("would_be_released_at", "2026-03-08", "02:30", "later"))
        form = self.form(data)
        self.assertFalse(form.is_valid())
        self.assertIn("does not exist", form.errors["would_be_released_at"][0])

    def test_case_D3_repeated_time_asks_which_one(self):
        form = self.form(detainer_post(**local_datetime_post("would_be_released_at", "2026-11-01", "01:30")))
        self.assertFalse(form.is_valid())
        [message] = form.errors["would_be_released_at"]
        self.assertIn("2026-11-01 01:30 happens twice in America/Chicago", message)
        self.assertIn("01:30 CDT (UTC−05:00) = 06:30 UTC", message)
        self.assertIn("01:30 CST (UTC−06:00) = 07:30 UTC", message)
        # The companion choice is now shown as two radio buttons naming both offsets.
        companion = form["would_be_released_at" + WHICH_SUFFIX]
        self.assertFalse(companion.is_hidden)
        html = str(companion)
        self.assertIn('type="radio"', html)
        self.assertIn("01:30 CDT (UTC−05:00), daylight time", html)
        self.assertIn("01:30 CST (UTC−06:00), standard time", html)

    def test_case_D3_repeated_time_earlier_is_daylight_time(self):
        data = detainer_post(**local_datetime_post("would_be_released_at", "2026-11-01", "01:30", "earlier"))
        form = self.form(data)
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.cleaned_data["would_be_released_at"], datetime(2026, 11, 1, 6, 30, tzinfo=UTC))

    def test_case_D3_repeated_time_later_is_standard_time(self):
        data = detainer_post(**local_datetime_post("would_be_released_at", "2026-11-01", "01:30", "later"))
        form = self.form(data)
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.cleaned_data["would_be_released_at"], datetime(2026, 11, 1, 7, 30, tzinfo=UTC))

    def test_the_choice_stays_hidden_for_ordinary_times(self):
        form = self.form(detainer_post())
        self.assertTrue(form["would_be_released_at" + WHICH_SUFFIX].is_hidden)

    def test_a_stored_repeated_time_round_trips_through_the_edit_form(self):
        stored = datetime(2026, 11, 1, 7, 30, tzinfo=UTC)  # 01:30 CST, the later one
        form = DetainerForm(
            initial={"would_be_released_at": stored, "received_at": stored},
            agencies=[self.agency_a],
            agency=self.agency_a,
        )
        self.assertEqual(form.initial["would_be_released_at"], datetime(2026, 11, 1, 1, 30))
        self.assertEqual(form.initial["would_be_released_at" + WHICH_SUFFIX], "later")
        html = str(form["would_be_released_at"])
        self.assertIn('value="2026-11-01"', html)
        self.assertIn('value="01:30"', html)
        self.assertIn('value="later"', str(form["would_be_released_at" + WHICH_SUFFIX]))

    def test_it_asks_for_both_date_and_time(self):
        form = self.form(detainer_post(**local_datetime_post("received_at", "2026-10-29", "")))
        self.assertFalse(form.is_valid())
        self.assertEqual(form.errors["received_at"], ["Enter both a date and a time."])

    def test_a_garbled_time_is_a_field_error(self):
        form = self.form(detainer_post(**local_datetime_post("received_at", "2026-10-29", "25:99")))
        self.assertFalse(form.is_valid())
        self.assertIn("received_at", form.errors)

    def test_the_underlying_criminal_charge_is_required(self):
        form = self.form(detainer_post(underlying_charge=""))
        self.assertFalse(form.is_valid())
        self.assertIn("underlying_charge", form.errors)

    def test_R4_1_only_the_i247a_after_april_2017(self):
        data = detainer_post(form="I-247D", **local_datetime_post("issued_at", "2026-10-29", "08:00"))
        form = self.form(data)
        self.assertFalse(form.is_valid())
        self.assertIn("only on Form I-247A", form.errors["form"][0])

    def test_R4_1_an_old_i247d_is_accepted(self):
        data = detainer_post(
            form="I-247D",
            **local_datetime_post("issued_at", "2016-05-02", "08:00"),
            **local_datetime_post("received_at", "2016-05-02", "09:00"),
            **local_datetime_post("booked_at", "2016-05-01", "08:00"),
            **local_datetime_post("would_be_released_at", "2016-05-03", "08:00"),
        )
        form = self.form(data)
        self.assertTrue(form.is_valid(), form.errors)

    def test_release_before_booking_is_refused(self):
        form = self.form(detainer_post(**local_datetime_post("would_be_released_at", "2026-10-27", "08:00")))
        self.assertFalse(form.is_valid())
        self.assertIn("would_be_released_at", form.errors)

    def test_a_signed_warrant_needs_its_type(self):
        form = self.form(detainer_post(warrant_type=""))
        self.assertFalse(form.is_valid())
        self.assertIn("warrant_type", form.errors)

    def test_future_receipt_is_refused(self):
        form = self.form(detainer_post(**local_datetime_post("received_at", "2026-12-29", "09:15")))
        self.assertFalse(form.is_valid())
        self.assertIn("received_at", form.errors)

    def test_handling_officer_is_limited_to_the_agencys_officers(self):
        own = make_officer(self.agency_a, "A1", last="Own", first="Pat")  # designated, qualified, trained below
        make_certification(own, make_course(self.agency_a), date(2026, 1, 5))
        other = make_officer(self.agency_b, "B1", last="Other", first="Sam")
        form = self.form(detainer_post(handling_officer=str(other.pk)))
        self.assertEqual(list(form.fields["handling_officer"].queryset), [own])
        self.assertFalse(form.is_valid())
        self.assertIn("handling_officer", form.errors)
        form = self.form(detainer_post(handling_officer=str(own.pk)))
        self.assertTrue(form.is_valid(), form.errors)

    def test_a_multi_agency_user_picks_the_agency_and_its_zone_applies(self):
        form = self.form(detainer_post(agency=str(self.agency_b.public_id)), agencies=[self.agency_a, self.agency_b])
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.selected_agency(), self.agency_b)
        self.assertEqual(form.cleaned_data["would_be_released_at"], datetime(2026, 10, 31, 16, 0, tzinfo=UTC))

    def test_a_multi_agency_user_must_pick_the_agency(self):
        form = self.form(detainer_post(), agencies=[self.agency_a, self.agency_b])
        self.assertFalse(form.is_valid())
        self.assertEqual(form.errors["agency"], ["Choose the agency this record belongs to."])
        self.assertNotIn("would_be_released_at", form.cleaned_data)

    def test_an_agency_outside_the_list_cannot_be_picked(self):
        form = self.form(detainer_post(agency=str(self.agency_b.public_id)), agencies=[self.agency_a])
        # One allowed agency: no agency field at all; a posted value is ignored.
        self.assertNotIn("agency", form.fields)
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.selected_agency(), self.agency_a)


@time_machine.travel(datetime(2026, 11, 20, 12, 0, tzinfo=UTC), tick=False)
class DetainerOutcomeFormTests(BaseTestCase):
    def test_case_D3_outcome_time_follows_the_same_rule(self):
        data = {"outcome": "released", "lift_reason": "", **local_datetime_post("outcome_at", "2026-11-01", "01:30")}
        form = DetainerOutcomeForm(data, agency=self.agency_a)
        self.assertFalse(form.is_valid())
        self.assertIn("happens twice", form.errors["outcome_at"][0])
        data["outcome_at_which"] = "earlier"
        form = DetainerOutcomeForm(data, agency=self.agency_a)
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.cleaned_data["outcome_at"], datetime(2026, 11, 1, 6, 30, tzinfo=UTC))

    def test_lifting_needs_a_reason(self):
        data = {"outcome": "lifted", "lift_reason": "", **local_datetime_post("outcome_at", "2026-11-02", "10:00")}
        form = DetainerOutcomeForm(data, agency=self.agency_a)
        self.assertFalse(form.is_valid())
        self.assertIn("lift_reason", form.errors)

    def test_pending_is_not_an_outcome(self):
        data = {"outcome": "pending", **local_datetime_post("outcome_at", "2026-11-02", "10:00")}
        form = DetainerOutcomeForm(data, agency=self.agency_a)
        self.assertFalse(form.is_valid())
        self.assertIn("outcome", form.errors)

    def test_it_does_not_touch_a_detainer(self):
        detainer = make_detainer(self.agency_a, actor=self.staff_a)
        DetainerOutcomeForm({"outcome": "released"}, agency=self.agency_a).is_valid()
        detainer.refresh_from_db()
        self.assertEqual(detainer.outcome, "pending")


@time_machine.travel(datetime(2026, 11, 20, 12, 0, tzinfo=UTC), tick=False)
class SeveralAgreementsInForceTests(BaseTestCase):
    def test_R1_6_with_jem_and_wso_in_force_the_form_asks_which_instead_of_saving_none(self):
        wso = Agreement.objects.create(agency=self.agency_a, model=AgreementModel.WSO)
        form = DetainerForm(detainer_post(), agencies=[self.agency_a])
        self.assertFalse(form.is_valid())
        self.assertEqual(
            form.errors["agreement"],
            [
                "Several agreements are in force at that time (Jail Enforcement Model, Warrant Service Officer): "
                "choose the MOA this is done under (R1.6)."
            ],
        )
        chosen = DetainerForm(detainer_post(agreement=str(wso.pk)), agencies=[self.agency_a])
        self.assertTrue(chosen.is_valid(), chosen.errors)
        self.assertEqual(chosen.cleaned_data["agreement"], wso)

    def test_one_agreement_in_force_is_still_the_default(self):
        form = DetainerForm(detainer_post(), agencies=[self.agency_a])
        self.assertTrue(form.is_valid(), form.errors)


class OutcomeDefaultTests(BaseTestCase):
    def test_no_outcome_is_preselected_and_leaving_it_blank_is_refused(self):
        form = DetainerOutcomeForm(agency=self.agency_a)
        self.assertIn('<option value="" selected>- Select how custody ended -</option>', str(form["outcome"]))
        bound = DetainerOutcomeForm(
            {"outcome": "", **local_datetime_post("outcome_at", "2026-11-20", "10:00")}, agency=self.agency_a
        )
        self.assertFalse(bound.is_valid())
        self.assertEqual(bound.errors["outcome"], ["Choose what happened: transferred, released, or lifted."])
