"""The custody board's row marks: STOP (R5.1) and consular notification due or overdue (R5.4–R5.5).

A jail shift must see on the row, without opening the detainer, that a
U.S.-citizenship claim is unresolved (no 287(g) step may be taken) and that the
consulate should have been told (24 h: due; 72 h: overdue, R5.5 [U]). The marks
read stored fields only, so the board's query count stays independent of its rows.
"""

from datetime import UTC, datetime, timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents.citizenship.models import CitizenshipResolution
from incidents.citizenship.services import citizenship_claim_record, citizenship_escalation_record, citizenship_resolve
from incidents.consular.services import consular_record
from tests.base import BaseTestCase, sign_in
from tests.incidents.helpers import make_detainer
from training.roster.models import Officer

NOW = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)  # 2026-03-09 07:00 CDT
BOARD = "/custody/"
STOP_MARK = "U.S.-citizenship claim unresolved: no 287(g) step"


@time_machine.travel(NOW, tick=False)
class BoardMarkTests(BaseTestCase):
    def setUp(self):
        sign_in(self.client, self.staff_a)

    def held(self, number: int, name: str, **fields):
        fields.setdefault("would_be_released_at", datetime(2026, 3, 8, 12, 0, tzinfo=UTC) + timedelta(minutes=number))
        return make_detainer(self.agency_a, actor=self.staff_a, number=number, subject_last_name=name, **fields)

    def rows(self) -> dict[str, dict]:
        response = self.client.get(BOARD)
        self.assertEqual(response.status_code, 200)
        return {row["detainer"].subject_last_name: row for row in response.context["board"]}

    def test_R5_1_a_row_whose_citizenship_claim_is_unresolved_is_marked_STOP(self):
        claimed = self.held(1, "Claimperson")
        self.held(2, "Plainperson")
        citizenship_claim_record(detainer=claimed, actor=self.staff_a, uscitizenship_claimed=True)
        rows = self.rows()
        self.assertEqual((rows["Claimperson"]["stop"], rows["Plainperson"]["stop"]), (STOP_MARK, ""))
        body = self.client.get(BOARD).content.decode()
        self.assertEqual(body.count('data-testid="mark-stop"'), 1)
        self.assertIn(f'<span class="usa-tag app-tag--stop">STOP</span> {STOP_MARK}', body)
        # The claim's open finding (R5.1) is linked from the mark.
        self.assertEqual(body.count('data-testid="mark-stop-finding"'), 1)
        self.assertIn("app-row--stop", body)

    def test_R5_1_a_sign_of_citizenship_marks_STOP_too_and_the_resolution_lifts_it(self):
        signed = self.held(1, "Signperson")
        citizenship_claim_record(detainer=signed, actor=self.staff_a, citizenship_sign_us_birthplace=True)
        self.assertEqual(self.rows()["Signperson"]["stop"], STOP_MARK)
        citizenship_escalation_record(
            detainer=signed,
            actor=self.supervisor_a,
            category="no_probative",
            escalated_at=NOW - timedelta(hours=1),
            escalated_to="ICE ERO duty officer (invented)",
        )
        citizenship_resolve(
            detainer=signed,
            actor=self.supervisor_a,
            resolution=CitizenshipResolution.NO_PROBATIVE_CONTINUE,
            note="Birth certificate checked: foreign birth (invented).",
        )
        self.assertEqual(self.rows()["Signperson"]["stop"], "")

    def test_R5_2_a_confirmed_citizen_is_marked_STOP_with_lift_and_release(self):
        citizen = self.held(1, "Citizenperson")
        citizenship_claim_record(detainer=citizen, actor=self.staff_a, uscitizenship_claimed=True)
        citizenship_escalation_record(
            detainer=citizen,
            actor=self.supervisor_a,
            category="evidence_citizen",
            escalated_at=NOW - timedelta(hours=1),
            escalated_to="ICE ERO duty officer (invented)",
        )
        citizenship_resolve(
            detainer=citizen,
            actor=self.supervisor_a,
            resolution=CitizenshipResolution.CITIZEN_CONFIRMED,
            note="U.S. passport seen (invented).",
        )
        self.assertEqual(self.rows()["Citizenperson"]["stop"], "U.S. citizen confirmed: lift the detainer and release")

    def test_R5_5_consular_notification_due_after_24_h_and_overdue_after_72_h(self):
        # The consular clock starts at booking (incidents.consular.services.clock_start).
        overdue = self.held(1, "Overdueperson", booked_at=NOW - timedelta(hours=72))
        due = self.held(2, "Dueperson", booked_at=NOW - timedelta(hours=24))
        early = self.held(3, "Earlyperson", booked_at=NOW - timedelta(hours=23, minutes=59))
        notified = self.held(4, "Notifiedperson", booked_at=NOW - timedelta(hours=80))
        unknown = self.held(5, "Unknownperson", booked_at=NOW - timedelta(hours=80))  # nationality not recorded
        for detainer in (overdue, due, early):
            consular_record(detainer=detainer, actor=self.staff_a, nationality="China")  # a mandatory country
        consular_record(
            detainer=notified,
            actor=self.staff_a,
            nationality="China",
            notified_at=NOW - timedelta(hours=2),
            method="fax",
            officer=Officer.objects.create(
                agency=self.agency_a, first_name="Ines", last_name="Harrow", badge_number="H-1"
            ),
        )
        rows = self.rows()
        marks = {name: (row["consular"], row["consular_mark"]) for name, row in rows.items()}
        self.assertEqual(
            marks,
            {
                "Overdueperson": ("overdue", "Consular notification overdue"),
                "Dueperson": ("warning", "Consular notification due"),
                "Earlyperson": ("", ""),
                "Notifiedperson": ("", ""),
                "Unknownperson": ("", ""),
            },
        )
        self.assertEqual(unknown.consular_nationality, "")
        body = self.client.get(BOARD).content.decode()
        self.assertIn('data-testid="mark-consular" data-state="overdue"', body)
        self.assertIn('data-testid="mark-consular" data-state="warning"', body)
        self.assertIn("Consular notification overdue", body)

    def test_the_marks_cost_no_query_per_row(self):
        def board_queries() -> int:
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(BOARD).status_code, 200)
            return len(queries)

        def add_marked(number: int) -> None:
            detainer = self.held(number, f"Markperson{number}", booked_at=NOW - timedelta(hours=80))
            citizenship_claim_record(detainer=detainer, actor=self.staff_a, uscitizenship_claimed=True)
            consular_record(detainer=detainer, actor=self.staff_a, nationality="China")

        add_marked(1)
        board_queries()  # session and content types warm
        one = board_queries()
        for number in range(2, 21):
            add_marked(number)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(BOARD)
        self.assertEqual(len(queries), one, "\n".join(q["sql"][:160] for q in queries.captured_queries))
        marked = [(row["stop"], row["consular"]) for row in response.context["board"]]
        self.assertEqual(marked, [(STOP_MARK, "overdue")] * 20)
