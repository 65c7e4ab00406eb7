"""Forms of the review workflow's steps: each takes the case (``incident=``) to build its choices from its agency.

The services re-check every rule (agency, stage, who acts); these forms only read the input.
"""

from __future__ import annotations

from django import forms

from compliance.core import access
from compliance.core.models import Finding
from incidents.case_review import services
from incidents.incident_log.models import Allegation, Disposition, Incident
from training.roster.models import Officer

TEXT = {"rows": 4}


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        name = obj.get_full_name()
        return f"{name} ({obj.username})" if name else obj.username


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        rank = f", {obj.rank.name}" if obj.rank_id else ""
        return f"{obj.last_name}, {obj.first_name} (badge {obj.badge_number}{rank})".replace(",  (", " (")


class _CaseForm(forms.Form):
    def __init__(self, *args, incident: Incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.incident = incident


class AcceptForm(_CaseForm):
    investigator = UserChoiceField(
        queryset=None,
        required=False,
        help_text="Optional: assign now, or later. Not a subject officer, not below one in rank.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["investigator"].queryset = services.eligible_investigators(self.incident)


class AssignForm(AcceptForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["investigator"].required = True
        self.fields["investigator"].help_text = (
            "A user who may change the agency's records, not a subject officer of the case and not below the most "
            "senior subject officer in the agency's rank order."
        )


class MergeForm(_CaseForm):
    into = forms.ModelChoiceField(
        label="Merge into case", queryset=None, to_field_name="public_id", help_text="An open case of the agency."
    )
    reason = forms.CharField(widget=forms.Textarea(attrs=TEXT), max_length=4000, help_text="Why they are one case.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = (
            Incident.objects.open().filter(agency=self.incident.agency).exclude(pk=self.incident.pk).order_by("title")
        )


class ReasonForm(_CaseForm):
    reason = forms.CharField(widget=forms.Textarea(attrs=TEXT), max_length=4000)


class DeclineForm(ReasonForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs=TEXT),
        max_length=4000,
        help_text="Sent to the complainant if they gave contact details: no names, nothing internal.",
    )


class NoteForm(_CaseForm):
    text = forms.CharField(label="Note", widget=forms.Textarea(attrs=TEXT), max_length=10000)


class SubjectOfficerForm(_CaseForm):
    officer = OfficerChoiceField(queryset=None, to_field_name="public_id", help_text="An officer on the roster.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = (
            Officer.objects.filter(agency=self.incident.agency)
            .exclude(pk__in=self.incident.subject_officers.values("officer"))
            .select_related("rank")
            .order_by("last_name", "first_name", "badge_number")
        )


class SubjectOfficerRemoveForm(_CaseForm):
    officer = OfficerChoiceField(queryset=None, to_field_name="public_id")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = (
            Officer.objects.filter(pk__in=self.incident.subject_officers.values("officer"))
            .select_related("rank")
            .order_by("last_name", "first_name", "badge_number")
        )


class AllegationForm(_CaseForm):
    text = forms.CharField(label="Allegation", widget=forms.Textarea(attrs=TEXT), max_length=10000)
    officer = OfficerChoiceField(
        queryset=None, to_field_name="public_id", required=False, help_text="Optional: one of the subject officers."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = (
            Officer.objects.filter(pk__in=self.incident.subject_officers.values("officer"))
            .select_related("rank")
            .order_by("last_name", "first_name")
        )


class DispositionForm(_CaseForm):
    allegation = forms.ModelChoiceField(queryset=None)
    disposition = forms.ChoiceField(choices=[("", "- Select -"), *Disposition.choices])
    note = forms.CharField(
        widget=forms.Textarea(attrs=TEXT), max_length=10000, help_text="The evidence the disposition rests on."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["allegation"].queryset = Allegation.objects.filter(incident=self.incident)
        self.fields["allegation"].label_from_instance = lambda row: row.text[:120]


class SubmitForm(_CaseForm):
    summary = forms.CharField(label="Investigation summary", widget=forms.Textarea(attrs={"rows": 8}), max_length=50000)


class CloseForm(_CaseForm):
    narrative = forms.CharField(
        label="Signed-off review narrative", widget=forms.Textarea(attrs={"rows": 8}), max_length=50000
    )
    open_actions_reason = forms.CharField(
        label="Why close with corrective actions still open",
        widget=forms.Textarea(attrs=TEXT),
        max_length=4000,
        required=False,
        help_text="Only when a corrective action is still open.",
    )


class DetainerLinkForm(_CaseForm):
    booking_number = forms.CharField(max_length=40, help_text="The booking number of a detainer of this agency.")


class FindingLinkForm(_CaseForm):
    finding = forms.ModelChoiceField(queryset=None, to_field_name="public_id", help_text="An open finding.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["finding"].queryset = (
            Finding.objects.filter(agency=self.incident.agency)
            .exclude(status__in=[Finding.Status.RESOLVED, Finding.Status.FALSE_POSITIVE])
            .exclude(pk__in=self.incident.linked_findings.values("pk"))
            .order_by("-opened_at")
        )


class FindingToCaseForm(forms.Form):
    """From a finding: link it to an open case of its agency."""

    incident = forms.ModelChoiceField(label="Case", queryset=None, to_field_name="public_id")

    def __init__(self, *args, finding: Finding, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["incident"].queryset = (
            access.scope(Incident.objects.open(), user, access.CHANGE).filter(agency=finding.agency).order_by("title")
        )
