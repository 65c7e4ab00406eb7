"""The shapes the transparency figures travel in: raw counts from the database, then what may be published.

``figures.py`` builds ``Section``s of ``CountTable``s and ``Fact``s from aggregate queries;
``suppression.py`` turns each ``CountTable`` into a ``PublishedTable`` whose every cell and total is
either shown or suppressed ("fewer than N", with complementary suppression); the page, the charts
and the CSV read only ``PublishedTable``s and ``Fact``s, so all three show exactly the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class CountTable:
    """A table of counts of people or events: rows × columns, with optional totals.

    Attributes:
        key: stable identifier (the CSV's ``table`` column), e.g. ``"detainers_by_outcome"``.
        title: the heading shown (a lazily translated string).
        row_header: the heading of the row-label column.
        rows: row labels; ``columns``: column labels (one column for a simple list of counts).
        cells: ``cells[i][j]`` the count for row ``i``, column ``j`` (ints ≥ 0).
        row_totals: a "Total" column (sum of each row) is published.
        column_totals: a "Total" row (sum of each column) is published; with ``row_totals`` the grand total too.
        chart: ``"bar"``, ``"pie"`` or ``""`` (no chart); the chart shows the published cells only.
        counts_people: the counts are of people or of what happened to them (detainers, complaints,
            officers): small ones are suppressed. ``False`` for counts of the agency's own public acts
            (outreach events, committee meetings), which identify nobody and are published as they are.
    """

    key: str
    title: str
    row_header: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[int, ...], ...]
    row_totals: bool = False
    column_totals: bool = False
    chart: str = "bar"
    counts_people: bool = True


@dataclass(frozen=True)
class Cell:
    """One published figure: ``value`` when shown, ``None`` when suppressed (shown as "fewer than N")."""

    value: int | None

    @property
    def suppressed(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class PublishedTable:
    """A ``CountTable`` after suppression: every cell and total is a ``Cell``.

    ``row_total[i]``, ``column_total[j]`` and ``grand_total`` are ``None`` when that total is not
    published at all (the table has none), a ``Cell`` otherwise.
    """

    source: CountTable
    threshold: int
    cells: tuple[tuple[Cell, ...], ...]
    row_total: tuple[Cell, ...] | None = None
    column_total: tuple[Cell, ...] | None = None
    grand_total: Cell | None = None


@dataclass(frozen=True)
class Fact:
    """A single published fact that is not a count of people (a model name, a median in days, a date).

    ``value`` is already safe to publish (no count below the threshold, no date of a single event
    that could identify a person); ``kind`` is ``"text"``, ``"days"``, ``"date"`` or ``"count"``.
    A ``"count"`` fact goes through the same threshold as a table cell (``suppressed`` when 1..N−1),
    unless ``counts_people`` is ``False`` (a count of the agency's public meetings: see ``CountTable``).
    """

    key: str
    label: str
    value: str | int | date | None
    kind: str = "text"
    suppressed: bool = False
    counts_people: bool = True


@dataclass(frozen=True)
class Section:
    """One section of the page (an administrator publishes it or not): its tables and facts.

    ``note`` says what the figures count when the title cannot (e.g. "as of today" for the officers),
    a lazily translated string, "" when none.
    """

    key: str
    title: str
    tables: tuple = field(default_factory=tuple)
    facts: tuple = field(default_factory=tuple)
    note: str = ""
