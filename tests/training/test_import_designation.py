"""The roster import never designates an officer without what the one authorization rule needs (issue 9).

Reported: "A roster file made an officer with no agreement, no nomination
checklist and no ICE certification 'Certified / designated' and 'Authorized
today: YES', while the detainer form refused the same officer." Now a file
adds nominees, and a row that asks for "designated" is a row error naming
every missing item. Names, badges and numbers are invented.
"""

from datetime import UTC, date, datetime

import time_machine

from compliance.core.models import Agency
from compliance.core.roles import Role
from incidents.detainers import checks as detainer_checks
from tests.base import BaseTestCase, make_user
from tests.training.helpers import QUALIFIED, make_certification, make_course, make_officer
from training.imports.services import ERROR, roster_import, roster_preview
from training.lifecycle.services import CHANGE_NOT_ALLOWED
from training.roster import authorization, rules
from training.roster.authorization import officer_authorized_at
from training.roster.models import Officer

Status = Officer.Status
NOW = datetime(2026, 6, 15, 17, 0, tzinfo=UTC)  # 2026-06-15 12:00 CDT
HEADER = "badge_number,last_name,first_name,unit,email,course_code,completed_on,certificate_number,status"
CHECKLIST_ITEMS = (
    "U.S. citizen, LEA 5-year background check date, ICE background check date, privacy waiver on file, "
    "2-year service commitment signed"
)


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return "\r\n".join([header, *rows]).encode() + b"\r\n"


@time_machine.travel(NOW, tick=False)
class ImportDesignationTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # An agency whose agreement is not on file yet, requiring two courses.
        cls.cedar = Agency.objects.create(name="Cedar County Sheriff's Office", state="TX", time_zone="America/Chicago")
        cls.staff_c = make_user("staff_c", agency=cls.cedar, role=Role.STAFF)
        make_course(cls.cedar, "IADP", validity_months=24)
        make_course(cls.cedar, "SBU", validity_months=12)
        # Agency A (agreement A, no requirements set up: its one required course IADP counts).
        cls.iadp_a = make_course(cls.agency_a, "IADP", validity_months=24)

    def run_import(self, data: bytes, *, agency=None, actor=None, **kwargs):
        return roster_import(
            actor=actor or self.staff_a, agency=agency or self.agency_a, data=data, file_name="roster.csv", **kwargs
        )

    def candidate(self, badge, *, status=Status.IN_TRAINING, **fields):
        """An officer of agency A under agreement A with the checklist and ICE credential on file."""
        return make_officer(
            self.agency_a,
            badge,
            last=f"Cand{badge}",
            status=status,
            agreement=self.agreement_a,
            **{**QUALIFIED, **fields},
        )


class ReportedBugTests(ImportDesignationTestCase):
    def test_reported_a_row_cannot_make_a_new_officer_designated_and_names_every_missing_item(self):
        data = csv_bytes("C-1,Quell,Ari,Jail,,IADP,2025-03-04,,designated")

        preview = roster_preview(agency=self.cedar, data=data, file_name="roster.csv")
        [outcome] = preview.outcomes
        self.assertEqual(outcome.action, ERROR)
        [error] = outcome.errors
        self.assertEqual((error.line, error.column), (2, "status"))
        self.assertEqual(
            error.message,
            "cannot make a new officer certified / designated: record the nomination checklist and the ICE "
            "credential on the officer's page, then designate them there. Missing: "
            f"{authorization.NO_AGREEMENT}; nomination checklist incomplete (R2.8): {CHECKLIST_ITEMS}; "
            "ICE credential not recorded (R2.9): ICE credential id, ICE credential issue date; "
            "required training not current on 2026-06-15: SBU.",
        )

        result = self.run_import(data, agency=self.cedar, actor=self.staff_c)
        self.assertEqual(result.errors, preview.errors)
        self.assertFalse(Officer.objects.filter(agency=self.cedar).exists())  # nothing written

    def test_reported_a_file_without_a_status_adds_nominees_who_are_not_authorized(self):
        data = csv_bytes("C-2,Quell,Bea,Jail,,IADP,2025-03-04,", header=HEADER.rsplit(",", 1)[0])
        [outcome] = roster_preview(agency=self.cedar, data=data, file_name="roster.csv").outcomes
        self.assertEqual((outcome.action, outcome.status), ("create", Status.NOMINATED))

        self.assertEqual(self.run_import(data, agency=self.cedar, actor=self.staff_c).errors, [])
        officer = Officer.objects.get(agency=self.cedar, badge_number="C-2")
        self.assertEqual(officer.status, Status.NOMINATED)
        self.assertFalse(officer_authorized_at(officer=officer, at=NOW))
        # The detainer form gives the same answer as the roster: not authorized, and why.
        refusal = detainer_checks.officer_problem(officer=officer, at=NOW, agreement=None)
        self.assertIn("not designated (status: nominated)", refusal)
        self.assertIn(authorization.NO_AGREEMENT, refusal)


class StatusColumnTests(ImportDesignationTestCase):
    def test_an_existing_officer_is_designated_by_a_row_that_brings_the_missing_training(self):
        officer = self.candidate("D-1")
        self.assertFalse(officer_authorized_at(officer=officer, at=NOW))  # in training, IADP never completed

        result = self.run_import(csv_bytes("D-1,,,,,IADP,2026-06-01,C-9,designated"))

        self.assertEqual(result.errors, [])
        officer.refresh_from_db()
        self.assertEqual((officer.status, officer.certified_on), (Status.DESIGNATED, date(2026, 6, 15)))
        change = officer.status_changes.get()
        self.assertEqual((change.recorded_by, change.note), (self.staff_a, "Roster import: roster.csv"))
        self.assertTrue(officer_authorized_at(officer=officer, at=NOW))
        self.assertEqual(officer.history.first().history_change_reason, "Roster import: roster.csv")

    def test_an_existing_officer_with_an_incomplete_checklist_is_a_row_error_naming_it(self):
        officer = self.candidate("D-2", privacy_waiver_on_file=False)
        make_certification(officer, self.iadp_a, date(2026, 1, 5))

        result = self.run_import(csv_bytes("D-2,,,,,,,,Certified / designated"))

        [error] = result.errors
        self.assertEqual((error.line, error.column), (2, "status"))
        self.assertEqual(
            error.message, "cannot make D-2 certified / designated: nomination checklist incomplete (R2.8): "
            "privacy waiver on file."
        )  # fmt: skip
        officer.refresh_from_db()
        self.assertEqual(officer.status, Status.IN_TRAINING)

    def test_a_designation_that_only_a_skipped_row_would_train_is_an_error_too(self):
        self.candidate("D-3")
        data = csv_bytes("D-3,,,,,IADP,13/04/2026,,", "D-3,,,,,,,,designated")

        preview = roster_preview(agency=self.agency_a, data=data, file_name="roster.csv")

        self.assertEqual([(e.line, e.column) for e in preview.errors], [(2, "completed_on"), (3, "status")])
        self.assertIn("required training not current on 2026-06-15: IADP", preview.errors[1].message)
        result = self.run_import(data, only_valid_rows=True)
        self.assertEqual(result.rows_skipped, 2)
        self.assertEqual(Officer.objects.get(badge_number="D-3").status, Status.IN_TRAINING)

    def test_a_step_the_lifecycle_does_not_allow_and_an_unknown_status_are_row_errors(self):
        self.candidate("D-4", status=Status.NOMINATED)
        result = self.run_import(csv_bytes("D-4,,,,,,,,designated", "D-5,Vale,Io,,,,,,boss"))
        self.assertEqual(
            [(e.line, e.column, e.message) for e in result.errors],
            [
                (2, "status", CHANGE_NOT_ALLOWED.format(current="nominated", wanted="certified / designated")),
                (
                    3,
                    "status",
                    "“boss” is not an officer status (use one of: nominated, background, in_training, designated, "
                    "suspended, separated, disqualified).",
                ),
            ],
        )
        self.assertFalse(Officer.objects.filter(badge_number="D-5").exists())

    def test_other_statuses_are_steps_effective_today_and_labels_read_like_values(self):
        suspended = self.candidate("D-6", status=Status.DESIGNATED)
        result = self.run_import(csv_bytes("D-6,,,,,,,,suspended", "D-7,Vale,Io,,,,,,In training"))
        self.assertEqual(result.errors, [])
        suspended.refresh_from_db()
        self.assertEqual(suspended.status, Status.SUSPENDED)
        self.assertEqual(suspended.status_changes.get().effective_on, date(2026, 6, 15))
        newcomer = Officer.objects.get(badge_number="D-7")
        self.assertEqual(newcomer.status, Status.IN_TRAINING)
        status = authorization.officer_training_status(officer=newcomer, today=date(2026, 6, 15))
        self.assertEqual(status.status, rules.MISSING)

    def test_two_rows_of_one_officer_must_agree_on_the_status(self):
        result = self.run_import(csv_bytes("D-8,Vale,Io,,,,,,nominated", "D-8,,,,,,,,in_training"))
        [error] = result.errors
        self.assertEqual((error.line, error.column), (3, "status"))
        self.assertEqual(error.message, "“In training” differs from “Nominated” on line 2.")
