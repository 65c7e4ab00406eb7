"""The detainer log export (CSV, XLSX): one row per detainer, for auditors to take away.

Personal data: the view that serves it is access-logged (``AccessLog.Action.EXPORT``
with the row count) and reaches rows only through ``compliance.access``
(``export_reports`` in the agency; case A1). Formula injection is neutralised
by ``compliance.spreadsheets`` (case E1): text cells only, numbers untouched.

Columns (every datetime stored in UTC is written as agency-local text with the
zone abbreviation, e.g. ``2026-01-05 09:00 CST``; XLSX cannot hold an aware
datetime, so text keeps the instant exact in both formats):

=============================  ==================================================================
agency                         the agency's name and state
booking_number                 text
subject_name                   "Last, First"
a_number                       the I-247A's File No. (A and 9 digits), blank if not recorded
country_of_citizenship         two-letter ISO code as stated on the detainer
offense_level                  1, 2 or 3 (number; R3.3), blank if not recorded
charge                         the state or local charge (R4.4)
form, form_version             e.g. "I-247A", "I-247A (02/17)"
received                       agency-local text
received_utc                   ISO 8601 UTC (``2026-01-05T15:00:00Z``), for sorting and joins
would_otherwise_be_released    agency-local text: when state custody would have ended
hold_deadline                  agency-local text: that + 48 hours (R4.7–R4.8)
warrant_type, warrant_signed   "I-200"/"I-205"/""; "yes"/"no"
served_on_subject_at           agency-local text (R4.5)
ice_notified_at                agency-local text
outcome, outcome_at            the outcome's label; agency-local text
hours_after_deadline           outcome_at − hold_deadline in hours (number, 2 decimals): negative when
                               custody ended before the deadline, positive = held too long; blank
                               while pending or with no deadline
lift_reason                    ICE's lift reason as stored
hold_authorized                "yes"/"no": ``incidents.checks.hold_authorized`` at export time
failing_rules                  the rules that block the hold, e.g. "R4.3; R4.5" (blank when authorized)
open_findings                  number of findings about the detainer still open or acknowledged
=============================  ==================================================================

Cost of ``hold_authorized``: the checks run per detainer in Python (reading
and checking measured at about 0.35 ms per detainer, ~6 min per million rows)
with the officer-authorization and other preloaded queries batched per 2,000
rows (``incidents.detainer_log_rows``), so an export's queries grow with
batches, not rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from compliance.spreadsheets import csv_lines, write_workbook
from compliance.templatetags.agency_time import in_zone
from incidents.detainer_log_rows import LogEntry

EXPORT_COLUMNS = (
    "agency",
    "booking_number",
    "subject_name",
    "a_number",
    "country_of_citizenship",
    "offense_level",
    "charge",
    "form",
    "form_version",
    "received",
    "received_utc",
    "would_otherwise_be_released",
    "hold_deadline",
    "warrant_type",
    "warrant_signed",
    "served_on_subject_at",
    "ice_notified_at",
    "outcome",
    "outcome_at",
    "hours_after_deadline",
    "lift_reason",
    "hold_authorized",
    "failing_rules",
    "open_findings",
)
SHEET_TITLE = "Detainer log"


def utc_iso(value: datetime | None) -> str:
    """``2026-01-05T15:00:00Z`` for an aware datetime ('' for None)."""
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def hours_after_deadline(detainer) -> int | float | None:
    """Real hours from the hold deadline to the outcome (negative = before it); None while pending or unknown.

    Elapsed time between two instants, so a DST change in between does not shift it.
    Whole hours are an ``int`` (``-3``), others a ``float`` rounded to 2 decimals.
    """
    if detainer.hold_deadline is None or detainer.outcome_at is None or detainer.is_open:
        return None
    hours = round((detainer.outcome_at - detainer.hold_deadline).total_seconds() / 3600, 2)
    return int(hours) if hours == int(hours) else hours


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def export_values(entry: LogEntry) -> tuple:
    """One export line as typed values (text ``str``, numbers ``int``, missing ``None``); no query."""
    detainer = entry.detainer
    agency = detainer.agency

    def local(value):
        return in_zone(value, agency)

    return (
        str(agency),
        detainer.booking_number,
        f"{detainer.subject_last_name}, {detainer.subject_first_name}",
        detainer.a_number,
        detainer.subject_country_of_citizenship,
        detainer.offense_level,
        detainer.underlying_charge,
        detainer.form,
        detainer.form_version,
        local(detainer.received_at),
        utc_iso(detainer.received_at),
        local(detainer.would_be_released_at),
        local(detainer.hold_deadline),
        detainer.warrant_type,
        _yes_no(detainer.warrant_signed),
        local(detainer.served_on_subject_at),
        local(detainer.ice_notified_at),
        detainer.get_outcome_display(),
        local(detainer.outcome_at),
        hours_after_deadline(detainer),
        detainer.lift_reason,
        _yes_no(entry.hold_authorized),
        "; ".join(dict.fromkeys(check.rule for check in entry.blocking_failures)),
        entry.open_findings,
    )


def detainer_csv_chunks(entries: Iterable[LogEntry]) -> Iterator[bytes]:
    """The export as UTF-8 CSV (byte order mark first, CRLF lines), one encoded line per chunk, for streaming."""
    for line in csv_lines(EXPORT_COLUMNS, (export_values(entry) for entry in entries)):
        yield line.encode("utf-8")


def detainer_xlsx_write(entries: Iterable[LogEntry], target) -> None:
    """The export as an XLSX workbook written to ``target`` (path or binary file); write-only, constant memory."""
    write_workbook([(SHEET_TITLE, EXPORT_COLUMNS, (export_values(entry) for entry in entries))], target)
