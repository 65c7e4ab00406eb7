"""Forms of the roster page (filters, bulk actions) and of the roster import. They validate only."""

from __future__ import annotations

import uuid

from django import forms

from compliance.core.models import AgreementModel
from training import rules
from training.forms import AgencyChoiceMixin, SupervisorChoiceField
from training.models import Officer
from training.roster_files import ENCODINGS, MAX_BYTES

FILE_TOO_LARGE = f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB."
NO_SUPERVISOR = "none"

# Sort keys of the roster page → label; a leading "-" on the value reverses it.
SORTS = {
    "name": "Name",
    "badge": "Badge",
    "status": "Training status (worst first)",
    "expiry": "Next expiry (soonest first)",
}


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
    model = forms.ChoiceField(label="Agreement model", required=False, choices=[("", "Any"), *AgreementModel.choices])
    supervisor = forms.ChoiceField(label="Supervisor", required=False)
    course = forms.ChoiceField(label="Completed course", required=False)
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[(key, label) for key, label in SORTS.items()]
        + [(f"-{key}", f"{label}, reversed") for key, label in SORTS.items()],
    )

    def __init__(self, *args, supervisors, courses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].choices = [
            ("", "Any"),
            (NO_SUPERVISOR, "No supervisor"),
            *[(str(user.pk), _user_label(user)) for user in supervisors],
        ]
        self.fields["course"].choices = [("", "Any")] + [
            (str(course.public_id), f"{course.code} — {course.name}") for course in courses
        ]


def _user_label(user) -> str:
    name = user.get_full_name()
    return f"{name} ({user.username})" if name else user.username


class OfficerIdsField(forms.Field):
    """The public ids of the ticked officers (the view looks them up in the user's scope)."""

    widget = forms.MultipleHiddenInput
    MAX = 500

    def to_python(self, value) -> list[uuid.UUID]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        if len(value) > self.MAX:
            raise forms.ValidationError(f"Choose at most {self.MAX} officers at once.")
        try:
            return list(dict.fromkeys(uuid.UUID(str(item)) for item in value))
        except ValueError:
            raise forms.ValidationError("Unknown officer.") from None


class BulkActionForm(forms.Form):
    """A bulk action on the officers ticked on the roster page."""

    ASSIGN_SUPERVISOR = "assign_supervisor"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"

    officers = OfficerIdsField(error_messages={"required": "Tick at least one officer."})
    action = forms.ChoiceField(label="With the selected officers")
    supervisor = SupervisorChoiceField(queryset=None, required=False, label="Supervisor to assign")
    effective_on = forms.DateField(
        label="Effective on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Suspend/reinstate; blank: today.",
    )
    note = forms.CharField(label="Note", required=False, max_length=500)

    def __init__(self, *args, supervisors, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = actions
        self.fields["supervisor"].queryset = supervisors

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == self.ASSIGN_SUPERVISOR and not cleaned.get("supervisor"):
            self.add_error("supervisor", "Choose the supervisor to assign.")
        return cleaned
