"""Report "Detainer log": every detainer an agency received in a period, checked, for auditors.

Period: the ``PERIOD_DAYS`` (90) agency-local days ending on the report's
``as_of`` date, both ends included, or from the report's ``period_start`` —
about a quarter, the span an ICE or internal inspection reviews. A detainer
belongs to the period by the agency-local date it was *received*.

Layout (issue #13 item 4: dense and in parts rendered in parallel, ``compliance.reports.engine``):

1. the cover: what the report covers, the summary figures and the legend of the short codes;
2. the log: one line per detainer — booking, subject, received, the checks' verdict as a short
   code (``HOLD``, ``NOTIF``, or ``NO`` and the rules of the failing checks), outcome, hold deadline
   and the release against it (``ON TIME``, ``LATE``, ``HELD PAST``), open findings, and "A-12"
   when the appendix holds narratives about it — in parts of ``ROWS_PER_PART`` detainers;
3. the appendix: each such detainer's narratives in full (``incidents.detainer_log.rows``: the
   U.S.-citizenship claim's details and resolution, then each linked incident's title,
   description and review), numbered A-1, A-2… in log order, in parts of at most
   ``APPENDIX_PER_PART`` detainers.

Everything is asked at ``Report.checked_at`` (the end of the ``as_of`` day in the agency's zone, or
the request time if earlier): the checks, the release against the deadline, and the findings open at
that instant (``rows.open_findings_at``), so rendering it again later gives the same PDF.

The plan is cheap (``detainer_log_plan``, run again by every part's task): one query for the keys
that start each ``ROWS_PER_PART`` chunk and one for the ids of the detainers with narratives. A part
reads only its own rows (a keyset range on ``received_at, pk``).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from compliance.reports.kinds import Part, ReportKind, ReportRun
from compliance.reports.periods import cover_context, report_period
from incidents.detainer_log.rows import (
    HELD_PAST_DEADLINE,
    RELEASE_LATE,
    RELEASE_ON_TIME,
    LogEntry,
    detainer_log_entries,
    detainer_log_queryset,
    detainer_narratives,
    has_narrative,
)

TEMPLATE = "reports/detainer_log.html"
ROWS_TEMPLATE = "reports/detainer_log_rows.html"
APPENDIX_TEMPLATE = "reports/detainer_log_appendix.html"
TITLE = "Detainer log"

#: Detainers per log part (about 5 pages). WeasyPrint's time grows a little faster than the rows, and
#: small parts spread evenly over the worker processes; 250 measured best (docs/performance.md).
ROWS_PER_PART = 250
#: Detainers with narratives per appendix part (a narrative can run to many pages).
APPENDIX_PER_PART = 40

#: The checks' verdict and the release, as the log prints them (the cover's legend explains them).
VERDICT_HOLD = "HOLD"
VERDICT_NOTIFICATION = "NOTIF"
VERDICT_NO = "NO"
#: The outcome as the log prints it: short words, the legend gives the full meaning.
OUTCOME_CODES = {"pending": "Pending", "transferred": "Transferred", "released": "Released", "lifted": "Lifted"}
RELEASE_CODES = {RELEASE_ON_TIME: "ON TIME", RELEASE_LATE: "LATE", HELD_PAST_DEADLINE: "HELD PAST"}

#: Widths (characters) of the log's fixed-format columns, in order; the verdict comes last and takes what it needs.
FIXED_COLUMNS = (
    ("Received", 16),
    ("Outcome", 28),  # "Transferred 2026-09-04 02:05"
    ("Deadline", 16),
    ("Release", 9),  # "HELD PAST"
    ("Find", 4),
    ("Notes", 6),  # "A-1234"
    ("Form", 6),
    ("Checks", 0),
)
_W_RECEIVED, _W_OUTCOME, _W_DEADLINE, _W_RELEASE, _W_FINDINGS, _W_NOTES, _W_FORM, _ = (w for _, w in FIXED_COLUMNS)
#: The fixed cell's column headers, padded like the lines (``LogLine.fixed_lead`` …).
FIXED_HEADER = "  ".join(
    f"{name:>{width}}" if name == "Find" else f"{name:<{width}}" for name, width in FIXED_COLUMNS
).rstrip()


@dataclass(frozen=True)
class DetainerLogCounts:
    """The summary on the cover."""

    received: int
    holds_authorized: int
    released_after_deadline: int
    held_past_deadline: int
    open_findings: int


@dataclass(frozen=True)
class LogLine:
    """One detainer as its line in the log prints it (strings already formatted in the agency's zone)."""

    booking: str
    subject: str
    charge: str
    form: str
    received: str
    verdict: str  # VERDICT_HOLD, VERDICT_NOTIFICATION or "NO R4.3 R4.5"
    refused: bool
    outcome: str
    deadline: str
    release: str  # a RELEASE_CODES value or ""
    release_late: bool
    findings: int
    appendix: str  # "A-12", or "" when nothing is in the appendix about it

    # The log prints the generated fields (times, codes) in one monospaced cell, each padded to its column's
    # width (``FIXED_WIDTHS``), so they line up under ``FIXED_HEADER`` at the cost of one box; the typed ones
    # (booking, subject, charge) stay in their own cell, which wraps a long value instead of cutting it.

    @property
    def fixed_lead(self) -> str:
        """Received, outcome and deadline, padded: the part of the fixed cell before the release code."""
        return f"{self.received:<{_W_RECEIVED}}  {self.outcome:<{_W_OUTCOME}}  {self.deadline:<{_W_DEADLINE}}  "

    @property
    def fixed_release(self) -> str:
        return f"{self.release:<{_W_RELEASE}}"

    @property
    def fixed_mid(self) -> str:
        """Findings, the appendix number and the form, padded: the part between the release and the verdict."""
        return f"  {self.findings:>{_W_FINDINGS}}  {self.appendix:<{_W_NOTES}}  {self.form:<{_W_FORM}}  "


def verdict_code(entry: LogEntry) -> str:
    """The checks' verdict on ``entry`` as a short code: ``HOLD``, ``NOTIF`` (an I-247N, R4.1), or ``NO``
    followed by the rule of each failing check that blocks a hold, e.g. ``NO R4.3 R4.5``."""
    if entry.hold_authorized:
        return VERDICT_HOLD
    failures = entry.blocking_failures
    if entry.notification_only and not failures:
        return VERDICT_NOTIFICATION
    return " ".join([VERDICT_NO, *(check.rule for check in failures)])


def local_minute(value: datetime, zone) -> str:
    """``value`` (aware) as ``YYYY-MM-DD HH:MM`` in ``zone`` — with the zone's abbreviation only in the hour a
    DST change repeats (01:30 CDT and 01:30 CST), where the bare time would be ambiguous. The log's header
    names the zone once for the rest."""
    local = value.astimezone(zone)
    text = local.strftime("%Y-%m-%d %H:%M")
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        text += local.strftime(" %Z")
    return text


def _line(entry: LogEntry, agency, appendix: str) -> LogLine:
    detainer = entry.detainer
    zone = agency.zone
    outcome = OUTCOME_CODES.get(detainer.outcome, detainer.get_outcome_display())
    if detainer.outcome_at:
        outcome = f"{outcome} {local_minute(detainer.outcome_at, zone)}"
    return LogLine(
        booking=detainer.booking_number,
        subject=detainer.subject_name,
        charge=detainer.underlying_charge,
        form=detainer.form,
        received=local_minute(detainer.received_at, zone),
        verdict=verdict_code(entry),
        refused=not entry.hold_authorized and not (entry.notification_only and not entry.blocking_failures),
        outcome=outcome,
        deadline=local_minute(detainer.hold_deadline, zone) if detainer.hold_deadline else "not known",
        release=RELEASE_CODES.get(entry.release, ""),
        release_late=entry.release in (RELEASE_LATE, HELD_PAST_DEADLINE),
        findings=entry.open_findings,
        appendix=appendix,
    )


def _queryset(run: ReportRun):
    return detainer_log_queryset(
        agencies=[run.report.agency], received_from=run.period.first_day, received_to=run.period.last_day
    )


def _chunk_starts(run: ReportRun) -> list[tuple[str, int]]:
    """The (received_at ISO, pk) key of the first detainer of every chunk of ``ROWS_PER_PART`` in log order:
    one query (row numbers over the period's rows; only the chunks' first rows come back)."""
    ranked = (
        _queryset(run)
        .order_by()
        .annotate(position=Window(RowNumber(), order_by=[F("received_at").asc(), F("pk").asc()]))
        .values("received_at", "pk", "position")
    )
    sql, params = ranked.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM (" + sql + ") ranked "  # noqa: S608 (Django's own SQL)
            "WHERE (ranked.position - 1) %% %s = 0 ORDER BY ranked.position",
            [*params, ROWS_PER_PART],
        )
        rows = cursor.fetchall()
    return [(_aware(received_at).isoformat(), pk) for received_at, pk, _position in rows]


def _aware(value) -> datetime:
    # SQLite hands back text for a column read through raw SQL; PostgreSQL an aware datetime.
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if timezone.is_aware(value) else timezone.make_aware(value, UTC)


def _narratives(run: ReportRun) -> list[tuple[datetime, int]]:
    """(received_at, id) of the period's detainers with narratives, in log order: A-1 is the first (one query)."""
    return list(_queryset(run).filter(has_narrative()).values_list("received_at", "pk"))


def detainer_log_plan(run: ReportRun) -> list[Part]:
    """The parts of a detainer log: the cover, the log in chunks of ``ROWS_PER_PART``, the appendix.

    Two queries (``_chunk_starts``, ``_narratives``), whatever the size of the log. A log part's ``params``:
    ``start``/``stop`` (the (received_at ISO, pk) keys of its first row and of the next part's first row, or
    None at the end) and ``appendix`` ([detainer id, A-number] of its lines with narratives: the part needs no
    query of the whole period to number them).
    An appendix part's: ``ids`` (its detainers, in order) and ``first`` (the A-number of the first).
    """
    starts = _chunk_starts(run)
    narratives = _narratives(run)
    # Which chunk each narrative's detainer falls in: the last chunk starting at or before its key.
    start_keys = [(_key_from(list(start))) for start in starts]
    in_chunk: dict[int, list[list[int]]] = {}
    for number, (received_at, pk) in enumerate(narratives, start=1):
        index = bisect_right(start_keys, (_aware(received_at), pk)) - 1
        in_chunk.setdefault(index, []).append([pk, number])
    parts = [Part(template=TEMPLATE, toc_entry="Summary")]
    for index, start in enumerate(starts):
        stop = starts[index + 1] if index + 1 < len(starts) else None
        parts.append(
            Part(
                template=ROWS_TEMPLATE,
                params={
                    "start": list(start),
                    "stop": list(stop) if stop else None,
                    "appendix": in_chunk.get(index, []),
                },
                toc_entry="Detainers" if index == 0 else "",
                landscape=True,
            )
        )
    if not starts:
        parts.append(Part(template=ROWS_TEMPLATE, params={"start": None, "stop": None, "appendix": []}, landscape=True))
    ids = [pk for _received_at, pk in narratives]
    for first in range(0, len(ids), APPENDIX_PER_PART):
        parts.append(
            Part(
                template=APPENDIX_TEMPLATE,
                params={"ids": ids[first : first + APPENDIX_PER_PART], "first": first + 1},
                toc_entry="Appendix: narratives" if first == 0 else "",
            )
        )
    return parts


def _key_from(key: list) -> tuple[datetime, int]:
    return parse_datetime(key[0]), key[1]


def _chunk(run: ReportRun, part: Part):
    """The detainers of log part ``part``: those from its ``start`` key (included) to its ``stop`` key (excluded)."""
    queryset = _queryset(run)
    if part.params["start"] is None:
        return queryset.none()
    received_at, pk = _key_from(part.params["start"])
    queryset = queryset.filter(Q(received_at__gt=received_at) | Q(received_at=received_at, pk__gte=pk))
    if part.params["stop"] is not None:
        received_at, pk = _key_from(part.params["stop"])
        queryset = queryset.filter(Q(received_at__lt=received_at) | Q(received_at=received_at, pk__lt=pk))
    return queryset


def _appendix_numbers(part: Part) -> dict[int, str]:
    return {pk: f"A-{number}" for pk, number in part.params["appendix"]}


def detainer_log_counts(run: ReportRun) -> tuple[DetainerLogCounts, list[tuple[str, str]]]:
    """The cover's summary figures over the whole period, and the legend of the failing checks' rules.

    Returns ``DetainerLogCounts`` and ``[(rule, check name)]`` of every check that failed and blocked a
    hold on some detainer of the log, sorted by rule. Reads every detainer with its checks (batched,
    ``detainer_log_entries``) but no narratives.
    """
    at = run.period.checked_at
    received = authorized = late = held_past = findings = 0
    rules: dict[str, str] = {}
    for entry in detainer_log_entries(_queryset(run), at=at, findings_at=at):
        received += 1
        authorized += entry.hold_authorized
        late += entry.release == RELEASE_LATE
        held_past += entry.release == HELD_PAST_DEADLINE
        findings += entry.open_findings
        for check in entry.blocking_failures:
            rules.setdefault(check.rule, check.name)
    counts = DetainerLogCounts(
        received=received,
        holds_authorized=authorized,
        released_after_deadline=late,
        held_past_deadline=held_past,
        open_findings=findings,
    )
    return counts, sorted(rules.items())


def detainer_log_part_context(run: ReportRun, part: Part) -> dict:
    """Template context of one part of the detainer log (``detainer_log_plan``).

    The cover: ``counts`` (``DetainerLogCounts``), ``legend`` ([(rule, check name)]). A log part:
    ``lines`` (``LogLine`` list, log order). An
    appendix part: ``entries`` ([(A-number, ``LogLine``, [narrative])]). Queries: a fixed number per
    2,000 detainers read (``incidents.detainer_log.rows``), never per detainer.
    """
    agency = run.report.agency
    at = run.period.checked_at
    if part.template == TEMPLATE:
        counts, legend = detainer_log_counts(run)
        return {"counts": counts, "legend": legend, "period_note": True}
    if part.template == ROWS_TEMPLATE:
        numbers = _appendix_numbers(part)
        entries = detainer_log_entries(_chunk(run, part), at=at, findings_at=at)
        lines = [_line(entry, agency, numbers.get(entry.detainer.pk, "")) for entry in entries]
        return {"lines": lines, "fixed_header": FIXED_HEADER}
    ids = part.params["ids"]
    queryset = _queryset(run).filter(pk__in=ids)
    by_pk = OrderedDict((entry.detainer.pk, entry) for entry in detainer_log_entries(queryset, at=at, findings_at=at))
    notes = detainer_narratives([by_pk[pk].detainer for pk in ids if pk in by_pk])
    return {
        "entries": [
            (f"A-{part.params['first'] + offset}", _line(by_pk[pk], agency, ""), notes.get(pk, []))
            for offset, pk in enumerate(ids)
            if pk in by_pk
        ]
    }


def detainer_log_context(*, report, generated_at) -> dict:
    """The whole log in one context (tests and one-off checks; the report itself renders in parts).

    Args:
        report: the ``compliance.Report`` (agency and requester loaded).
        generated_at: aware datetime the rendering started (used when the report has no ``checked_at``).

    Returns:
        The cover keys (``cover_context``), ``rows`` (``LogEntry`` list, oldest received first, with
        ``notes``), ``counts`` (``DetainerLogCounts``) and ``legend`` — the same figures the PDF's cover
        prints, findings counted as they stood at ``checked_at``.
    """
    period = report_period(report=report, generated_at=generated_at)
    run = ReportRun(report=report, period=period)
    rows = list(
        detainer_log_entries(_queryset(run), at=period.checked_at, with_notes=True, findings_at=period.checked_at)
    )
    counts, legend = detainer_log_counts(run)
    return {
        **cover_context(report=report, title=TITLE, period=period, generated_at=generated_at),
        "rows": rows,
        "counts": counts,
        "legend": legend,
    }


KIND = ReportKind(
    title=TITLE,
    plan=detainer_log_plan,
    part_context=detainer_log_part_context,
    templates=(TEMPLATE, ROWS_TEMPLATE, APPENDIX_TEMPLATE),
    toc=False,
)
