"""Forms of referrals and of the case settings page. They validate only; the views call the services.

The referral's time is typed on the agency's clock (``AgencyLocalDateTimeField``) and reaches
the service as aware UTC; a response's day and the settings' figures are plain values.
"""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils import timezone

from compliance.core.forms import BoundedDateField
from incidents.detainers.local_time import AgencyLocalDateTimeField, AgencyLocalTimesMixin
from incidents.referrals.case_settings import ICE_REFERRAL_HOURS_RANGE, INVESTIGATION_TARGET_DAYS_RANGE
from incidents.referrals.models import Referral
from incidents.referrals.services import FUTURE_MESSAGE, RECIPIENT_MESSAGE, RESPONSE_MESSAGE

CHECK_MOA = "Check against your MOA."


class ReferralForm(AgencyLocalTimesMixin, forms.Form):
    """Record a referral of a case (to ICE OPR / the Joint Intake Center, DHS OIG, CRCL or another body)."""

    recipient = forms.ChoiceField(
        label="Referred to",
        choices=[("", "- Select -"), *Referral.Recipient.choices],
        error_messages={"required": RECIPIENT_MESSAGE},
    )
    referred_at = AgencyLocalDateTimeField(label="Referred at")
    reference_number = forms.CharField(
        label="Reference number (optional)",
        max_length=60,
        required=False,
        help_text="The number the recipient gave the referral, if any.",
    )

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency
        self.init_local_times(agency.zone)

    def clean(self):
        cleaned = super().clean()
        self.clean_local_times(self.agency.zone)
        when = cleaned.get("referred_at")
        if isinstance(when, datetime) and when.tzinfo is not None and when > timezone.now():
            self.add_error("referred_at", FUTURE_MESSAGE)
        return cleaned


class ReferralResponseForm(forms.Form):
    """Record the recipient's response to a referral."""

    response = forms.CharField(
        label="Response",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": RESPONSE_MESSAGE},
    )
    response_on = BoundedDateField(
        label="Response received on",
        input_formats=["%Y-%m-%d", "%m/%d/%Y"],
        help_text="The agency-local day the response came.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class IncidentSettingsForm(forms.Form):
    """An agency's case settings (administrators)."""

    ice_referral_hours = forms.IntegerField(
        label="Notify ICE OPR within (hours)",
        min_value=ICE_REFERRAL_HOURS_RANGE[0],
        max_value=ICE_REFERRAL_HOURS_RANGE[1],
        help_text="Hours from receipt within which a complaint about immigration authority must be referred to "
        f"ICE OPR / the Joint Intake Center (real elapsed hours). {CHECK_MOA}",
    )
    investigation_target_days = forms.IntegerField(
        label="Investigation target (days)",
        min_value=INVESTIGATION_TARGET_DAYS_RANGE[0],
        max_value=INVESTIGATION_TARGET_DAYS_RANGE[1],
        help_text=f"Days from receipt within which a case should be closed; past it, a finding opens. {CHECK_MOA}",
    )
