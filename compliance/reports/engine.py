"""Render a report's parts and assemble them into one PDF (issue #13 items 3 and 4).

Each ``Part`` of a kind's plan (``compliance.reports.kinds``) is rendered by WeasyPrint on its own
(``part_render``; in a worker, each part is its own task, so a report uses every worker process) and kept
as a ``ReportPart`` row with its PDF. ``report_assemble`` then joins them in order with pypdf, renders the
table of contents with the real page numbers when the kind has one, stamps every page's footer ("Page X
of Y" and the report's title, agency and period) from one overlay rendered by WeasyPrint, adds the PDF
outline and fixed metadata, and stores the result with its SHA-256.

Reproducible: nothing in the PDF depends on when or by whom it was rendered — no dates in its metadata,
no random ids (WeasyPrint's and pypdf's output is deterministic for the same input) — so the same kind,
agency, period, as-of instant and basis rendered twice from unchanged data gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

from compliance.core.models import Report, ReportPart
from compliance.reports.kinds import Part, ReportKind, ReportRun
from compliance.reports.pdf import pdf_render
from compliance.reports.periods import cover_context, report_period

TOC_TEMPLATE = "reports/toc.html"
FOOTER_TEMPLATE = "reports/footer_overlay.html"
PART_BASE = "reports/part_base.html"  # what part templates extend
PRODUCER = "287(g) compliance manager"


def report_kind(report: Report) -> ReportKind:
    """The ``ReportKind`` of ``report`` (``compliance.reports.catalog.KINDS``). Raises KeyError if unknown."""
    from compliance.reports.catalog import KINDS

    return KINDS[report.kind]


def report_run(report: Report) -> ReportRun:
    """``report`` with its period (``report_period``, answering at ``report.checked_at``)."""
    return ReportRun(
        report=report, period=report_period(report=report, generated_at=report.checked_at or timezone.now())
    )


def report_plan(run: ReportRun) -> list[Part]:
    """Plan ``run`` now: the kind's plan, with the table of contents second when the kind has one.

    Called once per rendering (``rendering.report_claim`` stores the result in ``Report.plan``); the part tasks
    and the assembly read the stored plan (``report_parts``), so a kind may put in its parts' params what a part
    needs to read only its own rows (e.g. the officers' ids), and every task sees the same parts even if the
    records change while the report renders.
    """
    kind = report_kind(run.report)
    parts = list(kind.plan(run))
    if kind.toc:
        parts.insert(1, Part(template=TOC_TEMPLATE, params={"toc": True}))
    return parts


def plan_dump(parts: list[Part]) -> list[dict]:
    """``parts`` as JSON-able dicts for ``Report.plan`` (``plan_load`` reads them back)."""
    return [
        {"template": p.template, "params": p.params, "toc_entry": p.toc_entry, "landscape": p.landscape} for p in parts
    ]


def plan_load(data: list[dict]) -> list[Part]:
    """The ``Part`` list stored by ``plan_dump``."""
    return [Part(**item) for item in data]


def part_order(parts: list[Part]) -> list[int]:
    """The numbers of ``parts`` in the order to hand them to the workers: the one-off sections (cover, contents,
    appendix: a template few parts share) before the many chunks of rows, each group in report order.

    The one-off sections are the long ones (a cover's summary reads every row; an appendix can be one long part):
    started first, they run beside the chunks instead of after them, while the other processes wait (longest
    first). The report's order is the parts' numbers, whatever the order they render in.
    """
    uses: dict[str, int] = {}
    for part in parts:
        uses[part.template] = uses.get(part.template, 0) + 1
    return sorted(range(len(parts)), key=lambda number: (uses[parts[number].template], number))


def report_parts(run: ReportRun) -> list[Part]:
    """The parts of ``run`` in order: the plan stored when rendering started (``Report.plan``), or, when none is
    stored (a report not claimed yet), a new plan (``report_plan``: the kind's queries)."""
    stored = getattr(run.report, "plan", None)
    if stored:
        return plan_load(stored)
    return report_plan(run)


def _load(report_id: int) -> Report:
    return Report.objects.select_related("agency", "requested_by").get(pk=report_id)


def _part_html(run: ReportRun, part: Part, *, parts: list[Part], starts: dict[int, int] | None = None) -> str:
    """The HTML of ``part``; a contents page lists ``parts``' entries at ``starts`` (None: not yet known)."""
    kind = report_kind(run.report)
    base = cover_context(report=run.report, title=kind.title, period=run.period, generated_at=run.period.checked_at)
    if part.params.get("toc"):
        context = {**base, "entries": _toc_entries(parts, starts)}
    else:
        context = {**base, **kind.part_context(run, part)}
    context["part_landscape"] = part.landscape
    return render_to_string(part.template, context)


@dataclass(frozen=True)
class TocEntry:
    title: str
    page: int | None  # 1-based page of the assembled report; None while not yet known


def _toc_entries(parts: list[Part], starts: dict[int, int] | None) -> list[TocEntry]:
    return [
        TocEntry(title=part.toc_entry, page=starts.get(number) if starts else None)
        for number, part in enumerate(parts)
        if part.toc_entry
    ]


def part_render(*, report_id: int, number: int) -> tuple[ReportPart, bool]:
    """Render part ``number`` (0-based) of report ``report_id`` and keep its PDF; count it done once.

    Returns the part and whether this call completed the report's parts (its ``parts_done`` reached
    ``parts_total`` by this very increment, under the report's row lock: exactly one call sees True).
    Safe to run twice: a part already rendered is returned as it is, with False.

    Raises:
        Report.DoesNotExist, IndexError: no such report or part.
    """
    existing = ReportPart.objects.filter(report_id=report_id, number=number).first()
    if existing is not None:
        return existing, False
    run = report_run(_load(report_id))
    parts = report_parts(run)
    rendered = pdf_render(_part_html(run, parts[number], parts=parts))
    with transaction.atomic():
        report = Report.objects.select_for_update().only("parts_done", "parts_total").get(pk=report_id)
        row, created = ReportPart.objects.get_or_create(
            report_id=report_id,
            number=number,
            defaults={"page_count": rendered.page_count, "rendered_at": timezone.now()},
        )
        if not created:
            return row, False
        row.file.save(f"{report_id}-{number}.pdf", ContentFile(rendered.content), save=True)
        done = report.parts_done + 1
        Report.objects.filter(pk=report_id).update(parts_done=done, updated_at=timezone.now())
    return row, done == report.parts_total


#: Footer pages rendered per WeasyPrint document: bounds the memory of the stamping step at any length.
FOOTER_PAGES_PER_RENDER = 250


def _footer_overlays(run: ReportRun, orientations: list[bool]):
    """The footer pages of the whole report, in order ("Page X of Y" and the report line), rendered by
    WeasyPrint ``FOOTER_PAGES_PER_RENDER`` pages at a time; yields pypdf pages."""
    kind = report_kind(run.report)
    base = cover_context(report=run.report, title=kind.title, period=run.period, generated_at=run.period.checked_at)
    total = len(orientations)
    for first in range(0, total, FOOTER_PAGES_PER_RENDER):
        chunk = orientations[first : first + FOOTER_PAGES_PER_RENDER]
        pages = [(first + index + 1, landscape) for index, landscape in enumerate(chunk)]
        html = render_to_string(FOOTER_TEMPLATE, {**base, "pages": pages, "total": total})
        reader = PdfReader(io.BytesIO(pdf_render(html).content))
        if len(reader.pages) != len(chunk):
            raise ValueError(f"Footer overlay: {len(reader.pages)} pages rendered for {len(chunk)}.")
        yield from reader.pages


def _stream(writer: PdfWriter, data: bytes, **entries):
    stream = DecodedStreamObject()
    stream.set_data(data)
    stream.update({NameObject(key): value for key, value in entries.items()})
    return writer._add_object(stream)


def _stamp(writer: PdfWriter, page, stamp, *, name: str) -> None:
    """Draw the footer page ``stamp`` over ``page`` as a form XObject called ``name``.

    pypdf's ``merge_page`` parses and rewrites the page's whole content stream: at 1,000+ pages of tables
    that took minutes and most of the memory. Here the page's own content is left as it is, wrapped in
    ``q``/``Q`` by two tiny streams, and one more draws the footer: the cost does not depend on the page.
    """
    form = _stream(
        writer,
        stamp.get_contents().get_data(),
        **{
            "/Type": NameObject("/XObject"),
            "/Subtype": NameObject("/Form"),
            "/BBox": stamp.mediabox,
            "/Resources": stamp["/Resources"].get_object().clone(writer),
        },
    )
    resources = DictionaryObject(page["/Resources"].get_object())  # the page's own copy: WeasyPrint may share one
    xobjects = DictionaryObject(resources.get("/XObject", DictionaryObject()).get_object())
    xobjects[NameObject(name)] = form
    resources[NameObject("/XObject")] = xobjects
    page[NameObject("/Resources")] = resources
    contents = page["/Contents"].get_object()
    own = list(contents) if isinstance(contents, ArrayObject) else [page.raw_get("/Contents")]
    page[NameObject("/Contents")] = ArrayObject(
        [_stream(writer, b"q\n"), *own, _stream(writer, f"\nQ\nq {name} Do Q\n".encode())]
    )


def report_assemble(*, report_id: int) -> Report:
    """Join the rendered parts of report ``report_id`` into its PDF; store it, its SHA-256 and page count.

    Returns the report, "ready". Raises ``ValueError`` if a part is missing (not all rendered yet).
    """
    report = _load(report_id)
    run = report_run(report)
    kind = report_kind(report)
    parts = report_parts(run)
    rows = {row.number: row for row in ReportPart.objects.filter(report_id=report_id)}
    missing = [number for number in range(len(parts)) if number not in rows]
    if missing:
        raise ValueError(f"Report {report.public_id}: parts {missing[:5]} not rendered.")
    readers = {number: PdfReader(rows[number].file.open("rb")) for number in range(len(parts))}
    toc_number = next((n for n, part in enumerate(parts) if part.params.get("toc")), None)
    if toc_number is not None:
        # The contents' own length moves the pages after it: render, and again if its length changed.
        for _ in range(3):
            starts, page = {}, 1
            for number in range(len(parts)):
                starts[number] = page
                page += len(readers[number].pages)
            html = _part_html(run, parts[toc_number], parts=parts, starts=starts)
            toc_reader = PdfReader(io.BytesIO(pdf_render(html).content))
            changed = len(toc_reader.pages) != len(readers[toc_number].pages)
            readers[toc_number] = toc_reader
            if not changed:
                break
    writer = PdfWriter()
    starts, orientations = {}, []
    for number in range(len(parts)):
        starts[number] = len(writer.pages)
        writer.append(readers[number], import_outline=False)  # the contents entries only, once each
        # Each page's own shape (a part's CSS may turn it, e.g. the single-part incident and outreach logs).
        orientations.extend(float(page.mediabox.width) > float(page.mediabox.height) for page in readers[number].pages)
    for index, (page, stamp) in enumerate(zip(writer.pages, _footer_overlays(run, orientations), strict=True)):
        _stamp(writer, page, stamp, name=f"/Footer{index + 1}")
    for number, part in enumerate(parts):
        if part.toc_entry:
            writer.add_outline_item(title=part.toc_entry, page_number=starts[number])
    writer.add_metadata(
        {
            "/Title": f"{kind.title} — {report.agency.name} — as of {report.as_of.isoformat()}",
            "/Producer": PRODUCER,
            "/Creator": PRODUCER,
        }
    )
    if kind.attachments is not None:
        for name, data in sorted(kind.attachments(run).items()):
            writer.add_attachment(name, data)
    buffer = io.BytesIO()
    writer.write(buffer)
    content = buffer.getvalue()
    report.file.save(f"{report.kind}-{report.public_id}.pdf", ContentFile(content), save=False)
    report.sha256 = hashlib.sha256(content).hexdigest()
    report.page_count = len(writer.pages)
    report.status = Report.Status.READY
    report.finished_at = timezone.now()
    report.error = ""
    report.plan = []  # needed only while rendering (at 50,000 rows it is a few hundred KB the lists would read)
    report.save()
    for row in rows.values():
        row.file.delete(save=False)
    ReportPart.objects.filter(report_id=report_id).delete()
    return report
