"""Forms of the detainer log: the page's filters (GET: outcome, received dates, held past the deadline, the tokens
of a name look-up and of a booking/A-number look-up), the look-ups themselves (POST: a name or an A-number never
goes into a URL, SECURITY.md F6), the export's."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from compliance.core.forms import BoundedDateField, PersonNameField
from incidents.detainer_log.paging import LogFilters
from incidents.detainers.models import Detainer
from incidents.detainers.validators import a_number_normalise

OUTCOME_CHOICES = [
    ("all", "All outcomes"),
    ("open", "Open (outcome pending)"),
    ("transferred", "Transferred to ICE custody"),
    ("released", "Released"),
    ("lifted", "Detainer lifted or declined"),
]

#: The ``hold`` filter's value: detainers held past their hold deadline
#: (``incidents.detainers.selectors.held_past_deadline_q``).
HOLD_PAST_DEADLINE = "past_deadline"

DATE_MESSAGE = "Enter a date as YYYY-MM-DD, e.g. 2026-03-09."


class DetainerLogFilterForm(forms.Form):
    """Validates the filters only; ``filters()`` gives the valid part (a bad field is ignored, not guessed)."""

    outcome = forms.ChoiceField(label="Outcome", choices=OUTCOME_CHOICES, required=False)
    received_from = BoundedDateField(
        label="Received on or after",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": DATE_MESSAGE},
        help_text="A date in the agency's time zone.",
    )
    received_to = BoundedDateField(
        label="Received on or before",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": DATE_MESSAGE},
        help_text="Inclusive: the whole day in the agency's time zone.",
    )
    # Holds that ran past the 48-hour deadline (the dashboard's monthly figure links here).
    hold = forms.ChoiceField(
        label="Hold",
        choices=[("", "Any"), (HOLD_PAST_DEADLINE, "Held past the 48-hour deadline")],
        required=False,
    )
    # The token of a booking/A-number look-up kept in the session (detainer_log.name_search), never the number.
    number = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)
    # The token of a name look-up kept in the session (incidents.detainer_log.name_search), never the name.
    name = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("received_from"), cleaned.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", "This date is before the “received on or after” date.")
        return cleaned

    def filters(self) -> LogFilters:
        """The filters to apply: every field that validated (after ``is_valid()``); the view adds the look-ups."""
        data = getattr(self, "cleaned_data", {})
        return LogFilters(
            outcome=data.get("outcome") or "all",
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
            held_past_deadline=data.get("hold") == HOLD_PAST_DEADLINE,
        )

    def query(self) -> dict[str, str]:
        """The valid filters as query parameters (kept in the paging links); defaults left out."""
        filters = self.filters()
        params = {}
        if filters.outcome != "all":
            params["outcome"] = filters.outcome
        if filters.received_from:
            params["received_from"] = filters.received_from.isoformat()
        if filters.received_to:
            params["received_to"] = filters.received_to.isoformat()
        if filters.held_past_deadline:
            params["hold"] = HOLD_PAST_DEADLINE
        for token in ("number", "name"):
            value = getattr(self, "cleaned_data", {}).get(token)
            if value:
                params[token] = value
        return params


def number_filters(number: str) -> dict[str, str]:
    """``LogFilters`` fields for a booking number or A-number as typed: ``number``, and ``a_number`` if it is one."""
    try:
        a_number = a_number_normalise(number) if number else ""
    except ValidationError:
        a_number = ""  # not an A-number: a booking number only
    return {"number": number, "a_number": a_number}


class NumberSearchForm(forms.Form):
    """Find a detainer by its booking number or the subject's A-number (POST: never in the URL, SECURITY.md F6)."""

    booking_or_a_number = forms.CharField(
        label="Booking number or A-number",
        max_length=40,
        help_text="Exact match, e.g. BK-20001 or A012345678.",
    )


class SubjectNameSearchForm(forms.Form):
    """Find a subject in the log by name (POST). Both names are compared by ``compliance.core.names.name_key``."""

    subject_last_name = PersonNameField(
        label="Subject's last name",
        max_length=100,
        help_text="Or their only name. Capitals do not matter (ÁLVAREZ finds Álvarez); accents do (Peña, Pena).",
    )
    subject_first_name = PersonNameField(
        label="Subject's first name", max_length=100, required=False, help_text="Blank: any first name."
    )


CSV = "csv"

XLSX = "xlsx"

ERR_PERIOD = "The first day of the period is after its last day."


class DetainerExportForm(forms.Form):
    """``?format=csv|xlsx&received_from=&received_to=&outcome=`` (``?agency=`` is read by the view).

    ``received_from``/``received_to`` are agency-local dates, both inclusive.
    """

    format = forms.ChoiceField(choices=[(CSV, "CSV"), (XLSX, "Excel workbook (XLSX)")], required=False)
    received_from = BoundedDateField(
        label="Received from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = BoundedDateField(label="Received to", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    outcome = forms.ChoiceField(choices=[("", "Any outcome"), *Detainer.Outcome.choices], required=False)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("received_from"), cleaned.get("received_to")
        if start and end and start > end:
            self.add_error("received_from", ERR_PERIOD)
        cleaned["format"] = cleaned.get("format") or CSV
        return cleaned
