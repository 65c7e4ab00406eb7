"""Part B (issue 4) forms: U.S.-citizenship claim, escalation, resolution; consular notification.

They validate only; views pass ``cleaned_data`` to ``incidents.citizenship`` /
``incidents.consular``, whose ``ValidationError`` keys are these field names
(``add_service_errors`` puts each message next to its field).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from compliance.core.models import Agency
from incidents.local_time import AgencyLocalDateTimeField, AgencyTimesForm
from incidents.models import Detainer
from incidents.models_citizenship import CitizenshipCategory, CitizenshipResolution
from incidents.models_consular import ConsularMethod
from training.roster.models import Officer


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on ``form``: per field when it names one, else on top."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class CitizenshipClaimForm(forms.ModelForm):
    """Record a claim or a sign of U.S. citizenship (R5.1). Any one puts the detainer in STOP."""

    class Meta:
        model = Detainer
        fields = [
            "uscitizenship_claimed",
            "citizenship_sign_us_birthplace",
            "citizenship_sign_us_id",
            "citizenship_sign_us_parent",
            "citizenship_sign_derived",
            "citizenship_claim_details",
        ]
        widgets = {"citizenship_claim_details": forms.Textarea(attrs={"rows": 3})}


class CitizenshipEscalationForm(AgencyTimesForm):
    """A supervisor's escalation of the claim to ICE, with the R5.2 triage."""

    escalated_at = AgencyLocalDateTimeField(label="Escalated to ICE at")
    escalated_to = forms.CharField(label="Escalated to (ICE officer or office)", max_length=200)
    category = forms.ChoiceField(label="Triage (R5.2)", choices=[("", "- Select -"), *CitizenshipCategory.choices])
    opla_consulted_at = AgencyLocalDateTimeField(label="OPLA consulted at", required=False)


class CitizenshipResolutionForm(AgencyTimesForm):
    """A supervisor's resolution of the claim (R5.2); the note is the documented decision."""

    resolution = forms.ChoiceField(choices=[("", "- Select -"), *CitizenshipResolution.choices])
    note = forms.CharField(label="What was decided and on what evidence", widget=forms.Textarea(attrs={"rows": 3}))
    opla_consulted_at = AgencyLocalDateTimeField(
        label="OPLA consulted at", required=False, help_text="Required when there was some probative evidence."
    )


class ConsularForm(AgencyTimesForm):
    """The consular-notification record (R5.4). Whether the country is mandatory is derived, never typed."""

    nationality = forms.CharField(
        max_length=100,
        required=False,
        help_text="Without better information, the country that issued the passport or travel document.",
    )
    advised_of_right_at = AgencyLocalDateTimeField(
        label="Told of consular notification at",
        required=False,
        help_text="For a mandatory-notification country: when the person was told the consulate is being notified.",
    )
    requested = forms.NullBooleanField(
        label="Did the person ask for the consulate to be told?",
        required=False,
        widget=forms.NullBooleanSelect(),
    )
    notified_at = AgencyLocalDateTimeField(label="Consulate notified at", required=False)
    method = forms.ChoiceField(label="How", required=False, choices=[("", "- Select -"), *ConsularMethod.choices])
    officer = forms.ModelChoiceField(label="Officer who notified", queryset=Officer.objects.none(), required=False)

    def __init__(self, *args, agency: Agency, **kwargs):
        super().__init__(*args, agency=agency, **kwargs)
        self.fields["requested"].widget.choices = [("unknown", "Not asked yet"), ("true", "Yes"), ("false", "No")]
        self.fields["officer"].queryset = Officer.objects.filter(agency=agency).order_by("last_name", "first_name")

    @staticmethod
    def initial_for(detainer: Detainer) -> dict:
        """Stored values; nationality defaults to the subject's country of citizenship when recorded."""
        return {
            "nationality": detainer.consular_nationality or getattr(detainer, "subject_country_of_citizenship", ""),
            "advised_of_right_at": detainer.consular_advised_of_right_at,
            "requested": detainer.consular_requested,
            "notified_at": detainer.consular_notified_at,
            "method": detainer.consular_method,
            "officer": detainer.consular_officer,
        }
