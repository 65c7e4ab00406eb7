"""Reading a roster file (CSV or XLSX) into rows of text cells, before any validation.

Both formats give the same thing: the header's column names and, per data row,
its line (the CSV line where the row starts, or the worksheet row number, as
Excel shows it) and a ``{column: text}`` dict. Rules about the values (dates,
courses, badges) live in ``training.imports.services``.

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
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time

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
ENCODINGS = {
    "utf-8": "UTF-8 (Excel: CSV UTF-8)",
    "cp1252": "Windows-1252 (Excel: CSV, comma delimited)",
}
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000

CSV = "csv"
XLSX = "xlsx"
FORMAT_LABELS = {CSV: "CSV", XLSX: "Excel workbook (.xlsx)"}

# An .xlsx file is a ZIP archive; an old .xls file is an OLE2 compound document.
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A 5 MB workbook whose parts unzip to more than this is refused before parsing
# (zip bomb). XML entity expansion is refused by the expat parser itself (>= 2.4).
MAX_XLSX_UNZIPPED_BYTES = 50 * 1024 * 1024
# Columns read from a worksheet row: enough to report unknown columns by name.
_MAX_XLSX_COLUMNS = 60


class RosterFileError(Exception):
    """The whole file is unreadable (encoding, header, size, format); nothing was imported."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


def roster_file_format(data: bytes, file_name: str) -> str:
    """``"xlsx"`` or ``"csv"``, by the file's content (its name only for the error message).

    Raises:
        RosterFileError: an old binary ``.xls`` workbook, or a ``.xlsx`` name on a
            file that is not a workbook.
    """
    if data.startswith(_ZIP_MAGIC):
        return XLSX
    if data.startswith(_OLE2_MAGIC):
        raise RosterFileError(
            "The file is an old Excel 97–2003 workbook (.xls). Save it as “Excel Workbook (.xlsx)” or "
            "“CSV UTF-8” and upload again."
        )
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        raise RosterFileError("The file is named .xlsx but is not an Excel workbook. Save it again from Excel.")
    return CSV


def read_roster_file(data: bytes, *, file_name: str, encoding: str = "utf-8") -> tuple[str, list[tuple[int, dict]]]:
    """The file's format and its data rows as ``(line, {column: text})``, every column present.

    Args:
        data: the file's bytes (at most ``MAX_BYTES``; the caller checks).
        file_name: the uploaded name (for the format's error message only).
        encoding: for CSV, "utf-8" or "cp1252" (see module docstring).

    Returns:
        ``(format, rows)``; blank rows are skipped; values are NFC-normalised and
        stripped; a column missing from the header is blank on every row.

    Raises:
        RosterFileError: unreadable file, bad header, too many rows, or (CSV) a row
            with more values than the header has columns.
    """
    file_format = roster_file_format(data, file_name)
    if file_format == XLSX:
        return file_format, _rows_from_cells(xlsx_cells(data), pad=True)
    return file_format, _rows_from_cells(csv_cells(decode_roster(data, encoding)), pad=False)


def decode_roster(data: bytes, encoding: str = "utf-8") -> str:
    """The CSV file's text: UTF-8 (BOM dropped) when valid, else Windows-1252 if chosen, else refused.

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


def csv_cells(text: str) -> Iterator[tuple[int, list[str]]]:
    """``(line where the row starts, cells)`` for each CSV row."""
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise RosterFileError(f"The CSV cannot be read at line {start}: {exc}.", start) from None
        yield start, cells


def xlsx_cells(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """``(worksheet row number, cells as text)`` for each row of the workbook's first sheet.

    Raises:
        RosterFileError: not a readable workbook, or it unzips to more than
            ``MAX_XLSX_UNZIPPED_BYTES``.
    """
    from openpyxl import load_workbook  # import here: only XLSX uploads pay for it

    unreadable = "The file is not a readable Excel workbook (.xlsx). Save it again from Excel, or as “CSV UTF-8”."
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise RosterFileError(unreadable) from None
    if unzipped > MAX_XLSX_UNZIPPED_BYTES:
        raise RosterFileError("The workbook is too large once unpacked; save only the roster sheet.")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types (KeyError, InvalidFileException, XML errors)
        raise RosterFileError(unreadable) from None
    try:
        if not workbook.worksheets:
            raise RosterFileError("The workbook has no worksheet.")
        sheet = workbook.worksheets[0]
        try:
            for number, values in enumerate(sheet.iter_rows(max_col=_MAX_XLSX_COLUMNS, values_only=True), start=1):
                yield number, [xlsx_text(value) for value in values]
        except Exception:
            raise RosterFileError(unreadable) from None
    finally:
        workbook.close()


def xlsx_text(value) -> str:
    """A worksheet value as roster text: dates as ``YYYY-MM-DD``, whole numbers without ``.0``."""
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


def _rows_from_cells(cells: Iterable[tuple[int, list[str]]], *, pad: bool) -> list[tuple[int, dict]]:
    """Header and data rows; ``pad``: a short row is blank on the missing columns (spreadsheets)."""
    rows: list[tuple[int, dict]] = []
    header: list[str] | None = None
    for line, row in cells:
        cells_ = list(row)
        if not any(cell.strip() for cell in cells_):
            continue
        if header is None:
            header = _read_header(cells_, line)
            continue
        while len(cells_) > len(header) and not cells_[-1].strip():
            cells_.pop()  # trailing empty cells, as some spreadsheets write them
        if pad and len(cells_) < len(header):
            cells_ += [""] * (len(header) - len(cells_))
        if len(cells_) != len(header):
            where = "Line" if not pad else "Row"
            raise RosterFileError(
                f"{where} {line} has {len(cells_)} values but the header has {len(header)} columns"
                + (" (a comma inside a value must be in double quotes)." if not pad else "."),
                line,
            )
        if len(rows) >= MAX_ROWS:
            raise RosterFileError(f"The file has more than {MAX_ROWS} rows; split it.", line)
        values = {column: "" for column in COLUMNS}
        values.update({column: _clean(cell) for column, cell in zip(header, cells_, strict=True)})
        rows.append((line, values))
    if header is None:
        raise RosterFileError("The file is empty: the first line must be the header (" + ", ".join(COLUMNS) + ").", 1)
    return rows


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
