"""Report "Training roster and certification status": the roster of one agency-local day, in parts.

What it shows is ``training.roster.as_of.roster_as_of`` (issue #13 item 1): each officer designated on the
report's ``as_of`` day with the status, authorization and certifications of that day, on the report's basis
(``Report.Basis``): "as effective on" (default: trainings count from the day they were completed, even if
recorded later) or "as recorded by" (what the records said at the end of that day). The cover says which.

Parts (``compliance.reports.kinds``): the cover with the summary counts and the legend (portrait); then the
roster, ``ROWS_PER_PART`` officers per part, one line per officer (landscape); then an appendix giving, for
every officer not authorized that day, every reason in full. A part's parameters are positions in the
name-ordered roster (``offset``, ``limit``), never names.

``ROWS_PER_PART`` = 200: a one-line row is about 12 pt high, so about 38 rows fill a landscape letter page
and a part is 5–6 pages. Large enough that a part's fixed cost (re-reading the roster of the day, starting a
WeasyPrint document, laying out the stylesheet) stays small against its rows; small enough that a 5,000-officer
roster splits into 25 parts the worker processes share, and that one part's layout stays a few MB.
"""

from __future__ import annotations

from compliance.reports.kinds import Part, ReportKind, ReportRun
from training.roster.as_of import REASON_CODES, roster_as_of, roster_size_as_of

TITLE = "Training roster and certification status"
COVER = "reports/training_roster.html"
ROWS = "reports/training_roster_rows.html"
APPENDIX = "reports/training_roster_reasons.html"
ROWS_PER_PART = 200

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


def plan(run: ReportRun) -> list[Part]:
    """The cover, one part per ``ROWS_PER_PART`` officers of the day's roster (at least one), the appendix.

    Two queries (the roster's size, ``roster_size_as_of``).
    """
    report = run.report
    size = roster_size_as_of(
        agency=report.agency, day=report.as_of, checked_at=run.period.checked_at, basis=report.basis
    )
    parts = [Part(template=COVER, params={"part": "cover"}, toc_entry="Summary")]
    for offset in range(0, max(size, 1), ROWS_PER_PART):
        parts.append(
            Part(
                template=ROWS,
                params={"part": "rows", "offset": offset, "limit": ROWS_PER_PART},
                toc_entry="Designated officers" if offset == 0 else "",
                landscape=True,
            )
        )
    parts.append(Part(template=APPENDIX, params={"part": "reasons"}, toc_entry="Why not authorized", landscape=True))
    return parts


def part_context(run: ReportRun, part: Part) -> dict:
    """Template context of one part (added to ``compliance.reports.periods.cover_context``).

    Cover: ``counts`` (``roster_as_of`` counts), ``size``, ``basis_text``, ``reason_codes``. Rows: ``roster``
    (the slice ``offset``/``limit``), ``first`` (1-based position of its first officer). Appendix: ``rows``
    (the officers not authorized that day, in roster order). A fixed number of queries per part.
    """
    report = run.report
    kind = part.params.get("part")
    context = {
        "basis_text": BASIS_TEXT[report.basis].format(day=report.as_of.isoformat()),
        "reason_codes": REASON_CODES,
    }
    if kind == "rows":
        roster = _roster(run, offset=part.params["offset"], limit=part.params["limit"])
        return {**context, "roster": roster, "first": part.params["offset"] + 1}
    roster = _roster(run)
    if kind == "reasons":
        return {**context, "roster": roster, "rows": [row for row in roster.rows if not row.authorization]}
    return {**context, "roster": roster, "counts": roster.counts, "size": roster.size}


def kind() -> ReportKind:
    """The catalog entry (``compliance.reports.catalog.KINDS``): both bases, "as effective on" first."""
    return ReportKind(
        title=TITLE,
        plan=plan,
        part_context=part_context,
        templates=(COVER, ROWS, APPENDIX),
        bases=("effective", "recorded"),
    )
