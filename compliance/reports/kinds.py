"""What a report kind is: how it splits into parts and what each part shows (the engine renders them).

A kind ``plan``s a report into ``Part``s — the cover and summary, chunks of rows, sections, an appendix —
each rendered to PDF on its own (in parallel by a worker's processes, ``compliance.reports.engine``) and
assembled in order with continuous page numbers, a running footer and, when the kind asks for one, a table
of contents. A part carries only JSON-able parameters (ids and ranges, never personal data): a task given
``(report id, part number)`` re-plans the report and renders its part.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from compliance.reports.periods import ReportPeriod


@dataclass(frozen=True)
class Part:
    """One separately rendered piece of a report.

    ``template``: a complete HTML document extending ``reports/part_base.html``; ``params``: JSON-able
    values the kind's ``part_context`` reads (e.g. the first and last row of a chunk); ``toc_entry``: a
    table-of-contents line that starts on this part's first page ("" for none); ``landscape``: the part's
    pages are letter landscape (the footer overlay follows).
    """

    template: str
    params: dict = field(default_factory=dict)
    toc_entry: str = ""
    landscape: bool = False


@dataclass(frozen=True)
class ReportRun:
    """A report being rendered: the ``compliance.Report`` (agency and requester loaded) and its period."""

    report: object
    period: ReportPeriod


@dataclass(frozen=True)
class ReportKind:
    """A report kind.

    ``title``: printed on the cover and in every page's footer. ``plan(run) -> list[Part]``: the parts in
    order (cheap: counts and key ranges, not the rows). ``part_context(run, part) -> dict``: the template
    context of one part. ``bases``: the meanings of "as of" the kind offers, the first its default
    (``Report.Basis``). ``toc``: a table of contents follows the first part (``reports/toc.html``).
    ``templates``: every template its parts use (they are rendered only by WeasyPrint, never served).
    ``snapshot``: the report is a picture of its last day (the training roster): it has no period, and a start
    date given with the request is not kept (``services.report_request``).
    ``attachments(run) -> {file name: bytes}``: files embedded in the PDF at assembly (the records request's
    machine-readable copy), so the one stored file carries them and is purged with them; None: no attachment.
    """

    title: str
    plan: Callable[[ReportRun], list[Part]]
    part_context: Callable[[ReportRun, Part], dict]
    templates: tuple[str, ...]
    bases: tuple[str, ...] = ("effective",)
    toc: bool = False
    snapshot: bool = False
    attachments: Callable[[ReportRun], dict[str, bytes]] | None = None


def single_part(*, title: str, template: str, context, bases=("effective",), landscape=False) -> ReportKind:
    """A kind rendered as one part from ``context(report=, generated_at=) -> dict`` (the older report kinds)."""

    def plan(run: ReportRun) -> list[Part]:
        return [Part(template=template, landscape=landscape)]

    def part_context(run: ReportRun, part: Part) -> dict:
        return context(report=run.report, generated_at=run.period.checked_at)

    return ReportKind(title=title, plan=plan, part_context=part_context, templates=(template,), bases=bases)
