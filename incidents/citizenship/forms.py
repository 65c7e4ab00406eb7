"""Forms of the U.S.-citizenship page: the claim or sign, its escalation to ICE, its resolution (R5.1–R5.2).

They validate only; views pass ``cleaned_data`` to ``incidents.citizenship.services``,
whose ``ValidationError`` keys are these field names (``add_service_errors`` puts
each message next to its field).
"""

from __future__ import annotations

from django import forms

from incidents.citizenship.models import CitizenshipCategory, CitizenshipResolution
from incidents.detainers.local_time import AgencyLocalDateTimeField, AgencyTimesForm
from incidents.detainers.models import Detainer


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
