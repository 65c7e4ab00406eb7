"""The detainer-log import's upload form (``compliance.core.uploads.forms``). It validates only."""

from __future__ import annotations

from compliance.core.uploads.forms import TableUploadForm
from incidents.detainer_import.services import COLUMNS, MAX_BYTES


class DetainerLogImportForm(TableUploadForm):
    """Upload a detainer-log file (CSV or XLSX) and choose the agency; the same agency choice as the roster's."""

    max_bytes = MAX_BYTES
    file_label = "Detainer-log file (CSV or Excel .xlsx)"
    file_help = (
        f"Columns: {', '.join(COLUMNS)}. One row per detainer event at a facility; no personal data. "
        "Dates as YYYY-MM-DD or MM/DD/YYYY."
    )
