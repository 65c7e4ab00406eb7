"""Authorization as of any instant: status by effective dates, training from completion days, the agreement's rules."""

import re
from datetime import UTC, date, datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.core.models import Agreement, AgreementModel
from tests.base import BaseTestCase, sign_in
from tests.training.helpers import make_certification, make_course, make_officer
from training.lifecycle import services as lifecycle
from training.requirements import services as requirements
from training.requirements.models import TrainingRequirement
from training.roster import authorization, rules, selectors, services
from training.roster.authorization import authorization_periods, officer_authorized_at, officers_authorized_at
from training.roster.models import Course, Officer

Status = Officer.Status
NOW = datetime(2026, 6, 15, 17, 0, tzinfo=UTC)  # 2026-06-15 12:00 CDT in agency A
CHECKLIST_DONE = {
    "us_citizen": True,
    "lea_background_check_on": date(2025, 1, 10),
    "ice_background_check_on": date(2025, 2, 10),
    "privacy_waiver_on_file": True,
    "service_commitment_signed": True,
}


AUTHORIZED_CELL = re.compile(r'data-testid="authorized"><span[^>]*>(Yes|No)</span>')
# Annual courses done in FY2024, FY2025 and FY2026: current without a gap from 2024-01-05 to 2027-09-30.
ANNUALS = (date(2024, 1, 5), date(2025, 9, 20), date(2025, 11, 1))


def on(officer, day: date, **kwargs) -> bool:
    return authorization.officer_authorized_on_date(officer=officer, on=day, **kwargs)


@time_machine.travel(NOW, tick=False)
class AgreementRulesTestCase(BaseTestCase):
    """Agreement A has the JEM defaults: IADP (basic, 24 months), REFRESH (24 months), ITSA, SBU (fiscal year)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        requirements.requirement_defaults_apply(actor=cls.admin_a, agreement=cls.agreement_a)
        cls.course = {c.code: c for c in Course.objects.filter(agency=cls.agency_a)}

    def record(self, officer, code, completed_on):
        return services.certification_record(
            actor=self.staff_a, officer=officer, course=self.course[code], completed_on=completed_on
        )

    def trained(self, badge, *, basic=date(2024, 1, 10), annual=ANNUALS, **fields):
        """A designated officer of agreement A (no status history) with the basic course and both annual courses.

        ``annual``: completion days of ITSA and SBU (a date or a tuple of dates; None: never).
        """
        fields.setdefault("agreement", self.agreement_a)
        officer = make_officer(self.agency_a, badge, last=f"Auth{badge}", **fields)
        if basic:
            self.record(officer, "IADP", basic)
        for day in (annual,) if isinstance(annual, date) else annual or ():
            self.record(officer, "ITSA", day)
            self.record(officer, "SBU", day)
        return officer


class RequirementRuleTests(AgreementRulesTestCase):
    def test_authorization_ends_when_the_refresher_lapses_and_resumes_on_the_refresher_day(self):
        officer = self.trained("R-1")  # basic 2024-01-10: the refresher is due by 2026-01-10
        self.assertTrue(on(officer, date(2024, 1, 10)))
        self.assertTrue(on(officer, date(2026, 1, 10)))
        self.assertFalse(on(officer, date(2026, 1, 11)))

        refresher = self.record(officer, "REFRESH", date(2026, 1, 20))

        self.assertFalse(on(officer, date(2026, 1, 19)))  # the gap stays a gap
        self.assertTrue(on(officer, date(2026, 1, 20)))
        self.assertTrue(on(officer, date(2027, 9, 30)))  # then the annual courses lapse
        self.assertEqual(refresher.expires_on, date(2028, 1, 20))

    def test_the_basic_course_must_have_been_completed_by_that_day(self):
        officer = self.trained("R-2", basic=None)
        self.record(officer, "REFRESH", date(2025, 12, 1))
        self.assertFalse(on(officer, date(2026, 1, 5)))
        self.record(officer, "IADP", date(2026, 1, 5))
        self.assertFalse(on(officer, date(2026, 1, 4)))
        self.assertTrue(on(officer, date(2026, 1, 5)))

    def test_an_annual_course_lapses_on_the_first_of_october_after_the_following_fiscal_year(self):
        officer = self.trained("R-3", basic=date(2025, 5, 1), annual=date(2025, 9, 15))  # FY2025
        self.assertTrue(on(officer, date(2026, 9, 30)))
        self.assertFalse(on(officer, date(2026, 10, 1)))

    def test_an_annual_course_never_taken_is_not_current(self):
        officer = self.trained("R-4", basic=date(2025, 5, 1), annual=None)
        self.record(officer, "ITSA", date(2025, 5, 1))
        self.assertFalse(on(officer, date(2025, 6, 1)))  # SBU missing
        self.record(officer, "SBU", date(2025, 5, 20))
        self.assertFalse(on(officer, date(2025, 5, 19)))
        self.assertTrue(on(officer, date(2025, 5, 20)))

    def test_the_instant_is_read_on_the_agencys_local_date(self):
        officer = self.trained("R-5")  # last valid day 2026-01-10
        last_evening = datetime(2026, 1, 11, 5, 59, tzinfo=UTC)  # 2026-01-10 23:59 CST
        midnight = datetime(2026, 1, 11, 6, 0, tzinfo=UTC)  # 2026-01-11 00:00 CST
        self.assertTrue(officer_authorized_at(officer=officer, at=last_evening))
        self.assertFalse(officer_authorized_at(officer=officer, at=midnight))
        with self.assertRaises(ValueError):
            officer_authorized_at(officer=officer, at=datetime(2026, 1, 10, 12, 0))  # noqa: DTZ001 (naive on purpose)

    def test_training_recorded_late_counts_from_the_day_it_happened(self):
        officer = self.trained("R-6")  # lapsed after 2026-01-10
        self.assertFalse(on(officer, date(2026, 2, 1)))
        with time_machine.travel(datetime(2026, 3, 1, 15, 0, tzinfo=UTC), tick=False):
            self.record(officer, "REFRESH", date(2026, 1, 20))  # entered six weeks late
        self.assertFalse(on(officer, date(2026, 1, 19)))
        self.assertTrue(on(officer, date(2026, 1, 20)))
        self.assertTrue(on(officer, date(2026, 2, 1)))

    def test_the_agreement_must_be_in_force(self):
        officer = self.trained("R-7")
        self.agreement_a.signed_on = date(2024, 2, 1)
        self.agreement_a.expires_on = date(2025, 12, 31)
        self.agreement_a.save()
        self.assertFalse(on(officer, date(2024, 1, 31)))
        self.assertTrue(on(officer, date(2024, 2, 1)))
        self.assertTrue(on(officer, date(2025, 12, 31)))
        self.assertFalse(on(officer, date(2026, 1, 1)))


class StatusEffectiveDateTests(AgreementRulesTestCase):
    def set_status(self, officer, status, effective_on, **kwargs):
        services.officer_set_status(
            actor=self.supervisor_a, officer=officer, status=status, effective_on=effective_on, **kwargs
        )

    def designated_on(self, badge, day):
        officer = self.trained(
            badge, basic=date(2025, 5, 1), annual=(date(2025, 5, 1), date(2025, 11, 1)), status=Status.IN_TRAINING
        )
        lifecycle.officer_checklist_update(actor=self.staff_a, officer=officer, **CHECKLIST_DONE)
        self.set_status(officer, Status.DESIGNATED, day, ice_credential_id="ICE-1", ice_credential_issued_on=day)
        return officer

    def test_designation_counts_from_its_effective_date_not_the_day_it_was_entered(self):
        officer = self.designated_on("E-1", date(2025, 6, 1))  # entered on 2026-06-15
        self.assertFalse(on(officer, date(2025, 5, 31)))
        self.assertTrue(on(officer, date(2025, 6, 1)))

    def test_suspension_and_reinstatement_follow_their_effective_dates(self):
        officer = self.designated_on("E-2", date(2025, 6, 1))
        self.set_status(officer, Status.SUSPENDED, date(2025, 9, 1))
        self.set_status(officer, Status.DESIGNATED, date(2025, 10, 1))
        self.assertTrue(on(officer, date(2025, 8, 31)))
        self.assertFalse(on(officer, date(2025, 9, 1)))
        self.assertFalse(on(officer, date(2025, 9, 30)))
        self.assertTrue(on(officer, date(2025, 10, 1)))

    def test_a_legacy_officer_without_history_has_its_status_all_along_until_its_first_change(self):
        officer = self.trained("E-3")  # designated, no status change recorded
        self.assertTrue(on(officer, date(2025, 1, 15)))
        self.set_status(officer, Status.SUSPENDED, date(2025, 2, 1))
        self.assertTrue(on(officer, date(2025, 1, 31)))  # before the first change: its previous status
        self.assertFalse(on(officer, date(2025, 2, 1)))

    def test_the_detainer_selector_routes_through_the_same_rule(self):
        officer = self.trained("E-4")
        self.set_status(officer, Status.SUSPENDED, date(2025, 2, 1))
        self.assertTrue(selectors.officer_authorized_on(officer=officer, on=date(2025, 1, 31)))
        self.assertFalse(selectors.officer_authorized_on(officer=officer, on=date(2025, 2, 1)))

    def test_periods_follow_status_changes_and_lapses(self):
        officer = self.designated_on("E-5", date(2025, 6, 1))  # basic 2025-05-01: refresher due 2027-05-01
        self.set_status(officer, Status.SUSPENDED, date(2025, 9, 1))
        self.set_status(officer, Status.DESIGNATED, date(2025, 10, 1))
        self.assertEqual(
            authorization_periods(officer=officer),
            [(date(2025, 6, 1), date(2025, 8, 31)), (date(2025, 10, 1), date(2027, 5, 1))],
        )
        self.set_status(officer, Status.SEPARATED, date(2026, 6, 1))
        self.assertEqual(authorization_periods(officer=officer)[-1], (date(2025, 10, 1), date(2026, 5, 31)))

    def test_a_never_trained_officer_has_no_period(self):
        officer = self.trained("E-6", basic=None, annual=None)
        self.assertEqual(authorization_periods(officer=officer), [])


class WhichAgreementTests(AgreementRulesTestCase):
    def test_an_officer_is_not_authorized_under_another_agreement(self):
        officer = self.trained("W-1")
        other = Agreement.objects.create(agency=self.agency_a, model=AgreementModel.WSO)
        at = datetime(2025, 6, 1, 17, 0, tzinfo=UTC)
        self.assertTrue(officer_authorized_at(officer=officer, at=at, agreement=self.agreement_a))
        self.assertFalse(officer_authorized_at(officer=officer, at=at, agreement=other))
        self.assertFalse(officer_authorized_at(officer=officer, at=at, agreement=self.agreement_b))

    def test_an_unlinked_officer_is_authorized_under_no_agreement(self):
        officer = self.trained("W-2", agreement=None)  # a row from before agreements were linked, fully trained
        day = date(2025, 6, 1)
        self.assertFalse(on(officer, day))
        self.assertFalse(on(officer, day, agreement=self.agreement_a))
        training = authorization.officer_trainings([officer])[officer.pk]
        answer = training.authorization_on(day, agreement=self.agreement_a)
        self.assertEqual(answer.reasons, (authorization.NO_AGREEMENT, authorization.NOTHING_REQUIRED))

    def test_an_agreement_without_requirements_keeps_the_legacy_rule(self):
        agreement = Agreement.objects.create(agency=self.agency_a, model=AgreementModel.WSO, signed_on=date(2020, 1, 1))
        legacy_course = make_course(self.agency_a, "LEGACY", validity_months=12)
        officer = make_officer(self.agency_a, "W-3", agreement=agreement)
        make_certification(officer, legacy_course, date(2025, 1, 1))
        self.assertTrue(on(officer, date(2026, 1, 1)))
        self.assertFalse(on(officer, date(2026, 1, 2)))


class BulkTests(AgreementRulesTestCase):
    def test_bulk_answers_match_one_by_one_and_the_query_count_is_fixed(self):
        officers = [self.trained("Q-1"), self.trained("Q-2", basic=date(2025, 1, 5)), self.trained("Q-3", annual=None)]
        officers.append(make_officer(self.agency_b, "Q-4"))  # another agency and zone, under its legacy rule
        make_certification(officers[-1], make_course(self.agency_b, "WSO1"), date(2025, 6, 1))
        at = datetime(2026, 2, 1, 18, 0, tzinfo=UTC)
        with CaptureQueriesContext(connection) as small:
            answers = officers_authorized_at(officers=officers, at=at)
        self.assertEqual(answers, {o.pk: officer_authorized_at(officer=o, at=at) for o in officers})
        self.assertEqual([answers[o.pk] for o in officers], [False, True, False, True])

        for n in range(20):
            officers.append(self.trained(f"Q-{10 + n}", basic=date(2025, 1, 5)))
        with self.assertNumQueries(len(small)):
            answers = officers_authorized_at(officers=officers, at=at)
        self.assertEqual(sum(answers.values()), 22)


class TrainingStatusAgreementTests(AgreementRulesTestCase):
    """The roster's SQL status and the Python rule agree under the agreement's requirements."""

    def test_database_status_and_python_rule_agree(self):
        today = date(2026, 6, 15)
        basics = [None, date(2023, 1, 1), date(2024, 7, 1), date(2025, 1, 1)]  # none, lapsed, expiring, current
        refreshers = [None, date(2024, 9, 1)]  # the refresher renews a lapsed basic course
        annuals = [None, date(2024, 6, 1), date(2025, 11, 1)]  # none, lapsed (FY2024), current
        n = 0
        for basic in basics:
            for refresher in refreshers:
                for annual in annuals:
                    n += 1
                    officer = self.trained(f"G-{n}", basic=basic, annual=annual)
                    if refresher:
                        self.record(officer, "REFRESH", refresher)
        legacy = make_officer(self.agency_a, "G-legacy")  # no agreement: the legacy rule

        annotated = dict(
            selectors.officers_with_training_status(agency=self.agency_a, today=today).values_list(
                "pk", "training_status"
            )
        )
        officers = list(Officer.objects.filter(agency=self.agency_a))
        trainings = authorization.officer_trainings(officers)
        computed = {pk: training.training_status(today).status for pk, training in trainings.items()}
        self.assertEqual(annotated, computed)
        self.assertEqual(set(computed.values()), set(rules.STATUSES_WORST_FIRST))
        self.assertEqual(computed[legacy.pk], rules.MISSING)  # the agency flags no course required: never "current"

    def test_missing_courses_name_the_basic_and_annual_courses_never_completed(self):
        officer = self.trained("G-M", basic=None, annual=None)
        self.record(officer, "ITSA", date(2026, 1, 5))
        status = authorization.officer_training_status(officer=officer, today=date(2026, 6, 15))
        self.assertEqual(status.status, rules.MISSING)
        self.assertEqual(sorted(c.code for c in status.missing_courses), ["IADP", "SBU"])
        self.assertEqual({c.code for c in selectors.officer_missing_courses(officer=officer)}, {"IADP", "SBU"})

    def test_the_chain_expiry_is_the_latest_of_basic_and_refresher(self):
        officer = self.trained("G-C", basic=date(2024, 1, 10), annual=date(2025, 11, 1))
        self.record(officer, "REFRESH", date(2025, 12, 1))
        row = selectors.officers_with_training_status(agency=self.agency_a, today=date(2026, 6, 15)).get(pk=officer.pk)
        self.assertEqual((row.training_status, row.earliest_expiry), (rules.CURRENT, date(2027, 9, 30)))
        requirement = TrainingRequirement.objects.get(agreement=self.agreement_a, course__code="REFRESH")
        self.assertEqual(requirement.validity_months, 24)


@time_machine.travel(NOW, tick=False)
class PagesTests(AgreementRulesTestCase):
    def login(self, user):
        sign_in(self.client, user)

    def roster(self):
        return self.client.get(reverse("training:roster"), {"agency": self.agency_a.public_id})

    def test_the_roster_shows_authorized_today_with_a_fixed_query_count(self):
        self.trained("P-1", basic=date(2025, 1, 5))  # authorized
        self.trained("P-2")  # refresher lapsed on 2026-01-10
        self.login(self.supervisor_a)
        self.roster()  # the first request after signing in also loads the session
        with CaptureQueriesContext(connection) as small:
            response = self.roster()
        cells = AUTHORIZED_CELL.findall(response.content.decode())
        self.assertEqual(cells, ["Yes", "No"])

        for n in range(12):
            self.trained(f"P-{10 + n}", basic=date(2025, 1, 5))
        with self.assertNumQueries(len(small)):
            response = self.roster()
        self.assertEqual(len(AUTHORIZED_CELL.findall(response.content.decode())), 14)

    def test_the_officer_page_shows_the_periods_and_today(self):
        officer = self.trained("P-3", basic=date(2025, 1, 5))
        self.login(self.staff_a)
        response = self.client.get(reverse("training:officer_detail", args=[officer.public_id]))
        self.assertContains(response, 'data-authorized="yes"')
        self.assertEqual(response.context["authorization_periods"], [(date(2025, 1, 5), date(2027, 1, 5))])
        self.assertContains(response, "<td>2025-01-05</td><td>2027-01-05</td>", html=False)

    def test_another_agencys_officer_page_is_404(self):
        officer = self.trained("P-4")
        self.login(self.staff_b)
        response = self.client.get(reverse("training:officer_detail", args=[officer.public_id]))
        self.assertEqual(response.status_code, 404)


class CourseStandingTests(AgreementRulesTestCase):
    """``OfficerTraining.course_standing_on``: one answer for a course's cell, by the authorization rule (R2.4)."""

    def standing(self, officer, code, day):
        training = authorization.officer_trainings([officer])[officer.pk]
        return training.course_standing_on(self.course[code].pk, day)

    def test_the_basic_course_and_refresher_stand_by_the_chain(self):
        officer = self.trained("S-1")  # basic 2024-01-10, valid through 2026-01-10
        # Within the basic course's two years: the refresher is not due yet.
        self.assertEqual(self.standing(officer, "IADP", date(2025, 6, 1)), authorization.COURSE_CURRENT)
        self.assertEqual(self.standing(officer, "REFRESH", date(2025, 6, 1)), authorization.COURSE_NOT_DUE)
        # After it, without a refresher: the chain lapsed and the refresher is missing.
        self.assertEqual(self.standing(officer, "IADP", date(2026, 1, 11)), authorization.COURSE_LAPSED)
        self.assertEqual(self.standing(officer, "REFRESH", date(2026, 1, 11)), authorization.COURSE_MISSING)
        # A refresher renews the chain: the basic course's own expired date no longer counts against the officer.
        self.record(officer, "REFRESH", date(2025, 12, 1))
        officer.refresh_from_db()
        self.assertEqual(self.standing(officer, "IADP", date(2026, 6, 1)), authorization.COURSE_CURRENT)
        self.assertEqual(self.standing(officer, "REFRESH", date(2026, 6, 1)), authorization.COURSE_CURRENT)

    def test_annual_courses_stand_on_their_own_and_other_courses_are_not_required(self):
        officer = self.trained("S-2", annual=date(2024, 1, 5))  # once, in FY2024
        expires_on = officer.certifications.get(course=self.course["ITSA"]).expires_on
        self.assertEqual(expires_on, date(2025, 9, 30))  # the fiscal-year rule
        self.assertEqual(self.standing(officer, "ITSA", expires_on), authorization.COURSE_CURRENT)
        self.assertEqual(self.standing(officer, "ITSA", date(2025, 10, 1)), authorization.COURSE_LAPSED)
        extra = make_course(self.agency_a, "FIREARMS")
        training = authorization.officer_trainings([officer])[officer.pk]
        self.assertEqual(training.course_standing_on(extra.pk, date(2025, 10, 1)), authorization.COURSE_NOT_REQUIRED)
