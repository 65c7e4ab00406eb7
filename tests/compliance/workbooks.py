"""Hand-written .xlsx files for tests of the table reader: a sheet's declared size and its rows set apart.

openpyxl always writes the true dimension and no gaps; Excel does not (a formatted column makes
``A1:H1048576``), so these workbooks are written part by part.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Roster" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def _column(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sparse_xlsx(rows: dict[int, list[str]], *, dimension: str) -> bytes:
    """A workbook whose first sheet declares ``dimension`` (e.g. ``A1:H1048576``) and holds only ``rows``.

    Args:
        rows: worksheet row number → its cells as text, from column A; rows not given are absent
            from the file, as Excel leaves out empty rows.
        dimension: the ``<dimension ref>`` the sheet claims, true or not.
    """
    cells = []
    for number in sorted(rows):
        row = "".join(
            f'<c r="{_column(col)}{number}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'
            for col, text in enumerate(rows[number], start=1)
        )
        cells.append(f'<row r="{number}">{row}</row>')
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{"".join(cells)}</sheetData></worksheet>'
    )
    parts = {
        "[Content_Types].xml": _CONTENT_TYPES,
        "_rels/.rels": _ROOT_RELS,
        "xl/workbook.xml": _WORKBOOK,
        "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def roster_rows(count: int, *, first: int = 2) -> dict[int, list[str]]:
    """A roster header on row 1 and ``count`` officers on the rows from ``first`` on."""
    rows = {1: ["badge_number", "last_name", "first_name"]}
    for n in range(count):
        rows[first + n] = [f"W-{n + 1}", f"Workbookson{n + 1}", "Kim"]
    return rows
