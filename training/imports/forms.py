"""The roster import's upload form (``compliance.core.uploads.forms``). It validates only."""

from __future__ import annotations

from compliance.core.uploads.forms import TableUploadForm
from training.imports.files import MAX_BYTES


class RosterImportForm(TableUploadForm):
    """Upload a roster file (CSV or XLSX) and, for a user of several agencies, choose the agency."""

    max_bytes = MAX_BYTES
    file_label = "Roster file (CSV or Excel .xlsx)"
    file_help = (
        "Columns: badge_number, last_name, first_name, unit, email, course_code, completed_on, "
        "certificate_number. Dates as YYYY-MM-DD or MM/DD/YYYY (or Excel dates in a workbook)."
    )
