"""The detainer export's query-string filters: validate only (``incidents.views.detainer_export`` acts)."""

from __future__ import annotations

from django import forms

from incidents.models import Detainer

CSV = "csv"
XLSX = "xlsx"
ERR_PERIOD = "The first day of the period is after its last day."


class DetainerExportForm(forms.Form):
    """``?format=csv|xlsx&received_from=&received_to=&outcome=`` (``?agency=`` is read by the view).

    ``received_from``/``received_to`` are agency-local dates, both inclusive.
    """

    format = forms.ChoiceField(choices=[(CSV, "CSV"), (XLSX, "Excel workbook (XLSX)")], required=False)
    received_from = forms.DateField(
        label="Received from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(label="Received to", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    outcome = forms.ChoiceField(choices=[("", "Any outcome"), *Detainer.Outcome.choices], required=False)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("received_from"), cleaned.get("received_to")
        if start and end and start > end:
            self.add_error("received_from", ERR_PERIOD)
        cleaned["format"] = cleaned.get("format") or CSV
        return cleaned
