"""Roster import from a CSV file: every row or nothing, every bad row reported.

The file (one row per officer and course; an officer may have several rows):

=====================  ==========================================================
column                 meaning
=====================  ==========================================================
badge_number           required; matches an existing officer of the agency exactly
last_name, first_name  required for a new officer; blank means "leave as is"
unit, email            optional; blank means "leave as is"
course_code            a course code of the agency; blank: no certification on the row
completed_on           ``YYYY-MM-DD`` or ``MM/DD/YYYY`` (US order, ``3/4/2025`` is
                       4 March); required when ``course_code`` is given
certificate_number     optional
=====================  ==========================================================

Only ``badge_number`` must be in the header; a missing column is blank on every
row. Unknown or repeated column names are refused (a typo would otherwise drop
data silently). The first row is the header; blank lines are skipped.

Encoding (case T4): UTF-8, with or without the byte order mark Excel writes
("CSV UTF-8"). A file that is not valid UTF-8 is refused whole with the line of
the first bad byte, unless the user says it is Windows-1252 (Excel's plain
"CSV (Comma delimited)"); a file that reads as UTF-8 is always read as UTF-8, so
choosing Windows-1252 by mistake cannot garble ``Nguyễn``. Nothing is ever
decoded with replacement characters.

Dates (case T5): only the two documented formats; ``13/04/2025`` is an error
(month 13), never a silent day/month swap.

Rows (case T6): a row whose badge matches an officer updates that officer's
non-blank columns; a new badge adds an officer with status "designated" (set
another status on the officer page); a row with a course adds a certification (``expires_on``
derived by ``rules.certification_expires_on``), unless the same officer,
course and completion date is already recorded (re-importing a file adds
nothing). Every history row is attributed to the importing user with the
reason "Roster import: <file name>".
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from compliance.audit import acting_as
from training import rules, services
from training.models import Certification, Course, Officer

COLUMNS = (
    "badge_number",
    "last_name",
    "first_name",
    "unit",
    "email",
    "course_code",
    "completed_on",
    "certificate_number",
)
OFFICER_COLUMNS = ("last_name", "first_name", "unit", "email")
MAX_LENGTHS = {
    "badge_number": 30,
    "last_name": 100,
    "first_name": 100,
    "unit": 100,
    "email": 254,
    "course_code": 30,
    "certificate_number": 60,
}
ENCODINGS = {
    "utf-8": "UTF-8 (Excel: CSV UTF-8)",
    "cp1252": "Windows-1252 (Excel: CSV, comma delimited)",
}
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000

TEMPLATE_CSV = (
    ",".join(COLUMNS)
    + "\r\n"
    + "A-1042,Example,Alex,Jail Division,alex.example@agency.example,IADP,2025-03-04,C-55012\r\n"
)

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
DATE_FORMAT_HINT = "use YYYY-MM-DD (2025-03-04) or MM/DD/YYYY (03/04/2025)"


class RosterFileError(Exception):
    """The whole file is unreadable (encoding, header, size); nothing was imported."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class RowError:
    """One problem: the file line (1 = header; None for the whole file), the column and why."""

    line: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Line {self.line}" if self.line else "File"
        return f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


@dataclass
class RosterImportResult:
    """What an import did, or every reason it did nothing (``errors`` non-empty → nothing saved)."""

    file_name: str
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    officers_created: int = 0
    officers_updated: int = 0
    officers_unchanged: int = 0
    certifications_created: int = 0
    certifications_already_recorded: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    line: int
    values: dict[str, str]
    course: Course | None = None
    completed_on: date | None = None


def parse_import_date(value: str) -> date:
    """Parse a roster date: ``YYYY-MM-DD`` or US ``MM/DD/YYYY`` (case T5).

    ``3/4/2025`` → 2025-03-04; ``2025-03-04`` → 2025-03-04.

    Raises:
        ValueError: with the reason to show, for any other format (``05/082025``),
            a month above 12 (``13/04/2025``: no day/month swap) or a day that does
            not exist (``2025-02-30``).
    """
    iso = _ISO_DATE.match(value)
    us = _US_DATE.match(value)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    elif us:
        month, day, year = (int(part) for part in us.groups())
    else:
        raise ValueError(f"“{value}” is not a date: {DATE_FORMAT_HINT}.")
    if not 1 <= month <= 12:
        raise ValueError(f"“{value}” has month {month}: {DATE_FORMAT_HINT} (month first in the US format).")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"“{value}” is not a real date (no day {day} in month {month} of {year}).") from None


def decode_roster(data: bytes, encoding: str = "utf-8") -> str:
    """The file's text: UTF-8 (BOM dropped) when valid, else Windows-1252 if chosen, else refused.

    Raises:
        RosterFileError: not valid in the encoding (naming the line and byte), a
            UTF-16 file, or NUL characters.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RosterFileError("The file is UTF-16 (Excel “Unicode text”). Save it as “CSV UTF-8” and upload again.", 1)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        if encoding != "cp1252":
            raise _encoding_error(data, utf8_error, "UTF-8") from None
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as cp1252_error:
            raise _encoding_error(data, cp1252_error, "Windows-1252") from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise RosterFileError("The file contains NUL characters: it is not a CSV text file.", line)
    return text


def _encoding_error(data: bytes, error: UnicodeDecodeError, name: str) -> RosterFileError:
    line = data.count(b"\n", 0, error.start) + 1
    byte = data[error.start]
    hint = (
        "If Excel saved it as “CSV (Comma delimited)”, choose Windows-1252 as the encoding, "
        "or save it as “CSV UTF-8” and upload again."
        if name == "UTF-8"
        else "Save it as “CSV UTF-8” and upload again."
    )
    return RosterFileError(
        f"Encoding problem: the file is not valid {name} (byte 0x{byte:02X} on line {line}). {hint} "
        "Nothing was imported.",
        line,
    )


def _clean(value: str) -> str:
    # NFC so that a name typed on a Mac (decomposed accents) matches one typed elsewhere.
    return unicodedata.normalize("NFC", value).strip()


def _read_rows(text: str) -> tuple[list[str], list[_Row]]:
    """Header columns and data rows with their starting line numbers."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[_Row] = []
    header: list[str] | None = None
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise RosterFileError(f"The CSV cannot be read at line {start}: {exc}.", start) from None
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = _read_header(cells, start)
            continue
        while len(cells) > len(header) and not cells[-1].strip():
            cells.pop()  # trailing empty cells, as some spreadsheets write them
        if len(cells) != len(header):
            raise RosterFileError(
                f"Line {start} has {len(cells)} values but the header has {len(header)} columns "
                "(a comma inside a value must be in double quotes).",
                start,
            )
        if len(rows) >= MAX_ROWS:
            raise RosterFileError(f"The file has more than {MAX_ROWS} rows; split it.", start)
        values = {column: "" for column in COLUMNS}
        values.update({column: _clean(cell) for column, cell in zip(header, cells, strict=True)})
        rows.append(_Row(line=start, values=values))
    if header is None:
        raise RosterFileError("The file is empty: the first line must be the header (" + ", ".join(COLUMNS) + ").", 1)
    return header, rows


def _read_header(cells: list[str], line: int) -> list[str]:
    header = [_clean(cell).lower().replace(" ", "_") for cell in cells]
    while header and not header[-1]:
        header.pop()
    unknown = [name or "(blank)" for name in header if name not in COLUMNS]
    if unknown:
        raise RosterFileError(
            f"Unknown column(s) in the header: {', '.join(unknown)}. Columns are: {', '.join(COLUMNS)}.", line
        )
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise RosterFileError(f"Column(s) repeated in the header: {', '.join(repeated)}.", line)
    if "badge_number" not in header:
        raise RosterFileError("The header has no badge_number column.", line)
    return header


def _validate(rows: list[_Row], *, agency, existing: dict[str, Officer], courses: dict[str, Course]) -> list[RowError]:
    """Every problem in every row (no writes). Fills ``row.course`` and ``row.completed_on``."""
    errors: list[RowError] = []
    today = rules.agency_today(agency)
    first_value: dict[tuple[str, str], tuple[str, int]] = {}  # (badge, column) → (value, line)
    seen_badges: set[str] = set()
    seen_certifications: dict[tuple[str, int, date], int] = {}

    for row in rows:
        values = row.values
        for column, limit in MAX_LENGTHS.items():
            if len(values[column]) > limit:
                errors.append(RowError(row.line, column, f"is longer than {limit} characters."))
        badge = values["badge_number"]
        if not badge:
            errors.append(RowError(row.line, "badge_number", "is required."))
            continue
        if badge not in existing and badge not in seen_badges:
            for column in ("last_name", "first_name"):
                if not values[column]:
                    errors.append(RowError(row.line, column, f"is required for a new officer (badge {badge})."))
        seen_badges.add(badge)
        for column in OFFICER_COLUMNS:
            value = values[column]
            if not value:
                continue
            earlier = first_value.setdefault((badge, column), (value, row.line))
            if earlier[0] != value:
                errors.append(
                    RowError(row.line, column, f"“{value}” differs from “{earlier[0]}” on line {earlier[1]}.")
                )
        if values["email"]:
            try:
                validate_email(values["email"])
            except ValidationError:
                errors.append(RowError(row.line, "email", f"“{values['email']}” is not an email address."))
        errors.extend(_validate_certification(row, courses, today, seen_certifications))
    return errors


def _validate_certification(
    row: _Row, courses: dict[str, Course], today: date, seen: dict[tuple[str, int, date], int]
) -> list[RowError]:
    values = row.values
    code, raw_date = values["course_code"], values["completed_on"]
    errors = []
    if not code:
        if raw_date:
            errors.append(RowError(row.line, "course_code", "is required when completed_on is given."))
        return errors
    row.course = courses.get(code) or courses.get(code.upper())
    if row.course is None:
        known = ", ".join(sorted({course.code for course in courses.values()})) or "none yet"
        errors.append(RowError(row.line, "course_code", f"“{code}” is not a course of this agency (known: {known})."))
    if not raw_date:
        errors.append(RowError(row.line, "completed_on", "is required when course_code is given."))
        return errors
    try:
        row.completed_on = parse_import_date(raw_date)
    except ValueError as exc:
        errors.append(RowError(row.line, "completed_on", str(exc)))
        return errors
    if row.completed_on > today:
        errors.append(RowError(row.line, "completed_on", f"{row.completed_on} is after today ({today})."))
    if row.course is not None:
        key = (values["badge_number"], row.course.pk, row.completed_on)
        if key in seen:
            errors.append(RowError(row.line, "completed_on", f"repeats the certification on line {seen[key]}."))
        seen.setdefault(key, row.line)
    return errors


def _course_lookup(agency) -> dict[str, Course]:
    courses: dict[str, Course] = {}
    for course in Course.objects.filter(agency=agency):
        courses[course.code] = course
        courses.setdefault(course.code.upper(), course)
    return courses


def file_base_name(file_name: str) -> str:
    """The file's base name without any folder (browsers on Windows may send one) or control characters."""
    base = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable()) or "unnamed file"


def import_reason(file_name: str) -> str:
    """The history reason naming the file, cut to fit the 100-character column."""
    return f"Roster import: {file_base_name(file_name)}"[:100]


def roster_import(*, actor, agency, data: bytes, file_name: str, encoding: str = "utf-8") -> RosterImportResult:
    """Import a roster CSV into ``agency``: every row, or nothing and every bad row reported.

    Args:
        actor: the importing user; every history row is theirs, with the reason
            "Roster import: <file name>" (case T6). The caller checked they may
            change records in ``agency``.
        agency: the agency the officers belong to.
        data: the file's bytes.
        file_name: the uploaded file's name (only its base name is kept).
        encoding: "utf-8" (default) or "cp1252" for a file Excel saved as plain CSV
            (used only when the bytes are not valid UTF-8; see module docstring).

    Returns:
        A ``RosterImportResult``. When ``errors`` is non-empty nothing was written.
        Never raises for bad file content.
    """
    result = RosterImportResult(file_name=file_base_name(file_name))
    if len(data) > MAX_BYTES:
        result.errors.append(RowError(None, "", f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB."))
        return result
    try:
        _header, rows = _read_rows(decode_roster(data, encoding))
    except RosterFileError as exc:
        result.errors.append(RowError(exc.line, "", exc.message))
        return result
    result.rows = len(rows)
    badges = {row.values["badge_number"] for row in rows if row.values["badge_number"]}
    existing = {
        officer.badge_number: officer for officer in Officer.objects.filter(agency=agency, badge_number__in=badges)
    }
    result.errors = _validate(rows, agency=agency, existing=existing, courses=_course_lookup(agency))
    if result.errors:
        return result
    try:
        _apply(rows, agency=agency, actor=actor, existing=existing, result=result)
    except _ApplyError as exc:
        # Someone changed the roster between validation and writing (e.g. the same
        # badge added by hand): the transaction rolled back; report the row.
        result.errors.append(exc.error)
        result.officers_created = result.officers_updated = result.officers_unchanged = 0
        result.certifications_created = result.certifications_already_recorded = 0
    return result


class _ApplyError(Exception):
    def __init__(self, error: RowError):
        super().__init__(str(error))
        self.error = error


def _apply(rows: list[_Row], *, agency, actor, existing: dict[str, Officer], result: RosterImportResult) -> None:
    reason = import_reason(result.file_name)
    officers = dict(existing)
    touched: set[str] = set()
    rows_by_badge: dict[str, list[_Row]] = {}
    for row in rows:
        rows_by_badge.setdefault(row.values["badge_number"], []).append(row)
    recorded = set(
        Certification.objects.filter(officer__in=list(existing.values())).values_list(
            "officer_id", "course_id", "completed_on"
        )
    )
    with transaction.atomic(), acting_as(actor, reason=reason):
        for row in rows:
            values = row.values
            badge = values["badge_number"]
            try:
                if badge not in officers:
                    officers[badge] = services.officer_create(
                        actor=actor,
                        agency=agency,
                        badge_number=badge,
                        **{column: values[column] for column in OFFICER_COLUMNS},
                        reason=reason,
                    )
                    result.officers_created += 1
                elif badge in existing and badge not in touched:
                    officer = officers[badge]
                    changes = _officer_changes(rows_by_badge[badge], officer)
                    if changes:
                        services.officer_update(actor=actor, officer=officer, data=changes, reason=reason)
                        result.officers_updated += 1
                    else:
                        result.officers_unchanged += 1
                touched.add(badge)
                if row.course is None:
                    continue
                officer = officers[badge]
                if (officer.pk, row.course.pk, row.completed_on) in recorded:
                    result.certifications_already_recorded += 1
                    continue
                services.certification_record(
                    actor=actor,
                    officer=officer,
                    course=row.course,
                    completed_on=row.completed_on,
                    certificate_number=values["certificate_number"],
                    reason=reason,
                )
                result.certifications_created += 1
            except ValidationError as exc:
                column, message = _first_message(exc)
                raise _ApplyError(RowError(row.line, column, message)) from exc
            except IntegrityError as exc:
                raise _ApplyError(
                    RowError(row.line, "badge_number", "conflicts with a change made meanwhile; retry.")
                ) from exc


def _officer_changes(rows: list[_Row], officer: Officer) -> dict[str, str]:
    """Non-blank officer columns of the officer's rows that differ from the stored values."""
    changes = {}
    for row in rows:
        for column in OFFICER_COLUMNS:
            value = row.values[column]
            if value and value != getattr(officer, column):
                changes[column] = value
    return changes


def _first_message(error: ValidationError) -> tuple[str, str]:
    if hasattr(error, "error_dict"):
        column, messages = next(iter(error.message_dict.items()))
        return ("" if column == "__all__" else column), messages[0]
    return "", error.messages[0]
