"""Per-agreement training requirements: due rules, shipped defaults, edits and the expiries they give."""

from datetime import UTC, date, datetime

import time_machine
from django.core.exceptions import ValidationError
from django.test import SimpleTestCase

from compliance.core.models import Agreement, AgreementModel
from tests.base import BaseTestCase
from tests.training.helpers import make_course, make_officer
from training.requirements import services as requirements
from training.requirements.models import TrainingRequirement
from training.roster import rules, selectors, services
from training.roster.models import Certification, Course, Officer

Kind = TrainingRequirement.Kind
DueRule = TrainingRequirement.DueRule
NOW = datetime(2026, 6, 15, 17, 0, tzinfo=UTC)  # 2026-06-15 12:00 CDT in agency A
TODAY = date(2026, 6, 15)


class FiscalYearRuleTests(SimpleTestCase):
    def test_the_fiscal_year_starts_on_the_first_of_october(self):
        self.assertEqual(rules.fiscal_year_of(date(2025, 9, 30)), 2025)
        self.assertEqual(rules.fiscal_year_of(date(2025, 10, 1)), 2026)
        self.assertEqual(rules.fiscal_year_of(date(2026, 1, 1)), 2026)

    def test_a_completion_stays_valid_to_the_end_of_the_following_fiscal_year(self):
        self.assertEqual(rules.fiscal_year_expires_on(date(2025, 10, 1)), date(2027, 9, 30))  # first day of FY2026
        self.assertEqual(rules.fiscal_year_expires_on(date(2026, 9, 30)), date(2027, 9, 30))  # last day of FY2026
        self.assertEqual(rules.fiscal_year_expires_on(date(2026, 10, 1)), date(2028, 9, 30))  # first day of FY2027

    def test_it_is_reached_through_the_requirement_dispatcher(self):
        expires = rules.requirement_expires_on(due_rule=DueRule.FISCAL_YEAR, completed_on=date(2026, 2, 28))
        self.assertEqual(expires, date(2027, 9, 30))


class GraduationAnniversaryRuleTests(SimpleTestCase):
    GRADUATED = date(2024, 3, 15)

    def expires(self, completed_on, graduated_on=GRADUATED):
        return rules.graduation_anniversary_expires_on(completed_on, graduated_on)

    def test_a_completion_counts_for_its_year_and_the_next_falls_due_on_the_following_anniversary(self):
        self.assertEqual(self.expires(date(2024, 3, 15)), date(2025, 3, 15))  # graduation day
        self.assertEqual(self.expires(date(2025, 1, 10)), date(2026, 3, 15))
        self.assertEqual(self.expires(date(2025, 3, 15)), date(2026, 3, 15))  # on the anniversary
        self.assertEqual(self.expires(date(2025, 3, 16)), date(2027, 3, 15))  # the day after

    def test_a_completion_at_the_academy_counts_to_the_first_anniversary(self):
        self.assertEqual(self.expires(date(2024, 3, 10)), date(2025, 3, 15))

    def test_a_leap_day_graduation_has_its_anniversary_on_28_february(self):
        leap = date(2024, 2, 29)
        self.assertEqual(self.expires(date(2025, 2, 28), leap), date(2026, 2, 28))
        self.assertEqual(self.expires(date(2025, 3, 1), leap), date(2027, 2, 28))
        self.assertEqual(self.expires(date(2028, 2, 29), leap), date(2029, 2, 28))

    def test_without_a_graduation_date_the_completion_starts_a_twelve_month_year(self):
        self.assertEqual(self.expires(date(2025, 5, 2), None), date(2026, 5, 2))


class RequirementDispatcherTests(SimpleTestCase):
    def test_the_months_rule_uses_the_one_months_helper_case_T3(self):
        def months(n):
            return rules.requirement_expires_on(
                due_rule=DueRule.MONTHS, completed_on=date(2024, 2, 29), validity_months=n
            )

        self.assertEqual(months(24), date(2026, 2, 28))
        self.assertEqual(months(48), date(2028, 2, 29))
        self.assertEqual(months(12), date(2025, 2, 28))

    def test_bad_rules_raise(self):
        with self.assertRaises(ValueError):
            rules.requirement_expires_on(due_rule=DueRule.MONTHS, completed_on=date(2025, 1, 1))
        with self.assertRaises(ValueError):
            rules.requirement_expires_on(due_rule="weekly", completed_on=date(2025, 1, 1))


class DefaultsTests(BaseTestCase):
    def test_jem_defaults_follow_domain_md_and_mark_unconfirmed_values(self):
        created = requirements.requirement_defaults_apply(actor=self.admin_a, agreement=self.agreement_a)

        rows = {r.course.code: r for r in created}
        self.assertEqual(sorted(rows), ["IADP", "ITSA", "REFRESH", "SBU"])
        iadp, refresh, itsa = rows["IADP"], rows["REFRESH"], rows["ITSA"]
        self.assertEqual(
            (iadp.kind, iadp.due_rule, iadp.validity_months, iadp.hours, iadp.delivery_mode, iadp.confidence),
            (Kind.BASIC, DueRule.MONTHS, 24, 160, Course.Delivery.IN_PERSON, "S"),
        )
        self.assertEqual((refresh.kind, refresh.validity_months, refresh.confidence), (Kind.REFRESHER, 24, "U"))
        self.assertEqual(
            (itsa.kind, itsa.due_rule, itsa.validity_months, itsa.delivery_mode),
            (Kind.ANNUAL, DueRule.FISCAL_YEAR, None, Course.Delivery.ONLINE),
        )
        self.assertIn("R2.4", refresh.source)
        # The catalogue courses are created for the agency, not flagged for the legacy rule.
        self.assertFalse(Course.objects.get(agency=self.agency_a, code="IADP").required)
        self.assertEqual(TrainingRequirement.objects.get(course__code="IADP").history.get().history_user, self.admin_a)

    def test_wso_and_tfm_defaults_have_their_own_basic_course(self):
        wso = requirements.requirement_defaults_apply(actor=self.admin_a, agreement=self.agreement_b)
        basic = next(r for r in wso if r.kind == Kind.BASIC)
        self.assertEqual((basic.course.code, basic.hours, basic.confidence), ("WSO-BASIC", 8, "U"))
        tfm = Agreement.objects.create(agency=self.agency_a, model=AgreementModel.TFM, signed_on=date(2025, 2, 1))
        basic = next(
            r
            for r in requirements.requirement_defaults_apply(actor=self.admin_a, agreement=tfm)
            if r.kind == Kind.BASIC
        )
        self.assertEqual((basic.course.code, basic.hours, basic.confidence), ("TFM-BASIC", 160, "U"))

    def test_applying_twice_adds_nothing_and_an_existing_course_is_reused(self):
        existing = make_course(self.agency_a, "IADP", validity_months=36)
        requirements.requirement_defaults_apply(actor=self.admin_a, agreement=self.agreement_a)

        self.assertEqual(requirements.requirement_defaults_apply(actor=self.admin_a, agreement=self.agreement_a), [])
        self.assertEqual(Course.objects.filter(agency=self.agency_a, code="IADP").get(), existing)
        self.assertEqual(self.agreement_a.training_requirements.count(), 4)

    def test_the_refresher_interval_comes_from_the_agreement(self):
        self.agreement_a.refresher_interval_months = 36
        self.agreement_a.save()
        created = requirements.requirement_defaults_apply(actor=self.admin_a, agreement=self.agreement_a)
        self.assertEqual(
            {r.course.code: r.validity_months for r in created if r.kind != Kind.ANNUAL},
            {
                "IADP": 36,
                "REFRESH": 36,
            },
        )


@time_machine.travel(NOW, tick=False)
class CertificationExpiryTests(BaseTestCase):
    """A certification's expiry follows the requirement of the officer's agreement."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        requirements.requirement_defaults_apply(actor=cls.admin_a, agreement=cls.agreement_a)
        cls.courses = {c.code: c for c in Course.objects.filter(agency=cls.agency_a)}
        cls.officer = make_officer(cls.agency_a, "E-1", agreement=cls.agreement_a)

    def record(self, code, completed_on, officer=None):
        return services.certification_record(
            actor=self.staff_a, officer=officer or self.officer, course=self.courses[code], completed_on=completed_on
        )

    def test_each_kind_gets_its_rule(self):
        self.assertEqual(self.record("IADP", date(2024, 2, 29)).expires_on, date(2026, 2, 28))  # 24 months, T3
        self.assertEqual(self.record("REFRESH", date(2026, 1, 5)).expires_on, date(2028, 1, 5))
        self.assertEqual(self.record("ITSA", date(2025, 10, 1)).expires_on, date(2027, 9, 30))  # fiscal year

    def test_an_officer_without_agreement_keeps_the_course_months(self):
        legacy = make_officer(self.agency_a, "E-2", agreement=None)  # a row from before agreements were linked
        course = self.courses["ITSA"]  # the catalogue says 12 months
        self.assertEqual(self.record("ITSA", date(2025, 10, 1), officer=legacy).expires_on, date(2026, 10, 1))
        self.assertEqual(course.validity_months, 12)

    def test_the_anniversary_rule_counts_from_graduation_and_a_late_basic_course_moves_it(self):
        itsa = TrainingRequirement.objects.get(agreement=self.agreement_a, course__code="ITSA")
        requirements.agreement_training_update(
            actor=self.admin_a,
            agreement=self.agreement_a,
            max_authorized_officers=None,
            changes=[(itsa, {"due_rule": DueRule.GRADUATION_ANNIVERSARY})],
        )
        annual = self.record("ITSA", date(2025, 3, 16))
        self.assertEqual(annual.expires_on, date(2026, 3, 16))  # graduation unknown yet: 12 months

        self.record("IADP", date(2024, 3, 15))  # graduation recorded late

        annual.refresh_from_db()
        self.assertEqual(annual.expires_on, date(2027, 3, 15))
        self.assertEqual(annual.history.first().history_user, self.staff_a)

    def test_a_changed_interval_recomputes_stored_expiries_with_history(self):
        basic = self.record("IADP", date(2024, 1, 10))
        rows = {r.course.code: r for r in self.agreement_a.training_requirements.select_related("course")}

        requirements.agreement_training_update(
            actor=self.admin_a,
            agreement=self.agreement_a,
            max_authorized_officers=12,
            changes=[(rows["IADP"], {"validity_months": 36}), (rows["REFRESH"], {"validity_months": 36})],
        )

        basic.refresh_from_db()
        self.assertEqual(basic.expires_on, date(2027, 1, 10))
        latest = basic.history.first()
        self.assertEqual((latest.history_user, latest.history_change_reason), (self.admin_a, "Training rules changed"))
        self.agreement_a.refresh_from_db()
        self.assertEqual(
            (self.agreement_a.refresher_interval_months, self.agreement_a.max_authorized_officers), (36, 12)
        )
        rows["REFRESH"].refresh_from_db()
        self.assertEqual(rows["REFRESH"].confidence, "C")  # entered by the agency from its MOA

    def test_a_refresher_renews_the_basic_course_for_reminders_and_the_officer_page(self):
        basic = self.record("IADP", date(2024, 1, 10))
        annual = self.record("ITSA", date(2025, 10, 1))
        self.assertEqual(set(selectors.latest_certifications().filter(officer=self.officer)), {basic, annual})

        refresher = self.record("REFRESH", date(2025, 12, 1))

        self.assertEqual(set(selectors.latest_certifications().filter(officer=self.officer)), {refresher, annual})
        lines = {
            line.certification: line
            for line in selectors.officer_certification_lines(officer=self.officer, today=TODAY)
        }
        self.assertEqual((lines[basic].latest, lines[basic].status_label), (False, "Renewed"))
        self.assertEqual((lines[refresher].latest, lines[refresher].status), (True, rules.CURRENT))
        # A legacy officer's courses stay separate.
        legacy = make_officer(self.agency_a, "E-9", agreement=None)
        first = self.record("IADP", date(2024, 1, 10), officer=legacy)
        second = self.record("REFRESH", date(2025, 12, 1), officer=legacy)
        self.assertEqual(set(selectors.latest_certifications().filter(officer=legacy)), {first, second})

    def test_linking_an_officer_to_an_agreement_recomputes_their_expiries(self):
        legacy = make_officer(self.agency_a, "E-3", agreement=None)
        certification = self.record("ITSA", date(2025, 10, 1), officer=legacy)
        self.assertEqual(certification.expires_on, date(2026, 10, 1))

        services.officer_update(actor=self.staff_a, officer=legacy, data={"agreement": self.agreement_a})

        certification.refresh_from_db()
        self.assertEqual(certification.expires_on, date(2027, 9, 30))


class RequirementEditTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        requirements.requirement_defaults_apply(actor=cls.admin_a, agreement=cls.agreement_a)

    def row(self, code):
        return TrainingRequirement.objects.get(agreement=self.agreement_a, course__code=code)

    def update(self, **kwargs):
        kwargs.setdefault("max_authorized_officers", None)
        requirements.agreement_training_update(actor=self.admin_a, agreement=self.agreement_a, **kwargs)

    def test_the_cap_cannot_go_below_the_officers_designated_now(self):
        for n in range(3):
            make_officer(self.agency_a, f"D-{n}", agreement=self.agreement_a, status=Officer.Status.DESIGNATED)
        with self.assertRaises(ValidationError) as raised:
            self.update(max_authorized_officers=2)
        self.assertEqual(
            raised.exception.message_dict["max_authorized_officers"],
            [requirements.CAP_TOO_LOW.format(count=3)],
        )
        self.update(max_authorized_officers=3)  # exactly the number designated is allowed
        self.agreement_a.refresh_from_db()
        self.assertEqual(self.agreement_a.max_authorized_officers, 3)

    def test_the_months_rule_needs_months_and_every_error_is_reported(self):
        refresh = self.row("REFRESH")
        with self.assertRaises(ValidationError) as raised:
            self.update(changes=[(refresh, {"validity_months": None})])
        self.assertEqual(raised.exception.message_dict, {f"requirement-{refresh.pk}": [requirements.MONTHS_REQUIRED]})

    def test_an_agreement_keeps_a_basic_course(self):
        with self.assertRaises(ValidationError) as raised:
            self.update(removals=[self.row("IADP")])
        self.assertEqual(raised.exception.messages, [requirements.NO_BASIC_REQUIREMENT])
        self.assertTrue(self.agreement_a.training_requirements.filter(kind=Kind.BASIC).exists())

    def test_an_annual_course_can_be_removed_and_added_back(self):
        self.update(removals=[self.row("SBU")])
        self.assertFalse(self.agreement_a.training_requirements.filter(course__code="SBU").exists())
        sbu = Course.objects.get(agency=self.agency_a, code="SBU")
        added = requirements.requirement_add(
            actor=self.admin_a,
            agreement=self.agreement_a,
            course=sbu,
            kind=Kind.ANNUAL,
            due_rule=DueRule.GRADUATION_ANNIVERSARY,
        )
        self.assertEqual(
            (added.due_rule, added.validity_months, added.confidence), (DueRule.GRADUATION_ANNIVERSARY, None, "C")
        )

    def test_add_refuses_a_duplicate_or_another_agencys_course(self):
        with self.assertRaises(ValidationError) as raised:
            requirements.requirement_add(
                actor=self.admin_a,
                agreement=self.agreement_a,
                course=Course.objects.get(agency=self.agency_a, code="ITSA"),
                kind=Kind.ANNUAL,
                due_rule=DueRule.FISCAL_YEAR,
            )
        self.assertEqual(raised.exception.message_dict, {"course": [requirements.COURSE_ALREADY_REQUIRED]})
        with self.assertRaises(ValidationError) as raised:
            requirements.requirement_add(
                actor=self.admin_a,
                agreement=self.agreement_a,
                course=make_course(self.agency_b, "OTHER"),
                kind=Kind.ANNUAL,
                due_rule=DueRule.FISCAL_YEAR,
            )
        self.assertEqual(raised.exception.message_dict, {"course": [requirements.COURSE_OTHER_AGENCY]})

    def test_nothing_changed_writes_nothing(self):
        iadp = self.row("IADP")
        before = iadp.history.count()
        self.update(changes=[(iadp, {"validity_months": 24, "hours": 160})])
        self.assertEqual(iadp.history.count(), before)
        self.assertEqual(Certification.objects.count(), 0)
