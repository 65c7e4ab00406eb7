"""Forms of the officer lifecycle pages and of the agreement's requirements page. Validation only.

Lifecycle: status change, nomination checklist (R2.8), exam (R2.2). Requirements page:
the officer cap (R1.8) and the training requirement rows (R2.4–R2.6).

The views pass ``cleaned_data`` to ``training.lifecycle.services`` and
``training.requirements.services``, whose ``ValidationError`` messages are shown next
to the matching field.
"""

from __future__ import annotations

from django import forms

from compliance.core.forms import BoundedDateField
from training.lifecycle.services import ALLOWED_CHANGES
from training.requirements.models import TrainingRequirement
from training.roster.models import Course, Officer

DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


class StatusChangeForm(forms.Form):
    status = forms.ChoiceField(label="New status", choices=Officer.Status.choices)
    effective_on = BoundedDateField(
        label="Effective on",
        widget=DATE_WIDGET,
        help_text="The day the change took effect (agency date), even if it is recorded later.",
    )
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    ice_credential_id = forms.CharField(
        label="ICE credential id",
        required=False,
        max_length=60,
        help_text="At certification: the credential ICE issued (R2.9).",
    )
    ice_credential_issued_on = BoundedDateField(label="ICE credential issued on", required=False, widget=DATE_WIDGET)

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = ALLOWED_CHANGES[current]
        self.fields["status"].choices = [(value, label) for value, label in Officer.Status.choices if value in allowed]


class ChecklistForm(forms.Form):
    """The nomination checklist of DOMAIN.md R2.8."""

    us_citizen = forms.BooleanField(label="The candidate is a U.S. citizen", required=False)
    lea_background_check_on = BoundedDateField(
        label="LEA background check (last 5 years) done on", required=False, widget=DATE_WIDGET
    )
    ice_background_check_on = BoundedDateField(
        label="ICE background check done on",
        required=False,
        widget=DATE_WIDGET,
        help_text="Fingerprints, personal-history questionnaire, disciplinary history incl. excessive force "
        "or discrimination allegations.",
    )
    privacy_waiver_on_file = forms.BooleanField(
        label="Signed privacy waiver on file (ICE access to disciplinary records)", required=False
    )
    service_commitment_signed = forms.BooleanField(
        label="2-year service commitment signed (union agreement in place where one applies)", required=False
    )


class ExamForm(forms.Form):
    course = forms.ModelChoiceField(queryset=None, to_field_name="public_id")
    exam_name = forms.CharField(label="Exam", required=False, max_length=120, help_text="e.g. the module tested.")
    taken_on = BoundedDateField(label="Taken on", widget=DATE_WIDGET)
    score_percent = forms.IntegerField(label="Score (%)", min_value=0, max_value=100, help_text="70 % passes (R2.2).")
    is_remediation = forms.BooleanField(
        label="This is the course's one remediation re-test", required=False, help_text="Allowed once per course."
    )

    def __init__(self, *args, courses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses


#: The largest officer cap the form takes. MOAs name caps like 10 or 26 (R1.8); the bound keeps a typo's
#: 30-digit number a message next to the field, not a database error past the column's range.
MAX_OFFICER_CAP = 10_000


class AgreementCapForm(forms.Form):
    max_authorized_officers = forms.IntegerField(
        label="Officer cap (maximum designated officers)",
        required=False,
        min_value=0,
        max_value=MAX_OFFICER_CAP,
        help_text="As written in the MOA (R1.8); blank when the MOA sets no cap. Check against the signed MOA.",
    )


class RequirementForm(forms.Form):
    """One requirement row on the agreement's requirements page."""

    kind = forms.ChoiceField(choices=TrainingRequirement.Kind.choices)
    due_rule = forms.ChoiceField(label="Due rule", choices=TrainingRequirement.DueRule.choices)
    validity_months = forms.IntegerField(
        label="Months", required=False, min_value=1, max_value=600, help_text="For 'N months after completion'."
    )
    hours = forms.IntegerField(label="Hours", required=False, min_value=1, max_value=2000)
    delivery_mode = forms.ChoiceField(label="Delivery", choices=Course.Delivery.choices)


class RequirementEditForm(RequirementForm):
    remove = forms.BooleanField(label="Remove", required=False)


class RequirementAddForm(RequirementForm):
    course = forms.ModelChoiceField(queryset=None, to_field_name="public_id")

    field_order = ["course", "kind", "due_rule", "validity_months", "hours", "delivery_mode"]

    def __init__(self, *args, courses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses
