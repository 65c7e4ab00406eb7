"""Forms of the steering committee. They validate only; the views pass ``cleaned_data`` to the services.

A meeting's start is typed on the agency's clock (``AgencyLocalDateTimeField``) and reaches the
service as aware UTC; terms and days are plain agency-local dates.
"""

from __future__ import annotations

from django import forms

from community.organisations.forms import ContactChoiceField
from community.organisations.models import Contact, Organisation
from community.steering_committee.models import CHECK_MOA, CommitteeMember, CommitteeRequirement
from compliance.core.forms import BoundedDateField
from compliance.core.models import Agency
from incidents.detainers.local_time import AgencyLocalDateTimeField, AgencyLocalTimesMixin

DATE_WIDGET = {"attrs": {"type": "date"}, "format": "%Y-%m-%d"}
DATE_FORMATS = ["%Y-%m-%d", "%m/%d/%Y"]
#: The largest public attendance the form takes (our figure): more is a typo, refused next to the field.
MAX_PUBLIC_ATTENDANCE = 100_000


class CommitteeRequirementForm(forms.ModelForm):
    """Whether an agreement requires a steering committee, how often it meets, minutes approval time, quorum."""

    class Meta:
        model = CommitteeRequirement
        fields = ["required", "meeting_interval_months", "minutes_approval_days", "quorum"]
        labels = {
            "required": "A steering committee is required",
            "meeting_interval_months": "Meet at least every (months)",
            "minutes_approval_days": "Approve minutes within (days)",
            "quorum": "Quorum (voting members present)",
        }
        help_texts = {
            "required": f"The MOA requires a steering committee. {CHECK_MOA}",
            "meeting_interval_months": f"1 to 24. A meeting missed past this interval opens a finding. {CHECK_MOA}",
            "minutes_approval_days": f"1 to 365. Past it, supervisors are reminded. {CHECK_MOA}",
            "quorum": f"Leave blank for more than half of the voting members serving. {CHECK_MOA}",
        }


def _agency_choice(model, agency: Agency, label: str) -> forms.ModelChoiceField:
    if model is Contact:  # "Name — Organisation", to tell two contacts of the same name apart
        return ContactChoiceField(
            queryset=Contact.objects.filter(agency=agency).select_related("organisation").order_by("name", "pk"),
            to_field_name="public_id",
            required=False,
            label=label,
            empty_label="- None -",
        )
    return forms.ModelChoiceField(
        queryset=model.objects.filter(agency=agency).order_by("name", "pk"),
        to_field_name="public_id",
        required=False,
        label=label,
        empty_label="- None -",
    )


class CommitteeMemberForm(forms.Form):
    """Add or edit a committee member: name, role, organisation and/or contact of the agency, voting, term."""

    name = forms.CharField(label="Name", max_length=200)
    role = forms.ChoiceField(label="Role", choices=CommitteeMember.Role.choices, initial=CommitteeMember.Role.MEMBER)
    voting = forms.BooleanField(label="Voting member (counts toward the quorum)", required=False, initial=True)
    term_start = BoundedDateField(
        label="Term starts on", input_formats=DATE_FORMATS, widget=forms.DateInput(**DATE_WIDGET)
    )
    term_end = BoundedDateField(
        label="Term ends on (optional)",
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(**DATE_WIDGET),
        help_text="Blank: serving until further notice. The member serves through this day.",
    )

    def __init__(self, *args, agency: Agency, **kwargs):
        super().__init__(*args, **kwargs)
        fields = dict(self.fields)
        self.fields = {
            "name": fields["name"],
            "role": fields["role"],
            "organisation": _agency_choice(Organisation, agency, "Organisation (optional)"),
            "contact": _agency_choice(Contact, agency, "Contact (optional)"),
            "voting": fields["voting"],
            "term_start": fields["term_start"],
            "term_end": fields["term_end"],
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("term_start"), cleaned.get("term_end")
        if start and end and end < start:
            self.add_error("term_end", f"The term cannot end before it starts ({start.isoformat()}).")
        return cleaned


class MemberEndTermForm(forms.Form):
    """End a member's term on a day."""

    term_end = BoundedDateField(
        label="Term ends on",
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(**DATE_WIDGET),
        help_text="The last day the member serves (agency date).",
    )


class MeetingForm(AgencyLocalTimesMixin, forms.Form):
    """Schedule or change a meeting: its start on the agency's clock, location, agenda."""

    starts_at = AgencyLocalDateTimeField(label="Starts at")
    location = forms.CharField(label="Location", max_length=200, required=False)
    agenda = forms.CharField(
        label="Agenda", required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args, agency: Agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency
        self.init_local_times(agency.zone)

    def clean(self):
        cleaned = super().clean()
        self.clean_local_times(self.agency.zone)
        return cleaned


class MeetingHeldForm(forms.Form):
    """Record a meeting held: who was present (members serving that day), the public, the minutes."""

    attendance = forms.MultipleChoiceField(
        label="Members present",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Members serving on the meeting's day.",
    )
    public_attendance = forms.IntegerField(
        label="Members of the public present (optional)", required=False, min_value=0, max_value=MAX_PUBLIC_ATTENDANCE
    )
    minutes = forms.CharField(
        label="Minutes", required=False, max_length=100_000, widget=forms.Textarea(attrs={"rows": 10})
    )
    minutes_file = forms.FileField(
        label="Minutes file (PDF, optional)",
        required=False,
        help_text="A PDF of at most 10 MB. A new file replaces the earlier one.",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(member.public_id): member for member in members}
        self.fields["attendance"].choices = [
            (key, f"{member.name} ({member.get_role_display()}{', voting' if member.voting else ''})")
            for key, member in self.members.items()
        ]

    def present_members(self) -> list:
        """The chosen members (after ``is_valid``)."""
        return [self.members[key] for key in self.cleaned_data.get("attendance", [])]


class MeetingCancelForm(forms.Form):
    """Cancel a scheduled meeting, saying why."""

    reason = forms.CharField(label="Reason", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(forms.Form):
    """A decision the committee took at a held meeting."""

    text = forms.CharField(label="Decision", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
