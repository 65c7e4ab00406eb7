"""Forms of commitments (make, change, done, drop, reopen, the list's filters). They validate only.

Views pass ``cleaned_data`` to ``community.commitments.services``, which check the rules again
(owner holding ``change_records`` in the agency, due date not before the origin, day done not after
the agency's today, evidence and reasons required); their errors land next to the field
(``compliance.core.forms.add_service_errors``). Dates are agency-local ``date``s (``BoundedDateField``).
"""

from __future__ import annotations

from django import forms

from community.commitments import services
from community.commitments.selectors import ORIGIN_CHOICES, SHOW_CHOICES, owner_choices
from compliance.core.forms import AgencyChoiceMixin, BoundedDateField

DATE_FORMATS = ["%Y-%m-%d", "%m/%d/%Y"]
DESCRIPTION_MAX = 5000


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


def _date_field(label: str, help_text: str, *, required_message: str | None = None) -> BoundedDateField:
    return BoundedDateField(
        label=label,
        input_formats=DATE_FORMATS,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": required_message} if required_message else None,
    )


class CommitmentForm(AgencyChoiceMixin, forms.Form):
    """Make a commitment (with an agency choice when it is made on its own by someone of several agencies), or
    change an open one (``agency`` fixed)."""

    description = forms.CharField(
        label="What was promised",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=DESCRIPTION_MAX,
        help_text="In plain words; no names of members of the public are needed.",
        error_messages={"required": services.DESCRIPTION_MESSAGE},
    )
    owner = OwnerChoiceField(
        label="Owner",
        queryset=None,
        empty_label="- Select the person responsible -",
        help_text="Who answers for it: someone who may change this agency's records.",
        error_messages={"required": services.OWNER_MESSAGE, "invalid_choice": services.OWNER_MESSAGE},
    )
    due_on = _date_field(
        "Due date", "The last day it may be done on (the agency's date).", required_message="Give the day it is due."
    )

    def __init__(self, *args, agencies, agency=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.init_agency(agencies=agencies, agency=agency, initial=kwargs.get("initial", {}).get("agency"))
        self.fields["owner"].queryset = owner_choices([agency] if agency is not None else list(agencies))


class CommitmentCompleteForm(forms.Form):
    """Record a commitment done."""

    evidence = forms.CharField(
        label="Evidence",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=DESCRIPTION_MAX,
        help_text="What was done, and where the proof is (e.g. the letter sent, the page published).",
        error_messages={"required": services.EVIDENCE_MESSAGE},
    )
    completed_on = _date_field("Done on", "The agency-local day it was done.")


class ReasonForm(forms.Form):
    """Drop or reopen a commitment (supervisors): the reason, kept on the page and in history."""

    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=DESCRIPTION_MAX,
        error_messages={"required": services.REASON_MESSAGE},
    )


class CommitmentFilterForm(forms.Form):
    """The list's filters (GET): status, the viewer's own, origin. An unknown value falls back to the default."""

    show = forms.ChoiceField(label="Status", choices=SHOW_CHOICES, required=False)
    mine = forms.BooleanField(label="Only mine", required=False)
    origin = forms.ChoiceField(label="Made at", choices=ORIGIN_CHOICES, required=False)
