"""Small-count suppression of the transparency figures (issue #12 item 4): primary and complementary.

Pure functions: no database. Named cases first, then properties over random tables (hypothesis):
(a) nothing shown is 1..N−1, (b) every line with a shown total has 0 or ≥ 2 hidden entries,
(c) no suppressed count can be worked out from what is shown: not by the line equations
(exact rank test) and, on small tables, not by brute force over every table consistent with
what is published (each suppressed count keeps at least two possible values).
"""

from __future__ import annotations

import itertools
from fractions import Fraction

from django.test import SimpleTestCase
from hypothesis import given, settings
from hypothesis import strategies as st

from community.transparency.suppression import (
    hidden_entries,
    published_fact,
    published_section,
    published_table,
)
from community.transparency.tables import CountTable, Fact, PublishedTable, Section


def table(cells, *, row_totals=False, column_totals=False) -> CountTable:
    cells = tuple(tuple(row) for row in cells)
    return CountTable(
        key="t",
        title="T",
        row_header="R",
        rows=tuple(f"r{i}" for i in range(len(cells))),
        columns=tuple(f"c{j}" for j in range(len(cells[0]))),
        cells=cells,
        row_totals=row_totals,
        column_totals=column_totals,
    )


def shown(published: PublishedTable):
    return [[cell.value for cell in row] for row in published.cells]


class PrimarySuppressionTests(SimpleTestCase):
    def test_a_single_cell_below_the_threshold_is_hidden(self):
        published = published_table(table([[3]]), threshold=10)
        self.assertEqual(shown(published), [[None]])
        self.assertTrue(published.cells[0][0].suppressed)

    def test_a_single_cell_at_the_threshold_is_shown(self):
        self.assertEqual(shown(published_table(table([[10]]), threshold=10)), [[10]])

    def test_zeros_are_shown(self):
        published = published_table(table([[0, 0], [0, 12]], row_totals=True, column_totals=True), threshold=10)
        self.assertEqual(shown(published), [[0, 0], [0, 12]])
        self.assertEqual([c.value for c in published.row_total], [0, 12])
        self.assertEqual(published.grand_total.value, 12)

    def test_threshold_5_shows_what_threshold_10_hides(self):
        cells = [[6], [7], [20]]
        self.assertEqual(shown(published_table(table(cells), threshold=5)), [[6], [7], [20]])
        self.assertEqual(shown(published_table(table(cells), threshold=10)), [[None], [None], [20]])

    def test_a_total_below_the_threshold_is_hidden(self):
        published = published_table(table([[0, 4]], row_totals=True), threshold=10)
        self.assertIsNone(published.row_total[0].value)
        self.assertIsNone(published.cells[0][1].value)
        self.assertEqual(published.cells[0][0].value, 0)


class ComplementarySuppressionTests(SimpleTestCase):
    def test_a_row_total_would_reveal_a_cell_so_a_second_cell_is_hidden(self):
        # 20 = 3 + 12 + 5?  With only 3 hidden, 20 − 12 − 5 gives it away: the smallest non-zero other cell goes too.
        published = published_table(table([[3, 12, 5, 0]], row_totals=True), threshold=5)
        self.assertEqual(shown(published), [[None, 12, None, 0]])
        self.assertEqual(published.row_total[0].value, 20)

    def test_a_column_total_would_reveal_a_cell(self):
        published = published_table(table([[2], [15], [11]], column_totals=True), threshold=10)
        self.assertEqual(shown(published), [[None], [15], [None]])
        self.assertEqual(published.column_total[0].value, 28)

    def test_a_single_column_with_only_zeros_left_hides_its_total(self):
        published = published_table(table([[4], [0], [0]], column_totals=True), threshold=10)
        self.assertEqual(shown(published), [[None], [0], [0]])
        self.assertIsNone(published.column_total[0].value)

    def test_fixing_the_rows_creates_a_lone_hidden_cell_in_a_column(self):
        # Row 0: 3 is small, its row total is 23, so 20 is hidden too; that leaves column 1 with 20 as its
        # only hidden cell against its total 32, so 12 is hidden; row 1 then has 12 alone, so 40 goes too.
        cells = [[3, 20], [40, 12]]
        published = published_table(table(cells, row_totals=True, column_totals=True), threshold=10)
        self.assertEqual(shown(published), [[None, None], [None, None]])
        self.assertEqual([c.value for c in published.row_total], [23, 52])
        self.assertEqual([c.value for c in published.column_total], [43, 32])
        self.assertEqual(published.grand_total.value, 75)

    def test_the_grand_total_would_reveal_a_hidden_total(self):
        # Row 0's total (4) is small; against the grand total it would be 34 − 30: another row total goes.
        cells = [[4, 0], [10, 20]]
        hidden = hidden_entries(table(cells, row_totals=True, column_totals=True), threshold=10)
        self.assertIn((0, 2), hidden)
        self.assertIn((1, 2), hidden)
        published = published_table(table(cells, row_totals=True, column_totals=True), threshold=10)
        self.assertIsNone(published.row_total[1].value)
        self.assertEqual(published.grand_total.value, 34)

    def test_two_hidden_blocks_joined_by_one_cell_get_another_link(self):
        # Bridge: the 2×2 blocks top-left and bottom-right are each safe, but the cell joining them
        # would be the difference of known sums; one more entry across is hidden.
        cells = [[2, 3, 50, 60], [4, 2, 3, 70], [80, 90, 2, 3], [70, 60, 3, 2]]
        t = table(cells, row_totals=True, column_totals=True)
        hidden = hidden_entries(t, threshold=5)
        self.assertFalse(pinned_by_lines(t, hidden))

    def test_the_same_table_always_hides_the_same_cells(self):
        t = table([[3, 7, 8], [9, 1, 30]], row_totals=True, column_totals=True)
        self.assertEqual(hidden_entries(t, threshold=10), hidden_entries(t, threshold=10))


class FactAndSectionTests(SimpleTestCase):
    def test_a_small_count_fact_is_suppressed(self):
        fact = published_fact(Fact("holds", "Holds", 3, kind="count"), threshold=10)
        self.assertTrue(fact.suppressed)
        self.assertIsNone(fact.value)

    def test_a_zero_count_and_other_kinds_pass(self):
        self.assertEqual(published_fact(Fact("holds", "Holds", 0, kind="count"), threshold=10).value, 0)
        self.assertEqual(published_fact(Fact("median", "Median", 3, kind="days"), threshold=10).value, 3)

    def test_counts_of_the_agencys_public_meetings_and_events_are_published_as_they_are(self):
        events = CountTable(
            key="outreach_events",
            title="Events",
            row_header="Kind",
            rows=("Community meetings", "Presentations"),
            columns=("Events",),
            cells=((3,), (1,)),
            column_totals=True,
            counts_people=False,
        )
        published = published_table(events, threshold=10)
        self.assertEqual([row[0].value for row in published.cells], [3, 1])
        self.assertEqual(published.column_total[0].value, 4)
        meetings = Fact("committee_meetings_held", "Meetings held", 1, "count", counts_people=False)
        self.assertEqual(published_fact(meetings, threshold=10), meetings)
        # The same counts of people are suppressed.
        people = CountTable(**{**events.__dict__, "counts_people": True})
        self.assertIsNone(published_table(people, threshold=10).cells[0][0].value)

    def test_a_section_is_published_table_by_table(self):
        section = Section("detainers", "Detainers", tables=(table([[1]]),), facts=(Fact("x", "X", 2, "count"),))
        published = published_section(section, threshold=5)
        self.assertIsInstance(published.tables[0], PublishedTable)
        self.assertIsNone(published.tables[0].cells[0][0].value)
        self.assertTrue(published.facts[0].suppressed)


# --- Properties --------------------------------------------------------------------------------------------------


def extended_values(t: CountTable) -> dict:
    rows, cols = len(t.rows), len(t.columns)
    values = {(i, j): t.cells[i][j] for i in range(rows) for j in range(cols)}
    if t.row_totals:
        values.update({(i, cols): sum(t.cells[i]) for i in range(rows)})
    if t.column_totals:
        values.update({(rows, j): sum(t.cells[i][j] for i in range(rows)) for j in range(cols)})
    if t.row_totals and t.column_totals:
        values[(rows, cols)] = sum(sum(row) for row in t.cells)
    return values


def lines_of(t: CountTable) -> list[list]:
    rows, cols = len(t.rows), len(t.columns)
    lines = []
    if t.row_totals:
        lines += [[(i, j) for j in range(cols)] + [(i, cols)] for i in range(rows)]
    if t.column_totals:
        lines += [[(i, j) for i in range(rows)] + [(rows, j)] for j in range(cols)]
    if t.row_totals and t.column_totals:
        lines.append([(rows, j) for j in range(cols)] + [(rows, cols)])
        lines.append([(i, cols) for i in range(rows)] + [(rows, cols)])
    return lines


def _rank(matrix: list[list[Fraction]]) -> int:
    matrix = [row[:] for row in matrix]
    rank, columns = 0, len(matrix[0]) if matrix else 0
    for col in range(columns):
        pivot = next((r for r in range(rank, len(matrix)) if matrix[r][col] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        for r in range(len(matrix)):
            if r != rank and matrix[r][col] != 0:
                factor = matrix[r][col] / matrix[rank][col]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[rank], strict=True)]
        rank += 1
    return rank


def pinned_by_lines(t: CountTable, hidden: set) -> list:
    """Hidden entries that the published line equations determine (exact rank test over the rationals)."""
    unknowns = sorted(hidden)
    index = {key: n for n, key in enumerate(unknowns)}
    equations = []
    for line in lines_of(t):
        row = [Fraction(0)] * len(unknowns)
        for key in line[:-1]:
            if key in index:
                row[index[key]] += 1
        if line[-1] in index:
            row[index[line[-1]]] -= 1
        if any(row):
            equations.append(row)
    if not equations:
        return []
    base = _rank(equations)
    pinned = []
    for key, n in index.items():
        unit = [Fraction(0)] * len(unknowns)
        unit[n] = Fraction(1)
        if _rank([*equations, unit]) == base:
            pinned.append(key)
    return pinned


def possible_values(t: CountTable, hidden: set, bound: int) -> dict:
    """Brute force: every assignment 0..bound of the hidden cells consistent with the shown entries."""
    values = extended_values(t)
    rows, cols = len(t.rows), len(t.columns)
    inner_hidden = sorted(key for key in hidden if key[0] < rows and key[1] < cols)
    found = {key: set() for key in hidden}
    for guess in itertools.product(range(bound + 1), repeat=len(inner_hidden)):
        cells = [list(row) for row in t.cells]
        for (i, j), value in zip(inner_hidden, guess, strict=True):
            cells[i][j] = value
        candidate = extended_values(table(cells, row_totals=t.row_totals, column_totals=t.column_totals))
        if all(candidate[key] == values[key] for key in values if key not in hidden):
            for key in hidden:
                found[key].add(candidate[key])
    return found


def tables_strategy(max_rows=4, max_cols=4, max_value=40):
    return st.tuples(
        st.integers(1, max_rows),
        st.integers(1, max_cols),
        st.booleans(),
        st.booleans(),
        st.integers(5, 12),
        st.data(),
    ).map(
        lambda args: (
            table(
                [
                    [args[5].draw(st.one_of(st.just(0), st.integers(0, max_value))) for _j in range(args[1])]
                    for _i in range(args[0])
                ],
                row_totals=args[2],
                column_totals=args[3],
            ),
            args[4],
        )
    )


class SuppressionPropertyTests(SimpleTestCase):
    @settings(max_examples=400, deadline=None)
    @given(tables_strategy())
    def test_nothing_shown_is_a_small_count_and_no_line_has_a_lone_hidden_entry(self, case):
        t, threshold = case
        published = published_table(t, threshold=threshold)
        entries = [cell for row in published.cells for cell in row]
        entries += list(published.row_total or ()) + list(published.column_total or ())
        entries += [published.grand_total] if published.grand_total else []
        for cell in entries:  # (a)
            self.assertFalse(cell.value is not None and 0 < cell.value < threshold, cell)
        hidden = hidden_entries(t, threshold=threshold)
        values = extended_values(t)
        for key, value in values.items():  # every small count is hidden
            if 0 < value < threshold:
                self.assertIn(key, hidden)
        for line in lines_of(t):  # (b)
            self.assertNotEqual(sum(1 for key in line if key in hidden), 1, (line, hidden))

    @settings(max_examples=400, deadline=None)
    @given(tables_strategy())
    def test_no_small_count_is_determined_by_the_line_equations(self, case):
        t, threshold = case
        hidden = hidden_entries(t, threshold=threshold)
        values = extended_values(t)
        pinned = [key for key in pinned_by_lines(t, hidden) if 0 < values[key] < threshold]
        self.assertEqual(pinned, [], (t.cells, t.row_totals, t.column_totals, threshold, sorted(hidden)))

    @settings(max_examples=150, deadline=None)
    @given(tables_strategy(max_rows=2, max_cols=3, max_value=9))
    def test_brute_force_every_small_count_keeps_two_possible_values(self, case):
        t, threshold = case
        hidden = hidden_entries(t, threshold=threshold)
        values = extended_values(t)
        inner = [key for key in hidden if key[0] < len(t.rows) and key[1] < len(t.columns)]
        if len(inner) > 4:
            return  # 4 unknowns × 0..28 is the most brute force we afford per example
        # A suppressed cell is at most the largest entry (each lies under a shown or hidden total of the table);
        # one above it lets the largest also move up.
        found = possible_values(t, hidden, bound=max(values.values()) + 1)
        for key, possible in found.items():
            if 0 < values[key] < threshold:
                self.assertGreaterEqual(len(possible), 2, (t.cells, t.row_totals, t.column_totals, key, possible))
