"""Forms of the MOA checklist: they validate input only; the views pass ``cleaned_data`` to ``services``."""

from __future__ import annotations

from django import forms
from django.conf import settings

from compliance.core.forms import BoundedDateField
from compliance.core.models import Clause
from compliance.moa.evidence import EVALUATORS
from training.evidence.services import format_size


class RequirementForm(forms.Form):
    """Edit a requirement: its words, where the signed MOA says it, its settings, whether it applies."""

    title = forms.CharField(max_length=200)
    text = forms.CharField(label="What the MOA requires", widget=forms.Textarea(attrs={"rows": 4}))
    moa_section = forms.CharField(
        label="MOA section", max_length=60, required=False, help_text="Where the signed MOA says it, e.g. 'Section XI'."
    )
    parameters = forms.JSONField(
        label="Settings (JSON)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text='The evidence check\'s settings, e.g. {"grace_days": 14}. Leave {} for the defaults.',
    )
    active = forms.BooleanField(
        label="This requirement is in our signed MOA",
        required=False,
        help_text="Untick when your MOA has no such clause.",
    )

    def clean_parameters(self):
        value = self.cleaned_data.get("parameters")
        if value in (None, ""):
            return {}
        if not isinstance(value, dict):
            raise forms.ValidationError('Enter the settings as a JSON object, e.g. {"grace_days": 14}.')
        return value


class RequirementAddForm(forms.Form):
    """A requirement of the signed MOA that the shipped templates do not have."""

    title = forms.CharField(max_length=200)
    text = forms.CharField(label="What the MOA requires", widget=forms.Textarea(attrs={"rows": 4}))
    clause = forms.ChoiceField(label="MOA clause", choices=Clause.choices, initial=Clause.OTHER)
    moa_section = forms.CharField(label="MOA section", max_length=60, required=False)
    evidence = forms.ChoiceField(label="How it is met", initial="document")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].choices = sorted(
            ((key, evaluator.label) for key, evaluator in EVALUATORS.items()), key=lambda c: c[1]
        )


class DocumentForm(forms.Form):
    """Attach a document as evidence for a requirement."""

    title = forms.CharField(max_length=200, help_text="What the document is, e.g. 'Media policy, 2026 edition'.")
    file = forms.FileField(
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"})
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    valid_from = BoundedDateField(label="Valid from", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = BoundedDateField(label="Valid until", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "file"
        ].help_text = (
            f"A PDF, PNG or JPEG file, at most {format_size(settings.CASE_FILE_MAX_BYTES)}; checked by its content."
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", "The end of validity must be on or after its start.")
        return data


class DocumentWithdrawForm(forms.Form):
    """Confirm withdrawing a document: why (required, kept in the document's history)."""

    reason = forms.CharField(
        label="Why is this document withdrawn?",
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the document's history, e.g. 'Superseded by the 2026 policy'. No personal data.",
        error_messages={"required": "Enter why the document is withdrawn."},
    )
