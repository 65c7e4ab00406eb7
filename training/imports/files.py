"""The roster file: its columns and limits, read by the shared table reader (``compliance.core.uploads.tables``).

Only ``badge_number`` must be in the header; the rules about the values
(dates, courses, badges) live in ``training.imports.services``.
"""

from __future__ import annotations

from compliance.core.uploads.tables import read_table

COLUMNS = (
    "badge_number",
    "last_name",
    "first_name",
    "unit",
    "email",
    "course_code",
    "completed_on",
    "certificate_number",
    "status",
)
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000


def read_roster_file(data: bytes, *, file_name: str, encoding: str = "utf-8") -> tuple[str, list[tuple[int, dict]]]:
    """The file's format and its data rows as ``(line, {column: text})``, every roster column present.

    Args:
        data: the file's bytes (at most ``MAX_BYTES``; the caller checks).
        file_name: the uploaded name (for the format's error message only).
        encoding: for CSV, "utf-8" or "cp1252" (``compliance.core.uploads.tables``).

    Returns:
        ``(format, rows)``; blank rows are skipped; values are NFC-normalised and
        stripped; a column missing from the header is blank on every row.

    Raises:
        TableFileError: unreadable file, bad header (no ``badge_number``), more
            than ``MAX_ROWS`` rows, or (CSV) a row with more values than the
            header has columns.
    """
    return read_table(
        data, file_name=file_name, encoding=encoding, columns=COLUMNS, required=("badge_number",), max_rows=MAX_ROWS
    )
