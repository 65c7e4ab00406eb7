"""Forms of the training pages. They validate input only; the views call ``training.services``.

Create forms take the agencies the user may change records in (from
``compliance.core.access.agencies_for``): with more than one, an "Agency" choice
appears; with exactly one, the record goes to that agency.
"""

from __future__ import annotations

from django import forms

from compliance.core.models import Agreement
from training.models import Course, Officer

AGENCY_HELP = "You can change records in more than one agency: choose the one this record belongs to."


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
    status = forms.ChoiceField(
        choices=Officer.Status.choices,
        initial=Officer.Status.NOMINATED,
        help_text="A new candidate starts as nominated. A change here takes effect today; to record another "
        "effective date, certification details or a separation, use “Change status” on the officer's page.",
    )
    supervisor = SupervisorChoiceField(
        queryset=None,
        required=False,
        help_text="A supervisor of the officer's agency; receives the officer's expiry notices.",
    )
    agreement = forms.ModelChoiceField(
        label="Agreement (MOA)",
        queryset=None,
        required=False,
        to_field_name="public_id",
        help_text="The agreement the officer serves under; it sets the training requirements and the officer cap. "
        "Blank when adding: the agency's agreement in force, if it has exactly one.",
    )

    def __init__(self, *args, supervisors, agreements=None, agencies=None, agency_initial=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = supervisors
        self.fields["agreement"].queryset = agreements if agreements is not None else Agreement.objects.none()
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
    required = forms.BooleanField(
        required=False,
        initial=True,
        help_text="Every designated officer must hold it, unless the officer's agreement has its own training "
        "requirements (set by an agency administrator on the agreement's requirements page).",
    )

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
