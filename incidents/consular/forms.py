"""The consular-notification form of a detainer (R5.4–R5.7).

It validates only; the view passes ``cleaned_data`` to ``incidents.consular.services``,
whose ``ValidationError`` keys are these field names (``add_service_errors`` puts
each message next to its field).
"""

from __future__ import annotations

from django import forms

from compliance.core.models import Agency
from incidents.consular.models import ConsularMethod
from incidents.detainers.local_time import AgencyLocalDateTimeField, AgencyTimesForm
from incidents.detainers.models import Detainer
from training.roster.models import Officer


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
