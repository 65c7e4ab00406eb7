"""Forms of the training session pages. They validate only; ``training.sessions.services`` writes."""

from __future__ import annotations

import re

from django import forms

from compliance.core.forms import BoundedDateField

DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


class SessionForm(forms.Form):
    course = forms.ModelChoiceField(queryset=None, to_field_name="public_id")
    starts_on = BoundedDateField(widget=DATE_WIDGET, help_text="First day of the class (agency date).")
    ends_on = BoundedDateField(
        widget=DATE_WIDGET, help_text="Last day of the class; certifications are completed on this day."
    )
    location = forms.CharField(max_length=200)
    instructor = forms.CharField(max_length=200)
    exam_required = forms.BooleanField(
        label="The class ends with an exam",
        required=False,
        initial=True,
        help_text="Officers must score at least 70 % to be certified (R2.2). Untick for a class without an exam.",
    )

    def __init__(self, *args, courses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses


class EnrollForm(forms.Form):
    badge_numbers = forms.CharField(
        label="Badge numbers",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text="One or more badge numbers of officers of this agency, separated by commas or new lines.",
    )

    def clean_badge_numbers(self) -> list[str]:
        return [badge for badge in re.split(r"[,;\s]+", self.cleaned_data["badge_numbers"]) if badge]


class EnrollmentResultForm(forms.Form):
    """One roster row: which enrollment, attendance, score, remediation flag."""

    enrollment = forms.UUIDField(widget=forms.HiddenInput)
    attended = forms.BooleanField(required=False)
    exam_score_percent = forms.IntegerField(
        label="Exam score (%)", required=False, min_value=0, max_value=100, widget=forms.NumberInput(attrs={"size": 4})
    )
    is_remediation = forms.BooleanField(label="Remediation re-test", required=False)


EnrollmentResultFormSet = forms.formset_factory(EnrollmentResultForm, extra=0, max_num=1000, validate_max=True)
