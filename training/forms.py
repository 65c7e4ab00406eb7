"""Forms of the training pages. They validate input only; the views call ``training.services``.

Create forms take the agencies the user may change records in (from
``compliance.access.agencies_for``): with more than one, an "Agency" choice
appears; with exactly one, the record goes to that agency.
"""

from __future__ import annotations

from django import forms

from training import rules
from training.importers import ENCODINGS, MAX_BYTES
from training.models import Course, Officer

AGENCY_HELP = "You can change records in more than one agency: choose the one this record belongs to."
FILE_TOO_LARGE = f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB."


class AgencyChoiceMixin:
    """Adds a required ``agency`` choice when the user may change records in several agencies."""

    def add_agency_field(self, agencies, initial=None) -> None:
        agency_list = list(agencies)
        self.single_agency = agency_list[0] if len(agency_list) == 1 else None
        if self.single_agency is None:
            self.fields = {
                "agency": forms.ModelChoiceField(
                    queryset=agencies,
                    to_field_name="public_id",
                    initial=getattr(initial, "public_id", None),
                    help_text=AGENCY_HELP,
                ),
                **self.fields,
            }

    def chosen_agency(self):
        return self.single_agency or self.cleaned_data["agency"]


class SupervisorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        name = obj.get_full_name()
        return f"{name} ({obj.username})" if name else obj.username


class OfficerForm(AgencyChoiceMixin, forms.Form):
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    badge_number = forms.CharField(max_length=30)
    unit = forms.CharField(max_length=100, required=False)
    email = forms.EmailField(required=False, help_text="Expiry notices go to this address.")
    status = forms.ChoiceField(choices=Officer.Status.choices, initial=Officer.Status.DESIGNATED)
    supervisor = SupervisorChoiceField(
        queryset=None,
        required=False,
        help_text="A supervisor of the officer's agency; receives the officer's expiry notices.",
    )

    def __init__(self, *args, supervisors, agencies=None, agency_initial=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = supervisors
        self.single_agency = None
        if agencies is not None:
            self.add_agency_field(agencies, agency_initial)


class CourseForm(AgencyChoiceMixin, forms.Form):
    code = forms.CharField(max_length=30, help_text="Short code used in roster imports, e.g. IADP or REFRESHER.")
    name = forms.CharField(max_length=200)
    validity_months = forms.IntegerField(
        min_value=1,
        max_value=600,
        initial=24,
        help_text="How long a completion stays valid, in months (refresher every 24 months by default, R2.4).",
    )
    hours = forms.IntegerField(min_value=1, max_value=2000, required=False)
    delivery = forms.ChoiceField(choices=Course.Delivery.choices, initial=Course.Delivery.IN_PERSON)
    required = forms.BooleanField(required=False, initial=True, help_text="Every designated officer must hold it.")

    def __init__(self, *args, agencies, agency_initial=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_agency_field(agencies, agency_initial)


class CertificationForm(forms.Form):
    course = forms.ModelChoiceField(queryset=None, to_field_name="public_id")
    completed_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The day the course was completed. The expiry date is computed from the course's validity.",
    )
    certificate_number = forms.CharField(max_length=60, required=False)

    def __init__(self, *args, courses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses


class RosterImportForm(AgencyChoiceMixin, forms.Form):
    file = forms.FileField(
        label="Roster file (CSV)",
        help_text="Columns: badge_number, last_name, first_name, unit, email, course_code, completed_on, "
        "certificate_number. Dates as YYYY-MM-DD or MM/DD/YYYY.",
    )
    encoding = forms.ChoiceField(
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


class RosterFilterForm(forms.Form):
    q = forms.CharField(label="Name or badge", required=False, max_length=100)
    status = forms.ChoiceField(
        label="Training status", required=False, choices=[("", "Any")] + list(rules.STATUS_LABELS.items())
    )
    officer_status = forms.ChoiceField(
        label="Officer status",
        required=False,
        choices=[("", "Active roster"), *Officer.Status.choices, ("all", "All officers")],
    )
