"""Forms for outreach events. They validate only; views pass ``cleaned_data`` to services."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from community.organisations.forms import ContactChoiceField
from community.organisations.models import Contact, Organisation
from community.outreach.models import OutreachEvent
from compliance.core.form_sections import FormSection, SectionedFormMixin
from compliance.core.forms import AgencyChoiceMixin, BoundedDateField
from compliance.core.models import Agency, User

FUTURE_ATTENDANCE_MESSAGE = "Attendance can only be recorded for an event that has been held."

#: The largest attendance the form takes (our figure): a number past it is a typo, refused next to the field
#: with the same message on every database (the column's own range is 2,147,483,647 on PostgreSQL, 2⁶³ − 1 on
#: SQLite).
MAX_ATTENDANCE = 100_000


INTERPRETATION_CHOICES = [("unknown", "Not recorded"), ("true", "Yes"), ("false", "No")]


class OutreachEventForm(SectionedFormMixin, AgencyChoiceMixin, forms.ModelForm):
    """Log or update a community meeting, presentation, consulate meeting or media briefing (R3.6), in sections."""

    sections = (
        FormSection("event", "The event", ("agency", "kind", "title", "held_on", "location")),
        FormSection(
            "people",
            "Who came, in which languages",
            ("attendance", "languages", "interpretation_provided"),
            hint="Organisations, contacts and staff who took part are added on the event's page.",
        ),
        FormSection("raised", "What was raised", ("topics", "summary")),
    )

    attendance = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_ATTENDANCE, help_text="How many people attended in all."
    )

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
        labels = {
            "held_on": "Held on",
            "languages": "Languages used",
            "interpretation_provided": "Interpretation provided",
            "topics": "Topics raised",
        }
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "interpretation_provided": forms.NullBooleanSelect(),
            "topics": forms.Textarea(attrs={"rows": 4}),
            "summary": forms.Textarea(attrs={"rows": 6}),
        }
        field_classes = {"held_on": BoundedDateField}

    def __init__(self, *args, agencies, agency: Agency | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.init_agency(agencies=agencies, agency=agency)
        self.fields["interpretation_provided"].widget.choices = INTERPRETATION_CHOICES
        self.order_by_sections()

    def clean(self):
        cleaned = super().clean()
        held_on = cleaned.get("held_on")
        agency = self.selected_agency()
        # "Today" is the agency's own date, not the server's (CASES.md conventions).
        in_future = agency is not None and held_on and held_on > timezone.localdate(timezone=agency.zone)
        if in_future and cleaned.get("attendance") is not None:
            self.add_error("attendance", FUTURE_ATTENDANCE_MESSAGE)
        return cleaned


class StaffChoiceField(forms.ModelChoiceField):
    """A member of staff, shown by full name (or user name)."""

    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class ParticipantForm(forms.Form):
    """Add one participant to an event: an organisation, a contact or a member of staff (exactly one).

    The choices are the event agency's active organisations and contacts (shown "Name — Organisation") and its
    staff holding ``change_records`` (not auditors), without those already taking part;
    ``community.outreach.services.participant_add`` checks the same again.
    """

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        to_field_name="public_id",
        required=False,
        label="Organisation",
        empty_label="- None -",
    )
    contact = ContactChoiceField(
        queryset=Contact.objects.none(),
        to_field_name="public_id",
        required=False,
        label="Contact",
        empty_label="- None -",
    )
    staff = StaffChoiceField(
        queryset=User.objects.none(), required=False, label="Member of agency staff", empty_label="- None -"
    )

    def __init__(self, *args, organisations, contacts, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["contact"].queryset = contacts
        self.fields["staff"].queryset = staff

    def clean(self):
        cleaned = super().clean()
        chosen = [name for name in ("organisation", "contact", "staff") if cleaned.get(name) is not None]
        if len(chosen) != 1 and not self.errors:
            raise forms.ValidationError("Choose one organisation, one contact or one member of staff.")
        return cleaned


class MaterialForm(forms.Form):
    """One file shared at an event: PDF, PNG or JPEG, at most 10 MB (checked by ``services.material_add``)."""

    file = forms.FileField(
        label="File",
        help_text="A PDF, PNG or JPEG, at most 10 MB; checked for viruses where a scanner is configured.",
        widget=forms.FileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )
    description = forms.CharField(
        label="Description", required=False, max_length=200, help_text="E.g. “Know-your-rights flyer, Spanish”."
    )


class AsOfForm(forms.Form):
    """The event page's "as it stood at the end of" day (GET ``as_of``): an agency-local date."""

    as_of = BoundedDateField(
        label="Show the event as it stood at the end of",
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )


class OutreachFilterForm(forms.Form):
    """The event list's filters (GET): kind, an organisation taking part, and the days held (from, to: included)."""

    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "Any kind"), *OutreachEvent.Kind.choices])
    held_from = BoundedDateField(label="Held from", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    held_to = BoundedDateField(label="Held to", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        to_field_name="public_id",
        required=False,
        label="Organisation taking part",
        empty_label="Any organisation",
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
