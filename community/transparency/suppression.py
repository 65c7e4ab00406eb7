"""Small-count protection of the published figures: primary and complementary suppression (issue #12 item 4).

Pure functions, no database. A count from 1 to ``threshold − 1`` is a person or a few people who could
be recognised: it is **suppressed** (shown as "fewer than N"); 0 is shown (it reveals nobody). Counts of
the agency's own public acts (outreach events, steering-committee meetings: ``counts_people=False``)
identify nobody and are published as they are: a resident must be able to see whether a committee that
must meet every quarter met once or four times.
**Complementary suppression** then hides more cells so that no suppressed count can be worked out
from the published totals and the other cells:

* every row and column with a published total (and the row of totals and the column of totals
  against the grand total) that has exactly one hidden entry gets a second one: the smallest
  non-zero shown cell of that line, else its total;
* repeated to a fixed point across rows and columns (hiding in a column can leave a row with a
  lone hidden cell);
* in a table with both row and column totals, the hidden entries must also not be pinned by
  *combinations* of the lines (two hidden rectangles joined by one hidden cell: that cell is the
  difference of sums that are all known). Such a cell is a bridge of the graph whose nodes are the
  lines and whose edges are the hidden entries; one more entry joining the two sides is hidden.

The table is read as its extended matrix: ``R × C`` cells, a column of row totals, a row of column
totals and the grand total where both exist; each line is an equation "its cells sum to its total".
Source: issue #12 item 4; the method is the usual cell suppression of statistical agencies (e.g.
U.S. Census Bureau disclosure avoidance for tabular data: primary plus complementary suppression).
"""

from __future__ import annotations

from dataclasses import replace

from community.transparency.tables import Cell, CountTable, Fact, PublishedTable, Section

Key = tuple[int, int]


def is_small(value: int | None, threshold: int) -> bool:
    """Whether ``value`` is a count that must not be published: 1 to ``threshold − 1`` (0 and None are not)."""
    return value is not None and 0 < value < threshold


def _extended(table: CountTable) -> tuple[dict[Key, int], list[list[Key]], bool]:
    """The extended matrix's values, its lines (parts then total, last), and whether it is two-way (both totals)."""
    rows, columns = len(table.rows), len(table.columns)
    values: dict[Key, int] = {(i, j): int(table.cells[i][j]) for i in range(rows) for j in range(columns)}
    lines: list[list[Key]] = []
    if table.row_totals:
        for i in range(rows):
            values[(i, columns)] = sum(table.cells[i])
            lines.append([(i, j) for j in range(columns)] + [(i, columns)])
    if table.column_totals:
        for j in range(columns):
            values[(rows, j)] = sum(table.cells[i][j] for i in range(rows))
            lines.append([(i, j) for i in range(rows)] + [(rows, j)])
    both = table.row_totals and table.column_totals
    if both:
        values[(rows, columns)] = sum(values[(i, columns)] for i in range(rows))
        lines.append([(rows, j) for j in range(columns)] + [(rows, columns)])
        lines.append([(i, columns) for i in range(rows)] + [(rows, columns)])
    return values, lines, both


def _pick(candidates: list[Key], values: dict[Key, int]) -> Key | None:
    """The smallest non-zero candidate (ties: first in row-major order), else None."""
    nonzero = [key for key in candidates if values[key] > 0]
    return min(nonzero, key=lambda key: (values[key], key)) if nonzero else None


def _lone_hidden_fix(lines: list[list[Key]], values: dict[Key, int], hidden: set[Key]) -> bool:
    """One pass over the lines: a line with exactly one hidden entry gets a second. True if anything was hidden."""
    changed = False
    for line in lines:
        if sum(1 for key in line if key in hidden) != 1:
            continue
        parts, total = line[:-1], line[-1]
        shown_parts = [key for key in parts if key not in hidden]
        choice = _pick(shown_parts, values)
        if choice is None:
            choice = total if total not in hidden else (shown_parts[0] if shown_parts else None)
        if choice is not None:
            hidden.add(choice)
            changed = True
    return changed


def _component(start, edges: list[tuple], skip) -> set:
    """Nodes reachable from ``start`` over ``edges`` (pairs of nodes), leaving out edge ``skip``."""
    seen, todo = {start}, [start]
    while todo:
        node = todo.pop()
        for edge in edges:
            if edge is skip or node not in edge:
                continue
            other = edge[1] if edge[0] == node else edge[0]
            if other not in seen:
                seen.add(other)
                todo.append(other)
    return seen


def _bridge_fix(values: dict[Key, int], hidden: set[Key]) -> bool:
    """In a two-way table, hide one entry across the first hidden bridge found. True if anything was hidden."""
    edges = [(("r", i), ("c", j)) for (i, j) in sorted(hidden)]
    for edge in edges:
        side = _component(edge[0], edges, edge)
        if edge[1] in side:
            continue  # on a cycle: not pinned by the lines
        other = _component(edge[1], edges, edge)
        candidates = [
            key
            for key in values
            if key not in hidden
            and (
                (("r", key[0]) in side and ("c", key[1]) in other) or (("r", key[0]) in other and ("c", key[1]) in side)
            )
        ]
        if not candidates:
            continue
        choice = _pick(candidates, values) or min(candidates)
        hidden.add(choice)
        return True
    return False


def hidden_entries(table: CountTable, *, threshold: int) -> set[Key]:
    """The entries of ``table``'s extended matrix to suppress (keys ``(row, column)``; totals at index R / C).

    Primary: every cell and total from 1 to ``threshold − 1``. Then complementary suppression to a
    fixed point (see the module's docstring). Deterministic: the same table always hides the same cells.
    None for a table that does not count people (``CountTable.counts_people``: outreach events, meetings).
    """
    values, lines, both = _extended(table)
    if not table.counts_people:
        return set()
    hidden = {key for key, value in values.items() if is_small(value, threshold)}
    while True:
        if _lone_hidden_fix(lines, values, hidden):
            continue
        if both and _bridge_fix(values, hidden):
            continue
        return hidden


def published_table(table: CountTable, *, threshold: int) -> PublishedTable:
    """``table`` as it may be published: each cell and total a ``Cell``, ``None`` value when suppressed.

    Args:
        table: raw counts (``community.transparency.figures``).
        threshold: the agency's ``TransparencySettings.suppression_threshold`` (≥ 5): counts 1..threshold−1
            are suppressed, with complementary suppression so none can be worked out.

    Returns:
        A ``PublishedTable``; ``row_total``/``column_total``/``grand_total`` are None when ``table`` has no
        such total.
    """
    values, _lines, _both = _extended(table)
    hidden = hidden_entries(table, threshold=threshold)
    rows, columns = len(table.rows), len(table.columns)

    def cell(key: Key) -> Cell:
        return Cell(None if key in hidden else values[key])

    cells = tuple(tuple(cell((i, j)) for j in range(columns)) for i in range(rows))
    row_total = tuple(cell((i, columns)) for i in range(rows)) if table.row_totals else None
    column_total = tuple(cell((rows, j)) for j in range(columns)) if table.column_totals else None
    grand_total = cell((rows, columns)) if table.row_totals and table.column_totals else None
    return PublishedTable(
        source=table,
        threshold=threshold,
        cells=cells,
        row_total=row_total,
        column_total=column_total,
        grand_total=grand_total,
    )


def published_fact(fact: Fact, *, threshold: int) -> Fact:
    """``fact`` as it may be published: a ``"count"`` from 1 to ``threshold − 1`` becomes suppressed (value None).

    Other kinds (text, days, date) are built safe by ``figures`` (a median only from ``threshold`` cases
    on, no date of a single event) and pass unchanged, as do counts that are not of people
    (``Fact.counts_people``: the committee's meetings).
    """
    small = fact.kind == "count" and isinstance(fact.value, int) and is_small(fact.value, threshold)
    if small and fact.counts_people:
        return replace(fact, value=None, suppressed=True)
    return fact


def published_section(section: Section, *, threshold: int) -> Section:
    """``section`` with every ``CountTable`` made a ``PublishedTable`` and every fact through ``published_fact``."""
    return replace(
        section,
        tables=tuple(published_table(table, threshold=threshold) for table in section.tables),
        facts=tuple(published_fact(fact, threshold=threshold) for fact in section.facts),
    )


def published_sections(sections, *, threshold: int) -> list[Section]:
    """``published_section`` of each section, in order: what the page, the charts and the CSV read."""
    return [published_section(section, threshold=threshold) for section in sections]
