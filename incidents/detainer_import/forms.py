"""Quick-action forms of the custody board. They validate only; ``incidents.custody.views`` calls the services.

Times are typed on the agency's clock (``AgencyLocalDateTimeField``, DST-safe,
case D3) and reach services as aware UTC datetimes.
"""

from __future__ import annotations

from django import forms

from incidents.detainer_import.services import COLUMNS as EVENT_COLUMNS  # noqa: E402
from incidents.detainer_import.services import MAX_BYTES as EVENT_MAX_BYTES  # noqa: E402
from training.imports.forms import RosterImportForm  # noqa: E402


class DetainerLogImportForm(RosterImportForm):
    """Upload a detainer-log file (CSV or XLSX) and choose the agency; same rules as the roster import."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = "Detainer-log file (CSV or Excel .xlsx)"
        self.fields["file"].help_text = (
            f"Columns: {', '.join(EVENT_COLUMNS)}. One row per detainer event at a facility; no personal data. "
            "Dates as YYYY-MM-DD or MM/DD/YYYY."
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > EVENT_MAX_BYTES:
            raise forms.ValidationError(f"The file is larger than {EVENT_MAX_BYTES // (1024 * 1024)} MB.")
        return upload
