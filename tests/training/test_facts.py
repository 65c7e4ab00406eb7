"""Stored training facts (training.roster.facts): they follow every write and agree with the officer page's rule."""

from datetime import UTC, date, datetime
from io import StringIO

import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.base import BaseTestCase
from tests.training.helpers import designate_on_record, make_certification, make_officer
from training.imports.files import COLUMNS
from training.imports.services import roster_import
from training.requirements import services as requirements
from training.requirements.models import TrainingRequirement
from training.roster import authorization, facts, rules, selectors, services
from training.roster.models import Course, Officer, OfficerTrainingFacts

NOW = datetime(2026, 6, 15, 17, 0, tzinfo=UTC)  # 2026-06-15 12:00 CDT in agency A
TODAY = date(2026, 6, 15)
DAYS = (date(2026, 6, 14), TODAY, date(2026, 9, 13), date(2026, 9, 14), date(2030, 1, 1))


@time_machine.travel(NOW, tick=False)
class StoredFactsTests(BaseTestCase):
    """After each kind of write, the stored facts equal the Python rule (and so does the roster's status)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.legacy = services.course_create(
            actor=cls.admin_a, agency=cls.agency_a, code="LEGACY", name="Legacy course", validity_months=12
        )

    def assertFactsMatchTheRule(self, agency=None):
        agency = agency or self.agency_a
        officers = list(Officer.objects.filter(agency=agency))
        trainings = authorization.officer_trainings(officers)
        stored = {f.officer_id: f for f in OfficerTrainingFacts.objects.filter(agency=agency)}
        self.assertEqual(set(stored), {officer.pk for officer in officers})
        for officer in officers:
            status = trainings[officer.pk].training_status(TODAY)
            self.assertEqual(
                (stored[officer.pk].missing_required, stored[officer.pk].earliest_expiry),
                (status.status == rules.MISSING, status.earliest_expiry),
                officer.badge_number,
            )
        for day in DAYS:  # and the roster's status, derived in SQL from the facts, is the rule's on any day
            annotated = dict(
                selectors.officers_with_training_status(agency=agency, today=day).values_list("pk", "training_status")
            )
            self.assertEqual(annotated, {pk: t.training_status(day).status for pk, t in trainings.items()}, day)

    def new_officer(self, badge, **fields):
        """Added through the service (facts stored), then designated on the record: counts cover designated officers."""
        officer = services.officer_create(
            actor=self.staff_a, agency=self.agency_a, first_name="Avery", last_name=f"Facts{badge}", badge_number=badge
        )
        return designate_on_record(officer)

    def record(self, officer, course, completed_on):
        return services.certification_record(
            actor=self.staff_a, officer=officer, course=course, completed_on=completed_on
        )

    def test_every_kind_of_write_keeps_the_facts_equal_to_the_rule(self):
        # Officer creation: legacy rule, the required course never completed.
        officers = [self.new_officer(f"F-{n}") for n in range(6)]
        self.assertFactsMatchTheRule()
        self.assertTrue(OfficerTrainingFacts.objects.get(officer=officers[0]).missing_required)

        # Certifications recorded: expired, expiring, current, expiring today.
        for officer, done in zip(
            officers[:4], (date(2025, 6, 1), date(2025, 7, 1), date(2026, 1, 1), date(2025, 6, 15)), strict=True
        ):
            self.record(officer, self.legacy, done)
        self.assertFactsMatchTheRule()
        self.assertEqual(OfficerTrainingFacts.objects.get(officer=officers[2]).earliest_expiry, date(2027, 1, 1))

        # A second course flagged required (legacy rule): everyone misses it.
        services.course_create(
            actor=self.admin_a, agency=self.agency_a, code="ETHICS", name="Ethics", validity_months=12
        )
        self.assertFactsMatchTheRule()
        self.assertTrue(
            all(OfficerTrainingFacts.objects.filter(agency=self.agency_a).values_list("missing_required", flat=True))
        )

        # The agreement's default requirements applied; officers moved onto the agreement.
        requirements.requirement_defaults_apply(actor=self.admin_a, agreement=self.agreement_a)
        course = {c.code: c for c in Course.objects.filter(agency=self.agency_a)}
        for officer in officers[:4]:
            services.officer_update(actor=self.staff_a, officer=officer, data={"agreement": self.agreement_a})
        self.assertFactsMatchTheRule()
        for officer, basic in zip(officers[:3], (date(2023, 1, 1), date(2024, 7, 20), date(2025, 1, 1)), strict=True):
            self.record(officer, course["IADP"], basic)
            self.record(officer, course["ITSA"], date(2025, 11, 1))
            self.record(officer, course["SBU"], date(2025, 11, 1))
        self.record(officers[0], course["REFRESH"], date(2025, 2, 1))  # the refresher renews the chain
        self.assertFactsMatchTheRule()
        self.assertEqual(
            {
                selectors.officers_with_training_status(agency=self.agency_a, today=TODAY).get(pk=o.pk).training_status
                for o in officers
            },
            {rules.CURRENT, rules.EXPIRING, rules.MISSING},
        )

        # Requirement changes: one more annual course, then an edited refresher interval, then its removal.
        extra = services.course_create(
            actor=self.admin_a,
            agency=self.agency_a,
            code="CIVIL",
            name="Civil rights",
            validity_months=12,
            required=False,
        )
        added = requirements.requirement_add(
            actor=self.admin_a, agreement=self.agreement_a, course=extra, kind="annual", due_rule="fiscal_year"
        )
        self.assertFactsMatchTheRule()
        refresher = TrainingRequirement.objects.get(agreement=self.agreement_a, course=course["REFRESH"])
        requirements.agreement_training_update(
            actor=self.admin_a,
            agreement=self.agreement_a,
            max_authorized_officers=None,
            changes=[(refresher, {"validity_months": 12})],
        )
        self.assertFactsMatchTheRule()
        requirements.agreement_training_update(
            actor=self.admin_a, agreement=self.agreement_a, max_authorized_officers=None, removals=[added]
        )
        self.assertFactsMatchTheRule()

        # An officer's agreement removed again: back to the legacy rule.
        services.officer_update(actor=self.staff_a, officer=officers[0], data={"agreement": None})
        self.assertFactsMatchTheRule()

    def test_a_roster_import_refreshes_the_facts_of_every_row(self):
        def row(badge, completed):
            values = {"badge_number": badge, "last_name": f"Import{badge}", "first_name": "Quinn"}
            values.update(course_code="LEGACY", completed_on=completed)
            return ",".join(values.get(column, "") for column in COLUMNS)

        data = "\r\n".join([",".join(COLUMNS), row("I-1", "2025-06-01"), row("I-2", "2026-01-10")]).encode() + b"\r\n"
        result = roster_import(actor=self.staff_a, agency=self.agency_a, data=data, file_name="roster.csv")
        self.assertEqual(result.errors, [])
        self.assertFactsMatchTheRule()
        for officer in Officer.objects.filter(agency=self.agency_a):  # the file adds nominees; counts are of designated
            designate_on_record(officer)
        self.assertEqual(
            selectors.roster_status_counts(agency=self.agency_a, today=TODAY),
            {
                "current": 1,
                "expiring": 0,
                "expired": 1,
                "missing": 0,
                "expiring_today": 0,
                "designated": 2,
                "authorized": 1,
            },
        )

    def test_the_roster_reads_the_stored_facts(self):
        officer = self.new_officer("F-S")
        self.record(officer, self.legacy, date(2026, 1, 1))
        self.assertEqual(selectors.roster_status_counts(agency=self.agency_a, today=TODAY)["current"], 1)
        # A stale row (as if written behind the services' back) is what the roster shows ...
        OfficerTrainingFacts.objects.filter(officer=officer).update(earliest_expiry=date(2026, 6, 1))
        self.assertEqual(selectors.roster_status_counts(agency=self.agency_a, today=TODAY)["expired"], 1)
        # ... until the nightly command puts it right; running it again changes nothing.
        call_command("refresh_training_facts", stdout=StringIO())
        call_command("refresh_training_facts", stdout=StringIO())
        self.assertEqual(selectors.roster_status_counts(agency=self.agency_a, today=TODAY)["current"], 1)
        self.assertEqual(OfficerTrainingFacts.objects.get(officer=officer).earliest_expiry, date(2027, 1, 1))

    def test_an_officer_without_stored_facts_is_computed_from_the_certifications(self):
        officer = make_officer(self.agency_a, "F-RAW")  # written straight to the model, no facts yet
        make_certification(officer, self.legacy, date(2025, 7, 1))
        self.assertFalse(OfficerTrainingFacts.objects.filter(officer=officer).exists())
        row = selectors.officers_with_training_status(agency=self.agency_a, today=TODAY).get(pk=officer.pk)
        self.assertEqual((row.training_status, row.earliest_expiry), (rules.EXPIRING, date(2026, 7, 1)))

    def test_the_refresh_runs_a_fixed_number_of_queries(self):
        officers = [make_officer(self.agency_a, f"F-Q{n}") for n in range(2)]
        with CaptureQueriesContext(connection) as small:
            facts.training_facts_refresh(officer_ids=[o.pk for o in officers])
        for n in range(25):
            officer = make_officer(self.agency_a, f"F-Q{n + 2}")
            make_certification(officer, self.legacy, date(2025, 1, 1 + n))
            officers.append(officer)
        with self.assertNumQueries(len(small)):
            self.assertEqual(facts.training_facts_refresh(officer_ids=[o.pk for o in officers]), 27)
        self.assertLessEqual(len(small), 7)
        self.assertFactsMatchTheRule()

    def test_the_roster_page_counts_equal_the_dashboard_counts_in_one_query(self):
        for n, done in enumerate((date(2025, 6, 1), date(2025, 7, 1), date(2025, 6, 15), date(2026, 1, 1), None)):
            officer = self.new_officer(f"F-C{n}")
            if done:
                self.record(officer, self.legacy, done)
        expected = {
            "current": 1,
            "expiring": 2,
            "expired": 1,
            "missing": 1,
            "expiring_today": 1,
            "designated": 5,
            "authorized": 3,  # current or expiring: trained today, and the rest of the rule holds
        }
        self.assertEqual(selectors.roster_status_counts(agency=self.agency_a, today=TODAY), expected)
        with self.assertNumQueries(1):
            self.assertEqual(selectors.roster_page_status_counts(agency=self.agency_a, today=TODAY), expected)
        # An officer written straight to the model has no stored facts: the computed counts are used.
        make_certification(make_officer(self.agency_a, "F-RAW"), self.legacy, date(2025, 6, 1))
        expected["expired"] += 1
        expected["designated"] += 1
        with self.assertNumQueries(2):
            self.assertEqual(selectors.roster_page_status_counts(agency=self.agency_a, today=TODAY), expected)
