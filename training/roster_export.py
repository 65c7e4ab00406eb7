"""Roster files we hand out: the roster export (CSV, XLSX) and the import template (CSV, XLSX).

Formula injection (case E1): a spreadsheet runs a cell that starts with ``=``,
``+``, ``-`` or ``@`` as a formula, and a leading tab or carriage return can
hide one. Every *text* cell we write that starts with one of them gets a
leading ``'``; numbers and dates are written as numbers and dates (``-3`` stays
``-3``). Only the files change: the screen and the PDF show the original text.
In XLSX, text cells are also typed as strings explicitly, because openpyxl turns
any string starting with ``=`` into a formula.

Export columns (one row per officer, the roster page's filters and order):

=====================  ==========================================================
badge_number … email   as on the roster (text)
officer_status         the officer's lifecycle status (text label)
agreement_model        JEM / WSO / TFM of the officer's agreement, blank if none
supervisor             the supervisor's name or user name (text)
training_status        Current / Expiring / Expired / Missing training (text)
next_expiry            the earliest last valid day over the required courses (date)
days_to_expiry         next_expiry minus the agency date; negative once expired (number)
=====================  ==========================================================
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from training import rules
from training.importers import TEMPLATE_EXAMPLE
from training.roster_files import COLUMNS

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

EXPORT_COLUMNS = (
    "badge_number",
    "last_name",
    "first_name",
    "unit",
    "email",
    "officer_status",
    "agreement_model",
    "supervisor",
    "training_status",
    "next_expiry",
    "days_to_expiry",
)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def neutralise(value):
    """A cell value safe to open in a spreadsheet (case E1).

    Text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a
    leading ``'``; any other value (numbers, dates, None, other text) is
    returned unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


@dataclass(frozen=True)
class ExportRow:
    """One roster line as typed values: text as ``str``, ``next_expiry`` a date, ``days_to_expiry`` an int."""

    values: tuple

    @classmethod
    def from_officer(cls, officer, *, today: date) -> ExportRow:
        """From an officer annotated by ``training.selectors.roster_officers`` (no query)."""
        supervisor = officer.supervisor
        supervisor_name = (supervisor.get_full_name() or supervisor.username) if supervisor else ""
        agreement = getattr(officer, "agreement", None)
        expiry = officer.earliest_expiry
        return cls(
            (
                officer.badge_number,
                officer.last_name,
                officer.first_name,
                officer.unit,
                officer.email,
                officer.get_status_display(),
                agreement.model if agreement is not None else "",
                supervisor_name,
                rules.STATUS_LABELS[officer.training_status],
                expiry,
                (expiry - today).days if expiry else None,
            )
        )


def roster_csv(rows: Iterable[ExportRow]) -> bytes:
    """The export as UTF-8 CSV with a byte order mark (Excel opens it as UTF-8); dates ISO."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        writer.writerow([_csv_text(value) for value in row.values])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return neutralise(value)


def roster_xlsx(rows: Iterable[ExportRow], *, title: str = "Roster") -> bytes:
    """The export as an XLSX workbook: text cells typed as text, dates as dates, numbers as numbers."""
    return _workbook([(title, EXPORT_COLUMNS, (row.values for row in rows))])


def template_csv() -> bytes:
    """The import template as CSV (UTF-8 with a byte order mark so Excel keeps accents)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow([TEMPLATE_EXAMPLE[column] for column in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


TEMPLATE_HELP = (
    ("badge_number", "Required. A row whose badge matches an officer of the agency updates that officer."),
    ("last_name, first_name", "Required for a new officer. For an existing officer, blank means “leave as is”."),
    ("unit, email", "Optional; blank means “leave as is”."),
    ("course_code", "A course code of the agency (see Courses). Blank: the row records no certification."),
    (
        "completed_on",
        "Required with a course: an Excel date, or text YYYY-MM-DD (2025-03-04) or MM/DD/YYYY "
        "(03/04/2025 = 4 March 2025). The expiry is computed from the course's validity.",
    ),
    ("certificate_number", "Optional."),
)


def template_xlsx() -> bytes:
    """The import template as XLSX: the roster sheet (header and one example row) and a "Columns" sheet."""
    example = [TEMPLATE_EXAMPLE[column] for column in COLUMNS]
    example[COLUMNS.index("completed_on")] = date.fromisoformat(TEMPLATE_EXAMPLE["completed_on"])
    return _workbook([("Roster", COLUMNS, [example]), ("Columns", ("column", "meaning"), TEMPLATE_HELP)])


def _workbook(sheets) -> bytes:
    from openpyxl import Workbook  # import here: only XLSX downloads pay for it
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title)
        bold = Font(bold=True)
        header_cells = []
        for name in header:
            cell = _text_cell(sheet, WriteOnlyCell, name)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for values in rows:
            cells = []
            for value in values:
                if isinstance(value, str):
                    cells.append(_text_cell(sheet, WriteOnlyCell, neutralise(value)))
                else:
                    cell = WriteOnlyCell(sheet, value=value)
                    if isinstance(value, date):
                        cell.number_format = "yyyy-mm-dd"
                    cells.append(cell)
            sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text_cell(sheet, cell_class, text: str):
    # Control characters are not allowed in XLSX XML (openpyxl raises); show them as U+FFFD.
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    # openpyxl types a str starting with "=" as a formula; force the string type.
    cell = cell_class(sheet, value=text)
    cell.data_type = "s"
    return cell
