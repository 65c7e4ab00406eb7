"""Report "Training roster and certification status": the roster of one agency-local day, in parts.

What it shows is ``training.roster.as_of.roster_as_of`` (issue #13 item 1): each officer designated on the
report's ``as_of`` day with the status, authorization and certifications of that day, on the report's basis
(``Report.Basis``): "as effective on" (default: trainings count from the day they were completed, even if
recorded later) or "as recorded by" (what the records said at the end of that day). The cover says which.

Parts (``compliance.reports.kinds``): the cover with the summary counts and the legend (portrait); then the
roster, ``ROWS_PER_PART`` officers per part, one line per officer (landscape); then an appendix giving, for
every officer not authorized that day, every reason in full.

Planned once (``compliance.reports.engine.report_plan``, stored in ``Report.plan``): the plan decides who was
on the roster that day (``roster_ids_as_of``, two queries) and gives each row part the ids of its officers in
roster order (``ids``) and the position of its first (``first``), never names; a row part then reads only its
officers' records (``roster_as_of(ids=…)``), whatever the roster's size.

A line is two cells: the number and the name (wraps when long, never cut), then every other field in one
monospaced cell, padded to its column (``RosterLine``): WeasyPrint's time is per box, and two cells a line
cost about half of the ten the roster had (docs/performance.md). About 43 lines fill a landscape letter page.
``ROWS_PER_PART`` = 200: a part's fixed cost (a WeasyPrint document, the stylesheet) stays small against its
rows, a 5,000-officer roster splits into 25 parts the worker processes share, and one part's layout stays a
few MB.
"""

from __future__ import annotations

from dataclasses import dataclass

from compliance.reports.kinds import Part, ReportKind, ReportRun
from training.roster.as_of import REASON_CODES, AsOfRow, roster_as_of, roster_counts, roster_ids_as_of

TITLE = "Training roster and certification status"
COVER = "reports/training_roster.html"
ROWS = "reports/training_roster_rows.html"
APPENDIX = "reports/training_roster_reasons.html"
ROWS_PER_PART = 200
#: Officers per appendix part ("Why not authorized"): a slice of the roster, whatever share of it is listed.
APPENDIX_SLICE = 5000
#: Officers the cover reads at a time to count the whole roster (bounded memory at any size).
COUNT_SLICE = 5000

BASIS_TEXT = {
    "effective": (
        "As effective on {day}: trainings count from the day they were completed, even if recorded later, and "
        "statuses from the day they took effect; nothing completed after that day is shown."
    ),
    "recorded": (
        "As recorded by the end of {day}: what the records said at the end of that day; trainings, status "
        "changes and corrections recorded later are left out."
    ),
}


def _roster(run: ReportRun, **slice_):
    report = run.report
    return roster_as_of(
        agency=report.agency, day=report.as_of, checked_at=run.period.checked_at, basis=report.basis, **slice_
    )


#: Widths (characters) of the fixed-format columns before the courses'; a course column is ``COURSE_WIDTH`` wide
#: (or its code's length): an expiry, "none", in parentheses when not required, " !" when expired:
#: "(2026-06-15) !".
MODEL_WIDTH, STATUS_WIDTH, AUTHORIZED_WIDTH, COURSE_WIDTH = 5, 8, 10, 14
#: A badge column at least this wide; wider when a badge of the part is longer.
BADGE_WIDTH = 8
#: Pads the line numbers to one width in the name's own font: a space as wide as a digit, never collapsed.
FIGURE_SPACE = "\u2007"
#: Advance of one character of the monospaced cell (DejaVu Sans Mono: 1233/2048 em) at its size (6.5 pt), in pt.
FIXED_CHAR_PT = 1233 / 2048 * 6.5
#: The fixed cell never takes more than this share of the line; a longer line wraps inside it.
FIXED_MAX_SHARE = 0.75
#: Width of a landscape letter page's text (pt): 11 in less two 14 mm margins.
LINE_PT = 11 * 72 - 2 * 14 * 72 / 25.4


def course_text(cell) -> str:
    """A course column's text: the expiry ``YYYY-MM-DD``, ``none`` (never completed) or ``not due`` (a refresher
    never completed while the basic course still covered the day); followed by `` !`` when the course's requirement
    was not met that day by the authorization rule (``CourseCell.lapsed``: an expired date the refresher renewed is
    not marked); in parentheses when the course is not required of that officer. Marks in the text, not styles: they
    print in black and white, read back from the PDF, and cost no box of their own (the cover's legend explains them).
    """
    value = cell.expires_on.isoformat() if cell.expires_on else ("not due" if cell.not_due else "none")
    if not cell.required:
        value = f"({value})"
    return value + " !" if cell.lapsed else value


@dataclass(frozen=True)
class RosterLine:
    """One officer as the roster's line prints it: ``number`` (padded), ``name``; the fixed cell: ``lead``
    (badge, model), ``status`` / ``status_text`` (padded label), ``authorized`` (Yes / No and the codes,
    padded), ``courses`` (every course column, ``course_text`` padded)."""

    number: str
    name: str
    lead: str
    status: str
    status_text: str
    authorized: str
    courses: str


def roster_lines(rows: list[AsOfRow], *, first: int, size: int, courses) -> tuple[list[RosterLine], dict]:
    """The lines of ``rows`` (numbered from ``first``) and the header of their columns, padded alike.

    Returns ``(lines, header)``; ``header``: ``number`` (the "#" padded), ``fixed`` (the fixed cell's column
    names), ``fixed_pt`` (the fixed column's width, pt). Widths: ``*_WIDTH``; the number as wide as ``size``'s.
    """
    number_width = len(str(max(size, first + len(rows) - 1, 1)))
    badge_width = max([BADGE_WIDTH, *(len(row.officer.badge_number) for row in rows)])
    widths = [max(COURSE_WIDTH, len(course.code)) for course in courses]
    lines = []
    for offset, row in enumerate(rows):
        courses_text = "".join(f"  {course_text(cell):<{width}}" for cell, width in zip(row.cells, widths, strict=True))
        lines.append(
            RosterLine(
                number=str(first + offset).rjust(number_width, FIGURE_SPACE),
                name=row.officer.display_name,
                lead=f"{row.officer.badge_number:<{badge_width}}  {row.model or '—':<{MODEL_WIDTH}}  ",
                status=row.status,
                status_text=f"{row.status_label:<{STATUS_WIDTH}}",
                authorized=f"  {'Yes' if row.authorization else 'No ' + row.codes:<{AUTHORIZED_WIDTH}}",
                courses=courses_text,
            )
        )
    fixed = (
        f"{'Badge':<{badge_width}}  {'Model':<{MODEL_WIDTH}}  {'Training':<{STATUS_WIDTH}}  "
        f"{'Authorized':<{AUTHORIZED_WIDTH}}"
        + "".join(f"  {c.code:<{w}}" for c, w in zip(courses, widths, strict=True))
    )
    # As wide as a whole line, its last column's padding included (in ``pre-wrap`` trailing spaces may wrap).
    fixed_pt = min((len(fixed) + 1) * FIXED_CHAR_PT + 8, LINE_PT * FIXED_MAX_SHARE)
    return lines, {
        "number": "#".rjust(number_width, FIGURE_SPACE),
        "fixed": fixed.rstrip(),
        "fixed_pt": round(fixed_pt, 1),
    }


def plan(run: ReportRun) -> list[Part]:
    """The cover, one part per ``ROWS_PER_PART`` officers of the day's roster (at least one), the appendix.

    Two queries (who was on the roster, ``roster_ids_as_of``). A row part's params: ``ids`` (its officers, in
    roster order), ``first`` (the 1-based position of the first) and ``size`` (the roster's).
    """
    report = run.report
    ids = roster_ids_as_of(agency=report.agency, day=report.as_of, checked_at=run.period.checked_at, basis=report.basis)
    parts = [Part(template=COVER, params={"part": "cover"}, toc_entry="Summary")]
    parts += _slices(ids, ROWS_PER_PART, template=ROWS, part="rows", toc_entry="Designated officers")
    # The appendix in slices of the roster too, so no process holds a large roster's officers (or lays out all
    # their reasons) at once: memory bounded at any size (issue #13 item 4).
    parts += _slices(ids, APPENDIX_SLICE, template=APPENDIX, part="reasons", toc_entry="Why not authorized")
    return parts


def _slices(ids: list[int], size: int, *, template: str, part: str, toc_entry: str) -> list[Part]:
    """Landscape parts of ``template``, one per ``size`` officers of ``ids`` (at least one), the contents entry on
    the first; params: ``part``, ``ids``, ``first`` (1-based position of the first), ``size`` (the roster's)."""
    return [
        Part(
            template=template,
            params={"part": part, "ids": ids[offset : offset + size], "first": offset + 1, "size": len(ids)},
            toc_entry=toc_entry if offset == 0 else "",
            landscape=True,
        )
        for offset in range(0, max(len(ids), 1), size)
    ]


def _planned_ids(run: ReportRun) -> list[int]:
    """The roster's officer ids in roster order, as the stored plan has them (else read again: two queries)."""
    stored = getattr(run.report, "plan", None)
    if stored:
        ids = []
        for part in stored:
            params = part.get("params") or {}
            if params.get("part") == "rows":
                ids.extend(params.get("ids") or [])
        return ids
    report = run.report
    return roster_ids_as_of(
        agency=report.agency, day=report.as_of, checked_at=run.period.checked_at, basis=report.basis
    )


def _counts_in_slices(run: ReportRun) -> tuple[dict[str, int], int]:
    """The cover's counts over the whole roster, read ``COUNT_SLICE`` officers at a time (bounded memory), and
    the roster's size."""
    ids = _planned_ids(run)
    total: dict[str, int] = {}
    for offset in range(0, len(ids), COUNT_SLICE):
        roster = _roster(run, ids=ids[offset : offset + COUNT_SLICE])
        for key, value in roster_counts(roster.rows, run.report.as_of).items():
            total[key] = total.get(key, 0) + value
    if not ids:
        total = roster_counts([], run.report.as_of)
    return total, len(ids)


def part_context(run: ReportRun, part: Part) -> dict:
    """Template context of one part (added to ``compliance.reports.periods.cover_context``).

    Cover: ``counts`` (``roster_counts`` added up over slices of ``COUNT_SLICE`` officers), ``size``,
    ``basis_text``, ``reason_codes``. Rows: ``lines`` (``RosterLine`` of the part's ``ids``), ``header``
    (``roster_lines``), ``first``, ``size``. Appendix (a slice of ``APPENDIX_SLICE`` officers): ``rows`` (those
    of the slice not authorized that day, in roster order), ``first``/``last`` (the slice's positions), ``size``,
    ``whole``. A row or appendix part reads only its own officers (a fixed number of queries); the cover reads
    the roster a slice at a time, so no part holds more than a slice of officers in memory.
    """
    report = run.report
    kind = part.params.get("part")
    context = {
        "basis_text": BASIS_TEXT[report.basis].format(day=report.as_of.isoformat()),
        "reason_codes": REASON_CODES,
    }
    if kind == "rows":
        roster = _roster(run, ids=part.params["ids"])
        first, size = part.params["first"], part.params["size"]
        lines, header = roster_lines(roster.rows, first=first, size=size, courses=roster.courses)
        return {**context, "roster": roster, "lines": lines, "header": header, "first": first, "size": size}
    if kind == "reasons":
        ids = part.params.get("ids")
        if ids is None:  # a plan stored before the appendix was sliced: the whole roster
            roster = _roster(run)
            first, size, ids = 1, roster.size, [row.officer.pk for row in roster.rows]
        else:
            roster = _roster(run, ids=ids)
            first, size = part.params["first"], part.params["size"]
        return {
            **context,
            "rows": [row for row in roster.rows if not row.authorization],
            "first": first,
            "last": first + max(len(ids), 1) - 1,
            "size": size,
            "whole": first == 1 and len(ids) >= size,
        }
    counts, size = _counts_in_slices(run)
    return {**context, "counts": counts, "size": size}


def kind() -> ReportKind:
    """The catalog entry (``compliance.reports.catalog.KINDS``): both bases, "as effective on" first."""
    return ReportKind(
        title=TITLE,
        plan=plan,
        part_context=part_context,
        templates=(COVER, ROWS, APPENDIX),
        bases=("effective", "recorded"),
        snapshot=True,  # the roster of one day: no period
    )
