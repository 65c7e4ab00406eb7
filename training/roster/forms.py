"""Forms of the roster pages: officer, course, certification, roster filters, bulk actions. Validation only.

The views pass ``cleaned_data`` to ``training.roster.services``.

Create forms take the agencies the user may change records in (from
``compliance.core.access.agencies_for``): with more than one, an "Agency" choice
appears; with exactly one, the record goes to that agency.
"""

from __future__ import annotations

import uuid

from django import forms

from compliance.core.forms import LISTED_CHOICE, AgencyChoiceMixin, BoundedDateField, PersonNameField
from compliance.core.models import Agreement, AgreementModel
from training.roster import rules
from training.roster.models import Course, Officer, Rank


class SupervisorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        name = obj.get_full_name()
        return f"{name} ({obj.username})" if name else obj.username


class OfficerForm(AgencyChoiceMixin, forms.Form):
    first_name = PersonNameField(
        max_length=100, required=False, help_text="Leave blank for a person with a single name (put it as last name)."
    )
    last_name = PersonNameField(max_length=100, help_text="The family name, or the only name of a person who has one.")
    badge_number = forms.CharField(max_length=30)
    unit = forms.CharField(max_length=100, required=False)
    email = forms.EmailField(required=False, help_text="Expiry notices go to this address.")
    status = forms.ChoiceField(
        choices=Officer.Status.choices,
        initial=Officer.Status.NOMINATED,
        help_text="A new candidate starts as nominated; designation comes later, on the officer's page, once the "
        "nomination checklist, ICE credential and required training are recorded. A change here takes effect "
        "today; to record another effective date, certification details or a separation, use “Change status” "
        "on the officer's page.",
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

    rank = forms.ModelChoiceField(
        queryset=None,
        required=False,
        to_field_name="public_id",
        help_text="From the agency's rank order (an agency administrator keeps it on the rank order page).",
    )
    user = SupervisorChoiceField(
        label="Sign-in account",
        queryset=None,
        required=False,
        help_text="The officer's own sign-in account, if they have one: a user of the same agency. Each account "
        "belongs to one officer (a case's investigator may not be its subject officer).",
    )

    def __init__(
        self, *args, supervisors, agreements=None, agencies=None, agency_initial=None, ranks=None, accounts=None, **kw
    ):
        super().__init__(*args, **kw)
        self.fields["supervisor"].queryset = supervisors
        self.fields["rank"].queryset = ranks if ranks is not None else Rank.objects.none()
        self.fields["user"].queryset = accounts if accounts is not None else supervisors.none()
        self.fields["agreement"].queryset = agreements if agreements is not None else Agreement.objects.none()
        if agencies is not None:  # adding: designation is a step on the officer's page (services.officer_create)
            self.init_agency(agencies=agencies, initial=agency_initial, **LISTED_CHOICE)
            self.fields["status"].choices = [
                (value, label) for value, label in Officer.Status.choices if value != Officer.Status.DESIGNATED
            ]


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
        self.init_agency(agencies=agencies, initial=agency_initial, **LISTED_CHOICE)


class CertificationForm(forms.Form):
    course = forms.ModelChoiceField(queryset=None, to_field_name="public_id")
    completed_on = BoundedDateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The day the course was completed. The expiry date is computed from the course's validity.",
    )
    certificate_number = forms.CharField(max_length=60, required=False)

    def __init__(self, *args, courses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses


NO_SUPERVISOR = "none"


# Sort keys of the roster page → label; a leading "-" on the value reverses it.
SORTS = {
    "name": "Name",
    "badge": "Badge",
    "status": "Training status (worst first)",
    "expiry": "Next expiry (soonest first)",
}


class RosterSearchForm(forms.Form):
    """The roster's search by an officer's name or badge (POST: a name never goes into a URL, SECURITY.md F6)."""

    q = forms.CharField(label="Name or badge", max_length=100)


class RosterFilterForm(forms.Form):
    # The token of a name/badge search kept in the session (compliance.core.private_search), never the text.
    search = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label="Training status", required=False, choices=[("", "Any")] + list(rules.STATUS_LABELS.items())
    )
    officer_status = forms.ChoiceField(
        label="Officer status",
        required=False,
        choices=[("", "Active roster"), *Officer.Status.choices, ("all", "All officers")],
    )
    authorized = forms.ChoiceField(
        label="Authorized today",
        required=False,
        choices=[("", "Any"), ("yes", "Yes"), ("no", "No")],
        help_text="Designated, agreement in force, checklist and ICE credential complete, training current.",
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
    effective_on = BoundedDateField(
        label="Effective on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Suspend/reinstate; blank: today.",
    )
    note = forms.CharField(label="Note", required=False, max_length=500)

    def __init__(self, *args, supervisors, actions, supervisor_list=None, **kwargs):
        """``supervisors``: the queryset a chosen supervisor is checked against; ``supervisor_list``: the same
        queryset already read (the page read it for its filter), shown as the choices without reading it again."""
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = actions
        field = self.fields["supervisor"]
        field.queryset = supervisors
        if supervisor_list is not None:
            field.widget.choices = [
                ("", field.empty_label),
                *[(field.prepare_value(user), field.label_from_instance(user)) for user in supervisor_list],
            ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == self.ASSIGN_SUPERVISOR and not cleaned.get("supervisor"):
            self.add_error("supervisor", "Choose the supervisor to assign.")
        return cleaned
