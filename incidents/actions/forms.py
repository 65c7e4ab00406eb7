"""The form that records a 287(g) action on a detainer. It validates only; the service applies the rules.

The rules are in ``incidents.actions.services`` (R1.6, R2.4, R2.7, R3.4, R3.8, R3.10): an action that
already happened and broke one is recorded with the ``explanation`` (docs/decisions/past-facts-and-gates.md).

The time is typed on the agency's clock (``AgencyLocalDateTimeField``: a time
the clock skipped is refused, a repeated one asks which, case D3). Officers
and agreements are those of the detainer's agency only. The service's
refusals come back keyed by these field names (``add_service_errors``).
"""

from __future__ import annotations

from django import forms

from compliance.core.models import Agreement
from incidents.detainers.choices import Action, InterpreterType
from incidents.detainers.forms import explanation_field
from incidents.detainers.local_time import AgencyLocalDateTimeField, AgencyLocalTimesMixin
from incidents.detainers.models import Detainer
from training.roster.models import Officer


class DetainerActionForm(AgencyLocalTimesMixin, forms.Form):
    """One 287(g) action: what, when (agency-local), who, under which MOA, language access, ICE approval.

    Rules: R1.6, R3.8, R3.4 and R3.10 (applied by the service).
    """

    kind = forms.ChoiceField(label="287(g) action taken", choices=[("", "- Select -"), *Action.choices])
    performed_at = AgencyLocalDateTimeField(
        label="Performed at", help_text="On the agency's clock. The officer must be authorized at that moment."
    )
    officer = forms.ModelChoiceField(label="Officer who acted", queryset=Officer.objects.none())
    agreement = forms.ModelChoiceField(
        label="Agreement (MOA)",
        queryset=Agreement.objects.none(),
        required=False,
        empty_label="- The detainer's agreement -",
    )
    language = forms.CharField(
        label="Language", max_length=60, required=False, help_text="Required for an interview or a service (R3.8)."
    )
    interpreter_used = forms.BooleanField(label="An interpreter was used", required=False)
    interpreter_type = forms.ChoiceField(
        label="Interpreter", choices=[("", "- Select -"), *InterpreterType.choices], required=False
    )
    ice_supervisor = forms.CharField(
        label="Supervising ICE officer",
        max_length=150,
        required=False,
        help_text="Name or ID. Required for a field action under a Task Force Model agreement (R3.4, R3.10).",
    )
    prior_approval_reference = forms.CharField(
        label="ICE prior approval reference",
        max_length=200,
        required=False,
        help_text="Required for a field action under a Task Force Model agreement (R3.10).",
    )
    prior_approval_at = AgencyLocalDateTimeField(
        label="ICE prior approval given at",
        required=False,
        help_text="On the agency's clock; at or before the action (R3.10).",
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    explanation = explanation_field(
        help_text=(
            "Required when the action broke a rule (an officer not authorized that day, an action outside the "
            "agreement, a Task Force Model field action without ICE's approval): it is recorded as it happened, "
            "a finding is opened and the supervisors are told. Say what happened and why."
        )
    )

    def __init__(self, *args, detainer: Detainer, **kwargs):
        super().__init__(*args, **kwargs)
        self.detainer = detainer
        self.fields["officer"].queryset = Officer.objects.filter(agency=detainer.agency).order_by(
            "last_name", "first_name"
        )
        self.fields["agreement"].queryset = Agreement.objects.filter(agency=detainer.agency)
        if detainer.handling_officer_id and "officer" not in self.initial:
            self.initial["officer"] = detainer.handling_officer_id
        self.init_local_times(detainer.agency.zone)

    def clean(self):
        cleaned = super().clean()
        self.clean_local_times(self.detainer.agency.zone)
        return cleaned
