"""Writing cells of the CSV and XLSX files we hand out, safe to open in a spreadsheet (case E1).

Formula injection: a spreadsheet runs a cell that starts with ``=``, ``+``,
``-`` or ``@`` as a formula, and a leading tab or carriage return can hide one.
Every *text* cell written through this module that starts with one of them gets
a leading ``'``; numbers and dates are written as numbers and dates (``-3``
stays ``-3``). Only the files change: the screen and the PDF show the original
text. In XLSX, text cells are also typed as strings explicitly, because
openpyxl turns any string starting with ``=`` into a formula.

Shared by every export (the training roster, its import template, the detainer log).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
#: Excel number formats of date cells and of date-time cells (local wall time, to the minute).
XLSX_DATE_FORMAT = "yyyy-mm-dd"
XLSX_DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
#: Written first in every CSV so that Excel opens it as UTF-8.
CSV_BOM = "\ufeff"


def neutralise(value):
    """A cell value safe to open in a spreadsheet (case E1).

    Text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a
    leading ``'``; any other value (numbers, dates, None, other text) is
    returned unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_cell(value) -> str:
    """One CSV cell: None → "", a date → ISO ``YYYY-MM-DD``, an int → digits, text → neutralised text."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return neutralise(value)


def csv_lines(header: Iterable[str], rows: Iterable[Iterable]) -> Iterable[str]:
    """The CSV file as text chunks, one line each (header first, BOM before it), for streaming.

    Lines end with CRLF (RFC 4180); every cell goes through ``csv_cell``.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(values) -> str:
        writer.writerow(values)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield CSV_BOM + line([csv_cell(name) for name in header])
    for values in rows:
        yield line([csv_cell(value) for value in values])


def write_workbook(sheets, target) -> None:
    """Write an XLSX workbook to ``target`` (a path or a binary file object).

    Args:
        sheets: ``(title, header, rows)`` triples; ``rows`` an iterable of value
            sequences, consumed once (write-only mode: memory does not grow with rows).

    Text cells are neutralised and typed as text; numbers stay numbers; a
    ``date`` is a date cell (``yyyy-mm-dd``) and a naive ``datetime`` a
    date-time cell (``yyyy-mm-dd hh:mm``). XLSX has no time zones: pass the
    wall time in the zone the header names (e.g. the agency's, via
    ``.astimezone(zone).replace(tzinfo=None)``).

    Raises:
        ValueError: an aware datetime (its zone would be silently lost).
    """
    from openpyxl import Workbook  # import here: only XLSX downloads pay for it
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title)
        bold = Font(bold=True)
        header_cells = []
        for name in header:
            cell = xlsx_text_cell(sheet, WriteOnlyCell, name)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for values in rows:
            cells = []
            for value in values:
                if isinstance(value, str):
                    cells.append(xlsx_text_cell(sheet, WriteOnlyCell, neutralise(value)))
                else:
                    cells.append(xlsx_value_cell(sheet, WriteOnlyCell, value))
            sheet.append(cells)
    workbook.save(target)


def workbook_bytes(sheets) -> bytes:
    """``write_workbook`` into memory; for small files (templates, a roster)."""
    buffer = io.BytesIO()
    write_workbook(sheets, buffer)
    return buffer.getvalue()


def xlsx_value_cell(sheet, cell_class, value):
    """A write-only cell for a non-text value: a number, None, a date or a naive datetime (formatted).

    Raises ``ValueError`` for an aware datetime: XLSX cannot hold its zone.
    """
    if isinstance(value, datetime) and value.tzinfo is not None:
        raise ValueError("XLSX cells hold no time zone: write the naive local wall time and name the zone.")
    cell = cell_class(sheet, value=value)
    if isinstance(value, datetime):  # before date: a datetime is a date
        cell.number_format = XLSX_DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = XLSX_DATE_FORMAT
    return cell


def xlsx_text_cell(sheet, cell_class, text: str):
    """A write-only cell holding ``text`` as a string (never a formula); neutralise ``text`` first."""
    # Control characters are not allowed in XLSX XML (openpyxl raises); show them as U+FFFD.
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    # openpyxl types a str starting with "=" as a formula; force the string type.
    cell = cell_class(sheet, value=text)
    cell.data_type = "s"
    return cell
