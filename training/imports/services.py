"""Roster import from a CSV or XLSX file: preview every row's outcome, then import.

The file (one row per officer and course; an officer may have several rows):

=====================  ==========================================================
column                 meaning
=====================  ==========================================================
badge_number           required; matches an existing officer of the agency exactly
last_name              required for a new officer (a person's only name, if they have
                       one); blank means "leave as is"
first_name             optional (blank for a single name); blank means "leave as is"
unit, email            optional; blank means "leave as is"
course_code            a course code of the agency; blank: no certification on the row
completed_on           ``YYYY-MM-DD`` or ``MM/DD/YYYY`` (US order, ``3/4/2025`` is
                       4 March); in a workbook also a real Excel date; required
                       when ``course_code`` is given
certificate_number     optional
status                 optional: an officer status (``nominated``, ``background``,
                       ``in_training``, ``designated``, ``suspended``, ``separated``,
                       ``disqualified``, or its label, e.g. "In training"); blank:
                       a new officer is nominated, an existing one keeps its status
=====================  ==========================================================

Only ``badge_number`` must be in the header; a missing column is blank on every
row. Unknown or repeated column names are refused (a typo would otherwise drop
data silently). The first row is the header; blank lines are skipped. Reading
the file (encodings, case T4; workbooks) is ``compliance.core.uploads.tables``.

Dates (case T5): only the two documented formats; ``13/04/2025`` is an error
(month 13), never a silent day/month swap.

Two steps:

1. ``roster_preview`` reads, validates and plans every row — will create the
   officer, will update it (which fields), will add a certification, no change,
   or an error naming the line, the column and the reason. It writes nothing.
2. ``roster_import`` does all of it again from the same bytes and writes: every
   row, or nothing when any row has an error (the default); or, when the user
   chose ``only_valid_rows``, the rows without an error. A skipped row is skipped
   whole (its officer columns and its certification); a row that needs a skipped
   one (a new officer whose name was only on the skipped row) is an error too, so
   the preview shows exactly what "import only the valid rows" will do.

Names are stored as people have them (``compliance.core.names.name_clean``: NFC, outer
spaces trimmed). Two rows of one badge may spell a name in different case or Unicode
form (``ÁLVAREZ``, ``Álvarez``): they are the same name (``name_key``) and the first
spelling is kept; different names are an error.

Rows (case T6): a row whose badge matches an officer updates that officer's
non-blank columns; a new badge adds an officer (status "nominated" unless the
file says otherwise) from the non-blank columns of all its rows;
a row with a course adds a certification (``expires_on`` derived by
``rules.certification_expires_on``), unless the same officer, course and
completion date is already recorded (re-importing a file adds nothing). Every
history row is attributed to the importing user with the reason
"Roster import: <file name>".

Status (one answer to "may this officer act", ``training.roster.authorization``): a status that differs
from an existing officer's is a lifecycle step (``officer_set_status``,
effective the agency's today, after the file's certifications are recorded);
one the lifecycle does not allow is a row error. No row makes an officer
certified / designated without what the one rule of
``training.roster.authorization`` needs — an agreement in force, the nomination
checklist (R2.8), the ICE credential (R2.9), the required training (counting
the file's own completions): a row that tries is a row error naming every
missing item (``training.roster.services.designations_missing``). A new officer
is never designated by a file: the checklist and credential are recorded on
the officer's page.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from compliance.core.audit import acting_as
from compliance.core.local_days import DAY_OUT_OF_RANGE_MESSAGE, day_in_range
from compliance.core.names import name_clean, name_display, name_key
from compliance.core.uploads.services import file_base_name, pending_upload_mark_imported
from compliance.core.uploads.tables import CSV, RowError, TableFileError
from training.imports.files import COLUMNS, MAX_BYTES, MAX_ROWS, read_roster_file
from training.imports.models import PendingImport
from training.lifecycle.services import ALLOWED_CHANGES, CHANGE_NOT_ALLOWED
from training.roster import rules, services
from training.roster.models import Certification, Course, Officer

__all__ = [
    "COLUMNS",
    "MAX_BYTES",
    "MAX_ROWS",
    "TEMPLATE_CSV",
    "RosterImportResult",
    "RosterPreview",
    "RowError",
    "RowOutcome",
    "parse_import_date",
    "roster_import",
    "roster_preview",
]

OFFICER_COLUMNS = ("last_name", "first_name", "unit", "email")
#: Compared by ``compliance.core.names.name_key`` between rows of one badge; other columns exactly.
NAME_COLUMNS = ("last_name", "first_name")
MAX_LENGTHS = {
    "badge_number": 30,
    "last_name": 100,
    "first_name": 100,
    "unit": 100,
    "email": 254,
    "course_code": 30,
    "certificate_number": 60,
    "status": 30,
}

TEMPLATE_EXAMPLE = {
    "badge_number": "A-1042",
    "last_name": "Example",
    "first_name": "Alex",
    "unit": "Jail Division",
    "email": "alex.example@agency.example",
    "course_code": "IADP",
    "completed_on": "2025-03-04",
    "certificate_number": "C-55012",
    "status": "nominated",
}
TEMPLATE_CSV = ",".join(COLUMNS) + "\r\n" + ",".join(TEMPLATE_EXAMPLE[column] for column in COLUMNS) + "\r\n"

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
DATE_FORMAT_HINT = "use YYYY-MM-DD (2025-03-04) or MM/DD/YYYY (03/04/2025)"
Status = Officer.Status
UNKNOWN_STATUS = "“{value}” is not an officer status (use one of: {known})."
NEW_OFFICER_DESIGNATED = (
    "cannot make a new officer certified / designated: record the nomination checklist and the ICE credential "
    "on the officer's page, then designate them there. Missing: {missing}."
)
DESIGNATION_MISSING = "cannot make {badge} certified / designated: {missing}."
STATUS_ROW_NOTE = "Roster import: {file}"

# What a row will do (RowOutcome.action).
CREATE = "create"
UPDATE = "update"
ADD_CERTIFICATION = "certification"
UNCHANGED = "unchanged"
ERROR = "error"
ACTION_LABELS = {
    CREATE: "Will create",
    UPDATE: "Will update",
    ADD_CERTIFICATION: "Will add certification",
    UNCHANGED: "No change",
    ERROR: "Error",
}


@dataclass(frozen=True)
class FieldChange:
    """An officer column the import changes: stored value → value in the file."""

    column: str
    old: str
    new: str


@dataclass
class RowOutcome:
    """What one row of the file will do (preview) or did (import).

    ``action`` is ``CREATE`` (a new officer; the row may also add a
    certification), ``UPDATE`` (``changes`` lists the fields), ``ADD_CERTIFICATION``
    (the officer is unchanged), ``UNCHANGED`` or ``ERROR`` (``errors``).
    ``same_officer_as`` is the line of the officer's first row when this is a
    later row of the same badge. ``expires_on`` is the derived last valid day.
    """

    line: int
    badge_number: str
    name: str
    action: str
    changes: list[FieldChange] = field(default_factory=list)
    same_officer_as: int | None = None
    status: str = ""  # a new officer's starting status
    course_code: str = ""
    completed_on: date | None = None
    expires_on: date | None = None
    certification_recorded: bool = False  # the same certification is already on file
    errors: list[RowError] = field(default_factory=list)

    @property
    def label(self) -> str:
        return ACTION_LABELS[self.action]

    @property
    def status_label(self) -> str:
        return Status(self.status).label if self.status else ""

    def as_key(self) -> list:
        """A JSON-able summary, for the preview digest."""
        return [
            self.line,
            self.badge_number,
            self.action,
            [[c.column, c.old, c.new] for c in self.changes],
            self.same_officer_as,
            self.status,
            self.course_code,
            self.completed_on.isoformat() if self.completed_on else None,
            self.certification_recorded,
            [[e.column, e.message] for e in self.errors],
        ]


@dataclass
class RosterPreview:
    """Every row's outcome before anything is written (``roster_preview``).

    ``errors`` holds every problem, by line; a file-level problem (unreadable,
    bad header) has no ``outcomes`` at all (``readable`` is False).
    """

    file_name: str
    file_format: str = CSV
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    outcomes: list[RowOutcome] = field(default_factory=list)
    readable: bool = True

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_rows(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome.action == ERROR)

    @property
    def valid_rows(self) -> int:
        return len(self.outcomes) - self.error_rows

    def count(self, action: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.action == action)

    @property
    def count_create(self) -> int:
        return self.count(CREATE)

    @property
    def count_update(self) -> int:
        return self.count(UPDATE)

    @property
    def certifications_to_add(self) -> int:
        return sum(
            1
            for outcome in self.outcomes
            if outcome.action != ERROR and outcome.course_code and not outcome.certification_recorded
        )

    @property
    def digest(self) -> str:
        """SHA-256 of every outcome: a confirm whose fresh preview differs from what the user saw is refused."""
        payload = [self.file_format, [str(e) for e in self.errors], [o.as_key() for o in self.outcomes]]
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


@dataclass
class RosterImportResult:
    """What an import did, or every reason it did nothing.

    ``errors`` non-empty → nothing saved. With ``only_valid_rows``, the rows that
    had an error are in ``skipped`` (one entry per problem) and the rest was
    saved. ``stale``: the file's preview changed since the user saw it (the
    roster changed meanwhile); nothing saved.
    """

    file_name: str
    file_format: str = CSV
    errors: list[RowError] = field(default_factory=list)
    skipped: list[RowError] = field(default_factory=list)
    stale: bool = False
    rows: int = 0
    officers_created: int = 0
    officers_updated: int = 0
    officers_unchanged: int = 0
    certifications_created: int = 0
    certifications_already_recorded: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and not self.stale

    @property
    def rows_skipped(self) -> int:
        return len({error.line for error in self.skipped})


@dataclass
class _Row:
    line: int
    values: dict[str, str]
    course: Course | None = None
    completed_on: date | None = None
    status: str = ""  # the parsed status column


def parse_import_date(value: str) -> date:
    """Parse a roster date: ``YYYY-MM-DD`` or US ``MM/DD/YYYY`` (case T5).

    ``3/4/2025`` → 2025-03-04; ``2025-03-04`` → 2025-03-04.

    Raises:
        ValueError: with the reason to show, for any other format (``05/082025``),
            a month above 12 (``13/04/2025``: no day/month swap), a day that does
            not exist (``2025-02-30``) or a date outside the app's calendar
            (``compliance.core.local_days``: 1900-01-01 to 2199-12-31, as on the forms).
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
        parsed = date(year, month, day)
    except ValueError:
        raise ValueError(f"“{value}” is not a real date (no day {day} in month {month} of {year}).") from None
    if not day_in_range(parsed):  # as on the forms: its expiry (plus the course's months) must exist
        raise ValueError(f"“{value}”: {DAY_OUT_OF_RANGE_MESSAGE}")
    return parsed


def parse_import_status(value: str) -> str:
    """An ``Officer.Status`` value from the file: the value (``in_training``) or its label (``In training``).

    Case and spaces do not matter; "certified" and "designated" both mean
    "certified / designated".

    Raises:
        ValueError: with the message to show, naming the accepted values.
    """
    key = " ".join(value.lower().replace("_", " ").split())
    for status in Status:
        if key in {status.value.replace("_", " "), status.label.lower()}:
            return status.value
    if key in {"certified", "designated", "certified designated"}:
        return Status.DESIGNATED
    raise ValueError(UNKNOWN_STATUS.format(value=value, known=", ".join(Status.values)))


def _merged_officer_values(rows: list[_Row]) -> dict[str, dict[str, str]]:
    """Per badge, the first non-blank value of each officer column over its rows."""
    merged: dict[str, dict[str, str]] = {}
    for row in rows:
        values = merged.setdefault(row.values["badge_number"], {column: "" for column in OFFICER_COLUMNS})
        for column in OFFICER_COLUMNS:
            values[column] = values[column] or row.values[column]
    return merged


def _merged_status(rows: list[_Row]) -> dict[str, str]:
    """Per badge, the first status given over its rows (already parsed by ``_validate``), or ""."""
    merged: dict[str, str] = {}
    for row in rows:
        badge = row.values["badge_number"]
        merged[badge] = merged.get(badge) or row.status
    return merged


def _validate(
    rows: list[_Row],
    *,
    agency,
    existing: dict[str, Officer],
    courses: dict[str, Course],
    new_agreement=None,
    skipped_lines: dict[str, list[int]] | None = None,
) -> list[RowError]:
    """Every problem in every row (reads, no writes). Fills ``row.course``, ``row.completed_on`` and ``row.status``.

    ``new_agreement``: the agreement a new officer would serve under
    (``services.default_agreement``), for the designation check.

    ``skipped_lines``: badge → lines left out because they have errors (second
    pass for "only valid rows"), named in the messages of rows that needed them.
    """
    errors: list[RowError] = []
    today = rules.agency_today(agency)
    merged = _merged_officer_values(rows)
    first_value: dict[tuple[str, str], tuple[str, int]] = {}  # (badge, column) → (value, line)
    seen_badges: set[str] = set()
    seen_certifications: dict[tuple[str, int, date], int] = {}

    for row in rows:
        values = row.values
        for column, limit in MAX_LENGTHS.items():
            if len(values[column]) > limit:
                errors.append(RowError(row.line, column, f"is longer than {limit} characters."))
        row.status = ""
        if values["status"]:
            try:
                row.status = parse_import_status(values["status"])
            except ValueError as exc:
                errors.append(RowError(row.line, "status", str(exc)))
        badge = values["badge_number"]
        if not badge:
            errors.append(RowError(row.line, "badge_number", "is required."))
            continue
        if badge not in existing and badge not in seen_badges and not merged[badge]["last_name"]:
            # A person with a single name has it as the last name; the first name may stay blank.
            message = f"is required for a new officer (badge {badge}); a person's only name goes here."
            if skipped_lines and badge in skipped_lines:
                lines = ", ".join(str(line) for line in skipped_lines[badge])
                message = (
                    f"is required for a new officer (badge {badge}); the other row(s) of this "
                    f"officer (line {lines}) have errors and would be skipped."
                )
            errors.append(RowError(row.line, "last_name", message))
        seen_badges.add(badge)
        for column in OFFICER_COLUMNS:
            value = values[column]
            if not value:
                continue
            earlier = first_value.setdefault((badge, column), (value, row.line))
            same = name_key(earlier[0]) == name_key(value) if column in NAME_COLUMNS else earlier[0] == value
            if not same:
                errors.append(
                    RowError(row.line, column, f"“{value}” differs from “{earlier[0]}” on line {earlier[1]}.")
                )
        if row.status:
            earlier = first_value.setdefault((badge, "status"), (row.status, row.line))
            if earlier[0] != row.status:
                now, before = Status(row.status).label, Status(earlier[0]).label
                message = f"“{now}” differs from “{before}” on line {earlier[1]}."
                errors.append(RowError(row.line, "status", message))
        if values["email"]:
            try:
                validate_email(values["email"])
            except ValidationError:
                errors.append(RowError(row.line, "email", f"“{values['email']}” is not an email address."))
        errors.extend(_validate_certification(row, courses, today, seen_certifications))
    errors.extend(_validate_statuses(rows, agency=agency, existing=existing, new_agreement=new_agreement, today=today))
    return errors


def _validate_statuses(
    rows: list[_Row], *, agency, existing: dict[str, Officer], new_agreement, today
) -> list[RowError]:
    """The status column: a lifecycle step the lifecycle allows, and no designation without what the rule needs.

    A designation is checked against ``services.designations_missing`` on the
    agency's today, counting the certifications of the officer's rows in this
    file. The error is on each row that gives the status. Five queries when a
    row designates, none otherwise.
    """
    problems: dict[str, str] = {}
    designating: dict[str, Officer] = {}
    for badge, status in _merged_status(rows).items():
        if not badge or not status:
            continue
        officer = existing.get(badge)
        if officer is None:
            if status == Status.DESIGNATED:
                designating[badge] = Officer(agency=agency, agreement=new_agreement, badge_number=badge)
        elif status == officer.status:
            continue
        elif status not in ALLOWED_CHANGES[officer.status]:
            current, wanted = Status(officer.status).label.lower(), Status(status).label.lower()
            problems[badge] = CHANGE_NOT_ALLOWED.format(current=current, wanted=wanted)
        elif status == Status.DESIGNATED:
            designating[badge] = officer
    if designating:
        completions: dict[str, list] = {}
        for row in rows:
            if row.values["badge_number"] in designating and row.course is not None and row.completed_on is not None:
                completions.setdefault(row.values["badge_number"], []).append((row.course, row.completed_on))
        missing = services.designations_missing(officers=designating, completions=completions, day=today)
        for badge, reasons in missing.items():
            if badge not in existing:
                problems[badge] = NEW_OFFICER_DESIGNATED.format(missing="; ".join(reasons))
            elif reasons:
                problems[badge] = DESIGNATION_MISSING.format(badge=badge, missing="; ".join(reasons))
    return [
        RowError(row.line, "status", problems[row.values["badge_number"]])
        for row in rows
        if row.status and row.values["badge_number"] in problems
    ]


def _validate_until_stable(rows: list[_Row], **context) -> list[RowError]:
    """``_validate``, then again over the rows without errors until no new row fails.

    A row can be valid only together with a row that has an error (a later row
    of a new officer whose name is on the bad row): it fails in the second pass.
    Returns every error, ordered by line.
    """
    errors = _validate(rows, **context)
    bad = {error.line for error in errors}
    while bad:
        kept = [row for row in rows if row.line not in bad]
        skipped: dict[str, list[int]] = {}
        for row in rows:
            if row.line in bad:
                skipped.setdefault(row.values["badge_number"], []).append(row.line)
        more = [error for error in _validate(kept, skipped_lines=skipped, **context) if error.line not in bad]
        if not more:
            break
        errors.extend(more)
        bad |= {error.line for error in more}
    errors.sort(key=lambda error: error.line or 0)
    return errors


def _validate_certification(
    row: _Row, courses: dict[str, Course], today: date, seen: dict[tuple[str, int, date], int]
) -> list[RowError]:
    values = row.values
    code, raw_date = values["course_code"], values["completed_on"]
    errors = []
    row.course = row.completed_on = None
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


def import_reason(file_name: str) -> str:
    """The history reason naming the file, cut to fit the 100-character column."""
    return f"Roster import: {file_base_name(file_name)}"[:100]


def _plan(
    rows: list[_Row], *, existing: dict[str, Officer], recorded: set[tuple[int, int, date]]
) -> dict[int, RowOutcome]:
    """The outcome of each valid row, by line (no writes)."""
    merged = _merged_officer_values(rows)
    statuses = _merged_status(rows)
    first_line: dict[str, int] = {}
    plan: dict[int, RowOutcome] = {}
    for row in rows:
        badge = row.values["badge_number"]
        officer = existing.get(badge)
        if officer is not None:
            name = officer.display_name
        else:
            name = name_display(merged[badge]["last_name"], merged[badge]["first_name"])
        outcome = RowOutcome(line=row.line, badge_number=badge, name=name, action=UNCHANGED)
        if badge in first_line:
            outcome.same_officer_as = first_line[badge]
        else:
            first_line[badge] = row.line
            if officer is None:
                outcome.action = CREATE
                outcome.status = statuses[badge] or Status.NOMINATED
            else:
                outcome.changes = [
                    FieldChange(column, getattr(officer, column), new)
                    for column, new in merged[badge].items()
                    if new and new != getattr(officer, column)
                ]
                if statuses[badge] and statuses[badge] != officer.status:
                    outcome.changes.append(
                        FieldChange("status", officer.get_status_display(), Status(statuses[badge]).label)
                    )
                if outcome.changes:
                    outcome.action = UPDATE
        if row.course is not None:
            outcome.course_code = row.course.code
            outcome.completed_on = row.completed_on
            outcome.expires_on = rules.certification_expires_on(row.completed_on, row.course.validity_months)
            if officer is not None and (officer.pk, row.course.pk, row.completed_on) in recorded:
                outcome.certification_recorded = True
            elif outcome.action == UNCHANGED:
                outcome.action = ADD_CERTIFICATION
        plan[row.line] = outcome
    return plan


@dataclass
class _Prepared:
    preview: RosterPreview
    valid_rows: list[_Row] = field(default_factory=list)
    plan: dict[int, RowOutcome] = field(default_factory=dict)
    existing: dict[str, Officer] = field(default_factory=dict)


def _prepare(*, agency, data: bytes, file_name: str, encoding: str) -> _Prepared:
    """Read, validate and plan the file (queries, no writes)."""
    preview = RosterPreview(file_name=file_base_name(file_name))
    prepared = _Prepared(preview=preview)
    if len(data) > MAX_BYTES:
        preview.errors.append(RowError(None, "", f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB."))
        preview.readable = False
        return prepared
    try:
        preview.file_format, raw_rows = read_roster_file(data, file_name=file_name, encoding=encoding)
    except TableFileError as exc:
        preview.errors.append(RowError(exc.line, "", exc.message))
        preview.readable = False
        return prepared
    rows = [_Row(line=line, values=values) for line, values in raw_rows]
    for row in rows:
        for column in NAME_COLUMNS:
            row.values[column] = name_clean(row.values[column])  # as stored: the preview shows what is written
    preview.rows = len(rows)
    badges = {row.values["badge_number"] for row in rows if row.values["badge_number"]}
    existing = {
        officer.badge_number: officer for officer in Officer.objects.filter(agency=agency, badge_number__in=badges)
    }
    new_agreement = services.default_agreement(agency) if any(b not in existing for b in badges) else None
    errors = _validate_until_stable(
        rows, agency=agency, existing=existing, courses=_course_lookup(agency), new_agreement=new_agreement
    )
    errors_by_line: dict[int, list[RowError]] = {}
    for error in errors:
        errors_by_line.setdefault(error.line, []).append(error)
    valid_rows = [row for row in rows if row.line not in errors_by_line]
    recorded = set(
        Certification.objects.filter(officer__in=list(existing.values())).values_list(
            "officer_id", "course_id", "completed_on"
        )
    )
    plan = _plan(valid_rows, existing=existing, recorded=recorded)
    for row in rows:
        if row.line in errors_by_line:
            badge = row.values["badge_number"]
            officer = existing.get(badge)
            name = officer.display_name if officer else name_display(row.values["last_name"], row.values["first_name"])
            outcome = RowOutcome(row.line, badge, name, ERROR, errors=errors_by_line[row.line])
        else:
            outcome = plan[row.line]
        preview.outcomes.append(outcome)
    preview.errors = errors
    prepared.valid_rows, prepared.plan, prepared.existing = valid_rows, plan, existing
    return prepared


def roster_preview(*, agency, data: bytes, file_name: str, encoding: str = "utf-8") -> RosterPreview:
    """Every row's outcome if the file were imported into ``agency`` now. Writes nothing.

    Args:
        agency: the agency the officers belong to (the caller checked access).
        data: the file's bytes, CSV or XLSX (told apart by content).
        file_name: the uploaded file's name (only its base name is kept).
        encoding: for CSV, "utf-8" (default) or "cp1252" (see ``compliance.core.uploads.tables``).

    Returns:
        A ``RosterPreview``: one ``RowOutcome`` per data row (create / update with
        the fields / add certification / no change / error with line, column and
        reason), or, for an unreadable file, only the file's error. Never raises
        for bad file content. A fixed number of queries whatever the row count.
    """
    return _prepare(agency=agency, data=data, file_name=file_name, encoding=encoding).preview


def roster_import(
    *,
    actor,
    agency,
    data: bytes,
    file_name: str,
    encoding: str = "utf-8",
    only_valid_rows: bool = False,
    expected_digest: str | None = None,
    pending: PendingImport | None = None,
) -> RosterImportResult:
    """Import a roster file into ``agency``: every row, or nothing and every bad row reported.

    Args:
        actor: the importing user; every history row is theirs, with the reason
            "Roster import: <file name>" (case T6). The caller checked they may
            change records in ``agency``.
        agency: the agency the officers belong to.
        data: the file's bytes, CSV or XLSX; always validated here again, never
            taken from an earlier preview.
        file_name: the uploaded file's name (only its base name is kept).
        encoding: for CSV, "utf-8" (default) or "cp1252" for a file Excel saved as
            plain CSV (used only when the bytes are not valid UTF-8).
        only_valid_rows: the user's explicit choice to import the rows without an
            error and skip the others (listed in ``result.skipped``). Default:
            all or nothing.
        expected_digest: the ``RosterPreview.digest`` the user confirmed; when the
            fresh preview differs (the roster changed meanwhile), nothing is
            written and ``result.stale`` is set.
        pending: the uploaded ``PendingImport`` this import confirms (web flow,
            ``compliance.core.uploads.services.pending_upload_confirm``): marked
            imported when the import succeeds. None for the management command.

    Returns:
        A ``RosterImportResult``. When ``errors`` is non-empty or ``stale`` is set,
        nothing was written. Never raises for bad file content.
    """
    prepared = _prepare(agency=agency, data=data, file_name=file_name, encoding=encoding)
    preview = prepared.preview
    result = RosterImportResult(file_name=preview.file_name, file_format=preview.file_format, rows=preview.rows)
    if expected_digest is not None and expected_digest != preview.digest:
        result.stale = True
        return result
    if not preview.readable or (preview.errors and not only_valid_rows):
        result.errors = list(preview.errors)
        return result
    result.skipped = list(preview.errors)
    try:
        _apply(prepared, agency=agency, actor=actor, result=result)
    except _ApplyError as exc:
        # Someone changed the roster between validation and writing (e.g. the same
        # badge added by hand): the transaction rolled back; report the row.
        result.errors.append(exc.error)
        result.officers_created = result.officers_updated = result.officers_unchanged = 0
        result.certifications_created = result.certifications_already_recorded = 0
        return result
    if pending is not None:
        pending_upload_mark_imported(upload=pending, only_valid_rows=only_valid_rows)
    return result


class _ApplyError(Exception):
    def __init__(self, error: RowError):
        super().__init__(str(error))
        self.error = error


def _apply(prepared: _Prepared, *, agency, actor, result: RosterImportResult) -> None:
    reason = import_reason(result.file_name)
    officers = dict(prepared.existing)
    merged = _merged_officer_values(prepared.valid_rows)
    statuses = _merged_status(prepared.valid_rows)
    # Lifecycle steps (badge → the line giving the status), taken after every row's certifications,
    # so a designation counts the file's completions as the preview did.
    status_steps: dict[str, int] = {}
    for row in prepared.valid_rows:
        badge = row.values["badge_number"]
        if row.status and badge in prepared.existing and statuses[badge] != prepared.existing[badge].status:
            status_steps.setdefault(badge, row.line)
    with transaction.atomic(), acting_as(actor, reason=reason):
        for row in prepared.valid_rows:
            outcome = prepared.plan[row.line]
            badge = row.values["badge_number"]
            try:
                if outcome.action == CREATE:
                    officers[badge] = services.officer_create(
                        actor=actor,
                        agency=agency,
                        badge_number=badge,
                        **merged[badge],
                        status=outcome.status,
                        reason=reason,
                    )
                    result.officers_created += 1
                elif outcome.action == UPDATE:
                    data = {change.column: change.new for change in outcome.changes if change.column != "status"}
                    services.officer_update(actor=actor, officer=officers[badge], data=data, reason=reason)
                    result.officers_updated += 1
                elif outcome.same_officer_as is None:
                    result.officers_unchanged += 1
                if row.course is None:
                    continue
                if outcome.certification_recorded:
                    result.certifications_already_recorded += 1
                    continue
                services.certification_record(
                    actor=actor,
                    officer=officers[badge],
                    course=row.course,
                    completed_on=row.completed_on,
                    certificate_number=row.values["certificate_number"],
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
        for badge, line in status_steps.items():
            try:
                services.officer_set_status(
                    actor=actor,
                    officer=officers[badge],
                    status=statuses[badge],
                    effective_on=rules.agency_today(agency),
                    note=STATUS_ROW_NOTE.format(file=result.file_name),
                    reason=reason,
                )
            except ValidationError as exc:  # e.g. the agreement's cap (R1.8), reached meanwhile
                raise _ApplyError(RowError(line, "status", " ".join(exc.messages))) from exc


def _first_message(error: ValidationError) -> tuple[str, str]:
    if hasattr(error, "error_dict"):
        column, messages = next(iter(error.message_dict.items()))
        return ("" if column == "__all__" else column), messages[0]
    return "", error.messages[0]
