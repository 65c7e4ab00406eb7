"""The incident and complaint form, and the queue's filters. They validate only; views pass ``cleaned_data`` on.

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
from incidents.incident_log.selectors import QueueFilters
from incidents.incident_log.services import INCIDENT_FIELDS


class IncidentForm(AgencyChoiceMixin, AgencyLocalTimesMixin, forms.ModelForm):
    """Log or update an incident or complaint's details. The stage is not here: it moves only through the review.

    A case cannot be created closed, and an edit cannot close one (``incidents.case_review``).
    """

    occurred_at = AgencyLocalDateTimeField(label="Occurred at")

    class Meta:
        model = Incident
        fields = list(INCIDENT_FIELDS)

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


QUEUE_STAGE_CHOICES = [("", "All stages"), ("open", "Open (not closed)"), *Incident.Status.choices]
QUEUE_KIND_CHOICES = [("", "All kinds"), *Incident.Kind.choices]
QUEUE_SOURCE_CHOICES = [("", "All sources"), *Incident.Source.choices]
QUEUE_SEVERITY_CHOICES = [("", "Any severity"), *Incident.Severity.choices]


def officer_label(officer) -> str:
    """``Last, First · badge N`` (a single-named officer: ``Last · badge N``), for the subject-officer choice."""
    name = ", ".join(part for part in (officer.last_name, officer.first_name) if part)
    return f"{name} · badge {officer.badge_number}"


class IncidentQueueFilterForm(forms.Form):
    """The queue's filters (GET). Validates only; ``filters()`` gives the valid part (a bad field is ignored).

    The subject officer is chosen from the roster officers of the user's agencies and travels as the
    officer's public id, never a name (SECURITY.md F6).
    """

    status = forms.ChoiceField(label="Stage", choices=QUEUE_STAGE_CHOICES, required=False)
    kind = forms.ChoiceField(label="Kind", choices=QUEUE_KIND_CHOICES, required=False)
    source = forms.ChoiceField(label="Source", choices=QUEUE_SOURCE_CHOICES, required=False)
    severity = forms.ChoiceField(label="Severity", choices=QUEUE_SEVERITY_CHOICES, required=False)
    officer = forms.ChoiceField(label="Subject officer", required=False)
    overdue = forms.BooleanField(label="Overdue only", required=False)
    mine = forms.BooleanField(label="Assigned to me", required=False)

    def __init__(self, *args, officers, **kwargs):
        """``officers``: the roster officers the user may see (already scoped), in the order to list them."""
        super().__init__(*args, **kwargs)
        self.officers = {str(officer.public_id): officer for officer in officers}
        self.fields["officer"].choices = [("", "Any officer")] + [
            (key, officer_label(officer)) for key, officer in self.officers.items()
        ]

    def filters(self):
        """The ``selectors.QueueFilters`` of every field that validated (after ``is_valid()``)."""
        data = getattr(self, "cleaned_data", {})
        return QueueFilters(
            stage=data.get("status") or "",
            kind=data.get("kind") or "",
            officer=self.officers.get(data.get("officer") or ""),
            overdue=bool(data.get("overdue")),
            source=data.get("source") or "",
            mine=bool(data.get("mine")),
            severity=data.get("severity") or "",
        )

    def query(self) -> dict[str, str]:
        """The valid filters as query parameters (kept in the paging links); empty ones left out."""
        data = getattr(self, "cleaned_data", {})
        params = {name: data.get(name) for name in ("status", "kind", "source", "severity", "officer")}
        params.update({name: "1" for name in ("overdue", "mine") if data.get(name)})
        return {name: value for name, value in params.items() if value}
