"""Each legal check of a detainer, at its boundary values (incidents.detainers.checks; DOMAIN.md R1.6–R1.7,
R4.1–R4.8)."""

from datetime import UTC, date, datetime, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.core.models import AgreementModel
from incidents.detainers import checks, services
from incidents.detainers.checks import Check, detainer_checks, hold_authorized
from incidents.detainers.choices import Action, PCBasis
from incidents.detainers.models import Detainer
from tests.base import BaseTestCase
from tests.incidents.helpers import RECEIVED, make_detainer
from tests.training.helpers import make_certification, make_course, make_officer

AT = datetime(2026, 1, 6, 12, 0, tzinfo=UTC)
#: A past fact that broke a rule is recorded with an explanation (incidents.detainers.rule_breaks).
EXPLAINED = "Recorded after the fact from the paper log (invented)."


def by_rule(detainer, rule: str, *, at=AT) -> Check:
    [check] = [c for c in detainer_checks(detainer, at=at) if c.rule == rule]
    return check


class ChecksTestCase(BaseTestCase):
    def good(self, agency=None, **fields) -> Detainer:
        """An I-247A in order: issued, Box 1 with a valid basis, signed I-200, served on the subject."""
        values = {
            "issued_at": RECEIVED - timedelta(hours=2),
            "box_1_probable_cause": True,
            "pc_basis": [PCBasis.FINAL_ORDER],
            "local_hold_authority": "Invented County Code § 1 (R4.9)",
        }
        values.update(fields)
        detainer = make_detainer(agency or self.agency_a, actor=self.staff_a, **values)
        return services.detainer_record_service(
            detainer=detainer,
            actor=self.staff_a,
            served_on_subject_at=RECEIVED + timedelta(hours=1),
            served_by="B-7",
            service_language="English",
        )


class DetainerChecksTests(ChecksTestCase):
    def test_a_detainer_in_order_passes_every_check_and_a_hold_is_authorized(self):
        detainer = self.good()
        results = detainer_checks(detainer, at=AT)
        self.assertEqual(
            [c.name for c in results][:9],
            [
                "Form valid on its issue date",
                "Probable-cause basis shown",
                "Probable-cause basis is lawful",
                "Signed I-200 or I-205 attached",
                "Copy served on the subject",
                "Handling officer authorized",
                "Action within the agreement",
                "Within the 48-hour hold limit",
                "WSO 48-hour transfer clock",
            ],
        )
        self.assertFalse([c for c in results if c.failed], [c.message for c in results if c.failed])
        self.assertTrue(hold_authorized(detainer, at=AT))

    def test_each_check_names_its_rule_and_source(self):
        for check in detainer_checks(self.good(), at=AT):
            with self.subTest(check=check.name):
                self.assertTrue(check.rule)
                self.assertTrue(check.source)
                self.assertTrue(check.message)

    def test_it_refuses_a_naive_instant(self):
        with self.assertRaises(ValueError):
            detainer_checks(self.good(), at=datetime(2026, 1, 6, 12, 0))  # noqa: DTZ001 (naive on purpose)

    def test_another_part_can_register_a_check_that_blocks_the_hold(self):
        def stop(detainer, at):
            return Check("Citizenship STOP", "R5.1", "ICE Directive 16001.2", False, "No hold authorized: STOP.")

        detainer = self.good()
        checks.CHECKS.append(stop)
        try:
            self.assertEqual(detainer_checks(detainer, at=AT)[-1].name, "Citizenship STOP")
            self.assertFalse(hold_authorized(detainer, at=AT))
        finally:
            checks.CHECKS.remove(stop)
        self.assertTrue(hold_authorized(detainer, at=AT))


class FormValidityTests(ChecksTestCase):
    """R4.1 by agency-local issue date: I-247A only from 2017-04-02; I-247D/X only before; I-247N never."""

    def issued(self, form, day: date, clock=(12, 0)) -> Detainer:
        issued = datetime(day.year, day.month, day.day, *clock, tzinfo=self.agency_a.zone)
        detainer = self.good(form=form, issued_at=issued, received_at=issued + timedelta(hours=1))
        return detainer

    def test_R4_1_i247a_issued_2017_04_01_fails(self):
        check = by_rule(self.issued(Detainer.Form.I247A, date(2017, 4, 1)), "R4.1")
        self.assertFalse(check.passed)
        self.assertIn("No hold authorized", check.message)
        self.assertIn("in use only since 2 April 2017", check.message)

    def test_R4_1_i247a_issued_2017_04_02_passes(self):
        self.assertTrue(by_rule(self.issued(Detainer.Form.I247A, date(2017, 4, 2)), "R4.1").passed)

    def test_R4_1_the_issue_date_is_the_agencys_local_date(self):
        # 2017-04-01 23:30 CDT is already 2017-04-02 in UTC: still the 1st for the agency.
        detainer = self.issued(Detainer.Form.I247A, date(2017, 4, 1), clock=(23, 30))
        self.assertEqual(detainer.issued_at.astimezone(UTC).date(), date(2017, 4, 2))
        self.assertFalse(by_rule(detainer, "R4.1").passed)

    def test_R4_1_i247d_issued_2017_04_01_passes_and_2017_04_02_fails(self):
        self.assertTrue(by_rule(self.issued(Detainer.Form.I247D, date(2017, 4, 1)), "R4.1").passed)
        check = by_rule(self.issued(Detainer.Form.I247D, date(2017, 4, 2)), "R4.1")
        self.assertFalse(check.passed)
        self.assertIn("only on Form I-247A", check.message)

    def test_R4_1_i247x_follows_the_same_date(self):
        self.assertTrue(by_rule(self.issued(Detainer.Form.I247X, date(2017, 4, 1)), "R4.1").passed)
        self.assertFalse(by_rule(self.issued(Detainer.Form.I247X, date(2017, 4, 2)), "R4.1").passed)

    def test_R4_1_an_i247n_never_authorizes_a_hold(self):
        detainer = self.issued(Detainer.Form.I247N, date(2016, 6, 1))
        check = by_rule(detainer, "R4.1")
        # Issue 9 point 3: a valid I-247N is no failed hold but no hold at all — the form is valid for its
        # date, its check says it never authorizes a hold, and no hold is ever authorized on it.
        self.assertTrue(check.passed)
        self.assertIn("never authorizes a hold", check.message)
        self.assertFalse(hold_authorized(detainer, at=AT))

    def test_R4_1_a_rescinded_form_with_no_issue_date_received_after_april_2017_fails(self):
        detainer = self.good(form=Detainer.Form.I247D, issued_at=None)
        check = by_rule(detainer, "R4.1")
        self.assertFalse(check.passed)
        self.assertIn("Record the issue date", check.message)


class ProbableCauseTests(ChecksTestCase):
    def test_R4_2_an_i247a_with_no_box_ticked_authorizes_no_hold(self):
        detainer = self.good(box_1_probable_cause=False, pc_basis=[])
        check = by_rule(detainer, "R4.2")
        self.assertFalse(check.passed)
        self.assertIn("no probable-cause basis is ticked", check.message)
        self.assertFalse(hold_authorized(detainer, at=AT))

    def test_R4_2_box_1_without_a_basis_fails(self):
        self.assertFalse(by_rule(self.good(pc_basis=[]), "R4.2").passed)

    def test_R4_2_box_2_alone_passes(self):
        detainer = self.good(box_1_probable_cause=False, pc_basis=[], box_2_transfer_for_proceeding=True)
        self.assertTrue(by_rule(detainer, "R4.2").passed)
        self.assertTrue(hold_authorized(detainer, at=AT))

    def test_R4_2_box_1_and_box_2_both_ticked_fails(self):
        detainer = self.good(box_2_transfer_for_proceeding=True)
        check = by_rule(detainer, "R4.2")
        self.assertFalse(check.passed)
        self.assertIn("Box 1 must be empty", check.message)

    def test_R4_4_investigation_initiated_alone_authorizes_no_hold(self):
        detainer = self.good(pc_basis=[PCBasis.INVESTIGATION_INITIATED])
        check = by_rule(detainer, "R4.4")
        self.assertFalse(check.passed)
        self.assertTrue(check.blocks_hold)
        self.assertIn("Investigation initiated", check.message)
        self.assertIn("Miranda-Olivares", check.source)
        self.assertFalse(hold_authorized(detainer, at=AT))

    def test_R4_4_foreign_born_no_match_alone_authorizes_no_hold(self):
        detainer = self.good(pc_basis=[PCBasis.FOREIGN_BORN_NO_MATCH])
        self.assertFalse(by_rule(detainer, "R4.4").passed)
        self.assertIn("Gonzalez", by_rule(detainer, "R4.4").source)
        self.assertFalse(hold_authorized(detainer, at=AT))

    def test_R4_4_a_flagged_basis_beside_a_valid_one_is_flagged_but_does_not_block(self):
        detainer = self.good(pc_basis=[PCBasis.FINAL_ORDER, PCBasis.FOREIGN_BORN_NO_MATCH])
        check = by_rule(detainer, "R4.4")
        self.assertFalse(check.passed)
        self.assertFalse(check.blocks_hold)
        self.assertIn("Flagged for supervisor review", check.message)
        self.assertTrue(hold_authorized(detainer, at=AT))


class WarrantAndServiceTests(ChecksTestCase):
    def test_R4_3_an_i247a_without_a_warrant_authorizes_no_hold(self):
        detainer = self.good(warrant_type="", warrant_signed=False)
        check = by_rule(detainer, "R4.3")
        self.assertFalse(check.passed)
        self.assertEqual(
            check.message,
            "No hold authorized: no I-200 or I-205 warrant is attached. Attach the signed warrant; "
            "supervisor review needed.",
        )
        self.assertFalse(hold_authorized(detainer, at=AT))

    def test_R4_3_an_unsigned_i205_authorizes_no_hold(self):
        check = by_rule(self.good(warrant_type="I-205", warrant_signed=False), "R4.3")
        self.assertFalse(check.passed)
        self.assertIn("the I-205 is not signed", check.message)

    def test_R4_3_attaching_the_signed_warrant_authorizes_the_hold(self):
        detainer = self.good(warrant_type="", warrant_signed=False)
        detainer = services.detainer_update(
            detainer=detainer, actor=self.staff_a, warrant_type="I-205", warrant_signed=True
        )
        self.assertTrue(by_rule(detainer, "R4.3").passed)
        self.assertTrue(hold_authorized(detainer, at=AT))

    def test_R4_3_does_not_apply_to_a_pre_2017_i247d(self):
        issued = datetime(2016, 5, 2, 12, 0, tzinfo=UTC)
        detainer = self.good(form="I-247D", issued_at=issued, received_at=issued, warrant_type="", warrant_signed=False)
        self.assertIsNone(by_rule(detainer, "R4.3").passed)

    def test_R4_5_not_served_authorizes_no_hold(self):
        detainer = make_detainer(
            self.agency_a, actor=self.staff_a, box_1_probable_cause=True, pc_basis=[PCBasis.STATEMENTS]
        )
        check = by_rule(detainer, "R4.5")
        self.assertFalse(check.passed)
        self.assertIn("no copy of the detainer has been served", check.message)
        self.assertFalse(hold_authorized(detainer, at=AT))

    def test_R4_5_served_one_minute_later_than_asked_is_not_served_yet(self):
        detainer = self.good()
        served = detainer.served_on_subject_at
        self.assertTrue(by_rule(detainer, "R4.5", at=served).passed)
        self.assertFalse(by_rule(detainer, "R4.5", at=served - timedelta(minutes=1)).passed)


class HoldDeadlineCheckTests(ChecksTestCase):
    def test_case_D1_the_check_shows_the_deadline_in_the_agencys_zone(self):
        released = datetime(2026, 3, 7, 9, 0, tzinfo=self.agency_a.zone)
        detainer = self.good(would_be_released_at=released)
        check = by_rule(detainer, "R4.7–R4.8", at=datetime(2026, 3, 8, 12, 0, tzinfo=UTC))
        self.assertTrue(check.passed)
        self.assertEqual(check.message, "Hold deadline 2026-03-09 10:00 CDT.")

    def test_R4_7_at_the_deadline_passes_and_one_minute_after_fails(self):
        detainer = self.good(would_be_released_at=datetime(2026, 4, 10, 15, 0, tzinfo=UTC))
        deadline = datetime(2026, 4, 12, 15, 0, tzinfo=UTC)
        self.assertEqual(detainer.hold_deadline, deadline)
        self.assertTrue(by_rule(detainer, "R4.7–R4.8", at=deadline).passed)
        self.assertTrue(hold_authorized(detainer, at=deadline))
        late = by_rule(detainer, "R4.7–R4.8", at=deadline + timedelta(minutes=1))
        self.assertFalse(late.passed)
        self.assertIn("has passed", late.message)
        self.assertFalse(hold_authorized(detainer, at=deadline + timedelta(minutes=1)))

    def test_R4_7_no_release_time_yet_does_not_apply(self):
        self.assertIsNone(by_rule(self.good(), "R4.7–R4.8").passed)


class HandlingOfficerCheckTests(ChecksTestCase):
    """Authorized by agency-local day: training valid through 2026-01-10 (America/Chicago)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        course = make_course(cls.agency_a)
        cls.officer = make_officer(cls.agency_a, "H-1", last="Handler")
        make_certification(cls.officer, course, date(2024, 1, 10), expires_on=date(2026, 1, 10))

    def test_authorized_one_minute_before_the_lapse(self):
        last_minute = datetime(2026, 1, 10, 23, 59, tzinfo=self.agency_a.zone)
        detainer = self.good(handling_officer=self.officer, action=Action.SERVE_WARRANT, action_at=last_minute)
        check = by_rule(detainer, "R2.4, R2.7")
        self.assertTrue(check.passed)

    def test_not_authorized_one_minute_after_the_lapse(self):
        midnight = datetime(2026, 1, 11, 0, 0, tzinfo=self.agency_a.zone)
        detainer = self.good(
            handling_officer=self.officer, action=Action.SERVE_WARRANT, action_at=midnight, explanation=EXPLAINED
        )
        check = by_rule(detainer, "R2.4, R2.7")
        self.assertFalse(check.passed)
        self.assertIn(str(self.officer), check.message)
        self.assertIn("not authorized to use 287(g) authority on 2026-01-11", check.message)
        self.assertFalse(hold_authorized(detainer, at=AT))

    def test_without_an_action_time_the_receipt_time_counts(self):
        detainer = self.good(
            handling_officer=self.officer, received_at=datetime(2026, 1, 11, 6, 0, tzinfo=UTC), explanation=EXPLAINED
        )
        self.assertFalse(by_rule(detainer, "R2.4, R2.7").passed)

    def test_a_page_of_detainers_is_judged_the_same_in_a_fixed_number_of_queries(self):
        def page(count: int) -> list[Detainer]:
            made = []
            for n in range(count):
                day = 10 + n % 2  # alternately the last authorized day and the first day after
                at = datetime(2026, 1, day, 12, 0, tzinfo=self.agency_a.zone)
                made.append(
                    self.good(
                        handling_officer=self.officer, action=Action.SERVE_WARRANT, action_at=at, explanation=EXPLAINED
                    )
                )
            made.append(self.good())
            return list(
                Detainer.objects.filter(pk__in=[d.pk for d in made]).select_related(
                    "agency", "agreement", "handling_officer__agency"
                )
            )

        small, large = page(2), page(6)
        with CaptureQueriesContext(connection) as few:
            answers = checks.holds_authorized(small, at=AT)
        with CaptureQueriesContext(connection) as many:
            checks.holds_authorized(large, at=AT)
        self.assertEqual(len(few), len(many))
        self.assertEqual(answers, {d.pk: hold_authorized(d, at=AT) for d in small})
        self.assertEqual(sorted(answers.values()), [False, True, True])

    def test_no_officer_does_not_apply_and_does_not_block(self):
        check = by_rule(self.good(), "R2.4, R2.7")
        self.assertIsNone(check.passed)
        self.assertFalse(check.blocks_hold)


class AgreementScopeCheckTests(ChecksTestCase):
    def test_R1_6_an_interview_under_a_wso_agreement_fails(self):
        detainer = self.good(self.agency_b, action=Action.INTERVIEW, action_at=RECEIVED, explanation=EXPLAINED)
        self.assertEqual(detainer.agreement, self.agreement_b)
        check = by_rule(detainer, "R1.6")
        self.assertFalse(check.passed)
        self.assertIn("outside the Warrant Service Officer agreement", check.message)
        self.assertFalse(hold_authorized(detainer, at=AT))

    def test_R1_6_serving_the_warrant_under_wso_passes(self):
        detainer = self.good(self.agency_b, action=Action.SERVE_WARRANT, action_at=RECEIVED)
        self.assertTrue(by_rule(detainer, "R1.6").passed)

    def test_R1_6_a_field_arrest_under_jem_fails_and_an_interview_passes(self):
        field_arrest = self.good(action=Action.FIELD_ARREST, action_at=RECEIVED, explanation=EXPLAINED)
        self.assertFalse(by_rule(field_arrest, "R1.6").passed)
        self.assertTrue(by_rule(self.good(action=Action.INTERVIEW, action_at=RECEIVED), "R1.6").passed)


class WsoTransferClockTests(ChecksTestCase):
    """R1.7: must_release_by = WSO arrest + 48 h unless the agreement has an IGSA."""

    ARREST = datetime(2026, 3, 7, 15, 0, tzinfo=UTC)  # 09:00 CST; the clock runs across spring-forward

    def arrested(self) -> Detainer:
        return self.good(
            self.agency_b, action=Action.EXECUTE_ARREST_IN_FACILITY, action_at=self.ARREST, received_at=self.ARREST
        )

    def test_R1_7_47_h_59_and_48_h_pass_48_h_01_fails(self):
        detainer = self.arrested()
        must = self.ARREST + timedelta(hours=48)
        self.assertTrue(by_rule(detainer, "R1.7, R4.10", at=must - timedelta(minutes=1)).passed)
        self.assertTrue(by_rule(detainer, "R1.7, R4.10", at=must).passed)
        late = by_rule(detainer, "R1.7, R4.10", at=must + timedelta(minutes=1))
        self.assertFalse(late.passed)
        self.assertIn("ICE did not take custody by 2026-03-09 08:00 MST", late.message)
        self.assertFalse(hold_authorized(detainer, at=must + timedelta(minutes=1)))

    def test_R1_7_transfer_at_48_h_passes_and_one_minute_later_fails(self):
        must = self.ARREST + timedelta(hours=48)
        on_time = services.detainer_record_outcome(
            detainer=self.arrested(), actor=self.staff_b, outcome="transferred", outcome_at=must
        )
        self.assertTrue(by_rule(on_time, "R1.7, R4.10", at=must + timedelta(hours=22)).passed)
        late = services.detainer_record_outcome(
            detainer=self.arrested(), actor=self.staff_b, outcome="transferred", outcome_at=must + timedelta(minutes=1)
        )
        self.assertFalse(by_rule(late, "R1.7, R4.10", at=must + timedelta(hours=22)).passed)

    def test_R1_7_an_igsa_suspends_the_clock_even_at_70_hours(self):
        self.agreement_b.igsa = True
        self.agreement_b.save()
        detainer = self.arrested()
        check = by_rule(detainer, "R1.7, R4.10", at=self.ARREST + timedelta(hours=70))
        self.assertIsNone(check.passed)
        self.assertIn("IGSA", check.message)

    def test_R1_7_does_not_apply_under_jem(self):
        detainer = self.good(action=Action.EXECUTE_ARREST_IN_FACILITY, action_at=self.ARREST, received_at=self.ARREST)
        self.assertEqual(detainer.agreement.model, AgreementModel.JEM)
        self.assertIsNone(by_rule(detainer, "R1.7, R4.10", at=self.ARREST + timedelta(hours=70)).passed)


class ServiceBeforeTheDetainerTests(ChecksTestCase):
    def test_R4_5_a_service_before_the_detainer_was_received_fails_and_one_at_receipt_passes(self):
        detainer = self.good()
        detainer.served_on_subject_at = RECEIVED - timedelta(minutes=1)
        check = by_rule(detainer, "R4.5")
        self.assertIs(check.passed, False)
        self.assertIn("before the detainer was issued or received (2026-01-05 09:00 CST)", check.message)
        self.assertFalse(hold_authorized(detainer, at=AT))
        detainer.served_on_subject_at = RECEIVED
        self.assertIs(by_rule(detainer, "R4.5").passed, True)
