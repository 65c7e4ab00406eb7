"""Officer lifecycle: status changes with effective dates, the nomination checklist, the cap, exams, separation."""

from datetime import UTC, date, datetime

import time_machine
from django.core.exceptions import ValidationError

from compliance.core.models import Agreement, AgreementModel
from tests.base import BaseTestCase
from tests.training.helpers import make_certification, make_course, make_officer
from training.lifecycle import services as lifecycle
from training.lifecycle.models import ExamAttempt, OfficerStatusChange
from training.roster import services
from training.roster.models import Course, Officer

Status = Officer.Status
NOW = datetime(2026, 6, 15, 17, 0, tzinfo=UTC)  # 2026-06-15 12:00 CDT in agency A
TODAY = date(2026, 6, 15)

CHECKLIST_DONE = {
    "us_citizen": True,
    "lea_background_check_on": date(2025, 1, 10),
    "ice_background_check_on": date(2025, 2, 10),
    "privacy_waiver_on_file": True,
    "service_commitment_signed": True,
}


# The agency's required course in these tests, and the day every trained candidate completed it (valid to 2027-12-01).
BASIC = "BASIC"
TRAINED_ON = date(2023, 12, 1)


def candidate(agency, badge, *, agreement, status=Status.IN_TRAINING, checklist=True, trained=True, **fields):
    """An officer of ``agency`` at ``status`` under ``agreement``: checklist done and the required course
    completed on ``TRAINED_ON``, unless told otherwise."""
    officer = make_officer(
        agency,
        badge,
        last=f"Cand{badge}",
        agreement=agreement,
        status=status,
        **(CHECKLIST_DONE if checklist else {}),
        **fields,
    )
    if trained:
        for course in Course.objects.filter(agency=agency, code=BASIC):
            make_certification(officer, course, TRAINED_ON)
    return officer


@time_machine.travel(NOW, tick=False)
class LifecycleTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_course(cls.agency_a, BASIC, validity_months=48)  # the agency's required course (legacy rule)

    def set_status(self, officer, status, effective_on, **kwargs):
        return services.officer_set_status(
            actor=self.supervisor_a, officer=officer, status=status, effective_on=effective_on, **kwargs
        )

    def certify(self, officer, effective_on=date(2026, 3, 1), **kwargs):
        kwargs.setdefault("ice_credential_id", f"ICE-{officer.badge_number}")
        kwargs.setdefault("ice_credential_issued_on", effective_on)
        return self.set_status(officer, Status.DESIGNATED, effective_on, **kwargs)

    def refused(self, officer, status, effective_on, **kwargs) -> dict:
        with self.assertRaises(ValidationError) as raised:
            self.set_status(officer, status, effective_on, **kwargs)
        return raised.exception.message_dict


class StatusChangeTests(LifecycleTestCase):
    def test_a_nomination_walks_every_step_with_effective_dates(self):
        officer = candidate(self.agency_a, "N-1", agreement=self.agreement_a, status=Status.NOMINATED, checklist=False)
        self.set_status(officer, Status.BACKGROUND, date(2025, 11, 3))
        self.set_status(officer, Status.IN_TRAINING, date(2026, 1, 5), note="IADP class 26-01")
        lifecycle.officer_checklist_update(actor=self.staff_a, officer=officer, **CHECKLIST_DONE)
        self.certify(officer, date(2026, 2, 6), ice_credential_id="ICE-0042", ice_credential_issued_on=date(2026, 2, 6))

        officer.refresh_from_db()
        self.assertEqual(officer.status, Status.DESIGNATED)
        self.assertEqual((officer.certified_on, officer.ice_credential_id), (date(2026, 2, 6), "ICE-0042"))
        self.assertEqual(officer.ice_credential_issued_on, date(2026, 2, 6))
        rows = list(officer.status_changes.values_list("previous_status", "status", "effective_on", "recorded_by"))
        self.assertEqual(
            rows,
            [
                (Status.NOMINATED, Status.BACKGROUND, date(2025, 11, 3), self.supervisor_a.pk),
                (Status.BACKGROUND, Status.IN_TRAINING, date(2026, 1, 5), self.supervisor_a.pk),
                (Status.IN_TRAINING, Status.DESIGNATED, date(2026, 2, 6), self.supervisor_a.pk),
            ],
        )
        self.assertEqual(officer.history.first().history_user, self.supervisor_a)

    def test_steps_out_of_order_are_refused_with_the_reason(self):
        officer = make_officer(self.agency_a, "N-2", agreement=self.agreement_a, status=Status.NOMINATED)
        errors = self.refused(officer, Status.DESIGNATED, TODAY)
        self.assertEqual(errors["status"], ["An officer who is nominated cannot become certified / designated."])
        self.assertEqual(
            self.refused(officer, Status.NOMINATED, TODAY)["status"], ["The officer is already nominated."]
        )
        self.assertEqual(officer.status_changes.count(), 0)

    def test_disqualification_is_final(self):
        officer = make_officer(self.agency_a, "N-3", status=Status.DISQUALIFIED)
        for status in (Status.NOMINATED, Status.IN_TRAINING, Status.DESIGNATED):
            with self.subTest(status=status):
                self.assertIn("cannot become", self.refused(officer, status, TODAY)["status"][0])

    def test_the_effective_day_is_not_in_the_future_nor_before_the_last_change(self):
        officer = make_officer(self.agency_a, "N-4", status=Status.NOMINATED)
        self.assertEqual(
            self.refused(officer, Status.BACKGROUND, date(2026, 6, 16))["effective_on"],
            [lifecycle.EFFECTIVE_IN_FUTURE.format(today="2026-06-15")],
        )
        self.set_status(officer, Status.BACKGROUND, date(2026, 5, 1))
        self.assertEqual(
            self.refused(officer, Status.IN_TRAINING, date(2026, 4, 30))["effective_on"],
            [lifecycle.EFFECTIVE_BEFORE_LAST.format(last="2026-05-01")],
        )
        self.set_status(officer, Status.IN_TRAINING, date(2026, 5, 1))  # the same day is fine
        self.assertEqual(officer.status, Status.IN_TRAINING)

    def test_today_is_the_agencys_date(self):
        # 2026-06-16 02:00 UTC is still 2026-06-15 in America/Chicago.
        officer = make_officer(self.agency_a, "N-5", status=Status.NOMINATED)
        with time_machine.travel(datetime(2026, 6, 16, 2, 0, tzinfo=UTC), tick=False):
            self.refused(officer, Status.BACKGROUND, date(2026, 6, 16))
            self.set_status(officer, Status.BACKGROUND, date(2026, 6, 15))

    def test_a_status_changed_on_the_officer_form_is_a_lifecycle_step_effective_today(self):
        officer = make_officer(self.agency_a, "N-6", agreement=self.agreement_a, status=Status.DESIGNATED)
        services.officer_update(actor=self.staff_a, officer=officer, data={"status": Status.SUSPENDED, "unit": "Jail"})

        officer.refresh_from_db()
        self.assertEqual((officer.status, officer.unit), (Status.SUSPENDED, "Jail"))
        change = officer.status_changes.get()
        self.assertEqual((change.effective_on, change.note), (TODAY, services.STATUS_FROM_FORM_NOTE))

        with self.assertRaises(ValidationError) as raised:
            services.officer_update(actor=self.staff_a, officer=officer, data={"status": Status.IN_TRAINING})
        self.assertIn("cannot become", raised.exception.message_dict["status"][0])


class DesignationTests(LifecycleTestCase):
    def test_each_missing_checklist_item_is_named(self):
        expected = {
            "us_citizen": "U.S. citizen",
            "lea_background_check_on": "LEA 5-year background check date",
            "ice_background_check_on": "ICE background check date",
            "privacy_waiver_on_file": "privacy waiver on file",
            "service_commitment_signed": "2-year service commitment signed",
        }
        for n, (field, label) in enumerate(expected.items()):
            with self.subTest(missing=field):
                officer = candidate(self.agency_a, f"K-{n}", agreement=self.agreement_a)
                setattr(officer, field, None if field.endswith("_on") else False)
                officer.save()
                with self.assertRaises(ValidationError) as raised:
                    self.certify(officer)
                self.assertEqual(
                    raised.exception.message_dict["status"], [lifecycle.CHECKLIST_INCOMPLETE.format(missing=label)]
                )
                officer.refresh_from_db()
                self.assertEqual(officer.status, Status.IN_TRAINING)

    def test_every_problem_is_reported_at_once(self):
        officer = candidate(self.agency_a, "K-9", agreement=None, checklist=False, trained=False)
        errors = self.refused(officer, Status.DESIGNATED, TODAY)
        self.assertEqual(
            errors["status"],
            [
                lifecycle.NEEDS_AGREEMENT,
                lifecycle.CHECKLIST_INCOMPLETE.format(
                    missing="U.S. citizen, LEA 5-year background check date, ICE background check date, "
                    "privacy waiver on file, 2-year service commitment signed"
                ),
                lifecycle.TRAINING_INCOMPLETE.format(gap="required training not current on 2026-06-15: BASIC"),
            ],
        )
        self.assertEqual(errors["ice_credential_id"], [lifecycle.CREDENTIAL_REQUIRED.format(what="id")])
        self.assertEqual(errors["ice_credential_issued_on"], [lifecycle.CREDENTIAL_REQUIRED.format(what="issue date")])

    def test_the_checklist_service_records_the_five_items(self):
        officer = candidate(self.agency_a, "K-10", agreement=self.agreement_a, checklist=False)
        lifecycle.officer_checklist_update(actor=self.staff_a, officer=officer, **CHECKLIST_DONE)
        officer.refresh_from_db()
        self.assertEqual(lifecycle.checklist_missing(officer), [])
        self.assertEqual(officer.history.first().history_user, self.staff_a)
        with self.assertRaises(ValidationError) as raised:
            lifecycle.officer_checklist_update(
                actor=self.staff_a, officer=officer, **{**CHECKLIST_DONE, "ice_background_check_on": date(2026, 6, 16)}
            )
        self.assertEqual(list(raised.exception.message_dict), ["ice_background_check_on"])


class CapTests(LifecycleTestCase):
    """R1.8: certifying an officer above the agreement's cap is refused."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.agreement_a.max_authorized_officers = 2
        cls.agreement_a.save()
        make_officer(cls.agency_a, "C-1", agreement=cls.agreement_a, status=Status.DESIGNATED)

    def test_the_last_place_under_the_cap_can_be_taken_then_no_more(self):
        second = candidate(self.agency_a, "C-2", agreement=self.agreement_a)
        self.certify(second)  # 1 designated, cap 2: allowed, now exactly at the cap
        third = candidate(self.agency_a, "C-3", agreement=self.agreement_a)

        errors = self.refused(third, Status.DESIGNATED, TODAY, ice_credential_id="X", ice_credential_issued_on=TODAY)

        self.assertEqual(errors, {"status": [lifecycle.OVER_CAP.format(cap=2, plural="s", count=2)]})
        self.assertEqual(
            errors["status"][0],
            "The agreement allows at most 2 designated officers (R1.8) and 2 are designated: "
            "no one more can be certified until one leaves or the cap is corrected.",
        )

    def test_a_place_freed_by_a_suspension_can_be_taken_and_reinstatement_counts_too(self):
        second = candidate(self.agency_a, "C-4", agreement=self.agreement_a)
        self.certify(second)
        self.set_status(second, Status.SUSPENDED, date(2026, 4, 1))
        third = candidate(self.agency_a, "C-5", agreement=self.agreement_a)
        self.certify(third, date(2026, 4, 2))

        errors = self.refused(second, Status.DESIGNATED, TODAY)  # reinstating would be the third
        self.assertEqual(errors["status"], [lifecycle.OVER_CAP.format(cap=2, plural="s", count=2)])

    def test_other_agreements_and_no_cap_do_not_count(self):
        self.agreement_a.max_authorized_officers = None
        self.agreement_a.save()
        for n in range(3):
            self.certify(candidate(self.agency_a, f"C-{10 + n}", agreement=self.agreement_a))
        self.assertEqual(lifecycle.designated_count(self.agreement_a), 4)

    def test_adding_a_designated_officer_directly_is_refused_and_moving_one_in_respects_the_cap(self):
        make_officer(self.agency_a, "C-6", agreement=self.agreement_a, status=Status.DESIGNATED)  # now at the cap
        with self.assertRaises(ValidationError) as raised:
            services.officer_create(
                actor=self.staff_a,
                agency=self.agency_a,
                first_name="Ines",
                last_name="Capwell",
                badge_number="C-7",
                status=Status.DESIGNATED,
                agreement=self.agreement_a,
            )
        # Whatever the cap: a new row has no checklist, credential or training (the one rule).
        self.assertIn("cannot start as certified / designated", raised.exception.message_dict["status"][0])
        self.assertIn("nomination checklist incomplete (R2.8)", raised.exception.message_dict["status"][0])
        nominee = services.officer_create(
            actor=self.staff_a,
            agency=self.agency_a,
            first_name="Ines",
            last_name="Capwell",
            badge_number="C-7",
            status=Status.NOMINATED,
        )
        self.assertEqual(nominee.agreement, self.agreement_a)  # the agency's one agreement in force

        other = Agreement.objects.create(agency=self.agency_a, model=AgreementModel.WSO, max_authorized_officers=0)
        mover = make_officer(self.agency_a, "C-8", agreement=other, status=Status.DESIGNATED)
        with self.assertRaises(ValidationError) as raised:
            services.officer_update(actor=self.staff_a, officer=mover, data={"agreement": self.agreement_a})
        self.assertIn("at most 2", raised.exception.message_dict["agreement"][0])

    def test_an_agreement_of_another_agency_is_refused(self):
        with self.assertRaises(ValidationError) as raised:
            services.officer_create(
                actor=self.staff_a,
                agency=self.agency_a,
                first_name="Ola",
                last_name="Crossline",
                badge_number="C-9",
                status=Status.NOMINATED,
                agreement=self.agreement_b,
            )
        self.assertEqual(raised.exception.message_dict, {"agreement": [lifecycle.AGREEMENT_OTHER_AGENCY]})


class ExamTests(LifecycleTestCase):
    """R2.2: pass at 70 %; one remediation re-test per course; two failures disqualify."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.iadp = make_course(cls.agency_a, "IADP")
        cls.other_course = make_course(cls.agency_a, "SBU", validity_months=12)

    def exam(self, officer, score, *, remediation=False, course=None, taken_on=date(2026, 6, 1)):
        return services.exam_record(
            actor=self.staff_a,
            officer=officer,
            course=course or self.iadp,
            taken_on=taken_on,
            score_percent=score,
            is_remediation=remediation,
        )

    def trainee(self, badge):
        return candidate(self.agency_a, badge, agreement=self.agreement_a)

    def test_seventy_passes_and_sixty_nine_fails(self):
        officer = self.trainee("X-1")
        self.assertTrue(self.exam(officer, 70).passed)
        self.assertFalse(self.exam(officer, 69).passed)
        self.assertEqual(officer.status, Status.IN_TRAINING)  # one failure: not disqualified

    def test_failure_then_remediation_fail_disqualifies_automatically(self):
        officer = self.trainee("X-2")
        self.exam(officer, 55, taken_on=date(2026, 5, 20))
        attempt = self.exam(officer, 68, remediation=True, taken_on=date(2026, 5, 27))

        self.assertFalse(attempt.passed)
        officer.refresh_from_db()
        self.assertEqual(officer.status, Status.DISQUALIFIED)
        change = officer.status_changes.get()
        self.assertEqual(
            (change.previous_status, change.status, change.effective_on, change.recorded_by),
            (Status.IN_TRAINING, Status.DISQUALIFIED, date(2026, 5, 27), self.staff_a),
        )
        self.assertEqual(change.note, "Disqualified automatically: 2 failed exams in IADP (R2.2).")

    def test_a_passed_remediation_then_a_second_failed_exam_disqualifies(self):
        officer = self.trainee("X-3")
        self.exam(officer, 60)
        self.assertTrue(self.exam(officer, 85, remediation=True).passed)
        self.exam(officer, 90)
        self.assertEqual(officer.status, Status.IN_TRAINING)
        self.exam(officer, 64)
        self.assertEqual(officer.status, Status.DISQUALIFIED)

    def test_the_remediation_is_used_once_and_only_after_a_failure(self):
        officer = self.trainee("X-4")
        with self.assertRaises(ValidationError) as raised:
            self.exam(officer, 80, remediation=True)
        self.assertEqual(raised.exception.message_dict, {"is_remediation": [lifecycle.REMEDIATION_NEEDS_FAILURE]})
        self.exam(officer, 50, taken_on=date(2026, 5, 1))
        self.exam(officer, 75, remediation=True, taken_on=date(2026, 5, 8))
        with self.assertRaises(ValidationError) as raised:
            self.exam(officer, 90, remediation=True)
        self.assertEqual(
            raised.exception.message_dict, {"is_remediation": [lifecycle.REMEDIATION_USED.format(day="2026-05-08")]}
        )
        self.assertEqual(ExamAttempt.objects.filter(officer=officer).count(), 2)

    def test_failures_count_per_course(self):
        officer = self.trainee("X-5")
        self.exam(officer, 40)
        self.exam(officer, 40, course=self.other_course)
        self.assertEqual(officer.status, Status.IN_TRAINING)

    def test_a_disqualified_officer_takes_no_more_exams_and_bad_input_is_refused(self):
        officer = self.trainee("X-6")
        self.exam(officer, 10)
        self.exam(officer, 20)
        with self.assertRaises(ValidationError) as raised:
            self.exam(officer, 95)
        self.assertEqual(list(raised.exception.message_dict), ["officer"])
        fresh = self.trainee("X-7")
        with self.assertRaises(ValidationError) as raised:
            self.exam(fresh, 101, taken_on=date(2026, 6, 16), course=make_course(self.agency_b, "B-IADP"))
        self.assertEqual(sorted(raised.exception.message_dict), ["course", "score_percent", "taken_on"])


class SeparationTests(LifecycleTestCase):
    """R2.8: separation keeps the officer and history; under 24 months after certification is flagged."""

    def separated_after(self, badge, separated_on):
        officer = candidate(self.agency_a, badge, agreement=self.agreement_a)
        self.certify(officer, date(2024, 1, 15))
        self.set_status(officer, Status.SEPARATED, separated_on, note="Transferred to patrol")
        officer.refresh_from_db()
        return officer

    def test_twenty_three_months_is_flagged_twenty_four_is_not(self):
        early = self.separated_after("S-1", date(2026, 1, 14))
        on_time = self.separated_after("S-2", date(2026, 1, 15))
        self.assertTrue(early.separated_early)
        self.assertFalse(on_time.separated_early)

    def test_the_officer_and_history_stay(self):
        officer = self.separated_after("S-3", date(2025, 6, 1))
        self.assertTrue(Officer.objects.filter(pk=officer.pk).exists())
        self.assertEqual(
            list(officer.status_changes.values_list("status", flat=True)), [Status.DESIGNATED, Status.SEPARATED]
        )
        self.assertEqual(officer.certified_on, date(2024, 1, 15))
        self.assertEqual(OfficerStatusChange.objects.filter(officer=officer).last().note, "Transferred to patrol")

    def test_a_legacy_officer_is_measured_from_the_credential_date(self):
        officer = make_officer(
            self.agency_a, "S-4", agreement=self.agreement_a, ice_credential_issued_on=date(2025, 1, 1)
        )
        self.set_status(officer, Status.SEPARATED, date(2026, 6, 1))
        self.assertTrue(officer.separated_early)
        unknown = make_officer(self.agency_a, "S-5", agreement=self.agreement_a, ice_credential_issued_on=None)
        self.set_status(unknown, Status.SEPARATED, date(2026, 6, 1))
        self.assertFalse(unknown.separated_early)  # no certification date on file: nothing to measure
