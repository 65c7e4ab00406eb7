"""Forms for outreach events. They validate only; views pass ``cleaned_data`` to services."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from community.outreach.models import OutreachEvent
from compliance.core.forms import AgencyChoiceMixin, BoundedDateField
from compliance.core.models import Agency

FUTURE_ATTENDANCE_MESSAGE = "Attendance can only be recorded for an event that has been held."

#: The largest attendance the form takes (our figure): a number past it is a typo, refused next to the field
#: with the same message on every database (the column's own range is 2,147,483,647 on PostgreSQL, 2⁶³ − 1 on
#: SQLite).
MAX_ATTENDANCE = 100_000


class OutreachEventForm(AgencyChoiceMixin, forms.ModelForm):
    """Log or update a community meeting, steering-committee session or presentation (R3.6)."""

    attendance = forms.IntegerField(required=False, min_value=0, max_value=MAX_ATTENDANCE)

    class Meta:
        model = OutreachEvent
        fields = [
            "kind",
            "title",
            "held_on",
            "location",
            "attendance",
            "languages",
            "interpretation_provided",
            "topics",
            "summary",
        ]
        labels = {"held_on": "Held on", "languages": "Languages used"}
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        field_classes = {"held_on": BoundedDateField}

    def __init__(self, *args, agencies, agency: Agency | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.init_agency(agencies=agencies, agency=agency)

    def clean(self):
        cleaned = super().clean()
        held_on = cleaned.get("held_on")
        agency = self.selected_agency()
        # "Today" is the agency's own date, not the server's (CASES.md conventions).
        in_future = agency is not None and held_on and held_on > timezone.localdate(timezone=agency.zone)
        if in_future and cleaned.get("attendance") is not None:
            self.add_error("attendance", FUTURE_ATTENDANCE_MESSAGE)
        return cleaned
