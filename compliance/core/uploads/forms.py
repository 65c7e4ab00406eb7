"""The forms every import page shows: the table upload and the choice on its preview. They validate only.

Moved here from ``training.imports.forms``; the detainer-log form used to be a
subclass of the roster's.
"""

from __future__ import annotations

from django import forms

from compliance.core.forms import LISTED_CHOICE, AgencyChoiceMixin
from compliance.core.uploads.tables import ENCODINGS


class TableUploadForm(AgencyChoiceMixin, forms.Form):
    """Upload a table (CSV or Excel .xlsx) for an agency: the file and, for a CSV, its encoding.

    A subclass sets ``max_bytes`` (the size limit), ``file_label`` and
    ``file_help``. It is built with ``agencies=`` (where the user may change
    records) and ``agency_initial=``; a user of several agencies chooses one
    (``compliance.core.forms.AgencyChoiceMixin``, the roster pages' wording).
    """

    max_bytes: int
    file_label: str
    file_help: str

    file = forms.FileField()
    encoding = forms.ChoiceField(
        label="Encoding (CSV only)",
        choices=ENCODINGS.items(),
        initial="utf-8",
        help_text="A file that reads as UTF-8 is always read as UTF-8. Choose Windows-1252 only for a file "
        "Excel saved as plain “CSV (Comma delimited)” with accented letters.",
    )

    def __init__(self, *args, agencies, agency_initial=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = self.file_label
        self.fields["file"].help_text = self.file_help
        self.init_agency(agencies=agencies, initial=agency_initial, **LISTED_CHOICE)

    def clean_file(self):
        """The uploaded file, refused when larger than ``max_bytes`` (the message says the limit in MB)."""
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(f"The file is larger than {self.max_bytes // (1024 * 1024)} MB.")
        return upload


class ImportConfirmForm(forms.Form):
    """The uploader's choice on the preview: all rows (the default) or only the valid ones."""

    ALL = "all"
    VALID_ONLY = "valid_only"

    choice = forms.ChoiceField(choices=[(ALL, "Import all rows"), (VALID_ONLY, "Import only the valid rows")])
    digest = forms.CharField(min_length=64, max_length=64, widget=forms.HiddenInput)
