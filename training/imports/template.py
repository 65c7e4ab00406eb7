"""The roster import template (CSV, XLSX): the columns ``training.imports`` reads, with an example row.

The workbook is written by ``compliance.core.spreadsheets`` like every file we hand out
(text cells typed as strings, case E1).
"""

from __future__ import annotations

import csv
import io
from datetime import date

from compliance.core.spreadsheets import workbook_bytes
from training.imports.files import COLUMNS
from training.imports.services import TEMPLATE_EXAMPLE


def template_csv() -> bytes:
    """The import template as CSV (UTF-8 with a byte order mark so Excel keeps accents)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow([TEMPLATE_EXAMPLE[column] for column in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


TEMPLATE_HELP = (
    ("badge_number", "Required. A row whose badge matches an officer of the agency updates that officer."),
    (
        "last_name, first_name",
        "Last name required for a new officer; a person with a single name has it as last name and a blank "
        "first name. For an existing officer, blank means “leave as is”.",
    ),
    ("unit, email", "Optional; blank means “leave as is”."),
    ("course_code", "A course code of the agency (see Courses). Blank: the row records no certification."),
    (
        "completed_on",
        "Required with a course: an Excel date, or text YYYY-MM-DD (2025-03-04) or MM/DD/YYYY "
        "(03/04/2025 = 4 March 2025). The expiry is computed from the course's validity.",
    ),
    ("certificate_number", "Optional."),
    (
        "status",
        "Optional: nominated, background, in_training, designated, suspended, separated or disqualified. Blank: a "
        "new officer is nominated, an existing one keeps its status. Designated only for an officer whose "
        "agreement, nomination checklist, ICE credential and required training are recorded; a new officer is "
        "designated on their page.",
    ),
)


def template_xlsx() -> bytes:
    """The import template as XLSX: the roster sheet (header and one example row) and a "Columns" sheet."""
    example = [TEMPLATE_EXAMPLE[column] for column in COLUMNS]
    example[COLUMNS.index("completed_on")] = date.fromisoformat(TEMPLATE_EXAMPLE["completed_on"])
    return workbook_bytes([("Roster", COLUMNS, [example]), ("Columns", ("column", "meaning"), TEMPLATE_HELP)])
