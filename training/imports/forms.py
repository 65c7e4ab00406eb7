"""Forms of the roster page (filters, bulk actions) and of the roster import. They validate only."""

from __future__ import annotations

from django import forms

from compliance.core.uploads.tables import ENCODINGS
from training.imports.files import MAX_BYTES
from training.roster.forms import AgencyChoiceMixin

FILE_TOO_LARGE = f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB."


class RosterImportForm(AgencyChoiceMixin, forms.Form):
    file = forms.FileField(
        label="Roster file (CSV or Excel .xlsx)",
        help_text="Columns: badge_number, last_name, first_name, unit, email, course_code, completed_on, "
        "certificate_number. Dates as YYYY-MM-DD or MM/DD/YYYY (or Excel dates in a workbook).",
    )
    encoding = forms.ChoiceField(
        label="Encoding (CSV only)",
        choices=ENCODINGS.items(),
        initial="utf-8",
        help_text="A file that reads as UTF-8 is always read as UTF-8. Choose Windows-1252 only for a file "
        "Excel saved as plain “CSV (Comma delimited)” with accented letters.",
    )

    def __init__(self, *args, agencies, agency_initial=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_agency_field(agencies, agency_initial)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(FILE_TOO_LARGE)
        return upload


class ImportConfirmForm(forms.Form):
    """The uploader's choice on the preview: all rows (the default) or only the valid ones."""

    ALL = "all"
    VALID_ONLY = "valid_only"

    choice = forms.ChoiceField(choices=[(ALL, "Import all rows"), (VALID_ONLY, "Import only the valid rows")])
    digest = forms.CharField(min_length=64, max_length=64, widget=forms.HiddenInput)
