"""The incident and complaint form. It validates only; views pass ``cleaned_data`` to the services.

The time is typed on the agency's clock (``AgencyLocalDateTimeField``) and
reaches the services as an aware UTC datetime. A user who may change records in
more than one agency picks the agency on the create form (``AgencyChoiceMixin``).
"""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils import timezone

from compliance.core.forms import AgencyChoiceMixin
from compliance.core.models import Agency
from incidents.detainers.local_time import (
    AgencyLocalDateTimeField,
    AgencyLocalTimesMixin,
    zone_of,
)
from incidents.detainers.rules import FUTURE_MESSAGE
from incidents.incident_log.models import Incident


class IncidentForm(AgencyChoiceMixin, AgencyLocalTimesMixin, forms.ModelForm):
    """Log or update an incident or complaint's details. The stage is not here: it moves only through the review.

    A case cannot be created closed, and an edit cannot close one (``incidents.case_review``).
    """

    occurred_at = AgencyLocalDateTimeField(label="Occurred at")

    class Meta:
        model = Incident
        fields = [
            "kind",
            "severity",
            "title",
            "description",
            "occurred_at",
            "location",
            "officer_description",
            "immigration_related",
        ]

    def __init__(self, *args, agencies, agency: Agency | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.init_agency(agencies=agencies, agency=agency)
        self.init_local_times(zone_of(self.fixed_agency))
        # "Not sure" when left alone: staff often log before anyone knows.
        self.fields["immigration_related"].required = False

    def clean_immigration_related(self):
        return self.cleaned_data.get("immigration_related") or Incident.Immigration.UNSURE

    def clean(self):
        cleaned = super().clean()
        self.clean_local_times(zone_of(self.selected_agency()))
        when = cleaned.get("occurred_at")
        if isinstance(when, datetime) and when > timezone.now():
            self.add_error("occurred_at", FUTURE_MESSAGE)
        return cleaned
