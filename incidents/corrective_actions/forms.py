"""Forms of corrective actions (add, done, cancel). They validate only; views pass ``cleaned_data`` to the services.

Dates are agency-local ``date``s (``BoundedDateField``): a due date and the day it was done.
The owner is chosen among active users who may change the case agency's records; the
allegation among the case's own. The services check the rules again (due date not past,
day done not in the future, evidence and reason required) and their errors land next to
the field (``compliance.core.forms.add_service_errors``).
"""

from __future__ import annotations

from django import forms

from compliance.core.forms import BoundedDateField
from incidents.corrective_actions import services
from incidents.corrective_actions.models import CorrectiveAction
from incidents.corrective_actions.selectors import owner_choices
from incidents.incident_log.models import Allegation, Incident

DATE_FORMATS = ["%Y-%m-%d", "%m/%d/%Y"]


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class AllegationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        text = obj.text if len(obj.text) <= 80 else obj.text[:79] + "…"
        return f"Allegation {obj.pk}: {text}"


class CorrectiveActionForm(forms.Form):
    """Add a corrective action to a case."""

    kind = forms.ChoiceField(
        label="Kind of action",
        choices=[("", "- Select -"), *CorrectiveAction.Kind.choices],
        error_messages={"required": services.KIND_MESSAGE},
    )
    description = forms.CharField(
        label="What is to be done",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": services.DESCRIPTION_MESSAGE},
    )
    owner = OwnerChoiceField(
        label="Owner",
        queryset=None,
        empty_label="- Select the person responsible -",
        help_text="Who must do it: someone who may change this agency's records.",
    )
    due_on = BoundedDateField(
        label="Due date",
        input_formats=DATE_FORMATS,
        help_text="The last day it may be done on (agency date).",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    allegation = AllegationChoiceField(
        label="Allegation it answers (optional)", queryset=None, required=False, empty_label="- None -"
    )

    def __init__(self, *args, incident: Incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices(incident.agency)
        self.fields["allegation"].queryset = Allegation.objects.filter(incident=incident).order_by("created_at", "pk")


class CorrectiveActionCompleteForm(forms.Form):
    """Record a corrective action done."""

    evidence = forms.CharField(
        label="Evidence",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text="What was done, and where the proof is (e.g. the training record or memo).",
        error_messages={"required": services.EVIDENCE_MESSAGE},
    )
    completed_on = BoundedDateField(
        label="Done on",
        input_formats=DATE_FORMATS,
        help_text="The agency-local day it was done.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class CorrectiveActionCancelForm(forms.Form):
    """Cancel a corrective action (supervisors)."""

    reason = forms.CharField(
        label="Reason for cancelling",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": services.REASON_MESSAGE},
    )
