"""Import of a detainer-log file (CSV or XLSX) as historical, facility-level detainer events.

For statistics only: each row is one detainer event at a
facility, with no subject data — e.g. ICE's Pennsylvania FOIA release
``shared/data/detainers/pa_detainers.csv`` (2007–2015, 32,757 rows).

=============  ===============================================================
column         meaning
=============  ===============================================================
date           required; ``YYYY-MM-DD`` or ``MM/DD/YYYY``, optionally with a
               time after it (as ICE writes ``2007-10-02 00:00:00``) and an
               offset; not in the future (the agency's today). A time without
               offset is read on the agency's clock and must be a real time
               there: same rule as the forms (case D3, ``parse_event_date``)
lift_reason    ICE's current lift reason or a known older wording
               (``incidents.detainers.lift_reasons``); blank = none recorded (still active)
det_facility   required; the facility where the detainer was lodged
city, state    optional
detainer_type  optional (e.g. ``I247D - Immigration Detainer - Request for Action``)
=============  ===============================================================

Only ``date`` and ``det_facility`` must be in the header; unknown or repeated
columns are refused. Reading the bytes (encodings, workbooks, zip bombs) is the
shared table reader, ``compliance.core.uploads.tables``.

Like the roster import: a preview of every row's outcome
first; then all rows or nothing (the default), or the valid rows only when the
user chooses so. The rows are statistics, not audited records: written with
``bulk_create`` in one transaction. The import itself is recorded — who, file
name, ``sha256``, row count — in an audited ``DetainerImport`` row; the same
file (same ``sha256``) is imported once per agency, a second time is refused
and changes nothing.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from compliance.core.audit import acting_as
from compliance.core.local_days import DAY_OUT_OF_RANGE_MESSAGE, day_in_range
from compliance.core.uploads.tables import RowError, RowLengthError, TableFileError, read_table
from incidents.detainer_import.models import DetainerEvent, DetainerImport
from incidents.detainers.lift_reasons import UnknownLiftReason, map_lift_reason
from incidents.detainers.local_time import nonexistent_time_message, repeated_time_message
from incidents.detainers.rules import AmbiguousLocalTime, NonexistentLocalTime, local_to_utc

COLUMNS = ("date", "lift_reason", "det_facility", "city", "state", "detainer_type")
REQUIRED = ("date", "det_facility")
MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
BATCH_SIZE = 2_000
NO_CURRENT_REASON = "(no current equivalent)"
NO_REASON = "(none recorded: still active)"
_LIMITS = {"det_facility": 120, "city": 60, "state": 40, "detainer_type": 100}


@dataclass
class EventsPreview:
    """What importing the file would do. ``readable`` False: ``file_error`` says why (nothing else is set)."""

    file_name: str
    sha256: str
    readable: bool = True
    file_error: str = ""
    rows: int = 0
    events: list[DetainerEvent] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    by_reason: list[tuple[str, int]] = field(default_factory=list)
    first_date: date | None = None
    last_date: date | None = None
    already_imported: DetainerImport | None = None

    @property
    def valid_rows(self) -> int:
        return len(self.events)

    @property
    def error_rows(self) -> int:
        return len({error.line for error in self.errors})

    @property
    def digest(self) -> str:
        """What the user confirms: the file's hash (the preview depends on nothing else)."""
        return self.sha256


@dataclass
class EventsImportResult:
    """What an import did (``ok``: the batch and its count), or why it did nothing.

    ``stale``: the file is not the one whose preview the user confirmed
    (``expected_digest``); nothing written, no error listed.
    """

    file_name: str
    ok: bool
    batch: DetainerImport | None = None
    imported: int = 0
    skipped: list[RowError] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    already_imported: bool = False
    stale: bool = False


def detainer_events_preview(*, agency, data: bytes, file_name: str, encoding: str = "utf-8") -> EventsPreview:
    """Read and validate every row of a detainer-log file; write nothing.

    Args:
        agency: the agency the events belong to (its zone gives "today").
        data: the file's bytes; file_name: its name (format messages only).
        encoding: for CSV, "utf-8" or "cp1252" (``compliance.core.uploads.tables``).

    Returns:
        An ``EventsPreview``: unsaved ``DetainerEvent`` objects for the valid rows,
        every row error (line, column, reason), counts per current lift reason,
        and the earlier import of the same file if there is one.
    """
    sha256 = hashlib.sha256(data).hexdigest()
    preview = EventsPreview(file_name=file_name, sha256=sha256)
    preview.already_imported = (
        DetainerImport.objects.filter(agency=agency, sha256=sha256, status=DetainerImport.Status.IMPORTED)
        .select_related("uploaded_by")
        .first()
    )
    try:
        rows = _read_rows(data, file_name=file_name, encoding=encoding)
    except TableFileError as exc:
        preview.readable = False
        preview.file_error = _file_error(exc)
        return preview
    today = timezone.localdate(timezone=agency.zone)
    reasons: Counter[str] = Counter()
    for line, values in rows:
        preview.rows += 1
        event, errors = _event(values, line=line, today=today, agency=agency)
        if errors:
            preview.errors.extend(errors)
            continue
        preview.events.append(event)
        reasons[_reason_label(event)] += 1
    preview.by_reason = reasons.most_common()
    if preview.events:
        preview.first_date = min(event.occurred_on for event in preview.events)
        preview.last_date = max(event.occurred_on for event in preview.events)
    return preview


def detainer_events_import(
    *,
    actor,
    agency,
    data: bytes,
    file_name: str,
    encoding: str = "utf-8",
    only_valid_rows: bool = False,
    expected_digest: str | None = None,
    pending: DetainerImport | None = None,
) -> EventsImportResult:
    """Import a detainer-log file's events into ``agency``, once per file.

    Args:
        actor: the importing user (the caller checked ``change_records``); the
            ``DetainerImport`` history is attributed to them.
        agency, data, file_name, encoding: as ``detainer_events_preview``.
        only_valid_rows: False — all or nothing (refused while any row has an
            error, every error listed); True — skip the rows with errors.
        expected_digest: the ``EventsPreview.digest`` the user confirmed (the
            file's hash); another file sets ``result.stale`` and writes nothing.
        pending: the uploaded ``DetainerImport`` to mark imported (web flow);
            None creates the record (management command).

    Returns:
        ``EventsImportResult``: ``ok`` with the batch and count; or not ``ok`` with
        the errors; ``already_imported`` when the same file (``sha256``) was
        imported into ``agency`` before (nothing written).
    """
    preview = detainer_events_preview(agency=agency, data=data, file_name=file_name, encoding=encoding)
    result = EventsImportResult(file_name=file_name, ok=False)
    if expected_digest is not None and expected_digest != preview.digest:
        result.stale = True
        return result
    if preview.already_imported is not None:
        result.already_imported = True
        result.errors = [_already_text(preview.already_imported)]
        return result
    if not preview.readable:
        result.errors = [preview.file_error]
        return result
    if preview.errors and not only_valid_rows:
        result.errors = [str(error) for error in preview.errors]
        return result
    if not preview.events:
        result.errors = ["No row of the file is valid: nothing to import."]
        return result
    try:
        with transaction.atomic(), acting_as(actor, reason=f"Detainer-log import: {file_name}"):
            batch = pending or DetainerImport(agency=agency, uploaded_by=actor, file_name=file_name[:200])
            batch.sha256 = preview.sha256
            batch.encoding = encoding
            batch.status = DetainerImport.Status.IMPORTED
            batch.only_valid_rows = only_valid_rows
            batch.row_count = len(preview.events)
            batch.rows_skipped = preview.error_rows
            batch.finished_at = timezone.now()
            batch.save()
            for event in preview.events:
                event.batch = batch
            DetainerEvent.objects.bulk_create(preview.events, batch_size=BATCH_SIZE)
    except IntegrityError:
        # Another import of the same file committed first (the unique constraint).
        result.already_imported = True
        result.errors = ["This file was just imported into this agency by another request; nothing was changed."]
        return result
    result.ok = True
    result.batch = batch
    result.imported = len(preview.events)
    result.skipped = preview.errors if only_valid_rows else []
    return result


def _already_text(batch: DetainerImport) -> str:
    when = timezone.localtime(batch.finished_at or batch.created_at, batch.agency.zone)
    return (
        f"This file (same content, sha256 {batch.sha256[:12]}…) was already imported into {batch.agency.name} "
        f"on {when:%Y-%m-%d %H:%M %Z} by {batch.uploaded_by.get_username()}: nothing to import."
    )


def _reason_label(event: DetainerEvent) -> str:
    if event.lift_reason:
        return event.lift_reason
    return NO_CURRENT_REASON if event.lift_reason_raw else NO_REASON


def _read_rows(data: bytes, *, file_name: str, encoding: str) -> list[tuple[int, dict]]:
    return read_table(
        data, file_name=file_name, encoding=encoding, columns=COLUMNS, required=REQUIRED, max_rows=MAX_ROWS
    )[1]


def _file_error(exc: TableFileError) -> str:
    """Why the file cannot be read; a row of the wrong length is worded as this log always said."""
    if isinstance(exc, RowLengthError):
        return f"Line {exc.line} has {exc.values} values but the header has {exc.columns} columns."
    return exc.message


def parse_event_date(text: str, *, zone: ZoneInfo) -> date:
    """The date of a detainer-log cell, on the agency's clock.

    Args:
        text: ``YYYY-MM-DD`` or ``MM/DD/YYYY``, optionally followed (after a
            space, or ``T`` for ISO dates) by a time ``HH:MM[:SS[.ffffff]]`` and
            optionally a UTC offset (``-05:00``, ``Z``).
        zone: the agency's IANA zone.

    Returns:
        A date. Without a time, the date as written. A time without an offset
        is a reading of the agency's clock: the date as written, once the time
        is known to be real there. A time with an offset is an instant: its
        date on the agency's clock.

    Raises:
        NonexistentLocalTime: the clock skipped that time in ``zone``
            (2026-03-08 02:30 in America/Chicago).
        AmbiguousLocalTime: the clock showed that time twice in ``zone``
            (2026-11-01 01:30 in America/Chicago) and no offset says which.
        ValueError: any other form, an impossible date (no day/month swap is
            guessed), or a date outside the app's calendar (``compliance.core.local_days``:
            1900-01-01 to 2199-12-31, as on the forms). The two above are ``ValueError`` too.

    Source: case D3 (CASES.md: "Imports apply the same rule"), through
    ``incidents.detainers.rules.local_to_utc`` as the forms.
    """
    text = text.strip()
    head, _, tail = text.partition(" ")
    if not tail and "T" in head:
        head, _, tail = head.partition("T")
    day = _parse_day(head, text)
    tail = tail.strip()
    if not tail:
        return day
    try:
        clock = time.fromisoformat(tail)
    except ValueError:
        raise ValueError(f"{text!r} has a time that is not HH:MM or HH:MM:SS (24-hour).") from None
    moment = datetime.combine(day, clock)
    if moment.tzinfo is not None:
        return moment.astimezone(zone).date()
    local_to_utc(moment, zone, fold=None)  # refuses a skipped or repeated time
    return day


def _parse_day(head: str, text: str) -> date:
    for pattern in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            day = datetime.strptime(head, pattern).date()  # noqa: DTZ007 (a date only)
        except ValueError:
            continue
        if not day_in_range(day):  # as on the forms: no 0001-01-01 read on a clock east of UTC
            raise ValueError(f"{text!r}: {DAY_OUT_OF_RANGE_MESSAGE}")
        return day
    raise ValueError(f"{text!r} is not a date (YYYY-MM-DD or MM/DD/YYYY).")


def _date_error(exc: ValueError) -> str:
    """The row message for a bad date cell; a skipped or repeated time reads as on the forms (case D3)."""
    if isinstance(exc, NonexistentLocalTime):
        return nonexistent_time_message(exc)
    if isinstance(exc, AmbiguousLocalTime):
        examples = " or ".join(
            f'"{choice.isoformat(sep=" ", timespec="minutes")}"' for choice in (exc.earlier, exc.later)
        )
        return repeated_time_message(exc, choose=f"Say which with its UTC offset: {examples}.")
    return str(exc)


def _event(values: dict, *, line: int, today: date, agency) -> tuple[DetainerEvent | None, list[RowError]]:
    errors: list[RowError] = []
    occurred_on = None
    if not values["date"]:
        errors.append(RowError(line, "date", "required."))
    else:
        try:
            occurred_on = parse_event_date(values["date"], zone=agency.zone)
        except ValueError as exc:
            errors.append(RowError(line, "date", _date_error(exc)))
        else:
            if occurred_on > today:
                errors.append(RowError(line, "date", f"{occurred_on} is in the future."))
    if not values["det_facility"]:
        errors.append(RowError(line, "det_facility", "required."))
    for column, limit in _LIMITS.items():
        if len(values[column]) > limit:
            errors.append(RowError(line, column, f"longer than {limit} characters."))
    raw_reason = " ".join(values["lift_reason"].split())
    mapped = ""
    try:
        mapped = map_lift_reason(raw_reason)
    except UnknownLiftReason as exc:
        errors.append(RowError(line, "lift_reason", str(exc)))
    if errors:
        return None, errors
    event = DetainerEvent(
        agency=agency,
        occurred_on=occurred_on,
        lift_reason=mapped,
        lift_reason_raw=raw_reason[:100],
        facility=values["det_facility"],
        city=values["city"],
        state=values["state"],
        detainer_type=values["detainer_type"],
    )
    return event, []
