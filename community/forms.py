"""Forms for outreach events. They validate only; views pass ``cleaned_data`` to services."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from community.models import OutreachEvent
from compliance.core.forms import AgencyChoiceMixin, BoundedDateField
from compliance.core.models import Agency

FOLLOW_UP_BEFORE_EVENT_MESSAGE = "The follow-up cannot be due before the event was held."
FOLLOW_UP_WITHOUT_TEXT_MESSAGE = "Say what was promised, or leave the due date empty."
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
            "summary",
            "follow_up",
            "follow_up_due_on",
        ]
        labels = {"held_on": "Held on", "follow_up_due_on": "Follow-up due on"}
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "follow_up_due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        field_classes = {"held_on": BoundedDateField, "follow_up_due_on": BoundedDateField}

    def __init__(self, *args, agencies, agency: Agency | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.init_agency(agencies=agencies, agency=agency)

    def clean(self):
        cleaned = super().clean()
        held_on, due_on = cleaned.get("held_on"), cleaned.get("follow_up_due_on")
        if held_on and due_on and due_on < held_on:
            self.add_error("follow_up_due_on", FOLLOW_UP_BEFORE_EVENT_MESSAGE)
        if due_on and not cleaned.get("follow_up"):
            self.add_error("follow_up", FOLLOW_UP_WITHOUT_TEXT_MESSAGE)
        agency = self.selected_agency()
        # "Today" is the agency's own date, not the server's (CASES.md conventions).
        in_future = agency is not None and held_on and held_on > timezone.localdate(timezone=agency.zone)
        if in_future and cleaned.get("attendance") is not None:
            self.add_error("attendance", FUTURE_ATTENDANCE_MESSAGE)
        return cleaned
