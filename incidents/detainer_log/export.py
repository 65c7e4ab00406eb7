"""The detainer log export (CSV, XLSX): one row per detainer, for auditors to take away.

Personal data: the view that serves it is access-logged (``AccessLog.Action.EXPORT``
with the row count) and reaches rows only through ``compliance.core.access``
(``export_reports`` in the agency; case A1). Formula injection is neutralised
by ``compliance.core.spreadsheets`` (case E1): text cells only, numbers untouched.

Columns. Every datetime is stored in UTC and written in the detainer's agency's
time zone, differently per format:

- CSV: agency-local text with the zone abbreviation, e.g. ``2026-01-05 09:00 CST``.
- XLSX: a real Excel date-time cell (sortable and filterable as a date) holding
  the agency-local *wall time* (naive: Excel has no time zones), number format
  ``yyyy-mm-dd hh:mm``. The zone stays visible: those columns' headers read
  e.g. ``received (agency local time)`` (``XLSX_COLUMNS``), an XLSX-only
  ``time_zone`` column before them names the agency's IANA zone
  (``America/Chicago``), and ``received_utc`` keeps the instant exact, even in
  the repeated hour when DST ends. Date-only values would be date cells
  (``yyyy-mm-dd``); this export has none.

=============================  ==================================================================
agency                         the agency's name and state
booking_number                 text
subject_name                   "Last, First"
a_number                       the I-247A's File No. (A and 9 digits), blank if not recorded
country_of_citizenship         two-letter ISO code as stated on the detainer
offense_level                  1, 2 or 3 (number; R3.3), blank if not recorded
charge                         the state or local charge (R4.4)
form, form_version             e.g. "I-247A", "I-247A (02/17)"
time_zone                      XLSX only: the agency's IANA time zone, e.g. "America/Chicago"
received                       agency-local (CSV text; XLSX date-time)
received_utc                   ISO 8601 UTC text (``2026-01-05T15:00:00Z``), for sorting and joins
would_otherwise_be_released    agency-local (CSV text; XLSX date-time): when state custody would
                               have ended
hold_deadline                  agency-local (CSV text; XLSX date-time): that + 48 hours (R4.7–R4.8)
warrant_type, warrant_signed   "I-200"/"I-205"/""; "yes"/"no"
served_on_subject_at           agency-local (CSV text; XLSX date-time) (R4.5)
ice_notified_at                agency-local (CSV text; XLSX date-time)
outcome, outcome_at            the outcome's label; agency-local (CSV text; XLSX date-time)
hours_after_deadline           outcome_at − hold_deadline in hours (number, 2 decimals): negative when
                               custody ended before the deadline, positive = held too long; blank
                               while pending or with no deadline
lift_reason                    ICE's lift reason as stored
hold_authorized                "yes"/"no": ``incidents.detainers.checks.hold_authorized`` at export time
failing_rules                  the rules that block the hold, e.g. "R4.3; R4.5" (blank when authorized);
                               "R4.1" first for an I-247N, which never authorizes a hold
open_findings                  number of findings about the detainer still open or acknowledged
=============================  ==================================================================

In the XLSX the agency-local columns are headed ``<name> (agency local time)``;
all other headers are the names above. An empty datetime is an empty cell.

Cost of ``hold_authorized``: the checks run per detainer in Python (reading
and checking measured at about 0.35 ms per detainer, ~6 min per million rows)
with the officer-authorization and other preloaded queries batched per 2,000
rows (``incidents.detainer_log.rows``), so an export's queries grow with
batches, not rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, tzinfo

from compliance.core.agency_time import in_zone
from compliance.core.spreadsheets import csv_lines, write_workbook
from incidents.detainer_log.rows import LogEntry

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
#: The datetime columns written in the agency's zone: text in the CSV, date-time cells in the XLSX.
LOCAL_DATETIME_COLUMNS = (
    "received",
    "would_otherwise_be_released",
    "hold_deadline",
    "served_on_subject_at",
    "ice_notified_at",
    "outcome_at",
)
#: The XLSX's columns (keys of ``_row_values``): the CSV's plus ``time_zone`` before ``received``.
_XLSX_KEYS = (
    *EXPORT_COLUMNS[: EXPORT_COLUMNS.index("received")],
    "time_zone",
    *EXPORT_COLUMNS[EXPORT_COLUMNS.index("received") :],
)
#: The XLSX's header row: agency-local date-time columns say so.
XLSX_COLUMNS = tuple(f"{key} (agency local time)" if key in LOCAL_DATETIME_COLUMNS else key for key in _XLSX_KEYS)
SHEET_TITLE = "Detainer log"


def utc_iso(value: datetime | None) -> str:
    """``2026-01-05T15:00:00Z`` for an aware datetime ('' for None)."""
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_wall_time(value: datetime | None, zone: tzinfo) -> datetime | None:
    """The naive wall time of the aware ``value`` in ``zone`` (None for None), for an XLSX date-time cell.

    E.g. 2026-03-09 15:00 UTC in America/Chicago (CDT since 8 March) → ``datetime(2026, 3, 9, 10, 0)``.
    """
    if value is None:
        return None
    return value.astimezone(zone).replace(tzinfo=None)


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


def _row_values(entry: LogEntry, local: Callable[[datetime | None], object]) -> dict:
    """One export line by column name; ``local`` renders each of ``LOCAL_DATETIME_COLUMNS``; no query."""
    detainer = entry.detainer
    agency = detainer.agency
    return {
        "agency": str(agency),
        "booking_number": detainer.booking_number,
        "subject_name": detainer.subject_name,
        "a_number": detainer.a_number,
        "country_of_citizenship": detainer.subject_country_of_citizenship,
        "offense_level": detainer.offense_level,
        "charge": detainer.underlying_charge,
        "form": detainer.form,
        "form_version": detainer.form_version,
        "time_zone": agency.time_zone,
        "received": local(detainer.received_at),
        "received_utc": utc_iso(detainer.received_at),
        "would_otherwise_be_released": local(detainer.would_be_released_at),
        "hold_deadline": local(detainer.hold_deadline),
        "warrant_type": detainer.warrant_type,
        "warrant_signed": _yes_no(detainer.warrant_signed),
        "served_on_subject_at": local(detainer.served_on_subject_at),
        "ice_notified_at": local(detainer.ice_notified_at),
        "outcome": detainer.get_outcome_display(),
        "outcome_at": local(detainer.outcome_at),
        "hours_after_deadline": hours_after_deadline(detainer),
        "lift_reason": detainer.lift_reason,
        "hold_authorized": _yes_no(entry.hold_authorized),
        "failing_rules": "; ".join(
            dict.fromkeys([*(["R4.1"] if entry.notification_only else []), *(c.rule for c in entry.blocking_failures)])
        ),
        "open_findings": entry.open_findings,
    }


def export_values(entry: LogEntry) -> tuple:
    """One CSV line as typed values (text ``str``, numbers ``int``, missing ``None``) in ``EXPORT_COLUMNS`` order.

    Datetimes are agency-local text with the zone abbreviation (``in_zone``). No query.
    """
    agency = entry.detainer.agency
    values = _row_values(entry, lambda value: in_zone(value, agency))
    return tuple(values[name] for name in EXPORT_COLUMNS)


def xlsx_values(entry: LogEntry) -> tuple:
    """One XLSX line in ``XLSX_COLUMNS`` order: as ``export_values`` but agency-local datetimes are naive
    ``datetime`` wall times (``local_wall_time``) and ``time_zone`` names the agency's zone. No query.
    """
    zone = entry.detainer.agency.zone
    values = _row_values(entry, lambda value: local_wall_time(value, zone))
    return tuple(values[key] for key in _XLSX_KEYS)


def detainer_csv_chunks(entries: Iterable[LogEntry]) -> Iterator[bytes]:
    """The export as UTF-8 CSV (byte order mark first, CRLF lines), one encoded line per chunk, for streaming."""
    for line in csv_lines(EXPORT_COLUMNS, (export_values(entry) for entry in entries)):
        yield line.encode("utf-8")


def detainer_xlsx_write(entries: Iterable[LogEntry], target) -> None:
    """The export as an XLSX workbook written to ``target`` (path or binary file); write-only, constant memory.

    Header ``XLSX_COLUMNS``; agency-local datetimes are date-time cells (``yyyy-mm-dd hh:mm``), text is
    neutralised (case E1), numbers stay numbers (``compliance.core.spreadsheets.write_workbook``).
    """
    write_workbook([(SHEET_TITLE, XLSX_COLUMNS, (xlsx_values(entry) for entry in entries))], target)
