"""One answer to "may this officer act" (issue 9): every surface answers from the one rule.

The roster's badge and "Authorized today", the officer page, the CSV and XLSX
exports, the PDF roster's rows, the roster and dashboard counts and the detainer
checks give the same answer for the same officers, whatever the case:
trained but not designated, designated with a lapsed refresher, designated and
current, designated without an agreement, separated. Current training and
"authorized" are two different things where they differ. Names, badges and
numbers are invented.
"""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import time_machine
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from compliance.dashboard import dashboard_figures
from incidents.detainers import checks as detainer_checks
from incidents.detainers.choices import Action
from incidents.detainers.models import Detainer
from tests.base import BaseTestCase, sign_in
from tests.incidents.helpers import make_detainer
from tests.training.helpers import QUALIFIED, make_course, make_officer, roster_search
from training.lifecycle import services as lifecycle
from training.requirements import services as requirements
from training.roster import authorization, facts, rules, selectors, services
from training.roster.authorization import officer_authorized_at
from training.roster.bulk import BulkActionRefused, officers_set_status
from training.roster.models import Course, Officer

Status = Officer.Status
NOW = datetime(2026, 6, 15, 17, 0, tzinfo=UTC)  # 2026-06-15 12:00 CDT in agency A
TODAY = date(2026, 6, 15)
ACTED = NOW - timedelta(hours=1)  # the handling officer's action, the same agency day

# Each case: badge → (how the officer is set up, authorized today?)
CASES = {
    "S-TRAINED": "trained, current, but in training (not designated)",
    "S-LAPSED": "designated, refresher overdue since 2026-01-10",
    "S-CURRENT": "designated and current",
    "S-NOMOA": "designated and trained on the agency's required course, no agreement linked",
    "S-SEPARATED": "was designated and current, separated on 2026-06-01",
}
EXPECTED = {"S-TRAINED": False, "S-LAPSED": False, "S-CURRENT": True, "S-NOMOA": False, "S-SEPARATED": False}
# Annual courses done in FY2025 and FY2026: current from 2025-09-20 to 2027-09-30.
ANNUALS = (date(2025, 9, 20), date(2025, 11, 1))


@time_machine.travel(NOW, tick=False)
class SurfacesTestCase(BaseTestCase):
    """Agreement A carries the JEM defaults (IADP basic + REFRESH, ITSA and SBU each fiscal year);
    the agency also flags one legacy course required, for officers linked to no agreement."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        with time_machine.travel(NOW, tick=False):
            requirements.requirement_defaults_apply(actor=cls.admin_a, agreement=cls.agreement_a)
            cls.course = {c.code: c for c in Course.objects.filter(agency=cls.agency_a)}
            cls.legacy = make_course(cls.agency_a, "LEGACY", validity_months=24)
            cls.officers = {badge: cls.build(badge) for badge in CASES}

    @classmethod
    def record(cls, officer, code, completed_on):
        course = cls.legacy if code == "LEGACY" else cls.course[code]
        services.certification_record(actor=cls.staff_a, officer=officer, course=course, completed_on=completed_on)

    @classmethod
    def build(cls, badge) -> Officer:
        last = f"Case{badge[2:].title()}"
        if badge == "S-NOMOA":
            officer = make_officer(cls.agency_a, badge, last=last, agreement=None)
            cls.record(officer, "LEGACY", date(2025, 6, 1))
            return officer
        if badge == "S-TRAINED":
            officer = make_officer(
                cls.agency_a, badge, last=last, status=Status.IN_TRAINING, agreement=cls.agreement_a, **QUALIFIED
            )
        else:
            officer = make_officer(cls.agency_a, badge, last=last)  # designated under agreement A, qualified
        cls.record(officer, "IADP", date(2024, 1, 10) if badge == "S-LAPSED" else date(2025, 1, 5))
        for day in ANNUALS:
            cls.record(officer, "ITSA", day)
            cls.record(officer, "SBU", day)
        if badge == "S-SEPARATED":
            lifecycle.officer_set_status(
                actor=cls.supervisor_a, officer=officer, status=Status.SEPARATED, effective_on=date(2026, 6, 1)
            )
        return officer

    def login(self, user=None):
        sign_in(self.client, user or self.supervisor_a)

    def roster(self, **params):
        return self.client.get(
            reverse("training:roster"), roster_search(self.client, {"agency": self.agency_a.public_id, **params})
        )


class EverySurfaceAgreesTests(SurfacesTestCase):
    def test_the_rule_itself_answers_each_case(self):
        for badge, officer in self.officers.items():
            with self.subTest(case=CASES[badge]):
                self.assertEqual(officer_authorized_at(officer=officer, at=NOW), EXPECTED[badge])

    def test_each_no_names_its_reasons(self):
        def reasons(badge):
            return authorization.officer_authorization_at(officer=self.officers[badge], at=NOW).reasons

        self.assertEqual(reasons("S-TRAINED"), ("not designated (status: in training)",))
        self.assertEqual(reasons("S-LAPSED"), ("required training not current on 2026-06-15: REFRESH",))
        self.assertEqual(reasons("S-CURRENT"), ())
        self.assertEqual(reasons("S-NOMOA"), (authorization.NO_AGREEMENT,))
        self.assertEqual(reasons("S-SEPARATED"), ("not designated (status: separated)",))

    def test_the_roster_badge_and_authorized_today_column(self):
        self.login()
        response = self.roster(officer_status="all")
        rows = {officer.badge_number: officer for officer in response.context["page_obj"]}
        self.assertEqual({badge: bool(rows[badge].authorization) for badge in CASES}, EXPECTED)
        self.assertEqual({badge: rows[badge].authorized_today for badge in CASES}, EXPECTED)  # the SQL twin
        # Current training is shown as such, and is not "authorized" where they differ.
        for badge in ("S-TRAINED", "S-NOMOA", "S-SEPARATED"):
            with self.subTest(case=CASES[badge]):
                self.assertEqual(rows[badge].training_status, rules.CURRENT)
                self.assertFalse(rows[badge].authorization)
        self.assertEqual(rows["S-LAPSED"].training_status, rules.EXPIRED)
        self.assertContains(response, "Not designated (status: in training)")
        self.assertContains(response, "Not linked to an agreement (MOA)")

    def test_the_roster_filter_lists_the_same_officers(self):
        self.login()
        yes = [o.badge_number for o in self.roster(officer_status="all", authorized="yes").context["page_obj"]]
        no = [o.badge_number for o in self.roster(officer_status="all", authorized="no").context["page_obj"]]
        self.assertEqual(yes, ["S-CURRENT"])
        self.assertEqual(set(no), {badge for badge, expected in EXPECTED.items() if not expected})

    def test_the_officer_page(self):
        self.login()
        for badge, officer in self.officers.items():
            with self.subTest(case=CASES[badge]):
                response = self.client.get(reverse("training:officer_detail", args=[officer.public_id]))
                self.assertEqual(response.context["authorized_today"], EXPECTED[badge])
                self.assertEqual(
                    response.context["authorization"].reasons,
                    authorization.officer_authorization_at(officer=officer, at=NOW).reasons,
                )
                shown = "yes" if EXPECTED[badge] else "no"
                self.assertContains(response, f'data-summary-authorized="{shown}"')
                self.assertContains(response, f'data-authorized="{shown}"')

    def test_the_csv_and_xlsx_exports(self):
        self.login()
        params = {"agency": self.agency_a.public_id, "officer_status": "all"}
        response = self.client.get(reverse("training:roster_export_csv"), params)
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        self.assertEqual({row["badge_number"]: row["authorized_today"] == "Yes" for row in rows}, EXPECTED)
        by_badge = {row["badge_number"]: row for row in rows}
        self.assertEqual(by_badge["S-CURRENT"]["not_authorized_because"], "")
        self.assertEqual(by_badge["S-NOMOA"]["not_authorized_because"], authorization.NO_AGREEMENT)
        self.assertEqual(by_badge["S-TRAINED"]["training_status"], "Current")

        response = self.client.get(reverse("training:roster_export_xlsx"), params)
        sheet = load_workbook(io.BytesIO(response.content)).active
        header, *values = list(sheet.iter_rows(values_only=True))
        cells = [dict(zip(header, row, strict=True)) for row in values]
        self.assertEqual({row["badge_number"]: row["authorized_today"] == "Yes" for row in cells}, EXPECTED)

    def test_the_pdf_roster_rows(self):
        rows = {row.officer.badge_number: row for row in selectors.roster_for_report(agency=self.agency_a, today=TODAY)}
        designated = {badge for badge, officer in self.officers.items() if officer.status == Status.DESIGNATED}
        self.assertEqual(set(rows), designated)
        self.assertEqual({badge: bool(row.authorization) for badge, row in rows.items()}, {
            badge: EXPECTED[badge] for badge in designated
        })  # fmt: skip

    def test_the_roster_and_dashboard_counts(self):
        designated = [o for o in self.officers.values() if o.status == Status.DESIGNATED]
        authorized = sum(officer_authorized_at(officer=o, at=NOW) for o in designated)
        self.assertEqual((len(designated), authorized), (3, 1))
        figures = dashboard_figures(agency=self.agency_a, now=NOW)
        self.assertEqual((figures.roster["designated"], figures.roster["authorized"]), (3, 1))
        page = selectors.roster_page_status_counts(agency=self.agency_a, today=TODAY)
        self.assertEqual(page, figures.roster)
        # The no-agreement officer's training is current: counted "current", not authorized.
        self.assertEqual(figures.roster["current"], 2)

        sign_in(self.client, self.supervisor_a)
        response = self.client.get("/")
        self.assertContains(response, '<span class="font-heading-xl" data-testid="officers-authorized">1</span>')

    def test_the_detainer_checks(self):
        made = {
            badge: make_detainer(
                self.agency_a,
                actor=self.staff_a,
                number=n,
                agreement=self.agreement_a,
                handling_officer=officer,
                action=Action.SERVE_WARRANT,
                action_at=ACTED,
                # Past facts are recorded even by an officer who was not authorized (with an explanation).
                explanation="" if EXPECTED[badge] else "Recorded after the fact.",
            )
            for n, (badge, officer) in enumerate(self.officers.items(), start=1)
        }
        for badge, detainer in made.items():
            with self.subTest(case=CASES[badge]):
                check = detainer_checks.check_handling_officer_authorized(detainer, NOW)
                self.assertIs(check.passed, EXPECTED[badge], check.message)
                refusal = detainer_checks.officer_problem(
                    officer=self.officers[badge], at=ACTED, agreement=self.agreement_a
                )
                self.assertEqual(refusal is None, EXPECTED[badge])
        self.assertIn("not linked to an agreement (MOA)", detainer_checks.check_handling_officer_authorized(
            made["S-NOMOA"], NOW
        ).message)  # fmt: skip
        page = Detainer.objects.filter(pk__in=[d.pk for d in made.values()]).select_related(
            "agency", "agreement", "handling_officer__agency"
        )
        answers = detainer_checks.officers_authorized_for(page)
        self.assertEqual({badge: bool(answers[d.pk]) for badge, d in made.items()}, EXPECTED)

    def test_the_list_surfaces_agree_with_the_rule_from_stored_and_computed_facts(self):
        def annotated():
            rows = selectors.roster_officers(agency=self.agency_a, today=TODAY, officer_status="all")
            return {o.badge_number: (o.authorized_today, bool(authorization.authorization_today(o, today=TODAY)))
                    for o in rows if o.badge_number in CASES}  # fmt: skip

        stored = annotated()
        self.assertEqual(stored, {badge: (expected, expected) for badge, expected in EXPECTED.items()})
        Officer.objects.filter(pk__in=[o.pk for o in self.officers.values()]).first().training_facts.delete()
        self.assertEqual(annotated(), stored)  # one officer computed from the certifications: the same answer
        facts.training_facts_refresh_all()
        self.assertEqual(annotated(), stored)


class NominatedIsNotCurrentTests(SurfacesTestCase):
    """Reported: "an officer just added as Nominated showed a green CURRENT badge"."""

    def test_a_just_added_nominee_is_not_shown_current_in_an_agency_that_requires_nothing(self):
        officer = services.officer_create(
            actor=self.staff_b, agency=self.agency_b, first_name="Noa", last_name="Newcomb", badge_number="B-NEW"
        )
        self.assertEqual(officer.status, Status.NOMINATED)
        status = authorization.officer_training_status(officer=officer, today=TODAY)
        self.assertEqual((status.status, status.nothing_required), (rules.MISSING, True))

        sign_in(self.client, self.supervisor_b)
        response = self.client.get(reverse("training:roster"), {"agency": self.agency_b.public_id})
        [row] = response.context["page_obj"]
        self.assertEqual(row.training_status, rules.MISSING)
        self.assertFalse(row.authorization)
        table = response.content.decode().split('data-testid="roster-table"')[1]
        self.assertNotIn('data-status="current"', table)  # no green "Current" badge on the row
        self.assertIn('data-status="missing"', table)
        page = self.client.get(reverse("training:officer_detail", args=[officer.public_id]))
        self.assertNotContains(page, 'data-status="current"')
        self.assertContains(page, 'data-testid="nothing-required"')
        self.assertContains(page, 'data-summary-authorized="no"')

    def test_a_just_added_nominee_with_no_training_shows_missing_training_and_not_authorized(self):
        officer = services.officer_create(
            actor=self.staff_a, agency=self.agency_a, first_name="Noa", last_name="Newcomb", badge_number="A-NEW"
        )
        self.login()
        response = self.roster(q="A-NEW")
        [row] = response.context["page_obj"]
        self.assertEqual((row.training_status, bool(row.authorization)), (rules.MISSING, False))
        self.assertIn("not designated (status: nominated)", row.authorization.reasons)
        self.assertFalse(officer_authorized_at(officer=officer, at=NOW))


class NoPathDesignatesWithoutTheRuleTests(SurfacesTestCase):
    def test_the_officer_service_refuses_to_create_a_designated_officer_naming_what_is_missing(self):
        with self.assertRaises(ValidationError) as raised:
            services.officer_create(
                actor=self.staff_a,
                agency=self.agency_a,
                first_name="Dee",
                last_name="Direct",
                badge_number="D-1",
                status=Status.DESIGNATED,
            )
        [message] = raised.exception.message_dict["status"]
        self.assertIn("nomination checklist incomplete (R2.8): U.S. citizen", message)
        self.assertIn("ICE credential not recorded (R2.9)", message)
        self.assertIn("required training not current on 2026-06-15: IADP, ITSA, SBU", message)
        self.assertFalse(Officer.objects.filter(badge_number="D-1").exists())

    def test_the_status_form_refuses_a_designation_without_the_training(self):
        officer = make_officer(self.agency_a, "D-2", status=Status.IN_TRAINING, agreement=self.agreement_a)
        lifecycle.officer_checklist_update(
            actor=self.staff_a,
            officer=officer,
            us_citizen=True,
            lea_background_check_on=date(2025, 1, 10),
            ice_background_check_on=date(2025, 2, 10),
            privacy_waiver_on_file=True,
            service_commitment_signed=True,
        )
        self.login()
        response = self.client.post(
            reverse("training:officer_status_change", args=[officer.public_id]),
            {
                "status": "designated",
                "effective_on": "2026-06-15",
                "ice_credential_id": "ICE-D2",
                "ice_credential_issued_on": "2026-06-01",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["form"].errors["status"],
            [lifecycle.TRAINING_INCOMPLETE.format(gap="required training not current on 2026-06-15: IADP, ITSA, SBU")],
        )
        officer.refresh_from_db()
        self.assertEqual(officer.status, Status.IN_TRAINING)

    def test_a_bulk_reinstatement_refuses_an_officer_whose_refresher_lapsed(self):
        lapsed = self.officers["S-LAPSED"]
        current = self.officers["S-CURRENT"]
        officers_set_status(
            actor=self.supervisor_a, officers=[lapsed, current], status=Status.SUSPENDED, effective_on=date(2026, 6, 2)
        )
        with self.assertRaises(BulkActionRefused) as raised:
            officers_set_status(
                actor=self.supervisor_a, officers=[lapsed, current], status=Status.DESIGNATED, effective_on=TODAY
            )
        [refusal] = raised.exception.refusals
        self.assertEqual(refusal.officer, lapsed)
        self.assertIn("required training not current on 2026-06-15: REFRESH", refusal.message)
        current.refresh_from_db()
        self.assertEqual(current.status, Status.SUSPENDED)  # all or nothing

    def test_the_admin_has_no_page_that_changes_an_officer(self):
        self.assertNotIn(Officer, admin.site._registry)
