"""Reading an uploaded table (CSV or XLSX) into rows of text cells, before any validation.

Every import of a table (the training roster, the detainer log; next the
outreach lists) reads its bytes here, so encodings, workbooks and hostile files
are handled once. Both formats give the same thing: per data row, its line (the
CSV line where the row starts, or the worksheet row number, as Excel shows it)
and a ``{column: text}`` dict holding every column the import knows. Rules about
the values (dates, courses, badges, lift reasons) live with each import.

CSV encoding (case T4): UTF-8, with or without the byte order mark Excel writes
("CSV UTF-8"). A file that is not valid UTF-8 is refused whole with the line of
the first bad byte, unless the user says it is Windows-1252 (Excel's plain
"CSV (Comma delimited)"); a file that reads as UTF-8 is always read as UTF-8, so
choosing Windows-1252 by mistake cannot garble ``Nguyễn``. Nothing is ever
decoded with replacement characters.

XLSX: the first worksheet. A cell Excel holds as a date becomes ``YYYY-MM-DD``
text, so a real Excel date and a typed ISO date read the same; a date typed as
text follows the same rules as in a CSV (case T5). A whole number (a badge typed
as ``1042``) becomes ``1042``. Formulas count by the value Excel last computed.
The size a sheet declares (its ``dimension``, e.g. ``A1:H1048576`` once a whole
column was formatted) is not trusted: the rows are read as they come, and
reading stops after ``XLSX_BLANK_RUN`` blank rows in a row, so a sheet that
claims a million rows but holds ten costs ten rows.

A NUL character is refused whole, with its line: PostgreSQL cannot store one in
text, and no CSV a spreadsheet writes holds one (an XLSX cannot: XML forbids it).

Read once: within ``one_read_per_file()`` (the import pages wrap each request
in it) the same bytes read with the same options are parsed once; a preview
and the import confirmed in the same request share that one reading.

Moved here from ``training.imports.files`` (the roster's reader, which the
detainer-log import already borrowed); the messages are unchanged.
"""

from __future__ import annotations

import csv
import hashlib
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, time

ENCODINGS = {
    "utf-8": "UTF-8 (Excel: CSV UTF-8)",
    "cp1252": "Windows-1252 (Excel: CSV, comma delimited)",
}
CSV = "csv"
XLSX = "xlsx"

# An .xlsx file is a ZIP archive; an old .xls file is an OLE2 compound document.
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A workbook whose parts unzip to more than this is refused before parsing
# (zip bomb). XML entity expansion is refused by the expat parser itself (>= 2.4).
MAX_XLSX_UNZIPPED_BYTES = 50 * 1024 * 1024
# Columns read from a worksheet row: enough to report unknown columns by name.
_MAX_XLSX_COLUMNS = 60
#: Blank worksheet rows in a row after which the sheet is taken to have ended (rows after them are not
#: read). Rows a sheet skips count as blank, so a stray cell at row 1,000,000 costs at most this many.
XLSX_BLANK_RUN = 1_000


class TableFileError(Exception):
    """The whole file is unreadable (encoding, header, size, format); nothing was imported.

    ``line`` is the file line (or worksheet row) at fault, None when no line is.
    """

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


class RowLengthError(TableFileError):
    """A data row holds more values than the header has columns (or, in a CSV, fewer).

    ``values`` and ``columns`` are the two counts; ``spreadsheet`` is True for a
    workbook row. The message says so and, for a CSV, how it usually happens.
    """

    def __init__(self, *, line: int, values: int, columns: int, spreadsheet: bool):
        where = "Row" if spreadsheet else "Line"
        hint = "." if spreadsheet else " (a comma inside a value must be in double quotes)."
        super().__init__(f"{where} {line} has {values} values but the header has {columns} columns{hint}", line)
        self.values = values
        self.columns = columns


@dataclass(frozen=True)
class RowError:
    """One problem: the file line (1 = header; None for the whole file), the column and why."""

    line: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Line {self.line}" if self.line else "File"
        return f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


def table_format(data: bytes, file_name: str) -> str:
    """``"xlsx"`` or ``"csv"``, by the file's content (its name only for the error message).

    Raises:
        TableFileError: an old binary ``.xls`` workbook, or a ``.xlsx`` name on a
            file that is not a workbook.
    """
    if data.startswith(_ZIP_MAGIC):
        return XLSX
    if data.startswith(_OLE2_MAGIC):
        raise TableFileError(
            "The file is an old Excel 97–2003 workbook (.xls). Save it as “Excel Workbook (.xlsx)” or "
            "“CSV UTF-8” and upload again."
        )
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        raise TableFileError("The file is named .xlsx but is not an Excel workbook. Save it again from Excel.")
    return CSV


def stored_table_format(data: bytes, file_name: str) -> str:
    """The format to record for an upload: ``table_format``, or ``"csv"`` when the file is none of ours.

    Never raises: an ``.xls`` or a fake ``.xlsx`` is kept as it came, and its
    preview says why it cannot be read.
    """
    try:
        return table_format(data, file_name)
    except TableFileError:
        return CSV


def read_table(
    data: bytes,
    *,
    file_name: str,
    encoding: str = "utf-8",
    columns: tuple[str, ...],
    required: tuple[str, ...] = (),
    max_rows: int,
) -> tuple[str, list[tuple[int, dict[str, str]]]]:
    """The file's format and its data rows as ``(line, {column: text})``, every column present.

    Args:
        data: the file's bytes (the caller checked its size limit).
        file_name: the uploaded name (for the format's error message only).
        encoding: for CSV, "utf-8" or "cp1252" (see module docstring).
        columns: every column the import knows; the header may name them in any
            order and leave any out (blank on every row).
        required: the columns the header must name.
        max_rows: the most data rows accepted.

    Returns:
        ``(format, rows)``; blank rows are skipped; values are NFC-normalised and
        stripped.

    Raises:
        TableFileError: unreadable file, bad header (unknown, repeated or missing
            columns), more than ``max_rows`` rows, a row with more values than
            the header has columns (``RowLengthError``; in a CSV also fewer), or
            a NUL character.
    """
    readings = _READINGS.get()
    if readings is None:
        return _read_table(data, file_name, encoding, columns, required, max_rows)
    key = (hashlib.sha256(data).digest(), file_name, encoding, columns, required, max_rows)
    if key not in readings:
        try:
            readings[key] = _read_table(data, file_name, encoding, columns, required, max_rows)
        except TableFileError as exc:
            readings[key] = exc
    found = readings[key]
    if isinstance(found, TableFileError):
        raise found
    file_format, rows = found
    return file_format, [(line, dict(row)) for line, row in rows]  # copies: a caller may change its rows


#: The tables read so far in the current ``one_read_per_file()`` block (None outside one).
_READINGS: ContextVar[dict | None] = ContextVar("table_readings", default=None)


@contextmanager
def one_read_per_file():
    """Within the block, ``read_table`` parses each file (same bytes, same options) once.

    A later call with the same bytes gets a copy of the first reading's rows (or
    its ``TableFileError`` again). The import pages wrap each request in it: a
    confirmation previews the stored file and imports it, one parse for both.
    Nothing is kept once the block ends.
    """
    token = _READINGS.set({})
    try:
        yield
    finally:
        _READINGS.reset(token)


def _read_table(data, file_name, encoding, columns, required, max_rows) -> tuple[str, list[tuple[int, dict[str, str]]]]:
    file_format = table_format(data, file_name)
    if file_format == XLSX:
        cells, spreadsheet = xlsx_cells(data), True
    else:
        cells, spreadsheet = csv_cells(decode_csv(data, encoding)), False
    rows = _rows_from_cells(cells, spreadsheet=spreadsheet, columns=columns, required=required, max_rows=max_rows)
    return file_format, rows


def decode_csv(data: bytes, encoding: str = "utf-8") -> str:
    """The CSV file's text: UTF-8 (BOM dropped) when valid, else Windows-1252 if chosen, else refused.

    Raises:
        TableFileError: not valid in the encoding (naming the line and byte), a
            UTF-16 file, or NUL characters.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TableFileError("The file is UTF-16 (Excel “Unicode text”). Save it as “CSV UTF-8” and upload again.", 1)
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
        raise TableFileError("The file contains NUL characters: it is not a CSV text file.", line)
    return text


def _encoding_error(data: bytes, error: UnicodeDecodeError, name: str) -> TableFileError:
    line = data.count(b"\n", 0, error.start) + 1
    byte = data[error.start]
    hint = (
        "If Excel saved it as “CSV (Comma delimited)”, choose Windows-1252 as the encoding, "
        "or save it as “CSV UTF-8” and upload again."
        if name == "UTF-8"
        else "Save it as “CSV UTF-8” and upload again."
    )
    return TableFileError(
        f"Encoding problem: the file is not valid {name} (byte 0x{byte:02X} on line {line}). {hint} "
        "Nothing was imported.",
        line,
    )


def csv_cells(text: str) -> Iterator[tuple[int, list[str]]]:
    """``(line where the row starts, cells)`` for each CSV row.

    Raises:
        TableFileError: the CSV is malformed (e.g. an unclosed quote), naming the line.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise TableFileError(f"The CSV cannot be read at line {start}: {exc}.", start) from None
        yield start, cells


def xlsx_cells(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """``(worksheet row number, cells as text)`` for each row of the workbook's first sheet.

    The rows of ``xlsx_values``, each value as ``xlsx_text`` gives it.

    Raises:
        TableFileError: as ``xlsx_values``.
    """
    for number, values in xlsx_values(data, max_columns=_MAX_XLSX_COLUMNS):
        yield number, [xlsx_text(value) for value in values]


def xlsx_values(data: bytes, *, max_columns: int | None = None) -> Iterator[tuple[int, list]]:
    """``(worksheet row number, cell values)`` for each row of the workbook's first sheet, as openpyxl reads them.

    Args:
        data: the workbook's bytes.
        max_columns: the most columns read per row (None: every column a row has).

    Yields:
        Rows in order, numbered as Excel shows them; a row the sheet skips is an
        empty list. The size the sheet declares is ignored, and reading stops
        after ``XLSX_BLANK_RUN`` blank rows in a row (blank: no cell, or only
        empty or whitespace text).

    Raises:
        TableFileError: not a readable workbook, or it unzips to more than
            ``MAX_XLSX_UNZIPPED_BYTES``.
    """
    from openpyxl import load_workbook  # import here: only XLSX uploads pay for it

    unreadable = "The file is not a readable Excel workbook (.xlsx). Save it again from Excel, or as “CSV UTF-8”."
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise TableFileError(unreadable) from None
    if unzipped > MAX_XLSX_UNZIPPED_BYTES:
        raise TableFileError("The workbook is too large once unpacked; save only the sheet to import.")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types (KeyError, InvalidFileException, XML errors)
        raise TableFileError(unreadable) from None
    try:
        if not workbook.worksheets:
            raise TableFileError("The workbook has no worksheet.")
        sheet = workbook.worksheets[0]
        # The declared dimension may claim a million rows, or fewer rows than the sheet holds: read what is there.
        sheet.reset_dimensions()
        blank_run = 0
        try:
            for number, values in enumerate(sheet.iter_rows(max_col=max_columns, values_only=True), start=1):
                if any(value is not None and (not isinstance(value, str) or value.strip()) for value in values):
                    blank_run = 0
                else:
                    blank_run += 1
                    if blank_run >= XLSX_BLANK_RUN:
                        return
                yield number, list(values)
        except Exception:
            raise TableFileError(unreadable) from None
    finally:
        workbook.close()


def xlsx_text(value) -> str:
    """A worksheet value as text: dates as ``YYYY-MM-DD``, whole numbers without ``.0``, None as ``""``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        # Excel has no date-only type: a date cell is a datetime at midnight.
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _clean(value: str) -> str:
    # NFC so that a name typed on a Mac (decomposed accents) matches one typed elsewhere.
    return unicodedata.normalize("NFC", value).strip()


def _rows_from_cells(
    cells: Iterable[tuple[int, list[str]]],
    *,
    spreadsheet: bool,
    columns: tuple[str, ...],
    required: tuple[str, ...],
    max_rows: int,
) -> list[tuple[int, dict[str, str]]]:
    """Header and data rows; in a ``spreadsheet`` a short row is blank on the missing columns."""
    rows: list[tuple[int, dict[str, str]]] = []
    header: list[str] | None = None
    for line, raw in cells:
        values = [_clean(cell) for cell in raw]
        if not any(values):
            continue
        if header is None:
            header = _read_header(values, line, columns=columns, required=required)
            continue
        while len(values) > len(header) and not values[-1]:
            values.pop()  # trailing empty cells, as some spreadsheets write them
        if spreadsheet and len(values) < len(header):
            values += [""] * (len(header) - len(values))
        if len(values) != len(header):
            raise RowLengthError(line=line, values=len(values), columns=len(header), spreadsheet=spreadsheet)
        if len(rows) >= max_rows:
            raise TableFileError(f"The file has more than {max_rows} rows; split it.", line)
        row = dict.fromkeys(columns, "")
        row.update(zip(header, values, strict=True))
        rows.append((line, row))
    if header is None:
        raise TableFileError("The file is empty: the first line must be the header (" + ", ".join(columns) + ").", 1)
    return rows


def _read_header(values: list[str], line: int, *, columns: tuple[str, ...], required: tuple[str, ...]) -> list[str]:
    header = [value.lower().replace(" ", "_") for value in values]
    while header and not header[-1]:
        header.pop()
    unknown = [name or "(blank)" for name in header if name not in columns]
    if unknown:
        raise TableFileError(
            f"Unknown column(s) in the header: {', '.join(unknown)}. Columns are: {', '.join(columns)}.", line
        )
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise TableFileError(f"Column(s) repeated in the header: {', '.join(repeated)}.", line)
    missing = [name for name in required if name not in header]
    if missing:
        raise TableFileError(f"The header has no {', '.join(missing)} column.", line)
    return header
